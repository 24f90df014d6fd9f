-- Sign-in sessions and their rotating refresh tokens (api/services/sessions.py).
-- An access token names its session and the account's token version; both are checked on
-- every request, so a logout (session revoked), a password change (token version bumped,
-- sessions revoked) or a deleted account takes effect at once.

ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 1;

CREATE TABLE sessions (
    session_id     UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Only a hash of each refresh token is stored. A token is used once: refreshing marks it used
-- and issues the session's next one; presenting a used token again (a stolen copy racing its
-- owner) revokes the whole session.
CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    session_id UUID NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    issued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Accounts prove their address: signup leaves an account unverified until its owner uses the
-- token mailed to it; a password reset does the same by mail. Admin accounts are vouched for
-- by the operator who made them; every other account existing before this migration must
-- verify (nothing proved who registered it).
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE users SET email_verified_at = created_at WHERE role = 'admin';

-- Single-use tokens sent by mail. Only a SHA-256 digest of each is stored; the mail worker
-- derives the token itself from the token id under a key the database never holds
-- (domain/accounts.py), so a copy of this table mints nothing. A new token of a purpose
-- supersedes the account's unused ones.
CREATE TABLE account_tokens (
    token_id   UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    digest     BYTEA NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_open ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Mail to an account holder, written in the transaction that calls for it and sent by the
-- orders worker from its change record (captured by CDC like the orders it mails about);
-- ``sent_at`` is the worker's claim, so a redelivered record sends nothing twice.
CREATE TABLE account_mail (
    mail_id    UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    token_id   UUID REFERENCES account_tokens (token_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at    TIMESTAMPTZ
);
CREATE INDEX account_mail_recent ON account_mail (user_id, kind, created_at DESC);

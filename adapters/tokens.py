"""Access tokens: short-lived JWTs signed with Ed25519 (EdDSA), each naming its key (``kid``).

Only the API process holds the signing key; anything that merely verifies needs the public
keys alone. A key is configured as the base64url text of its 32-byte seed
(``SHOP_JWT_SIGNING_KEY``; ``make up`` generates one into the stack's ``secrets.env``).
Rotation: a new signing key, with the old one's public key kept in
``SHOP_JWT_RETIRED_KEYS`` until the last token it signed has expired (``shopctl
rotate-jwt-key`` does both). There is no usable default: the API refuses to start without a
key, with a malformed one, or with one known to be weak.

A token proves who signed in, in which session, at which token version of the account; the
caller's role and whether the session still stands are read from Postgres on every request
(``api.auth``), so a logout, a password change or a role change takes effect at once.
"""

import base64
import hashlib
import time
import uuid
from dataclasses import dataclass, field

import jwt
from cachetools import LRUCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from config import Settings

ALGORITHM = "EdDSA"
SEED_BYTES = 32
MIN_DISTINCT_BYTES = 16  # a random 32-byte seed has ~27; "aaaa..." or a counter has few


class KeyRefused(RuntimeError):
    """The configured key cannot sign tokens safely; the message says what to do."""


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    token_version: int
    jti: str
    expires_at: int


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_signing_key() -> str:
    """A fresh key, as configured (base64url of a random 32-byte seed)."""
    return _b64encode(Ed25519PrivateKey.generate().private_bytes_raw())


def public_key_text(signing_key: str) -> str:
    """The public half of a configured signing key, as ``SHOP_JWT_RETIRED_KEYS`` holds it."""
    private = Ed25519PrivateKey.from_private_bytes(_b64decode(signing_key))
    return _b64encode(private.public_key().public_bytes_raw())


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes_raw()).hexdigest()[:16]


def _seed(text: str) -> bytes:
    try:
        seed = _b64decode(text.strip())
    except ValueError as exc:
        raise KeyRefused("SHOP_JWT_SIGNING_KEY is not base64url text") from exc
    if len(seed) != SEED_BYTES:
        raise KeyRefused(f"SHOP_JWT_SIGNING_KEY must hold {SEED_BYTES} bytes, not {len(seed)}")
    if len(set(seed)) < MIN_DISTINCT_BYTES:
        raise KeyRefused("SHOP_JWT_SIGNING_KEY is a weak, guessable key: generate a random one")
    return seed


VERIFIED_TOKENS = 50_000
"""Tokens a process remembers as verified: about a quarter hour of a busy storefront's
signed-in shoppers, a few MiB."""


@dataclass(frozen=True)
class TokenKeys:
    """The signing key and every public key a token may name.

    A token verified once is remembered (its claims, until it expires): the same bytes verify
    the same way, and an Ed25519 check costs more than the rest of a refused checkout. The
    session behind it is still checked on every request, so signing out applies at once.
    """

    signing: Ed25519PrivateKey
    signing_kid: str
    verifying: dict[str, Ed25519PublicKey]
    verified: LRUCache = field(default_factory=lambda: LRUCache(VERIFIED_TOKENS), compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenKeys":
        if settings.jwt_signing_key is None:
            raise KeyRefused(
                "SHOP_JWT_SIGNING_KEY is not set: `make up` generates one into the stack's"
                " secrets.env; elsewhere set it to the output of `shopctl new-jwt-key`"
            )
        signing = Ed25519PrivateKey.from_private_bytes(
            _seed(settings.jwt_signing_key.get_secret_value())
        )
        retired = [
            Ed25519PublicKey.from_public_bytes(_b64decode(text.strip()))
            for text in settings.jwt_retired_keys.split(",")
            if text.strip()
        ]
        verifying = {key_id(key): key for key in [signing.public_key(), *retired]}
        return cls(signing, key_id(signing.public_key()), verifying)

    def issue(
        self, settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID, token_version: int
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "ver": token_version,
            "iss": settings.jwt_issuer,
            "iat": now,
            "exp": now + settings.access_token_ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims, self.signing, algorithm=ALGORITHM, headers={"kid": self.signing_kid}
        )

    def verify(self, settings: Settings, token: str) -> AccessClaims:
        """Raises ``jwt.ExpiredSignatureError`` or another ``jwt.InvalidTokenError``."""
        claims = self.verified.get(token)
        if claims is None:
            claims = self.verified[token] = self._verify(settings, token)
        if claims.expires_at <= time.time():
            self.verified.pop(token, None)
            raise jwt.ExpiredSignatureError("Signature has expired")
        return claims

    def _verify(self, settings: Settings, token: str) -> AccessClaims:
        kid = jwt.get_unverified_header(token).get("kid")
        key = self.verifying.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidTokenError("unknown signing key")
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "sid", "ver", "exp", "iss", "jti"]},
        )
        try:
            return AccessClaims(
                uuid.UUID(claims["sub"]),
                uuid.UUID(claims["sid"]),
                int(claims["ver"]),
                str(claims["jti"]),
                int(claims["exp"]),
            )
        except (TypeError, ValueError) as exc:
            raise jwt.InvalidTokenError("malformed claims") from exc

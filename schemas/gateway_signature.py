"""How the API signs its requests to the payment gateway, as Stripe signs its webhooks.

Header ``Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` with the
shared ``SHOP_GATEWAY_SECRET``. The gateway refuses a request whose signature does not match
or whose timestamp is more than ``TOLERANCE_SECONDS`` away from its clock (a replayed
capture), comparing in constant time.
"""

import hashlib
import hmac

HEADER = "Shop-Signature"
TOLERANCE_SECONDS = 300


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: int) -> bool:
    if not header:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(fields.get("v1", ""), _mac(secret, timestamp, body))


def keyed_fingerprint(secret: str, value: str) -> str:
    """A stable, unguessable stand-in for a card number (or a request holding one): equal
    inputs match, and nothing about the number can be read back from it."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()

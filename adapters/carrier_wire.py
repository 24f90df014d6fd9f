"""How a carrier signs the tracking events it posts to the storefront's webhook.

Headers ``X-Carrier-Timestamp: <unix seconds>`` and ``X-Carrier-Signature: sha256=<hex>``, the
hex being the HMAC-SHA256 of ``"<timestamp>.<raw body>"`` under the shared
``SHOP_CARRIER_WEBHOOK_SECRET`` (``adapters.signing``): a stale timestamp or a signature that
does not match is refused. Carriers (and the tests standing in for one) sign with ``sign``.
"""

from adapters.signing import matches, parse_timestamp, timestamped_mac

SIGNATURE_HEADER = "X-Carrier-Signature"
TIMESTAMP_HEADER = "X-Carrier-Timestamp"
_SCHEME = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers a carrier sends with ``body``."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: _SCHEME + timestamped_mac(secret, timestamp, body),
    }


def verify(
    secret: str, signature: str | None, timestamp: str | None, body: bytes, now: int
) -> bool:
    sent_at = parse_timestamp(timestamp)
    if not signature or not signature.startswith(_SCHEME) or sent_at is None:
        return False
    return matches(secret, sent_at, body, signature.removeprefix(_SCHEME), now)

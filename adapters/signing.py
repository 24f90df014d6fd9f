"""Timestamped HMAC-SHA256 request signatures, as Stripe signs its webhooks.

The MAC covers ``"<unix seconds>.<raw body>"``, so a captured request cannot be replayed with
a fresh timestamp; a timestamp more than ``TOLERANCE_SECONDS`` away from the receiver's clock
is refused (a replayed capture), and signatures are compared in constant time. The wire
formats that carry them: ``adapters.gateway_wire`` (storefront -> payment gateway) and
``adapters.carrier_wire`` (carrier -> storefront).
"""

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def timestamped_mac(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def matches(secret: str, timestamp: int, body: bytes, signature: str, now: int) -> bool:
    """True when ``signature`` signs ``body`` at ``timestamp`` and that is recent enough."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature, timestamped_mac(secret, timestamp, body))

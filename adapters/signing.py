"""Timestamped HMAC-SHA256 request signatures, as Stripe signs its webhooks.

The MAC covers ``"<unix seconds>.<raw body>"``, so a captured request cannot be replayed with
a fresh timestamp; a timestamp more than ``TOLERANCE_SECONDS`` away from the receiver's clock
is refused (a replayed capture), and signatures are compared in constant time. The wire
formats that carry them: ``adapters.gateway_wire`` (storefront -> payment gateway) and
``adapters.carrier_wire`` (carrier -> storefront).

Headers reach us as text decoded from Latin-1, so a forger can send any character: a
signature is checked for shape (64 lowercase hex digits) before it is compared, and compared
as bytes (``hmac.compare_digest`` raises on non-ASCII text, which was a 500).
"""

import hashlib
import hmac
import re

TOLERANCE_SECONDS = 300

_HEX_MAC = re.compile(r"[0-9a-f]{64}")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def timestamped_mac(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def parse_timestamp(text: str | None) -> int | None:
    """Unix seconds as ASCII digits, else None (``int`` would take " 1", "1_0" or Arabic
    digits, and spend quadratic time on a huge number)."""
    if text is None or not _UNIX_SECONDS.fullmatch(text):
        return None
    return int(text)


def matches(secret: str, timestamp: int, body: bytes, signature: str, now: int) -> bool:
    """True when ``signature`` signs ``body`` at ``timestamp`` and that is recent enough."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    if len(signature) != 64 or not _HEX_MAC.fullmatch(signature):
        return False
    expected = timestamped_mac(secret, timestamp, body)
    return hmac.compare_digest(signature.encode("ascii"), expected.encode("ascii"))

"""What the storefront and the card payment gateway say to each other (Stripe-style).

The card, as a charge carries it, and how the storefront signs its requests, as Stripe signs
its webhooks: header ``Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw
body>">`` with the shared ``SHOP_GATEWAY_SECRET``. The gateway refuses a request whose
signature does not match or whose timestamp is too far from its clock (``adapters.signing``).
Both sides import this module: the
client (``adapters.payment_gateway``) and the local simulator (``ops.payment_gateway``).
"""

import hashlib
import hmac
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from adapters.signing import matches, parse_timestamp, timestamped_mac
from adapters.wire import ApiModel

HEADER = "Shop-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={timestamped_mac(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: int) -> bool:
    if not header:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = parse_timestamp(fields.get("t"))
    if timestamp is None:
        return False
    return matches(secret, timestamp, body, fields.get("v1", ""), now)


def keyed_fingerprint(secret: str, value: str) -> str:
    """A stable, unguessable stand-in for a card number (or a request holding one): equal
    inputs match, and nothing about the number can be read back from it."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def _luhn_valid(number: str) -> str:
    digits = [int(d) for d in reversed(number)]
    checksum = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    if checksum % 10:
        raise ValueError("card number fails the Luhn check")
    return number


CardNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{12,19}$"), AfterValidator(_luhn_valid)
]


class CardDetails(ApiModel):
    number: CardNumber
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2100)
    cvc: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,4}$")]

"""Payment rules: when an order may be paid, and what a gateway answer means for the payment row.

A payment row is PENDING while the gateway is being asked, then SUCCEEDED or FAILED once the
gateway has answered for sure. UNKNOWN means the gateway never answered (timeout, 5xx): the charge
may exist, so the same idempotency key must be replayed later instead of charging anew.
"""

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

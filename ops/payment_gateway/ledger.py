"""The simulated gateway's memory: charges made, and the response given to each idempotency key.

Kept in process memory on purpose: this stands in for an external provider whose records are not
ours to persist. A restart forgets every charge and key, like switching to a fresh test account.
"""

import time
import uuid
from dataclasses import dataclass, field

from ops.payment_gateway.errors import error_body


@dataclass(frozen=True)
class Card:
    """All the gateway keeps of a card: never its number or CVC."""

    last4: str
    fingerprint: str


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    """A keyed hash of the request that produced it: a key replayed with other parameters is
    refused."""
    status_code: int
    body: dict


@dataclass
class ChargeLedger:
    responses: dict[str, StoredResponse] = field(default_factory=dict)
    charges: list[dict] = field(default_factory=list)
    in_flight: set[str] = field(default_factory=set)

    def record(
        self,
        idempotency_key: str,
        fingerprint: str,
        charge_request: dict,
        card: Card,
        decline_code: str | None,
    ) -> StoredResponse:
        """Books the charge (succeeded, or failed with ``decline_code``) and the response that
        every replay of ``idempotency_key`` will get; ``charge_request`` holds no card."""
        charge = {
            "id": f"ch_{uuid.uuid4().hex[:24]}",
            "object": "charge",
            "amount": charge_request["amount"],
            "currency": charge_request["currency"],
            "status": "failed" if decline_code else "succeeded",
            "paid": decline_code is None,
            "failureCode": decline_code,
            "cardLast4": card.last4,
            "cardFingerprint": card.fingerprint,
            "metadata": charge_request["metadata"],
            "created": int(time.time()),
        }
        self.charges.append(charge)
        if decline_code:
            body = error_body(decline_code, "the card was declined", charge=charge["id"])
            stored = StoredResponse(fingerprint, 402, body)
        else:
            stored = StoredResponse(fingerprint, 200, charge)
        self.responses[idempotency_key] = stored
        return stored

    def charges_of_order(self, order_id: str) -> list[dict]:
        return [c for c in self.charges if c["metadata"].get("orderId") == order_id]

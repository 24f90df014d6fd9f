"""The simulated gateway's memory: charges made, and the response given to each idempotency key.

Kept in process memory on purpose: this stands in for an external provider whose records are not
ours to persist. A restart forgets every charge and key, like switching to a fresh test account.
"""

import time
import uuid
from dataclasses import dataclass, field

from ops.payment_gateway.errors import GatewayError, error_body


@dataclass(frozen=True)
class Card:
    """All the gateway keeps of a card: never its number or CVC."""

    last4: str
    fingerprint: str


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str | None
    """A keyed hash of the request that produced it: a key replayed with other parameters is
    refused. None: any request with the key gets this response (a voided key)."""
    status_code: int
    body: dict


@dataclass
class ChargeLedger:
    responses: dict[str, StoredResponse] = field(default_factory=dict)
    charges: list[dict] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)
    in_flight: set[str] = field(default_factory=set)

    def replay(self, idempotency_key: str, fingerprint: str) -> StoredResponse | None:
        """The response already given to this key, if any; refuses the key reused with other
        parameters (as Stripe does)."""
        stored = self.responses.get(idempotency_key)
        if stored is not None and stored.fingerprint not in (None, fingerprint):
            raise GatewayError(
                400, "idempotency_key_reused", "this key was used with other parameters"
            )
        return stored

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

    def void(self, idempotency_key: str) -> StoredResponse:
        """The response the key got, else a decline kept for the key: a charge sent with it
        later is answered with that decline and takes nothing."""
        stored = self.responses.get(idempotency_key)
        if stored is None:
            body = error_body("charge_voided", "no charge was made with this key; it is void")
            stored = self.responses[idempotency_key] = StoredResponse(None, 402, body)
        return stored

    def charges_of_order(self, order_id: str) -> list[dict]:
        return [c for c in self.charges if c["metadata"].get("orderId") == order_id]

    def refund(
        self, idempotency_key: str, fingerprint: str, charge_id: str, amount: int, metadata: dict
    ) -> StoredResponse:
        """Books a refund of a succeeded charge (never more than is left of it) and the response
        every replay of ``idempotency_key`` will get."""
        charge = next((c for c in self.charges if c["id"] == charge_id), None)
        if charge is None or not charge["paid"]:
            raise GatewayError(404, "charge_not_found", f"no paid charge {charge_id}")
        refunded = sum(r["amount"] for r in self.refunds if r["charge"] == charge_id)
        if amount > charge["amount"] - refunded:
            raise GatewayError(400, "amount_too_large", "more than is left of the charge")
        refund = {
            "id": f"re_{uuid.uuid4().hex[:24]}",
            "object": "refund",
            "charge": charge_id,
            "amount": amount,
            "currency": charge["currency"],
            "status": "succeeded",
            "metadata": metadata,
            "created": int(time.time()),
        }
        self.refunds.append(refund)
        stored = StoredResponse(fingerprint, 200, refund)
        self.responses[idempotency_key] = stored
        return stored

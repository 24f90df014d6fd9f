"""The payment gateway takes charges only from the storefront (signed requests) and keeps no
card number or CVC beyond the request."""

import json
import time
import uuid

import httpx
import pytest

from adapters import gateway_wire
from config import get_settings

pytestmark = pytest.mark.engines

CARD = {"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "987"}


def charge_body() -> bytes:
    order = str(uuid.uuid4())
    body = {"amount": 1999, "currency": "usd", "card": CARD, "metadata": {"orderId": order}}
    return json.dumps(body).encode()


def signed_headers(secret: str, body: bytes, at: int | None = None) -> dict[str, str]:
    signature = gateway_wire.sign(secret, at or int(time.time()), body)
    return {gateway_wire.HEADER: signature, "Content-Type": "application/json"}


@pytest.fixture
def secret() -> str:
    configured = get_settings().gateway_secret
    assert configured is not None, "run `make up`: it generates SHOP_GATEWAY_SECRET"
    return configured.get_secret_value()


@pytest.mark.parametrize(
    "forge",
    [
        lambda secret, body: {"Content-Type": "application/json"},
        lambda secret, body: signed_headers("not the secret", body),
        lambda secret, body: signed_headers(secret, body, at=int(time.time()) - 3600),
        lambda secret, body: signed_headers(secret, body + b" "),
    ],
    ids=["unsigned", "wrong-secret", "replayed-an-hour-later", "body-changed"],
)
def test_unsigned_or_forged_charges_are_refused(gateway_url: str, secret: str, forge) -> None:
    body = charge_body()
    headers = {**forge(secret, body), "Idempotency-Key": uuid.uuid4().hex}
    response = httpx.post(f"{gateway_url}/v1/charges", content=body, headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    listing = httpx.get(f"{gateway_url}/v1/charges", params={"orderId": "x"}, timeout=5)
    assert listing.status_code == 401


MALFORMED_MACS: dict[str, bytes] = {
    "non-ascii": "é".encode() * 32,
    "latin-1-of-hex-length": b"\xff" * 64,
    "wrong-length": b"0" * 63,
    "not-hex": b"g" * 64,
    "huge": b"0" * 60_000,
}


@pytest.mark.parametrize("mac", MALFORMED_MACS.values(), ids=MALFORMED_MACS)
def test_a_malformed_signature_with_a_fresh_timestamp_is_401_not_500(
    gateway_url: str, mac: bytes
) -> None:
    """Headers arrive as Latin-1 text: any byte a forger sends must end in a 401."""
    headers = {
        gateway_wire.HEADER: f"t={int(time.time())},v1=".encode() + mac,
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    response = httpx.post(
        f"{gateway_url}/v1/charges", content=charge_body(), headers=headers, timeout=5
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "bad_signature"


def test_the_gateway_keeps_no_card_number_or_cvc(gateway_url: str, secret: str) -> None:
    body = charge_body()
    headers = {**signed_headers(secret, body), "Idempotency-Key": uuid.uuid4().hex}
    charged = httpx.post(f"{gateway_url}/v1/charges", content=body, headers=headers, timeout=5)
    assert charged.status_code == 200, charged.text
    order = json.loads(body)["metadata"]["orderId"]
    listing = httpx.get(
        f"{gateway_url}/v1/charges",
        params={"orderId": order},
        headers=signed_headers(secret, b""),
        timeout=5,
    )
    [charge] = listing.json()["data"]
    stored = json.dumps(charge) + charged.text
    assert CARD["number"] not in stored and '"987"' not in stored
    assert charge["cardLast4"] == "4242" and len(charge["cardFingerprint"]) == 64

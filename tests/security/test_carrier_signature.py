"""The carrier webhook's signature, without I/O: good, tampered, stale, replayed."""

import pytest
from pydantic import SecretStr

from adapters import carrier_wire
from adapters.signing import TOLERANCE_SECONDS
from api.app import SecretMissing, check_secrets
from config import Settings

SECRET = "a-carrier-secret"
NOW = 1_780_000_000
BODY = b'{"eventId":"evt-1","trackingNumber":"TRK1","type":"IN_TRANSIT"}'


def verify(headers: dict[str, str], body: bytes = BODY, now: int = NOW) -> bool:
    return carrier_wire.verify(
        SECRET,
        headers.get(carrier_wire.SIGNATURE_HEADER),
        headers.get(carrier_wire.TIMESTAMP_HEADER),
        body,
        now,
    )


def test_a_fresh_signature_of_the_body_is_accepted() -> None:
    headers = carrier_wire.sign(SECRET, NOW, BODY)
    assert headers[carrier_wire.SIGNATURE_HEADER].startswith("sha256=")
    assert verify(headers)


@pytest.mark.parametrize("skew", [-TOLERANCE_SECONDS, TOLERANCE_SECONDS])
def test_clock_skew_within_five_minutes_is_tolerated(skew: int) -> None:
    assert verify(carrier_wire.sign(SECRET, NOW + skew, BODY))


def test_a_tampered_body_is_refused() -> None:
    assert not verify(carrier_wire.sign(SECRET, NOW, BODY), body=BODY.replace(b"IN_", b"OUT_"))


def test_another_secret_is_refused() -> None:
    assert not verify(carrier_wire.sign("not-the-secret", NOW, BODY))


def test_a_replayed_capture_is_refused_once_stale() -> None:
    assert not verify(carrier_wire.sign(SECRET, NOW, BODY), now=NOW + TOLERANCE_SECONDS + 1)


def test_a_fresh_timestamp_on_an_old_signature_is_refused() -> None:
    """The timestamp is signed: a replayer cannot refresh it."""
    headers = carrier_wire.sign(SECRET, NOW - 3600, BODY)
    headers[carrier_wire.TIMESTAMP_HEADER] = str(NOW)
    assert not verify(headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {carrier_wire.TIMESTAMP_HEADER: str(NOW)},
        {carrier_wire.TIMESTAMP_HEADER: "soon", carrier_wire.SIGNATURE_HEADER: "sha256=00"},
        {carrier_wire.TIMESTAMP_HEADER: str(NOW), carrier_wire.SIGNATURE_HEADER: "md5=00"},
        {carrier_wire.TIMESTAMP_HEADER: str(NOW), carrier_wire.SIGNATURE_HEADER: "sha256="},
        {
            carrier_wire.TIMESTAMP_HEADER: str(NOW),
            carrier_wire.SIGNATURE_HEADER: "sha256=" + "ÿ" * 64,
        },
        {**carrier_wire.sign(SECRET, NOW, BODY), carrier_wire.TIMESTAMP_HEADER: f"{NOW:_}"},
    ],
    ids=[
        "unsigned",
        "no-signature",
        "bad-timestamp",
        "other-scheme",
        "empty",
        "non-ascii",
        "underscores",
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str]) -> None:
    assert not verify(headers)


def test_the_api_refuses_to_start_without_the_carrier_secret() -> None:
    settings = Settings(gateway_secret=SecretStr("g"), carrier_webhook_secret=None)
    with pytest.raises(SecretMissing, match="SHOP_CARRIER_WEBHOOK_SECRET"):
        check_secrets(settings)

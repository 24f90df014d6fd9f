"""Card validation at the edge and the simulated gateway's test cards, without I/O."""

import datetime as dt

import pytest
from pydantic import ValidationError

from adapters.gateway_wire import CardDetails
from ops.payment_gateway.cards import TEST_CARDS, CardBehaviour, behaviour_of, decline_code

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize("number", [*TEST_CARDS, "4111111111111111"])
def test_test_cards_are_valid_card_numbers(number: str) -> None:
    CardDetails(number=number, exp_month=1, exp_year=2030, cvc="123")


@pytest.mark.parametrize("number", ["4242424242424241", "4242", "4242-4242-4242-4242", ""])
def test_malformed_card_numbers_are_refused(number: str) -> None:
    with pytest.raises(ValidationError):
        CardDetails(number=number, exp_month=1, exp_year=2030, cvc="123")


def test_unknown_numbers_are_approved() -> None:
    assert behaviour_of("4111111111111111") is CardBehaviour.APPROVE


@pytest.mark.parametrize(
    ("behaviour", "month", "year", "code"),
    [
        (CardBehaviour.APPROVE, 6, 2026, None),
        (CardBehaviour.APPROVE, 5, 2026, "expired_card"),
        (CardBehaviour.DECLINE, 1, 2030, "card_declined"),
        (CardBehaviour.DECLINE_INSUFFICIENT_FUNDS, 1, 2030, "insufficient_funds"),
        (CardBehaviour.STALL_THEN_APPROVE, 1, 2030, None),
        (CardBehaviour.APPROVE_THEN_FAIL, 1, 2030, None),
    ],
)
def test_decline_codes(behaviour: CardBehaviour, month: int, year: int, code: str | None) -> None:
    assert decline_code(behaviour, month, year, TODAY) == code

"""Test cards of the simulated gateway: the card number chooses the outcome, as in Stripe."""

import datetime as dt
from enum import Enum


class CardBehaviour(Enum):
    APPROVE = "approve"
    DECLINE = "decline"
    DECLINE_INSUFFICIENT_FUNDS = "insufficient_funds"
    STALL_THEN_APPROVE = "stall_then_approve"
    """Answers after ``gateway_slow_charge_seconds`` (longer than the client waits), charged."""
    APPROVE_THEN_FAIL = "approve_then_fail"
    """Charges, then answers 500 as if it crashed; a replay of the key returns the charge."""


TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": CardBehaviour.APPROVE,
    "4000000000000002": CardBehaviour.DECLINE,
    "4000000000009995": CardBehaviour.DECLINE_INSUFFICIENT_FUNDS,
    "4000000000000259": CardBehaviour.STALL_THEN_APPROVE,
    "4000000000000119": CardBehaviour.APPROVE_THEN_FAIL,
}


def behaviour_of(number: str) -> CardBehaviour:
    """Any other well-formed number is approved, like a generic test card."""
    return TEST_CARDS.get(number, CardBehaviour.APPROVE)


def decline_code(
    behaviour: CardBehaviour, exp_month: int, exp_year: int, today: dt.date
) -> str | None:
    """Why the card is declined, or None when it may be charged."""
    if (exp_year, exp_month) < (today.year, today.month):
        return "expired_card"
    if behaviour is CardBehaviour.DECLINE:
        return "card_declined"
    if behaviour is CardBehaviour.DECLINE_INSUFFICIENT_FUNDS:
        return "insufficient_funds"
    return None

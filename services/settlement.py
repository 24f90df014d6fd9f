"""Settling orders: a payment's outcome, or the expiry of unpaid holds (and, through
``apply_decisions``, the customer's cancellation: ``services.cancellation``).

Each handler is one transaction: lock the order(s), ask ``domain.settlement`` what their state
calls for, write that, give back the discount redemptions of the orders that release their
stock, and move the stock of all of them at once (each product once, in product order, so
concurrent settlements cannot deadlock). Every rule starts from "is the
order still RESERVED?", so a repeated or late event finds nothing left to do.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from domain.payments import PaymentChange
from domain.settlement import (
    Decision,
    NoChange,
    OrderState,
    RefundRequired,
    Settle,
    on_expiry,
    on_payment,
)
from services import refunds
from services.context import Services, SettlementStore

log = logging.getLogger(__name__)


async def settle_payment(services: Services, payment: PaymentChange) -> Decision:
    """A settled payment confirms its order and sells the held units, or fails it and
    releases them; PENDING and UNKNOWN payments change nothing. A success for an order that
    ended first (expired, failed, cancelled) is refunded: the refund is opened in the same
    transaction and asked of the gateway once it committed (a refund someone else opened, a
    cancellation's, is theirs to ask; the reconciler asks again for any left unanswered).

    The record only names the payment: what it decides is read from Postgres under the order's
    lock, so a forged or stale record cannot confirm an unpaid order."""
    async with services.unit_of_work() as uow:
        state = await uow.settlement.lock_order(payment.order_id)
        if state is None:
            return NoChange("unknown order")
        status = await uow.settlement.payment_status(payment.payment_id, payment.order_id)
        if status is None:
            return NoChange("no such payment of this order")
        decision = on_payment(state, status)
        await apply_decisions(uow.settlement, [(state, decision)])
        opened = isinstance(decision, RefundRequired) and await uow.refunds.open_for_payment(
            payment.payment_id
        )
    if opened:
        log.warning(
            "payment %s succeeded for order %s already %s: refunding it",
            payment.payment_id,
            payment.order_id,
            decision.order_status,
        )
        await refunds.refund_payment(services, payment.payment_id)
    elif isinstance(decision, Settle):
        log.info("order %s -> %s", payment.order_id, decision.order_status)
    return decision


async def expire_holds(services: Services, now: datetime) -> list[Decision]:
    """Release the holds of unpaid orders past their expiry, in batches, until a batch comes
    back short or expires nothing (no endless loop over orders a payment made ineligible
    after they were picked)."""
    batch = services.settings.reservation_expiry_batch
    decisions: list[Decision] = []
    while True:
        async with services.unit_of_work() as uow:
            states = await uow.settlement.lock_expired(now, batch)
            swept = [on_expiry(state, now) for state in states]
            await apply_decisions(uow.settlement, zip(states, swept, strict=True))
        for state, decision in zip(states, swept, strict=True):
            if isinstance(decision, Settle):
                log.info("order expired unpaid", extra={"order_id": state.order_id})
        decisions += swept
        if len(swept) < batch or not any(isinstance(d, Settle) for d in swept):
            break
    return decisions


async def apply_decisions(
    store: SettlementStore, outcomes: Iterable[tuple[OrderState, Decision]]
) -> None:
    """Writes the decisions taken on orders locked in ``store``'s transaction (a settlement's,
    or a cancellation's)."""
    moves = []
    giving_back = []
    for state, decision in outcomes:
        if isinstance(decision, Settle):
            await store.settle(state, decision)
            moves += decision.moves
            if decision.gives_back_discount:
                giving_back.append(state.order_id)
    # Discount codes before stock, the order in which checkout locks them: no deadlock.
    await store.give_back_discounts(giving_back)
    await store.move_stock(moves)

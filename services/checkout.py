"""Checkout: shed what the gate already sees is short (before any Postgres or catalog read;
the API admits at the gate even earlier, ``admit_at_gate``), validate against the cart, live
prices and the discount code, pass the gate, then redeem the code, create the order, reserve
stock and its holds, and empty the bought cart lines in ONE Postgres transaction; finally
tell the gate what Postgres decided.

The discount code has no Redis gate of its own: the look before the transaction (an unlocked
read of the code, ``services.discounts.shopper_offer``) turns a used-up code away before it is
admitted at the stock gate or opens a transaction, and a code that still has uses must reach
Postgres anyway, which decides each one (``services.discounts.redeem``).
"""

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters import carts, discount_store, inventory_store, orders, users
from adapters.prices import PriceReader
from adapters.stock_cache import CheckoutGate
from config.logs import current
from domain.cart import CartNotFound
from domain.checkout import (
    OrderDraft,
    RequestedLine,
    delivery_address,
    draft_order,
    order_id_for,
)
from domain.inventory import OutOfStock, StockChange
from services import discounts
from services.context import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutOrder:
    """What the customer confirmed: the cart, its lines as shown, the delivery address, and
    the discount code to apply (one per order: codes do not stack)."""

    cart_id: uuid.UUID
    lines: Sequence[RequestedLine]
    address_id: uuid.UUID | None = None
    discount_code: str | None = None


class _PlacedMeanwhile(Exception):
    """A concurrent retry of the same order placed it first: this attempt writes nothing."""


async def admit_at_gate(
    services: Services,
    user_id: uuid.UUID,
    wanted: Mapping[str, int],
    idempotency_key: str | None,
    counter: str,
    window_seconds: int,
) -> tuple[int, OutOfStock | None]:
    """The gate's admission, taken by the API before anything else so that a sold-out
    product's buyer costs one Redis round trip, in which the API's request ``counter`` (a
    rate-limit window) is counted too: its hits come first, then the shortage that refuses the
    order, if any. An order admitted here holds its units at the gate (never in Postgres)
    until ``place_order`` settles it or its deadline passes; a retry of an order the gate knows
    as placed is not refused (its answer is the order)."""
    hits, look = await CheckoutGate(services.engines.redis).count_and_admit(
        order_id_for(user_id, idempotency_key),
        wanted,
        services.settings.gate_admission_ttl_seconds,
        counter,
        window_seconds,
    )
    return hits, None if look.short is None else OutOfStock(look.short)


async def release_at_gate(
    services: Services,
    user_id: uuid.UUID,
    wanted: Mapping[str, int],
    idempotency_key: str | None,
) -> None:
    """Gives back at once the units ``admit_at_gate`` admitted for an order that will not be
    placed now (the API shed the request); a failure leaves them to their deadline."""
    gate = CheckoutGate(services.engines.redis)
    await gate.settle(order_id_for(user_id, idempotency_key), sorted(wanted))


async def place_order(
    services: Services,
    prices: PriceReader,
    user_id: uuid.UUID,
    order: CheckoutOrder,
    idempotency_key: str | None,
) -> uuid.UUID:
    """The id of the RESERVED order; a retry with the same Idempotency-Key returns the same id."""
    order_id = order_id_for(user_id, idempotency_key)
    gate = CheckoutGate(services.engines.redis)
    look = await gate.look(order_id, {line.product_id: line.quantity for line in order.lines})
    if look.short is not None:
        raise OutOfStock(look.short)
    if idempotency_key and (look.placed or await _already_placed(services, order_id, user_id)):
        return order_id
    try:
        await _place(services, prices, gate, order_id, user_id, order)
    except Exception:
        # A concurrent retry with the same key may have won the race (and emptied the cart
        # this attempt validated against): its order is this request's answer.
        if idempotency_key and await _already_placed(services, order_id, user_id):
            return order_id
        raise
    return order_id


async def _place(
    services: Services,
    prices: PriceReader,
    gate: CheckoutGate,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    order: CheckoutOrder,
) -> None:
    try:
        draft, address = await _confirmed_draft(services, prices, user_id, order)
    except Exception:
        # Admitted before (``admit_at_gate``): its units go back to the gate at once.
        await gate.settle(order_id, sorted({line.product_id for line in order.lines}))
        raise
    lines = [(line.product_id, line.quantity) for line in draft.lines]
    ttl = services.settings.gate_admission_ttl_seconds
    if (shed_on := await gate.admit(order_id, lines, ttl)) is not None:
        raise OutOfStock(shed_on)
    reserved: list[StockChange] = []
    try:
        reserved = await _reserve(services, order_id, user_id, order.cart_id, draft, address)
    finally:
        await gate.settle(order_id, draft.product_ids, reserved)
    if reserved:
        log.info("order placed: %d lines held", len(reserved), extra={"order_id": str(order_id)})


async def _confirmed_draft(
    services: Services, prices: PriceReader, user_id: uuid.UUID, order: CheckoutOrder
) -> tuple[OrderDraft, dict | None]:
    """The order as the client confirmed it, checked against its cart, the live prices and its
    discount code, and the delivery address it chose."""
    async with services.engines.pg.connection() as conn:
        cart = await carts.owned_cart_lines(conn, order.cart_id, user_id)
        if cart is None:
            raise CartNotFound(order.cart_id)
        address_book = await users.addresses(conn, user_id) if order.address_id else []
        code = order.discount_code
        offer = await discounts.shopper_offer(services, conn, code, user_id) if code else None
    live = await prices.live_prices(line.product_id for line in order.lines)
    draft = draft_order(order.lines, cart, live)
    if offer is not None:
        draft = draft.discounted(offer.apply(draft.subtotal, draft.currency, datetime.now(UTC)))
    return draft, delivery_address(address_book, order.address_id)


async def _already_placed(services: Services, order_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    async with services.engines.pg.connection() as conn:
        return await orders.exists_for(conn, order_id, user_id)


async def _reserve(
    services: Services,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    cart_id: uuid.UUID,
    draft: OrderDraft,
    address: dict | None,
) -> list[StockChange]:
    """The stock levels the reservation left (none when a concurrent retry placed the order:
    this transaction then rolls back, its redemption with it).

    The discount code is redeemed first (its row locked before any inventory row, the order
    settlement keeps too) and decides the discount the order gets. Then the order row: a
    concurrent retry of the same order waits on its key and then finds it, instead of
    reserving stock twice. The inventory rows come last (``inventory_store.hold``): when
    everyone buys the same product, its row's lock is what they queue for."""
    try:
        async with services.unit_of_work() as uow:
            if draft.discount is not None:
                redeemed = await discounts.redeem(
                    uow.conn, user_id, draft.discount.code, draft.subtotal, draft.currency
                )
                draft = draft.discounted(redeemed)
            if not await orders.insert_reserved(
                uow.conn, order_id, user_id, draft, address, current("request_id")
            ):
                raise _PlacedMeanwhile
            if draft.discount is not None:
                await discount_store.record_redemption(uow.conn, order_id, user_id, draft.discount)
            await carts.remove_lines(uow.conn, cart_id, draft.product_ids)
            lines = [(line.product_id, line.quantity) for line in draft.lines]
            reserved = await inventory_store.hold(
                uow.conn, order_id, lines, services.settings.reservation_ttl_seconds
            )
    except _PlacedMeanwhile:
        return []
    return reserved

"""Checkout: shed what the gate already sees is short, validate against the cart and live
prices, pass the gate, then reserve stock, create the order and its holds, and empty the bought
cart lines in ONE Postgres transaction; finally tell the gate what Postgres decided."""

import uuid

from adapters import inventory_store
from adapters.connections import Clients
from adapters.stock_cache import CheckoutGate
from api.prices import PriceReader
from api.repositories import carts, orders, users
from domain.cart import CartNotFound
from domain.checkout import (
    OrderDraft,
    RequestedLine,
    delivery_address,
    draft_order,
    order_id_for,
)
from domain.inventory import OutOfStock, StockChange
from schemas.checkout import CheckoutRequest


async def place_order(
    clients: Clients,
    prices: PriceReader,
    user_id: uuid.UUID,
    request: CheckoutRequest,
    idempotency_key: str | None,
) -> uuid.UUID:
    """The id of the RESERVED order; a retry with the same Idempotency-Key returns the same id."""
    order_id = order_id_for(user_id, idempotency_key)
    if idempotency_key and await _already_placed(clients, order_id, user_id):
        return order_id
    try:
        await _place(clients, prices, order_id, user_id, request)
    except Exception:
        # A concurrent retry with the same key may have won the race (and emptied the cart
        # this attempt validated against): its order is this request's answer.
        if idempotency_key and await _already_placed(clients, order_id, user_id):
            return order_id
        raise
    return order_id


async def _place(
    clients: Clients,
    prices: PriceReader,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    request: CheckoutRequest,
) -> None:
    gate = CheckoutGate(clients.redis)
    wanted = {line.product_id: line.quantity for line in request.products}
    if (short := await gate.first_short(wanted)) is not None:
        raise OutOfStock(short)
    draft, address = await _confirmed_draft(clients, prices, user_id, request)
    lines = [(line.product_id, line.quantity) for line in draft.lines]
    ttl = clients.settings.gate_admission_ttl_seconds
    if (shed_on := await gate.admit(order_id, lines, ttl)) is not None:
        raise OutOfStock(shed_on)
    reserved: list[StockChange] = []
    try:
        reserved = await _reserve(clients, order_id, user_id, request.cart_id, draft, address)
    finally:
        await gate.settle(order_id, draft.product_ids, reserved)


async def _confirmed_draft(
    clients: Clients, prices: PriceReader, user_id: uuid.UUID, request: CheckoutRequest
) -> tuple[OrderDraft, dict | None]:
    """The order as the client confirmed it, checked against its cart and the live prices,
    and the delivery address it chose."""
    async with clients.pg.connection() as conn:
        cart = await carts.owned_cart_lines(conn, request.cart_id, user_id)
        if cart is None:
            raise CartNotFound(request.cart_id)
        address_book = await users.addresses(conn, user_id) if request.address_id else []
    requested = [RequestedLine(ln.product_id, ln.quantity, ln.price) for ln in request.products]
    live = await prices.live_prices(line.product_id for line in requested)
    return draft_order(requested, cart, live), delivery_address(address_book, request.address_id)


async def _already_placed(clients: Clients, order_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    async with clients.pg.connection() as conn:
        return await orders.exists_for(conn, order_id, user_id)


async def _reserve(
    clients: Clients,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    cart_id: uuid.UUID,
    draft: OrderDraft,
    address: dict | None,
) -> list[StockChange]:
    """The stock levels the reservation left (none when a concurrent retry placed the order).

    The order row goes first: a concurrent retry of the same order waits on its key and then
    finds it, instead of reserving stock twice."""
    async with clients.pg.connection() as conn, conn.transaction():
        if not await orders.insert_reserved(conn, order_id, user_id, draft, address):
            return []
        lines = [(line.product_id, line.quantity) for line in draft.lines]
        reserved = await inventory_store.hold(
            conn, order_id, lines, clients.settings.reservation_ttl_seconds
        )
        await carts.remove_lines(conn, cart_id, draft.product_ids)
    return reserved

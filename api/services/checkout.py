"""Checkout: validate against the cart and live prices, pass the Redis gate, then reserve stock,
create the order and its holds, and empty the bought cart lines in ONE Postgres transaction."""

import uuid

from adapters.connections import Clients
from api.prices import live_prices
from api.repositories import carts, orders, stock, users
from api.stock_gate import admit, give_back
from domain.cart import CartNotFound
from domain.checkout import (
    OrderDraft,
    OutOfStock,
    RequestedLine,
    delivery_address,
    draft_order,
    order_id_for,
)
from schemas.checkout import CheckoutRequest


async def place_order(
    clients: Clients, user_id: uuid.UUID, request: CheckoutRequest, idempotency_key: str | None
) -> uuid.UUID:
    """The id of the RESERVED order; a retry with the same Idempotency-Key returns the same id."""
    order_id = order_id_for(user_id, idempotency_key)
    async with clients.pg.connection() as conn:
        if idempotency_key and await orders.exists_for(conn, order_id, user_id):
            return order_id
        cart = await carts.owned_cart_lines(conn, request.cart_id, user_id)
        if cart is None:
            raise CartNotFound(request.cart_id)
        address_book = await users.addresses(conn, user_id) if request.address_id else []
        address = delivery_address(address_book, request.address_id)
    requested = [RequestedLine(ln.product_id, ln.quantity, ln.price) for ln in request.products]
    prices = await live_prices(clients.mongo, (line.product_id for line in requested))
    draft = draft_order(requested, cart, prices)

    ttl = clients.settings.reservation_ttl_seconds
    shed_on = await admit(clients.redis, order_id, draft.lines, ttl)
    if shed_on is not None:
        raise OutOfStock(shed_on)
    try:
        await _reserve(clients, order_id, user_id, request.cart_id, draft, address)
    except Exception:
        await give_back(clients.redis, order_id, draft.lines)
        raise
    return order_id


async def _reserve(
    clients: Clients,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    cart_id: uuid.UUID,
    draft: OrderDraft,
    address: dict | None,
) -> None:
    """The order row goes first: a concurrent retry of the same order waits on its key and then
    finds it, instead of reserving stock twice. Lines come sorted, so locks never deadlock."""
    async with clients.pg.connection() as conn, conn.transaction():
        if not await orders.insert_reserved(conn, order_id, user_id, draft, address):
            return
        for line in draft.lines:
            if not await stock.reserve(conn, line.product_id, line.quantity):
                raise OutOfStock(line.product_id)
        await stock.insert_holds(
            conn, order_id, draft.lines, clients.settings.reservation_ttl_seconds
        )
        await carts.remove_lines(conn, cart_id, draft.product_ids)

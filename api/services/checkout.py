"""Checkout: shed on a sold-out cache, validate against the cart and live prices, pass the Redis
gate, then reserve stock, create the order and its holds, and empty the bought cart lines in ONE
Postgres transaction."""

import uuid

from adapters.connections import Clients
from api.prices import PriceReader
from api.repositories import carts, orders, stock, users
from api.stock_gate import admit, first_sold_out, give_back
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
    wanted = {line.product_id: line.quantity for line in request.products}
    if (sold_out := await first_sold_out(clients.redis, wanted)) is not None:
        raise OutOfStock(sold_out)
    draft, address = await _confirmed_draft(clients, prices, user_id, request)
    ttl = clients.settings.reservation_ttl_seconds
    if (shed_on := await admit(clients.redis, order_id, draft.lines, ttl)) is not None:
        raise OutOfStock(shed_on)
    try:
        await _reserve(clients, order_id, user_id, request.cart_id, draft, address)
    except Exception:
        await give_back(clients.redis, order_id, draft.lines)
        raise


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

"""Discount codes: operators create, change and retire them; a cart previews one; checkout
redeems one in its transaction. Giving a redemption back belongs to whatever ends an order
without a sale (``adapters.discount_store.give_back``: settlement today, cancellation later).
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from psycopg import AsyncConnection

from adapters import discount_store
from adapters.discount_lookups import LookupBudget
from domain.discounts import (
    AppliedDiscount,
    CapBelowRedemptions,
    DiscountCode,
    DiscountCodeExists,
    DiscountCodeNotFound,
    DiscountCodeRetired,
    DiscountLookupsThrottled,
    Offer,
    used_up,
)
from services.context import Services


async def offer(conn: AsyncConnection, code: str, user_id: uuid.UUID) -> Offer:
    """The live code as this customer may use it, without a lock; unknown or retired: 404."""
    found = await discount_store.offer(conn, code, user_id)
    if found is None:
        raise DiscountCodeNotFound(code)
    return found


async def shopper_offer(
    services: Services, conn: AsyncConnection, code: str, user_id: uuid.UUID
) -> Offer:
    """The running code as this shopper may use it: a cart's preview, and the look that
    refuses a checkout before its transaction. A code that does not exist for shoppers
    (unknown, retired, not started: alike; expired) spends one of their failed lookups; past
    the budget, 429 before the code is read (``adapters.discount_lookups``)."""
    budget = LookupBudget(services.engines.redis, services.settings)
    if wait := await budget.spend(user_id):
        raise DiscountLookupsThrottled(wait)
    found = await offer(conn, code, user_id)
    if (gone := found.unavailable(datetime.now(UTC))) is not None:
        raise gone
    await budget.give_back(user_id)
    return found


async def redeem(
    conn: AsyncConnection, user_id: uuid.UUID, code: str, subtotal: Decimal, currency: str
) -> AppliedDiscount:
    """Take one use of the code in the caller's transaction and the discount line it gives
    the order, judged on the code as its locked row shows it. Raises when the code does not
    apply: the caller's transaction must roll back (and with it the use taken)."""
    taken = await discount_store.take_one(conn, code)
    if taken is None:
        await offer(conn, code, user_id)  # retired since the look: 404
        raise used_up(code)
    uses = await discount_store.customer_uses(conn, code, user_id)
    return Offer(taken, uses).apply(subtotal, currency, datetime.now(UTC))


async def create_code(services: Services, code: DiscountCode) -> dict:
    """A new code with no redemptions; a code that exists, even retired, is refused."""
    async with services.unit_of_work() as uow:
        created = await discount_store.create(uow.conn, code)
    if created is None:
        raise DiscountCodeExists(code.code)
    return created


async def replace_terms(services: Services, code: DiscountCode) -> dict:
    """New terms for a live code; its live redemptions stay (and count against the new cap).
    Orders placed before keep the discount they got."""
    async with services.unit_of_work() as uow:
        replaced = await discount_store.replace_terms(uow.conn, code)
        if replaced is not None:
            return replaced
        current = await discount_store.find(uow.conn, code.code)
    if current is None:
        raise DiscountCodeNotFound(code.code)
    if current["retired_at"] is not None:
        raise DiscountCodeRetired(code.code)
    raise CapBelowRedemptions(code.code, current["redeemed"])


async def retire_code(services: Services, code: str) -> None:
    """The code applies to no new order; orders placed with it keep their discount, and their
    redemptions are still given back. Retiring twice is the same as once."""
    async with services.unit_of_work() as uow:
        if not await discount_store.retire(uow.conn, code):
            raise DiscountCodeNotFound(code)


async def code_view(services: Services, code: str) -> dict:
    async with services.engines.pg.connection() as conn:
        found = await discount_store.find(conn, code)
    if found is None:
        raise DiscountCodeNotFound(code)
    return found


async def codes_page(services: Services, limit: int, offset: int) -> tuple[list[dict], int]:
    async with services.engines.pg.connection() as conn:
        return await discount_store.page_of(conn, limit, offset)

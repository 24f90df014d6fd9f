"""Discount codes and their redemptions in Postgres: the one home of every statement on them.

Postgres decides every redemption, as it decides every unit of stock. ``take_one`` is a
conditional increment (``redeemed < redemption_cap``) that locks the code's row until the
caller's transaction ends, so the redemptions and give-backs of one code run one at a time and
no interleaving over-redeems; the customer's live redemptions read after it (``customer_uses``,
a statement of its own, so its snapshot is taken once the lock is held) are exact too. The
row's CHECK keeps ``redeemed`` within the cap whatever happens.

Lock order: a checkout takes the code's row before its inventory rows, and a settlement gives
redemptions back (codes in code order) before it moves stock, so the two never wait on each
other in a cycle.

Functions take a connection and leave the transaction to the caller.
"""

import uuid
from collections import Counter
from collections.abc import Sequence

from psycopg import AsyncConnection

from domain.discounts import AppliedDiscount, DiscountCode, DiscountType, Offer

_TERMS = (
    "code, type, value, currency, min_spend, starts_at, ends_at, per_customer_limit, redemption_cap"
)
_VIEW = f"{_TERMS}, redeemed, retired_at, created_at, updated_at"

_LIVE_USES = (
    "SELECT count(*) FROM discount_redemptions r"
    " WHERE r.code = %(code)s AND r.user_id = %(user_id)s AND r.status = 'REDEEMED'"
)

_OFFER = f"""
SELECT {_TERMS}, redeemed, ({_LIVE_USES}) AS customer_uses
FROM discount_codes WHERE code = %(code)s AND retired_at IS NULL
"""

# RETURNING shows the row as the redemption found it (before its increment), the state the
# rules judge.
_TAKE_ONE = f"""
UPDATE discount_codes SET redeemed = redeemed + 1, updated_at = now()
WHERE code = %(code)s AND retired_at IS NULL
  AND (redemption_cap IS NULL OR redeemed < redemption_cap)
RETURNING {_TERMS}, redeemed - 1 AS redeemed
"""

_RECORD = """
INSERT INTO discount_redemptions (order_id, code, user_id, amount)
VALUES (%(order_id)s, %(code)s, %(user_id)s, %(amount)s)
"""

_RETURN_REDEMPTIONS = """
UPDATE discount_redemptions SET status = 'RETURNED', updated_at = now()
WHERE order_id = ANY(%(orders)s) AND status = 'REDEEMED'
RETURNING order_id::text, code
"""

_GIVE_BACK = """
UPDATE discount_codes SET redeemed = redeemed - %(count)s, updated_at = now()
WHERE code = %(code)s
"""

_CREATE = f"""
INSERT INTO discount_codes ({_TERMS})
VALUES (%(code)s, %(type)s, %(value)s, %(currency)s, %(min_spend)s, %(starts_at)s, %(ends_at)s,
        %(per_customer_limit)s, %(redemption_cap)s)
ON CONFLICT (code) DO NOTHING
RETURNING {_VIEW}
"""

# Only a live code, and only a cap its live redemptions fit under (under the row lock, so a
# concurrent redemption cannot slip past it).
_REPLACE_TERMS = f"""
UPDATE discount_codes
SET type = %(type)s, value = %(value)s, currency = %(currency)s, min_spend = %(min_spend)s,
    starts_at = %(starts_at)s, ends_at = %(ends_at)s,
    per_customer_limit = %(per_customer_limit)s, redemption_cap = %(redemption_cap)s,
    updated_at = now()
WHERE code = %(code)s AND retired_at IS NULL
  AND (%(redemption_cap)s::int IS NULL OR redeemed <= %(redemption_cap)s::int)
RETURNING {_VIEW}
"""

_RETIRE = """
UPDATE discount_codes SET retired_at = COALESCE(retired_at, now()), updated_at = now()
WHERE code = %s RETURNING code
"""

_FIND = f"SELECT {_VIEW} FROM discount_codes WHERE code = %s"

# Byte order, whatever the database's collation: pages read the same everywhere.
_PAGE = f'SELECT {_VIEW} FROM discount_codes ORDER BY code COLLATE "C" LIMIT %s OFFSET %s'


def _code(row: dict) -> DiscountCode:
    return DiscountCode(**{**row, "type": DiscountType(row["type"])})


def _params(code: DiscountCode) -> dict:
    return {
        "code": code.code,
        "type": code.type,
        "value": code.value,
        "currency": code.currency,
        "min_spend": code.min_spend,
        "starts_at": code.starts_at,
        "ends_at": code.ends_at,
        "per_customer_limit": code.per_customer_limit,
        "redemption_cap": code.redemption_cap,
    }


async def offer(conn: AsyncConnection, code: str, user_id: uuid.UUID) -> Offer | None:
    """The live code as this customer may use it, read without a lock (a look before the
    checkout's transaction, and the cart's preview); None when unknown or retired."""
    cur = await conn.execute(_OFFER, {"code": code, "user_id": user_id})
    row = await cur.fetchone()
    if row is None:
        return None
    uses = row.pop("customer_uses")
    return Offer(_code(row), uses)


async def take_one(conn: AsyncConnection, code: str) -> DiscountCode | None:
    """Count one more redemption of the code, locking its row until the transaction ends; the
    code as the redemption found it. None (nothing changed) when the code is unknown, retired
    or used up. The caller's transaction must roll back if the rules then refuse the order."""
    cur = await conn.execute(_TAKE_ONE, {"code": code})
    row = await cur.fetchone()
    return None if row is None else _code(row)


async def customer_uses(conn: AsyncConnection, code: str, user_id: uuid.UUID) -> int:
    """The customer's live redemptions of the code (exact once ``take_one`` holds its row)."""
    cur = await conn.execute(f"SELECT ({_LIVE_USES}) AS n", {"code": code, "user_id": user_id})
    row = await cur.fetchone()
    return row["n"]


async def record_redemption(
    conn: AsyncConnection, order_id: uuid.UUID, user_id: uuid.UUID, applied: AppliedDiscount
) -> None:
    """The order's redemption, after its order row (the redemption names the order)."""
    await conn.execute(
        _RECORD,
        {"order_id": order_id, "code": applied.code, "user_id": user_id, "amount": applied.amount},
    )


async def give_back(conn: AsyncConnection, order_ids: Sequence[str]) -> list[str]:
    """Give back the redemptions of these orders: the one way a redemption is returned (payment
    failed, hold expired, and any later cancellation or refund). Exactly once per order: only a
    REDEEMED redemption turns RETURNED, so a repeat, or an order without a code, changes
    nothing. The orders whose redemption this call returned."""
    if not order_ids:
        return []
    cur = await conn.execute(_RETURN_REDEMPTIONS, {"orders": list(order_ids)})
    returned = await cur.fetchall()
    per_code = Counter(row["code"] for row in returned)
    for code in sorted(per_code):  # code order: see the module's lock order
        await conn.execute(_GIVE_BACK, {"code": code, "count": per_code[code]})
    return sorted(row["order_id"] for row in returned)


async def create(conn: AsyncConnection, code: DiscountCode) -> dict | None:
    """The new code's row; None when the code exists (retired codes included)."""
    cur = await conn.execute(_CREATE, _params(code))
    return await cur.fetchone()


async def replace_terms(conn: AsyncConnection, code: DiscountCode) -> dict | None:
    """The code's row with these terms (its redemptions untouched); None when the code is
    unknown or retired, or the cap is below its live redemptions."""
    cur = await conn.execute(_REPLACE_TERMS, _params(code))
    return await cur.fetchone()


async def retire(conn: AsyncConnection, code: str) -> bool:
    """False when the code is unknown; retiring a retired code keeps its first retirement."""
    cur = await conn.execute(_RETIRE, (code,))
    return await cur.fetchone() is not None


async def find(conn: AsyncConnection, code: str) -> dict | None:
    """The code's row, retired or not."""
    cur = await conn.execute(_FIND, (code,))
    return await cur.fetchone()


async def page_of(conn: AsyncConnection, limit: int, offset: int) -> tuple[list[dict], int]:
    """Codes in code order, retired ones included, and how many there are in all."""
    cur = await conn.execute("SELECT count(*) AS n FROM discount_codes")
    total = (await cur.fetchone())["n"]
    cur = await conn.execute(_PAGE, (limit, offset))
    return await cur.fetchall(), total

"""Every Redis key about stock: the mirror of Postgres' available counts and the checkout gate.

Each key has exactly one kind of writer, so no interleaving can make a count drift:

- **Mirror** (``stock:{pid}`` and ``stock-version:{pid}``): the available count of a product
  and the inventory row version it belongs to. Only absolute values are written, and only
  when newer (``StockMirror.apply``: stock sync from the change log), so repeated, late and
  reordered deliveries leave the newest figure. Repair (``overwrite``) writes what Postgres
  holds regardless of the stored version.
- **Gate** (``stock-gate:{pid}``, a hash): the checkouts admitted for a product whose units
  the mirror does not show as taken yet, one field per order: ``"<quantity> <deadline ms>"``,
  plus ``" <version>"`` once Postgres reserved them (the row version that reservation
  produced). The gate admits a checkout while ``mirror - in flight >= wanted`` for every line,
  atomically over all lines. An admission stops counting when Postgres refused it, when the
  mirror has reached its version (the mirror now shows those units as reserved), or at its
  deadline: admissions of a crashed API process expire by themselves.
- **Placed orders** (``gate-placed:{order_id}``): orders Postgres reserved, for a day, so a
  checkout retried with the same Idempotency-Key after it took the last units is answered with
  its order rather than a shortage, while a buyer turned away never costs a Postgres read.
  Should Redis lose a marker, such a retry gets a 409; the order itself stands (and expires
  unpaid like any other).

The gate only turns buyers away early; Postgres decides every unit. A mirror too high (or
missing) sends a checkout on to a transaction that may still refuse it, never to an oversell.
With Redis unreachable the gate cannot shed, and checkout answers 503 rather than letting
every buyer through to Postgres.
"""

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis_scripts import COUNT_HIT, script
from domain.inventory import StockChange

log = logging.getLogger(__name__)

CHUNK = 1000  # keys per MGET
PLACED_SECONDS = 86_400
"""How long the gate remembers a placed order, so that a retry of it (same Idempotency-Key)
is told apart from a shortage without asking Postgres."""


@dataclass(frozen=True)
class Look:
    """What the gate sees of an order before any other work."""

    placed: bool = False  # the gate remembers this order as placed
    short: str | None = None  # else the first product that cannot cover its quantity


@dataclass(frozen=True)
class StockKeys:
    """Key names, under an optional prefix (a test or a replay writes a cache of its own)."""

    prefix: str = ""

    def available(self, product_id: str) -> str:
        return f"{self.prefix}stock:{product_id}"

    def version(self, product_id: str) -> str:
        return f"{self.prefix}stock-version:{product_id}"

    def gate(self, product_id: str) -> str:
        return f"{self.prefix}stock-gate:{product_id}"

    def placed(self, order_id: uuid.UUID) -> str:
        return f"{self.prefix}gate-placed:{order_id}"


# Versions and counts fit Lua's doubles exactly (far below 2^53); a stored value that is not a
# number reads as missing, so a corrupted version never blocks a newer write.
_APPLY_IF_NEWER = """
local stored = tonumber(redis.call('GET', KEYS[2]))
if stored and stored >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""

_OVERWRITE = """
local same = redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2]
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return same and 0 or 1
"""

# Shared by the gate scripts: the clock, and the units in flight for one product.
_IN_FLIGHT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- Units admitted and not yet shown by the mirror; with purge, drops the admissions that no
-- longer count (expired, mirrored, malformed).
local function in_flight(gate, mirror_version, purge)
  local entries = redis.call('HGETALL', gate)
  local total = 0
  for i = 1, #entries, 2 do
    local qty, deadline, version = string.match(entries[i + 1], '^(%d+) (%d+) ?(%d*)$')
    local mirrored = version ~= nil and version ~= '' and mirror_version ~= nil
      and tonumber(version) <= mirror_version
    if qty == nil or tonumber(deadline) <= now or mirrored then
      if purge then redis.call('HDEL', gate, entries[i]) end
    else
      total = total + tonumber(qty)
    end
  end
  return total
end

-- 0 when every line fits (or its mirror is missing: Postgres decides), else the 1-based index
-- of the first line that does not. KEYS come in threes per line: available, version, gate.
local function first_short(quantities, purge)
  for i = 1, #quantities do
    local mirror = tonumber(redis.call('GET', KEYS[3 * i - 2]))
    if mirror ~= nil then
      local version = tonumber(redis.call('GET', KEYS[3 * i - 1]))
      if mirror - in_flight(KEYS[3 * i], version, purge) < tonumber(quantities[i]) then
        return i
      end
    end
  end
  return 0
end
"""

# ARGV: quantities, one per line.
_LOOK = _IN_FLIGHT + "return first_short(ARGV, false)"

# The same look, after the order's placed marker (the last key): -1 when the order was placed,
# 0 when it is admitted already (the admission it holds is its own). ARGV[1]: order id, then
# the quantities.
_LOOK_FOR_ORDER = (
    _IN_FLIGHT
    + """
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then return -1 end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
return first_short({unpack(ARGV, 2)}, false)
"""
)

# The three keys of one product.
_COUNT = _IN_FLIGHT + "return in_flight(KEYS[3], tonumber(redis.call('GET', KEYS[2])), false)"

# Shared by the admitting scripts: admit ``order`` for the quantities (one per line, KEYS in
# threes) until ``ttl`` ms from now; 0 when admitted, else the first line that is short. An
# order admitted before (a retried checkout) is admitted again without counting twice.
_ADMIT_FUNCTION = """
local function admit(order, ttl, quantities)
  if redis.call('HEXISTS', KEYS[3], order) == 1 then return 0 end
  local short = first_short(quantities, true)
  if short > 0 then return short end
  for i = 1, #quantities do
    redis.call('HSET', KEYS[3 * i], order, quantities[i] .. ' ' .. (now + ttl))
    redis.call('PEXPIRE', KEYS[3 * i], ttl)
  end
  return 0
end
"""

# ARGV[1]: order id, ARGV[2]: deadline in ms from now, ARGV[3..]: quantities.
_ADMIT = (
    _IN_FLIGHT + _ADMIT_FUNCTION + "return admit(ARGV[1], tonumber(ARGV[2]), {unpack(ARGV, 3)})"
)

# The admission as the first step of a checkout, after counting one request in a rate-limit
# window. KEYS: three per line, the order's placed marker, the counter. ARGV[1]: order id,
# ARGV[2]: deadline in ms from now, ARGV[3]: the counter's window in seconds, ARGV[4..]:
# quantities. {hits in the window, -1 when the order was placed, else ``admit``'s answer}.
_COUNT_AND_ADMIT = (
    _IN_FLIGHT
    + _ADMIT_FUNCTION
    + COUNT_HIT
    + """
local hits = count_hit(KEYS[#KEYS], ARGV[3])
local placed = KEYS[#KEYS - 1]
if redis.call('EXISTS', placed) == 1 then return {hits, -1} end
return {hits, admit(ARGV[1], tonumber(ARGV[2]), {unpack(ARGV, 4)})}
"""
)

# KEYS in pairs per line: version, gate; then the order's placed marker. ARGV[1]: order id,
# ARGV[2]: seconds to keep the marker, ARGV[2 + i]: the row version Postgres gave line i, or ''
# when it refused the order.
_SETTLE = """
local order, lines = ARGV[1], #ARGV - 2
local placed = false
for i = 1, lines do
  local gate, version = KEYS[2 * i], ARGV[2 + i]
  placed = placed or version ~= ''
  local entry = redis.call('HGET', gate, order)
  if entry then
    local mirrored = tonumber(redis.call('GET', KEYS[2 * i - 1]))
    if version == '' or (mirrored ~= nil and mirrored >= tonumber(version)) then
      redis.call('HDEL', gate, order)
    else
      redis.call('HSET', gate, order, string.match(entry, '^%d+ %d+') .. ' ' .. version)
    end
  end
end
if placed then redis.call('SET', KEYS[#KEYS], '1', 'EX', ARGV[2]) end
return 0
"""


class StockMirror:
    """Postgres' available counts in Redis, each with the row version it belongs to."""

    def __init__(self, redis: Redis, key_prefix: str = "") -> None:
        self.redis = redis
        self.keys = StockKeys(key_prefix)
        self._apply = script(redis, _APPLY_IF_NEWER)
        self._overwrite = script(redis, _OVERWRITE)

    def _args(self, change: StockChange) -> dict:
        return {
            "keys": [self.keys.available(change.product_id), self.keys.version(change.product_id)],
            "args": [change.available, change.version],
        }

    async def apply(self, change: StockChange) -> bool:
        """Take the change if its version is newer than the stored one's."""
        return bool(await self._apply(**self._args(change)))

    async def overwrite(self, change: StockChange) -> bool:
        """Take the change whatever is stored; True when the value or version changed."""
        return bool(await self._overwrite(**self._args(change)))

    async def available(self, product_id: str) -> int | None:
        """The mirrored count for a page; None on a miss, a malformed value or an unreachable
        Redis (the caller falls back to Postgres)."""
        try:
            value = await self.redis.get(self.keys.available(product_id))
        except RedisError:
            log.warning("stock mirror unavailable; %s read from Postgres", product_id)
            return None
        return mirrored_count(product_id, value)

    async def read(self, product_ids: Sequence[str]) -> dict[str, int | None]:
        """The mirrored counts as stored (None: missing or malformed), for audits."""
        values: dict[str, int | None] = {}
        for start in range(0, len(product_ids), CHUNK):
            chunk = product_ids[start : start + CHUNK]
            raw = await self.redis.mget([self.keys.available(pid) for pid in chunk])
            values |= {pid: _as_int(value) for pid, value in zip(chunk, raw, strict=True)}
        return values


class CheckoutGate:
    """Sheds checkouts Redis can already see are short, before they cost a transaction.

    Fails closed: with Redis unreachable ``first_short`` and ``admit`` raise (the API answers
    503), so a flash sale's crowd never falls on Postgres unshed. Only ``settle`` swallows a
    failure: the order is placed by then, and its admissions expire by themselves.
    """

    def __init__(self, redis: Redis, key_prefix: str = "") -> None:
        self.redis = redis
        self.keys = StockKeys(key_prefix)
        self._look = script(redis, _LOOK)
        self._look_for_order = script(redis, _LOOK_FOR_ORDER)
        self._count_and_admit = script(redis, _COUNT_AND_ADMIT)
        self._admit = script(redis, _ADMIT)
        self._settle = script(redis, _SETTLE)
        self._count = script(redis, _COUNT)

    def _line_keys(self, product_ids: Sequence[str]) -> list[str]:
        k = self.keys
        return [
            key for pid in product_ids for key in (k.available(pid), k.version(pid), k.gate(pid))
        ]

    async def first_short(self, wanted: Mapping[str, int]) -> str | None:
        """A read-only look before any other work: the first product (in id order) that cannot
        cover its wanted quantity, if any. The losers of a sale leave after one round trip."""
        product_ids = sorted(wanted)
        short = await self._look(
            keys=self._line_keys(product_ids), args=[wanted[pid] for pid in product_ids]
        )
        return product_ids[short - 1] if short else None

    async def look(self, order_id: uuid.UUID, wanted: Mapping[str, int]) -> Look:
        """``first_short`` for one order, which the gate may know as placed (a retry of an
        order Postgres reserved: its answer is the order, not the shortage it caused) or as
        admitted already (its units are its own)."""
        product_ids = sorted(wanted)
        keys = [*self._line_keys(product_ids), self.keys.placed(order_id)]
        args = [str(order_id), *(wanted[pid] for pid in product_ids)]
        short = await self._look_for_order(keys=keys, args=args)
        if short == -1:
            return Look(placed=True)
        return Look(short=product_ids[short - 1] if short else None)

    async def count_and_admit(
        self,
        order_id: uuid.UUID,
        wanted: Mapping[str, int],
        ttl_seconds: float,
        counter: str,
        window_seconds: int,
    ) -> tuple[int, Look]:
        """``admit`` as a checkout's first step (an order the gate knows as placed is not
        admitted: ``Look(placed=True)``), after counting a request on ``counter`` (a rate-limit
        window's key, expiring after ``window_seconds``) in the same round trip: the window's
        hits so far and what the gate did (``short`` None: admitted)."""
        product_ids = sorted(wanted)
        keys = [*self._line_keys(product_ids), self.keys.placed(order_id), counter]
        args = [
            str(order_id),
            int(ttl_seconds * 1000),
            window_seconds,
            *(wanted[pid] for pid in product_ids),
        ]
        hits, short = await self._count_and_admit(keys=keys, args=args)
        if short == -1:
            return int(hits), Look(placed=True)
        return int(hits), Look(short=product_ids[short - 1] if short else None)

    async def admit(
        self, order_id: uuid.UUID, lines: Sequence[tuple[str, int]], ttl_seconds: float
    ) -> str | None:
        """None when the order may go on to Postgres (its units now count as in flight until
        ``settle`` or ``ttl_seconds``), else the product it was shed on."""
        product_ids = [pid for pid, _ in lines]
        short = await self._admit(
            keys=self._line_keys(product_ids),
            args=[str(order_id), int(ttl_seconds * 1000), *(qty for _, qty in lines)],
        )
        return product_ids[short - 1] if short else None

    async def settle(
        self,
        order_id: uuid.UUID,
        product_ids: Sequence[str],
        reserved: Sequence[StockChange] = (),
    ) -> None:
        """Postgres decided the order: its admissions stop counting once the mirror shows
        ``reserved`` (the row versions its reservation produced), or at once when nothing was
        reserved; a reserved order is remembered as placed for ``PLACED_SECONDS``. Repeating
        it changes nothing; a failure leaves the admissions to expire."""
        versions = {change.product_id: change.version for change in reserved}
        k = self.keys
        keys = [key for pid in product_ids for key in (k.version(pid), k.gate(pid))]
        try:
            await self._settle(
                keys=[*keys, k.placed(order_id)],
                args=[
                    str(order_id),
                    PLACED_SECONDS,
                    *(versions.get(pid, "") for pid in product_ids),
                ],
            )
        except RedisError:
            log.warning("checkout gate unavailable: admissions of %s will expire", order_id)

    async def in_flight(self, product_id: str) -> int:
        """Units admitted and not yet shown by the mirror (a read-only look)."""
        return int(await self._count(keys=self._line_keys([product_id])))


def mirrored_count(product_id: str, value: object) -> int | None:
    """A stored mirror value as a page shows it (None: missing or malformed)."""
    counted = _as_int(value)
    if value is not None and counted is None:
        log.warning("malformed stock mirror value %r for %s", value, product_id)
    return None if counted is None else max(0, counted)


def _as_int(value: object) -> int | None:
    try:
        return None if value is None else int(value)  # type: ignore[call-overload]
    except ValueError:
        return None

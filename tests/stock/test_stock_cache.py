"""The Redis stock mirror and checkout gate, with their real Lua scripts on the real Redis."""

import uuid
from functools import partial
from operator import not_

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.stock_cache import CheckoutGate, Look, StockKeys, StockMirror
from domain.inventory import StockChange
from ops.polling import until

pytestmark = pytest.mark.engines

TTL = 30.0


@pytest.fixture
def mirror(redis: Redis, key_prefix: str) -> StockMirror:
    return StockMirror(redis, key_prefix)


@pytest.fixture
def gate(redis: Redis, key_prefix: str) -> CheckoutGate:
    return CheckoutGate(redis, key_prefix)


def order() -> uuid.UUID:
    return uuid.uuid4()


async def test_the_mirror_keeps_the_newest_version(mirror: StockMirror) -> None:
    assert await mirror.apply(StockChange("p", 5, 3))
    assert not await mirror.apply(StockChange("p", 9, 2))  # late
    assert not await mirror.apply(StockChange("p", 7, 3))  # repeated version
    assert await mirror.apply(StockChange("p", 4, 4))
    assert await mirror.read(["p", "absent"]) == {"p": 4, "absent": None}
    assert await mirror.available("p") == 4 and await mirror.available("absent") is None


async def test_an_overwrite_replaces_a_figure_stored_under_a_corrupted_version(
    mirror: StockMirror, redis: Redis, key_prefix: str
) -> None:
    keys = StockKeys(key_prefix)
    await redis.set(keys.available("p"), 44)
    await redis.set(keys.version("p"), 10**12)
    assert not await mirror.apply(StockChange("p", 0, 7))
    assert await mirror.overwrite(StockChange("p", 0, 7))
    assert not await mirror.overwrite(StockChange("p", 0, 7))  # nothing left to change
    assert await mirror.apply(StockChange("p", 1, 8))
    assert await mirror.read(["p"]) == {"p": 1}


async def test_a_malformed_version_or_figure_never_blocks_the_next_change(
    mirror: StockMirror, redis: Redis, key_prefix: str
) -> None:
    keys = StockKeys(key_prefix)
    await redis.set(keys.available("p"), "not-a-number")
    await redis.set(keys.version("p"), "garbage")
    assert await mirror.available("p") is None
    assert await mirror.read(["p"]) == {"p": None}
    assert await mirror.apply(StockChange("p", 3, 1))
    assert await mirror.available("p") == 3


async def test_admissions_count_against_the_mirror_until_it_shows_them(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("p", 5, 1))
    first, second = order(), order()
    assert await gate.admit(first, [("p", 3)], TTL) is None
    assert await gate.in_flight("p") == 3
    assert await gate.admit(second, [("p", 3)], TTL) == "p", "5 - 3 in flight < 3"
    assert await gate.first_short({"p": 2}) is None and await gate.first_short({"p": 3}) == "p"
    assert await mirror.read(["p"]) == {"p": 5}, "the gate never writes the mirror"

    await gate.settle(first, ["p"], [StockChange("p", 2, 2)])  # Postgres reserved: version 2
    assert await gate.in_flight("p") == 3, "the mirror does not show version 2 yet"
    await mirror.apply(StockChange("p", 2, 2))  # stock sync delivers it
    assert await gate.in_flight("p") == 0
    assert await gate.admit(second, [("p", 2)], TTL) is None


async def test_a_settle_after_the_mirror_moved_on_drops_the_admission_at_once(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("p", 5, 1))
    admitted = order()
    await gate.admit(admitted, [("p", 1)], TTL)
    await mirror.apply(StockChange("p", 3, 3))  # its version 2 and a later one delivered first
    await gate.settle(admitted, ["p"], [StockChange("p", 4, 2)])
    assert await gate.in_flight("p") == 0


async def test_a_refusal_by_postgres_drops_the_admission_and_is_repeatable(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("p", 5, 1))
    refused = order()
    await gate.admit(refused, [("p", 4)], TTL)
    await gate.settle(refused, ["p"])
    await gate.settle(refused, ["p"])
    assert await gate.in_flight("p") == 0
    assert await gate.first_short({"p": 5}) is None


async def test_one_short_line_sheds_the_whole_order_and_takes_nothing(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("a", 5, 1))
    await mirror.apply(StockChange("b", 1, 1))
    assert await gate.admit(order(), [("a", 1), ("b", 2)], TTL) == "b"
    assert (await gate.in_flight("a"), await gate.in_flight("b")) == (0, 0)


async def test_admitting_an_order_again_counts_it_once(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("p", 4, 1))
    retried = order()
    for _ in range(3):
        assert await gate.admit(retried, [("p", 3)], TTL) is None
    assert await gate.in_flight("p") == 3


async def test_without_a_mirrored_figure_postgres_decides(gate: CheckoutGate) -> None:
    assert await gate.first_short({"unknown": 10**6}) is None
    assert await gate.admit(order(), [("unknown", 10**6)], TTL) is None


async def test_admissions_of_a_crashed_checkout_expire_by_themselves(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    await mirror.apply(StockChange("p", 1, 1))
    assert await gate.admit(order(), [("p", 1)], 0.2) is None  # never settled
    assert await gate.admit(order(), [("p", 1)], TTL) == "p"
    await until(partial(gate.in_flight, "p"), timeout=5, what="admission expired", accept=not_)
    assert await gate.admit(order(), [("p", 1)], TTL) is None


async def test_an_unreachable_redis_closes_the_gate_and_leaves_pages_to_postgres(
    key_prefix: str,
) -> None:
    """As the engine connections are configured (adapters.connections): no retries."""
    nowhere = Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    gate, mirror = CheckoutGate(nowhere, key_prefix), StockMirror(nowhere, key_prefix)
    try:
        with pytest.raises(RedisConnectionError):
            await gate.first_short({"p": 1})
        with pytest.raises(RedisConnectionError):
            await gate.admit(order(), [("p", 1)], TTL)
        await gate.settle(order(), ["p"])  # after a commit: nothing to undo, it expires
        assert await mirror.available("p") is None
    finally:
        await nowhere.aclose()


async def test_the_interleaving_that_left_44_for_a_sold_out_product(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    """Every buyer is admitted and then refused by Postgres while stock sync delivers the
    sold-out figure in between: the mirror ends on Postgres' 0, nothing counts in flight."""
    await mirror.apply(StockChange("p", 20, 1))
    buyers = [order() for _ in range(20)]
    for buyer in buyers:
        assert await gate.admit(buyer, [("p", 1)], TTL) is None
    await mirror.apply(StockChange("p", 0, 21))  # other buyers took all 20 meanwhile
    for buyer in buyers:
        await gate.settle(buyer, ["p"])
    assert await mirror.read(["p"]) == {"p": 0}
    assert await gate.in_flight("p") == 0
    assert await gate.first_short({"p": 1}) == "p"


async def test_a_reserved_order_is_remembered_as_placed_and_a_refused_one_is_not(
    mirror: StockMirror, gate: CheckoutGate
) -> None:
    """The last units' buyer retrying (same order id) learns it was placed; everyone else
    learns of the shortage; neither costs a Postgres read."""
    await mirror.apply(StockChange("p", 1, 1))
    winner, loser = order(), order()
    assert await gate.look(winner, {"p": 1}) == Look()
    assert await gate.admit(winner, [("p", 1)], TTL) is None
    await gate.settle(winner, ["p"], [StockChange("p", 0, 2)])
    await mirror.apply(StockChange("p", 0, 2))

    assert await gate.look(winner, {"p": 1}) == Look(placed=True)
    assert await gate.look(loser, {"p": 1}) == Look(short="p")
    await gate.settle(loser, ["p"])  # refused by Postgres: not remembered
    assert await gate.look(loser, {"p": 1}) == Look(short="p")

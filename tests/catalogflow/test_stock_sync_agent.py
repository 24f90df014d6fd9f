"""Stock sync's agents in Faust's test context: the newest row version wins, in any order."""

import pytest

from domain.inventory import StockChange
from streams.agents.stock_sync import product_quantity, stock_cache
from tests.support.records import inventory

KEY = b'{"product_id":"p1"}'
AGENTS = [(stock_cache, "memory_cache"), (product_quantity, "memory_quantity")]


@pytest.fixture(params=AGENTS, ids=["cache", "quantity"])
def agent_and_sink(request):
    agent, sink = request.param
    return agent, request.getfixturevalue(sink)


async def test_changes_apply_in_version_order(agent_and_sink) -> None:
    agent, sink = agent_and_sink
    async with agent.test_context() as running:
        await running.put(inventory("p1", 5, version=1), key=KEY)
        await running.put(inventory("p1", 4, version=2), key=KEY)
    assert sink.held["p1"] == StockChange("p1", 4, 2)


async def test_duplicate_delivery_changes_nothing(agent_and_sink) -> None:
    agent, sink = agent_and_sink
    async with agent.test_context() as running:
        for _ in range(3):
            await running.put(inventory("p1", 5, version=1), key=KEY)
    assert sink.held["p1"] == StockChange("p1", 5, 1)
    assert sink.writes == 1


async def test_out_of_order_delivery_keeps_the_newest(agent_and_sink) -> None:
    agent, sink = agent_and_sink
    async with agent.test_context() as running:
        await running.put(inventory("p1", 3, version=3), key=KEY)
        await running.put(inventory("p1", 5, version=1), key=KEY)
        await running.put(inventory("p1", 4, version=2), key=KEY)
    assert sink.held["p1"] == StockChange("p1", 3, 3)


async def test_snapshot_reads_apply_and_tombstones_are_skipped(agent_and_sink) -> None:
    agent, sink = agent_and_sink
    async with agent.test_context() as running:
        await running.put(inventory("p1", 9, version=1, op="r"), key=KEY)
        await running.put(None, key=KEY)
    assert sink.held == {"p1": StockChange("p1", 9, 1)}

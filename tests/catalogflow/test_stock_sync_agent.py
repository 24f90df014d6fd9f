"""Stock sync's logic in Faust's test context: the newest LSN wins, whatever the delivery order."""

from domain.stock_sync import StockChange
from streams.agents.stock_sync import stock_sync
from tests.catalogflow.records import inventory_record

KEY = b'{"product_id":"p1"}'


async def test_changes_apply_in_lsn_order(memory_stock) -> None:
    async with stock_sync.test_context() as agent:
        await agent.put(inventory_record("p1", 5, lsn=100), key=KEY)
        await agent.put(inventory_record("p1", 4, lsn=200), key=KEY)
    assert memory_stock.held["p1"] == StockChange("p1", 4, 200)


async def test_duplicate_delivery_changes_nothing(memory_stock) -> None:
    async with stock_sync.test_context() as agent:
        for _ in range(3):
            await agent.put(inventory_record("p1", 5, lsn=100), key=KEY)
    assert memory_stock.held["p1"] == StockChange("p1", 5, 100)
    assert memory_stock.writes == 1


async def test_out_of_order_delivery_keeps_the_newest(memory_stock) -> None:
    async with stock_sync.test_context() as agent:
        await agent.put(inventory_record("p1", 3, lsn=300), key=KEY)
        await agent.put(inventory_record("p1", 5, lsn=100), key=KEY)
        await agent.put(inventory_record("p1", 4, lsn=200), key=KEY)
    assert memory_stock.held["p1"] == StockChange("p1", 3, 300)


async def test_snapshot_reads_apply_and_tombstones_are_skipped(memory_stock) -> None:
    async with stock_sync.test_context() as agent:
        await agent.put(inventory_record("p1", 9, lsn=50, op="r"), key=KEY)
        await agent.put(None, key=KEY)
    assert memory_stock.held == {"p1": StockChange("p1", 9, 50)}

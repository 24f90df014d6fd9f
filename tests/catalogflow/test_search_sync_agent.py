"""Search sync's logic in Faust's test context: versions order writes, deletes are remembered."""

import json

from bson import ObjectId

from streams import dead_letters
from streams.agents.search_sync import search_sync
from tests.support.records import connector_record, feed_record, product_document, put


async def test_feed_change_becomes_a_search_document(memory_search) -> None:
    async with search_sync.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 1, quantity=12)))
    document = memory_search.documents["p1"]
    assert document["availableQty"] == 12
    assert document["title"] == "Title of p1"
    assert document["updatedAt"] == "2025-05-01T12:00:00+00:00"
    assert memory_search.versions["p1"] == 1


async def test_duplicates_and_stale_versions_change_nothing(memory_search) -> None:
    async with search_sync.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 2, title="New")))
        await put(agent, feed_record(product_document("p1", 2, title="New")))
        await put(agent, feed_record(product_document("p1", 1, title="Old")))
    assert memory_search.documents["p1"]["title"] == "New"
    assert memory_search.versions["p1"] == 2


async def test_delete_removes_and_an_older_upsert_cannot_resurrect(memory_search) -> None:
    async with search_sync.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 1)))
        await put(agent, feed_record(product_document("p1", 2, deleted=True)))
        await put(agent, feed_record(product_document("p1", 1)))
        await agent.put(None, key=b'{"productId":"p1"}')
    assert "p1" not in memory_search.documents
    assert memory_search.versions["p1"] == 2


async def test_debezium_mongodb_connector_records_are_understood(memory_search) -> None:
    document = product_document("p2", 3, _id=ObjectId(), price=99.0)
    async with search_sync.test_context() as agent:
        await put(agent, connector_record(document))
        assert memory_search.documents["p2"]["price"] == 99.0
        await put(agent, connector_record({**document, "version": 4, "deleted": True}))
    assert "p2" not in memory_search.documents


async def test_a_record_no_model_accepts_is_dead_lettered_and_the_next_one_indexed(
    memory_search, monkeypatch
) -> None:
    """Raising would restart the agent on the same record forever: the partition would stall."""
    parked: list[dict] = []
    monkeypatch.setattr(
        dead_letters.dead_letters, "send_soon", lambda key, value: parked.append(json.loads(value))
    )
    incomplete = product_document("p3", 1)
    del incomplete["category"]
    async with search_sync.test_context() as agent:
        await put(agent, feed_record(incomplete))
        await put(agent, feed_record(product_document("p4", 1)))
    assert "p3" not in memory_search.documents and "p4" in memory_search.documents
    (letter,) = parked
    assert letter["topic"].endswith(".products") and "category" in letter["error"]
    assert json.loads(letter["key"]) == {"productId": "p3"}
    assert json.loads(letter["value"])["op"] == "c"

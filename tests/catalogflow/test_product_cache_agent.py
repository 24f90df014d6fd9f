"""The product cache agent in Faust's test context: the newest version wins, deletes stay."""

from adapters.catalog_documents import Product
from adapters.product_cache import DELETED
from streams.agents.product_cache import product_cache
from tests.support.records import feed_record, product_document, put


async def test_feed_change_becomes_a_cached_product(memory_products) -> None:
    async with product_cache.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 1, price=12.5)))
    version, product = memory_products.entries["p1"]
    assert version == 1
    assert isinstance(product, Product) and product.price == 12.5


async def test_stale_and_repeated_versions_change_nothing(memory_products) -> None:
    async with product_cache.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 2, title="New")))
        await put(agent, feed_record(product_document("p1", 2, title="New")))
        await put(agent, feed_record(product_document("p1", 1, title="Old")))
    version, product = memory_products.entries["p1"]
    assert version == 2 and isinstance(product, Product) and product.title == "New"


async def test_a_delete_is_cached_and_an_older_upsert_cannot_resurrect(memory_products) -> None:
    async with product_cache.test_context() as agent:
        await put(agent, feed_record(product_document("p1", 1)))
        await put(agent, feed_record(product_document("p1", 2, deleted=True)))
        await put(agent, feed_record(product_document("p1", 1)))
    assert memory_products.entries["p1"] == (2, DELETED)

"""``replay`` on the real engines, beside a live stream worker of the test's own.

The worker (``harness.streams_worker.IsolatedWorker``) has its own catalog database, catalog topic
and search alias; the test lists products there and stocks them in Postgres, lets the live
pipeline derive every copy, then wipes a copy and rebuilds it from the log: search results and
cached stock must come back equal, and ``audit`` must pass.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import partial

import httpx
import pytest
from elasticsearch import ApiError, Elasticsearch
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from adapters import catalog_store, inventory_store
from adapters.catalog_collection import PRODUCTS
from adapters.connections import Clients, open_clients
from adapters.metric_names import AGENT_EVENTS
from adapters.migrations import apply_migrations
from adapters.search_index import INDEX_SETTINGS, SCHEMA, serving_schema, versioned_index
from adapters.stock_cache import StockKeys
from config import Settings
from domain.inventory import reserve, sell
from harness.inprocess import in_process_api
from harness.streams_worker import IsolatedWorker, running_worker
from ops.audit import AuditReport, Scope, audit
from ops.cli import app as shopctl
from ops.demo.catalog import generate_catalog
from ops.polling import NotReached, until
from ops.replay import ReplayRefused, Target, replay

pytestmark = pytest.mark.engines

COUNT = 40
ENGINES = ("postgres", "redis", "kafka", "elasticsearch", "ferretdb", "connect")
SETTLE_SECONDS = 240  # the worker derives every copy of the new products (FerretDB is slow)
KEYS = StockKeys()


@dataclass(frozen=True)
class World:
    clients: Clients  # on the worker's settings: its catalog database and topic
    tag: str
    stock: dict[str, int]

    @property
    def alias(self) -> str:
        return self.clients.settings.search_alias

    @property
    def products(self) -> str:
        return f"{self.tag}_"

    def scope(self, key_prefix: str = "") -> Scope:
        return Scope(self.alias, key_prefix, self.products)


@pytest.fixture(scope="module")
def worker(
    settings: Settings, require_engine: Callable[[str], None], tmp_path_factory
) -> Iterator[IsolatedWorker]:
    for engine in ENGINES:
        require_engine(engine)
    apply_migrations(settings)
    tag = f"opsrp{uuid.uuid4().hex[:8]}"
    home = tmp_path_factory.mktemp(tag)
    with running_worker(settings, tag, home, catalog_feed_interval_seconds=0.2) as (worker, _):
        yield worker


@pytest.fixture(scope="module")
async def world(worker: IsolatedWorker) -> AsyncIterator[World]:
    tag = worker.settings.streams_app_id.removesuffix("-streams")
    products = list(generate_catalog(COUNT, random_seed=7, id_prefix=f"{tag}_"))
    stock = {p.product_id: p.quantity for p in products}
    async with open_clients(worker.settings, pool_size=4) as clients:
        world = World(clients, tag, stock)
        await catalog_store.insert_products(clients.mongo, [p.model_dump() for p in products])
        async with clients.pg.connection() as conn:
            await inventory_store.add_levels(conn, stock)
        try:
            await settled(world)
            yield world
        finally:
            await _remove(world)


async def settled(world: World, key_prefix: str = "") -> AuditReport:
    """Audit until every copy agrees (the pipeline is asynchronous); fail with the drifts."""

    def agreed(report: AuditReport) -> bool:
        return report.ok and len(report.rows) == COUNT

    try:
        report, _ = await until(
            partial(audit, world.clients, world.scope(key_prefix), grace_seconds=0),
            timeout=SETTLE_SECONDS,
            what="every copy agreeing",
            accept=agreed,
            interval=1,
        )
    except NotReached as missed:
        pytest.fail(f"copies never agreed: {missed.last.as_json()}", pytrace=False)
    return report


async def _remove(world: World) -> None:
    c, ids = world.clients, list(world.stock)
    async with c.pg.connection() as conn:
        await inventory_store.remove_levels(conn, ids)
    keys = [key for pid in ids for key in (KEYS.available(pid), KEYS.version(pid))]
    keys += [k async for k in c.redis.scan_iter(match=f"{world.tag}:*")]
    await c.redis.delete(*keys)


async def search_results(world: World) -> dict[str, list]:
    """What search answers: every product with its stock, a word query, a category filter.

    Refreshed first: an index nobody searched yet is search-idle, and Elasticsearch skips its
    periodic refresh until the first search arrives (audit's realtime gets see the writes).
    """
    es, alias = world.clients.es, world.alias
    await es.indices.refresh(index=alias)
    everything = await es.search(index=alias, size=COUNT + 10, sort=["productId"])
    first = everything["hits"]["hits"][0]["_source"]
    word = first["title"].split()[0]
    by_word = await es.search(index=alias, query={"match": {"title": word}}, size=COUNT)
    in_category = await es.search(
        index=alias, query={"term": {"category": first["category"]}}, size=COUNT
    )
    return {
        "all": [
            (h["_id"], h["_source"]["availableQty"], h["_source"]["title"])
            for h in everything["hits"]["hits"]
        ],
        "word": sorted(h["_id"] for h in by_word["hits"]["hits"]),
        "category": sorted(h["_id"] for h in in_category["hits"]["hits"]),
    }


async def test_the_stream_worker_exports_agent_throughput(
    worker: IsolatedWorker, world: World
) -> None:
    """The real worker (streams.app) counts what its agents did for the world's products."""
    port = worker.settings.streams_web_port
    text = (await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics")).text
    counted = {
        sample.labels["agent"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == AGENT_EVENTS.series()[0]
    }
    assert counted.get("stock_cache", 0) >= COUNT and counted.get("search_sync", 0) >= COUNT


async def test_search_index_deleted_and_replayed_answers_as_before(world: World) -> None:
    before = await search_results(world)
    assert len(before["all"]) == COUNT
    await world.clients.es.indices.delete(index=f"{world.alias}-v*")

    result = await replay(world.clients, Target.SEARCH)

    assert result.products == COUNT and result.records >= COUNT
    assert await search_results(world) == before
    assert (await settled(world)).ok


async def test_search_keeps_serving_while_a_new_index_is_built_and_swapped(world: World) -> None:
    es, alias = world.clients.es, world.alias
    (serving,) = (await es.indices.get_alias(name=alias)).keys()
    await es.indices.refresh(index=alias)  # searchable before the first count (see above)
    answers: list[int | str] = []
    done = asyncio.Event()

    async def search_meanwhile() -> None:
        while not done.is_set():
            try:
                answers.append((await es.count(index=alias))["count"])
            except ApiError as exc:
                answers.append(repr(exc))
            await asyncio.sleep(0.02)

    async def live_traffic() -> None:  # sales during the replay, carried by the live worker
        async with world.clients.pg.connection() as conn:
            for product_id in list(world.stock)[:3]:
                await inventory_store.move(conn, [reserve(product_id, 1), sell(product_id, 1)])

    searching = asyncio.create_task(search_meanwhile())
    result, _ = await asyncio.gather(replay(world.clients, Target.SEARCH), live_traffic())
    done.set()
    await searching

    assert set(answers) == {COUNT}, "search answered incompletely or failed during the replay"
    assert list((await es.indices.get_alias(name=alias)).keys()) == [result.index]
    assert result.index != serving and not await es.indices.exists(index=serving)
    assert result.index == versioned_index(alias, int(serving.rsplit("-v", 1)[1]) + 1)
    assert (await settled(world)).ok  # the sales reached the new index


LEGACY_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "productId": {"type": "keyword"},
        "title": {"type": "text", "index_prefixes": {"min_chars": 2, "max_chars": 15}},
        "description": {"type": "text"},
        "category": {"type": "keyword", "normalizer": "case_insensitive"},
        "brand": {
            "type": "keyword",
            "normalizer": "case_insensitive",
            "fields": {"text": {"type": "text"}},
        },
        "price": {"type": "double"},
        "currency": {"type": "keyword", "index": False},
        "rating": {"type": "float"},
        "reviewCount": {"type": "integer"},
        "availableQty": {"type": "integer"},
        "thumbnail": {"type": "keyword", "index": False, "doc_values": False},
        "updatedAt": {"type": "date"},
    },
}
"""The mapping shipped before search schemas were recorded: no terms fields, no facets'
keyword twins, no inStock or createdAt to sort on."""
MAX_SEARCHES = 5_000


async def serve_legacy_index(world: World) -> None:
    """Put the world's products behind its alias in an index of the legacy mapping."""
    es, alias = world.clients.es, world.alias
    (serving,) = (await es.indices.get_alias(name=alias)).keys()
    legacy = f"{alias}-legacy"  # outside the template's pattern: the legacy mapping alone
    await es.indices.create(index=legacy, mappings=LEGACY_MAPPINGS, settings=INDEX_SETTINGS)
    await es.indices.refresh(index=alias)
    hits = (await es.search(index=alias, size=COUNT + 10))["hits"]["hits"]
    operations: list[dict] = []
    for hit in hits:
        known = {k: v for k, v in hit["_source"].items() if k in LEGACY_MAPPINGS["properties"]}
        operations += [{"index": {"_id": hit["_id"]}}, known]
    await es.bulk(index=legacy, operations=operations, refresh=True)
    await es.indices.update_aliases(
        actions=[
            {"remove": {"index": serving, "alias": alias}},
            {"add": {"index": legacy, "alias": alias}},
        ]
    )
    await es.indices.delete(index=serving)


def schema_behind(settings: Settings) -> int | None:
    with Elasticsearch(settings.elasticsearch_url) as es:
        return serving_schema(es, settings.search_alias)


async def test_a_schema_change_rolls_out_without_a_failed_search(world: World) -> None:
    """The storefront keeps answering from an index built under an older mapping while the
    replay builds one under the current mapping and swaps it in; then the new fields serve."""
    settings = world.clients.settings
    await serve_legacy_index(world)
    assert await asyncio.to_thread(schema_behind, settings) == 0
    word = next(iter(world.stock))  # any product id; its title's first word is searched
    product = await catalog_store.find_product(world.clients.mongo, word)
    queries = [
        {"size": 5},
        {"term": product["title"].split()[0], "sort": "newest"},
        {"brand": product["brand"], "sort": "price-asc"},
    ]
    answers: list[tuple[int, int]] = []
    done = asyncio.Event()

    async with in_process_api(settings) as (_, api):

        async def search_meanwhile() -> None:
            while not done.is_set() and len(answers) < MAX_SEARCHES:
                for query in queries:
                    response = await api.get("/v1/products/search", params=query)
                    total = (
                        response.json()["pagination"]["totalResults"] if response.is_success else -1
                    )
                    answers.append((response.status_code, total))

        searching = asyncio.create_task(search_meanwhile())
        result = await replay(world.clients, Target.SEARCH)
        done.set()
        await searching
        after = (await api.get("/v1/products/search", params=queries[2])).json()

    assert {status for status, _ in answers} == {200}, "a search failed during the rollout"
    assert all(total > 0 for _, total in answers), "a search found nothing during the rollout"
    assert len(answers) > len(queries), "searches ran while the replay did"
    assert await asyncio.to_thread(schema_behind, settings) == SCHEMA
    assert list((await world.clients.es.indices.get_alias(name=world.alias)).keys()) == [
        result.index
    ]
    chosen = {"value": product["brand"], "count": after["pagination"]["totalResults"]}
    assert chosen | {"selected": True} in after["facets"]["brand"], (
        "the facets' fields exist once the new index serves"
    )


async def test_a_replay_that_would_drop_documents_is_refused(world: World) -> None:
    """A document indexed without a catalog event (e.g. written straight to Elasticsearch)
    is not in the log: the rebuilt index would lack it, so the old index keeps serving."""
    es, alias = world.clients.es, world.alias
    (serving,) = (await es.indices.get_alias(name=alias)).keys()
    stray = f"{world.tag}_stray"
    await es.index(index=alias, id=stray, document={"productId": stray}, refresh=True)
    try:
        with pytest.raises(ReplayRefused):
            await replay(world.clients, Target.SEARCH)
        assert list((await es.indices.get_alias(name=alias)).keys()) == [serving]
        assert list(await es.indices.get(index=f"{alias}-v*")) == [serving]  # build dropped
    finally:
        await es.delete(index=alias, id=stray, refresh=True)


async def test_cache_keys_deleted_and_replayed_hold_the_stock_as_before(world: World) -> None:
    redis = world.clients.redis
    keys = [KEYS.available(pid) for pid in world.stock]
    before = await redis.mget(keys)
    await redis.delete(*keys, *(KEYS.version(pid) for pid in world.stock))

    result = await replay(world.clients, Target.CACHE, product_prefix=world.products)

    assert result.products == COUNT
    assert await redis.mget(keys) == before
    assert (await settled(world)).ok


async def test_cache_replayed_into_an_empty_keyspace_equals_the_live_cache(world: World) -> None:
    prefix = f"{world.tag}:"
    redis = world.clients.redis
    live = await redis.mget([KEYS.available(pid) for pid in world.stock])

    run = await asyncio.to_thread(  # the CLI runs its own event loop
        CliRunner().invoke,
        shopctl,
        [
            "replay",
            "--target",
            "cache",
            "--key-prefix",
            prefix,
            "--products",
            world.products,
            "--json",
        ],
    )

    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["products"] == COUNT
    rebuilt = await redis.mget([StockKeys(prefix).available(pid) for pid in world.stock])
    assert rebuilt == live
    assert (await settled(world, key_prefix=prefix)).ok

    again = await replay(
        world.clients, Target.CACHE, key_prefix=prefix, product_prefix=world.products
    )
    assert again.products == COUNT
    assert await redis.mget([StockKeys(prefix).available(pid) for pid in world.stock]) == live


async def test_lost_product_quantities_are_replayed(world: World) -> None:
    lost = list(world.stock)[:5]
    await world.clients.mongo[PRODUCTS].update_many(
        {"productId": {"$in": lost}}, {"$unset": {"quantity": "", "stockVersion": ""}}
    )
    broken = await audit(world.clients, world.scope(), grace_seconds=0)
    assert {row.product_id for row in broken.drifts} == set(lost)

    result = await replay(world.clients, Target.PRODUCT_QTY, product_prefix=world.products)

    assert result.products == COUNT
    assert (await settled(world)).ok


async def test_copies_corrupted_under_a_newer_version_are_rewritten(world: World) -> None:
    """A wrong figure stored with a version above Postgres' refuses every guarded write: only
    the replay's overwrite (then Postgres' current figure) repairs it."""
    cached, counted = list(world.stock)[5:7]
    redis = world.clients.redis
    await redis.set(KEYS.available(cached), 44)
    await redis.set(KEYS.version(cached), 10**9)
    await world.clients.mongo[PRODUCTS].update_one(
        {"productId": counted}, {"$set": {"quantity": 44, "stockVersion": 10**9}}
    )
    broken = await audit(world.clients, world.scope(), grace_seconds=0)
    assert {row.product_id for row in broken.drifts} == {cached, counted}

    await replay(world.clients, Target.CACHE, product_prefix=world.products)
    await replay(world.clients, Target.PRODUCT_QTY, product_prefix=world.products)

    report = await audit(world.clients, world.scope(), grace_seconds=0)
    assert report.ok, report.as_json()
    assert int(await redis.get(KEYS.version(cached))) < 10**9

"""Pure rules: feed buckets, what to emit, an envelope consumers understand, stock batches."""

import json
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from domain.catalog import CatalogChange
from domain.catalog_feed import CHANGE_BUCKET_SECONDS, buckets_between, change_bucket, to_emit
from domain.inventory import StockChange, latest_per_product
from streams.events import ProductEvent, decode, product_id_of_key, product_key
from streams.topics import PRODUCTS
from tests.support.records import UPDATED_AT, feed_record, product_document


def test_buckets_cover_the_whole_window() -> None:
    since = datetime(2025, 5, 1, 12, 0, 9, tzinfo=UTC)
    until = since + timedelta(seconds=CHANGE_BUCKET_SECONDS + 2)
    window = buckets_between(since, until)
    assert len(window) == 3
    for second in range(CHANGE_BUCKET_SECONDS + 3):
        assert change_bucket(since + timedelta(seconds=second)) in window


def test_only_versions_not_emitted_yet_oldest_change_first() -> None:
    later = UPDATED_AT + timedelta(seconds=1)
    documents = [
        product_document("b", 3, updatedAt=later),
        product_document("a", 2, updatedAt=later),
        product_document("c", 5),
        product_document("d", 1),
        {"productId": "legacy", "updatedAt": UPDATED_AT},  # not written by the catalog store
    ]
    fresh = to_emit(documents, {"b": 3, "a": 1, "c": 4})
    assert [d["productId"] for d in fresh] == ["c", "d", "a"]


def test_envelope_ops_follow_version_deletion_and_snapshot() -> None:
    def op(document: dict, snapshot: bool = False) -> str:
        return json.loads(feed_record(document, snapshot)[1])["op"]

    assert op(product_document("p", 1)) == "c"
    assert op(product_document("p", 2)) == "u"
    assert op(product_document("p", 2), snapshot=True) == "r"
    assert op(product_document("p", 3, deleted=True)) == "d"


def test_envelope_is_debezium_shaped_and_round_trips() -> None:
    document = product_document("p9", 4, quantity=3)
    key, value = feed_record(document)
    raw = json.loads(value)
    assert isinstance(raw["after"], str) and raw["before"] is None
    assert raw["source"]["connector"] == "catalog-feed" and raw["source"]["ord"] == 4
    event = ProductEvent.model_validate_json(value)
    assert event.after.model_extra["updatedAt"] == UPDATED_AT
    assert event.after.model_extra["_id"] == document["_id"]
    change = decode(PRODUCTS, key, value)
    assert change.version == 4 and change.document["quantity"] == 3


def test_delete_envelope_carries_no_document_but_its_version() -> None:
    key, value = feed_record(product_document("p9", 6, deleted=True))
    event = ProductEvent.model_validate_json(value)
    assert event.after is None and event.position == 6
    assert decode(PRODUCTS, key, value) == CatalogChange("p9", 6, None)


def test_keys_of_both_sources_name_the_product() -> None:
    assert product_id_of_key(product_key("prod_1")) == "prod_1"
    assert product_id_of_key(b'{"id": "\\"prod_1\\""}') == "prod_1"
    assert product_id_of_key(b'{"id": "prod_1"}') == "prod_1"
    oid = ObjectId()
    assert product_id_of_key(json.dumps({"id": f'{{"$oid": "{oid}"}}'}).encode()) is None
    assert product_id_of_key(None) is None


def test_a_batch_of_stock_changes_keeps_the_newest_per_product() -> None:
    changes = [
        StockChange("a", 5, 300),
        StockChange("b", 1, 100),
        StockChange("a", 7, 200),
        StockChange("a", 4, 400),
    ]
    assert latest_per_product(changes) == [StockChange("a", 4, 400), StockChange("b", 1, 100)]

"""FerretDB's equality filters become indexed lookups once the GIN twins exist."""

import uuid

import psycopg
import pymongo
from psycopg import sql

from adapters.catalog_collection import PRODUCTS, ensure_products_collection
from ops.stack.engines.ferretdb import add_gin_twins


def test_gin_twins_serve_the_lookups_ferretdb_sends(settings, require_engine):
    require_engine("ferretdb")
    database = f"gin_{uuid.uuid4().hex[:8]}"
    with pymongo.MongoClient(settings.mongo_url) as client:
        ensure_products_collection(client[database])
        client[database][PRODUCTS].insert_one({"productId": "prod_gin_1", "changeBucket": 1})
        try:
            created = add_gin_twins(settings, database, PRODUCTS, ["productId", "changeBucket"])
            assert [name.rsplit("_", 2)[-2:] for name in created] == [
                ["productid", "gin"],
                ["changebucket", "gin"],
            ]
            assert add_gin_twins(settings, database, PRODUCTS, ["productId"]) == []
            assert _lookup_plan(settings, database, created[0]) != "Seq Scan"
            found = client[database][PRODUCTS].find_one({"productId": "prod_gin_1"})
            assert found is not None and found["changeBucket"] == 1
        finally:
            client.drop_database(database)


def test_a_missing_collection_gets_no_twins(settings, require_engine):
    require_engine("ferretdb")
    assert add_gin_twins(settings, f"gin_{uuid.uuid4().hex[:8]}", PRODUCTS, ["productId"]) == []


def _lookup_plan(settings, database: str, index: str) -> str:
    """The plan of the statement shape FerretDB sends for ``{productId: ...}``."""
    with psycopg.connect(settings.dsn_for(settings.ferretdb_postgres_db)) as pg:
        table = pg.execute(
            "SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            (database, index),
        ).fetchone()[0]
        pg.execute("SET enable_seqscan = off")  # one row: force the choice an index allows
        plan = pg.execute(
            sql.SQL("EXPLAIN (FORMAT JSON) SELECT _jsonb FROM {}.{} WHERE _jsonb->%s @> %s").format(
                sql.Identifier(database), sql.Identifier(table)
            ),
            ("productId", '"prod_gin_1"'),
        ).fetchone()[0]
    return plan[0]["Plan"]["Node Type"]

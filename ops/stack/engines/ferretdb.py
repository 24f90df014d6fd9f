"""FerretDB: the MongoDB wire protocol on a Postgres database of its own (no MongoDB here)."""

from collections.abc import Iterable
from urllib.parse import urlsplit

import psycopg
import pymongo
from psycopg import sql

from config import Settings
from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon
from ops.stack.provision import go_build

MODULE = "github.com/FerretDB/FerretDB"
VERSION = "v1.24.2"  # last release line with the plain PostgreSQL backend (v2 needs DocumentDB)


class FerretDB(DaemonEngine):
    name = "ferretdb"
    depends_on = ("postgres",)

    @property
    def endpoint(self) -> str:
        return self.settings.mongo_url

    @property
    def binary(self):
        return self.settings.stack_dir / "bin" / "ferretdb"

    def provision(self) -> None:
        go_build(
            MODULE,
            VERSION,
            "./cmd/ferretdb",
            self.binary,
            self.log,
            files={"build/version/version.txt": VERSION + "\n"},
        )

    def daemon(self) -> Daemon:
        s = self.settings
        listen = urlsplit(s.mongo_url).netloc.rsplit("@", 1)[-1]
        return Daemon(
            argv=[
                str(self.binary),
                "--handler=postgresql",
                f"--listen-addr={listen}",
                f"--postgresql-url={s.dsn_for(s.ferretdb_postgres_db)}",
                f"--state-dir={self.home}",
                "--telemetry=disable",
                "--log-level=warn",
                "--debug-addr=127.0.0.1:0",
            ],
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        client: pymongo.MongoClient = pymongo.MongoClient(
            self.settings.mongo_url, serverSelectionTimeoutMS=2000
        )
        try:
            client.admin.command("ping")
        finally:
            client.close()


def add_gin_twins(
    settings: Settings, database: str, collection: str, fields: Iterable[str]
) -> list[str]:
    """Give each field's equality lookup an index FerretDB's own queries can use.

    FerretDB 1.24 stores a collection as a Postgres table of ``_jsonb`` documents and filters
    ``{field: value}`` as ``_jsonb->'field' @> value``. Its ``createIndexes`` builds btree
    indexes on ``(_jsonb->'field')``, which cannot serve ``@>``: every lookup by
    ``productId`` or ``changeBucket`` scanned the table. A GIN index on the same expression
    serves it (figures in docs/PERFORMANCE.md). FerretDB does
    not know these indexes; they live and die with its table. MongoDB needs none of this.
    Returns the indexes created (none when they exist or the collection does not).
    """
    with psycopg.connect(settings.dsn_for(settings.ferretdb_postgres_db), autocommit=True) as pg:
        table = _backing_table(pg, database, collection)
        if table is None:
            return []
        existing = {
            name
            for (name,) in pg.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                (database, table),
            )
        }
        created = []
        for field in fields:
            name = f"{table}_{field.lower()}_gin"
            if name in existing:
                continue
            pg.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING gin ((_jsonb -> {}))").format(
                    sql.Identifier(name),
                    sql.Identifier(database),
                    sql.Identifier(table),
                    sql.Literal(field),
                )
            )
            created.append(name)
        return created


def _backing_table(pg: psycopg.Connection, database: str, collection: str) -> str | None:
    """FerretDB's table of ``database.collection`` (one schema per database)."""
    metadata = sql.Identifier(database, "_ferretdb_database_metadata")
    if pg.execute("SELECT to_regclass(%s)", (metadata.as_string(pg),)).fetchone()[0] is None:
        return None
    row = pg.execute(
        sql.SQL("SELECT _jsonb->>'table' FROM {} WHERE _jsonb->>'_id' = %s").format(metadata),
        (collection,),
    ).fetchone()
    return None if row is None else row[0]

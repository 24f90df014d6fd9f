"""A stream worker of its own, for end-to-end tests and benchmarks on the shared stack.

It gets its own app id (consumer group), web port, catalog database (so its change feed and
PRODUCTS topic see only its products) and search alias, and its group starts at the end of
the CDC topics: it neither replays the shared backlog nor competes with the stack's worker.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from pymongo import MongoClient

from adapters.catalog_collection import PRODUCTS
from config import PROJECT_ROOT, KafkaUser, Settings
from harness.kafka_log import Offsets, start_at_log_end
from harness.sockets import free_port
from ops.catalog_setup import prepare_catalog
from ops.polling import NotReached, wait_until
from ops.stack.process import Daemon, log_tail
from ops.topics import ensure_topics
from streams.topics import POSTGRES_TABLES
from streams.topics import PRODUCTS as PRODUCTS_TOPIC

READY = b"[^---Recovery]: Worker ready"


@dataclass
class IsolatedWorker:
    """``faust -A streams.worker worker`` with settings of its own; start, stop, restart."""

    settings: Settings
    home: Path

    @classmethod
    def create(cls, base: Settings, tag: str, home: Path, **overrides: object) -> "IsolatedWorker":
        settings = base.model_copy(
            update={
                "streams_app_id": f"{tag}-streams",
                "streams_web_port": free_port(),
                "mongo_db": f"{tag}_catalog",
                "search_alias": f"{tag}-products",
                **overrides,
            }
        )
        return cls(settings, home)

    def skip_backlog(self) -> Offsets:
        """Start its group at the end of every CDC topic: the shared history is not its job."""
        topics = [spec.name(self.settings) for spec in POSTGRES_TABLES]
        return start_at_log_end(self.settings, self.settings.streams_app_id, topics)

    @property
    def log(self) -> Path:
        return self.home / "worker.log"

    def daemon(self) -> Daemon:
        env = {
            f"SHOP_{name.upper()}": str(getattr(self.settings, name))
            for name in (
                "streams_app_id",
                "streams_web_port",
                "mongo_db",
                "search_alias",
                "catalog_feed_interval_seconds",
                "catalog_feed_overlap_seconds",
            )
        }
        return Daemon(
            argv=[sys.executable, "-m", "faust", "-A", "streams.worker", "worker", "-l", "info"],
            log=self.log,
            pidfile=self.home / "worker.pid",
            env=env,
            cwd=PROJECT_ROOT,
        )

    def start(self, timeout: float = 90) -> None:
        """Start and wait until Faust assigned it its partitions ("Worker ready")."""
        self.home.mkdir(parents=True, exist_ok=True)
        prepare_catalog(self.settings)  # as `shopctl up` does for the stack's catalog
        ensure_topics(self.settings, [PRODUCTS_TOPIC])  # its own catalog's change topic
        logged = self.log.stat().st_size if self.log.exists() else 0
        self.daemon().start()

        def ready() -> bool:
            if self.daemon().pid() is None:
                raise RuntimeError(f"stream worker exited:\n{log_tail(self.log, 40)}")
            with self.log.open("rb") as log:
                log.seek(logged)
                return READY in log.read()

        try:
            wait_until(ready, timeout=timeout, what="stream worker ready", interval=0.3)
        except NotReached as missed:
            raise RuntimeError(f"{missed}:\n{log_tail(self.log, 40)}") from None

    def stop(self) -> None:
        self.daemon().stop()

    def remove_data(self) -> None:
        """Drop what only this worker used: catalog db, search indices, topics, positions."""
        s = self.settings
        with MongoClient(s.mongo_url) as mongo:
            mongo.drop_database(s.mongo_db)
        with Elasticsearch(s.elasticsearch_url) as es:
            missing_ok = es.options(ignore_status=404)
            missing_ok.indices.delete(index=f"{s.search_alias}-v*")
            missing_ok.indices.delete_index_template(name=s.search_alias)
        with psycopg.connect(s.postgres_dsn, autocommit=True) as conn:
            source = f"{s.mongo_db}.{PRODUCTS}"
            conn.execute("DELETE FROM catalog_feed_checkpoint WHERE source = %s", (source,))
            conn.execute("DELETE FROM catalog_feed_versions WHERE source = %s", (source,))
        admin = KafkaAdminClient(**s.kafka_client(KafkaUser.ADMIN))
        try:
            owned = [PRODUCTS_TOPIC.name(s), f"{s.streams_app_id}-__assignor-__leader"]
            existing = set(admin.list_topics())
            admin.delete_topics([t for t in owned if t in existing])
            admin.delete_groups([s.streams_app_id])
        except KafkaError:
            pass  # best effort: leftovers are named after the tag
        finally:
            admin.close()


@contextmanager
def running_worker(
    base: Settings, tag: str, home: Path, **overrides: object
) -> Iterator[tuple[IsolatedWorker, Offsets]]:
    """A started isolated worker whose group begins at the current end of the CDC topics
    (``skip_backlog``, also returned); stopped and its data removed afterwards."""
    worker = IsolatedWorker.create(base, tag, home, **overrides)
    start = worker.skip_backlog()
    try:
        worker.start()
        yield worker, start
    finally:
        worker.stop()
        worker.remove_data()

"""What the engines need before any app process starts: Kafka ACLs, schema, catalog, CDC
connectors.

``STEPS`` is the one list of them. ``shopctl up`` runs it in order; each step is also a
``shopctl`` command of its own, and docker-compose's one-shot services run those commands:
``kafka-acls`` the steps Connect needs before it starts, ``init`` the others
(tests/test_compose_consistency.py holds the file to this list). Every step is idempotent, so
running it again (a restart, a second ``up``) changes nothing.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import httpx
import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from kafka.errors import KafkaError
from pymongo.errors import PyMongoError

from adapters.catalog_collection import PRODUCTS
from adapters.migrations import apply_migrations
from adapters.object_store import ObjectStore
from config import Settings
from ops import connectors
from ops.catalog_setup import prepare_catalog
from ops.kafka_acls import ensure_acls
from ops.polling import NotReached
from ops.topics import ensure_topics

Say = Callable[[str], None]
"""Where a step reports progress (a wait), apart from its results."""

ENGINE_ERRORS = (
    psycopg.Error,
    KafkaError,
    PyMongoError,
    httpx.HTTPError,
    BotoCoreError,
    ClientError,
    NotReached,
    RuntimeError,
    OSError,
)
"""What an unreachable or refusing engine raises through the steps' clients."""
MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Outcome:
    """One result of a step: a migration applied, a connector running..."""

    what: str
    name: str

    def line(self) -> str:
        return f"{self.what}: {self.name}"


@dataclass(frozen=True)
class SetupStep:
    command: str  # the shopctl subcommand
    help: str
    engine: Callable[[Settings], str]  # what it reaches, for an error message
    run: Callable[[Settings, Say], list[Outcome]]
    idle: str = ""  # said when the step had nothing to do
    before_connect: bool = False  # Connect fails without it: run before Connect starts


class SetupFailed(Exception):
    """A step could not reach or use its engine; the message is one line."""


def _kafka_acls(settings: Settings, say: Say) -> list[Outcome]:
    return [Outcome("ACL created", grant.line()) for grant in ensure_acls(settings)]


def _migrate(settings: Settings, say: Say) -> list[Outcome]:
    return [Outcome("migration applied", name) for name in apply_migrations(settings)]


def _prepare(settings: Settings, say: Say) -> list[Outcome]:
    twins = prepare_catalog(settings)
    return [
        Outcome("catalog collection ready", f"{settings.mongo_db}.{PRODUCTS}"),
        *(Outcome("FerretDB GIN index added", twin) for twin in twins),
    ]


def _media(settings: Settings, say: Say) -> list[Outcome]:
    created = ObjectStore(settings).ensure_bucket()
    what = "media bucket created" if created else "media bucket ready"
    return [Outcome(what, settings.media_bucket)]


def _topics(settings: Settings, say: Say) -> list[Outcome]:
    return [Outcome("topic created", name) for name in ensure_topics(settings)]


def _register(settings: Settings, say: Say) -> list[Outcome]:
    return [Outcome("connector running", name) for name in connectors.register(settings, say)]


def _mongo_address(settings: Settings) -> str:
    return urlsplit(settings.mongo_url).netloc.rpartition("@")[2]  # never the credentials


STEPS = (
    SetupStep(
        "kafka-acls",
        "Create the Kafka ACLs every principal needs (Connect, each stream worker role, the ops"
        " tools) that are missing; Connect needs its own before it starts.",
        lambda s: f"Kafka at {s.kafka_bootstrap}",
        _kafka_acls,
        idle="every Kafka ACL exists",
        before_connect=True,
    ),
    SetupStep(
        "migrate",
        "Apply the pending Postgres migrations (adapters/sql), in order.",
        lambda s: f"Postgres at {s.postgres_host}:{s.postgres_port}",
        _migrate,
        idle="no migration pending",
    ),
    SetupStep(
        "prepare",
        "Prepare the product catalog: collection, validator, indexes (and FerretDB's GIN twins).",
        lambda s: f"MongoDB at {_mongo_address(s)}",
        _prepare,
    ),
    SetupStep(
        "media",
        "Create the media bucket (product images) and its policy: variants public, originals not.",
        lambda s: f"the object store at {s.objectstore_url}",
        _media,
    ),
    SetupStep(
        "topics",
        "Create the pipeline's topics a worker or the connector would (partitions, cleanup,"
        " replicas per broker) and wait until every broker lists them.",
        lambda s: f"Kafka at {s.kafka_bootstrap}",
        _topics,
        idle="every pipeline topic exists",
    ),
    SetupStep(
        "register",
        "Register the Debezium connectors with Kafka Connect (waiting for it) and wait until"
        " they run: Postgres, and MongoDB's where the catalog change feed is off"
        " (SHOP_CATALOG_FEED_ENABLED=false).",
        lambda s: f"Kafka Connect at {s.connect_url}",
        _register,
    ),
)


def lines(step: SetupStep, outcomes: list[Outcome]) -> list[str]:
    """One line per result; the step's idle line when it had nothing to do."""
    if not outcomes and step.idle:
        return [f"{step.command}: {step.idle}"]
    return [outcome.line() for outcome in outcomes]


def as_json(step: SetupStep, outcomes: list[Outcome]) -> dict:
    return {"step": step.command, "results": [asdict(outcome) for outcome in outcomes]}


def run_step(step: SetupStep, settings: Settings, say: Say) -> list[Outcome]:
    try:
        return step.run(settings, say)
    except ENGINE_ERRORS as exc:
        raise SetupFailed(f"{step.command} ({step.engine(settings)}): {one_line(exc)}") from exc


def one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= MESSAGE_LIMIT else f"{text[: MESSAGE_LIMIT - 3]}..."

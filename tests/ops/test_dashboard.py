"""The ops dashboard on the real engines, looked at by headless Chromium.

A consumer group of the test's own falls behind in bursts while the dashboard samples, so the
page must show its lag growing, in records and in seconds; the stock audit of the live catalog
fills the stock tables. Connectors, replication slots and dead letters each get a subject of
the test's own: a Debezium connector whose task fails, an idle logical slot, a dead-letter topic
under a topic prefix of its own.
Set ``OPS_DASHBOARD_SCREENSHOT`` to keep the screenshot (docs/dashboard.png was made that way).
"""

import html
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import yaml
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata
from prometheus_client.parser import text_string_to_metric_families

from adapters.metric_names import (
    ALL_METRICS,
    CDC_COMMIT_TO_TOPIC,
    CONNECTOR_UP,
    CONSUMER_LAG,
    CONSUMER_LAG_SECONDS,
    DEAD_LETTER_COUNT,
    REPLICATION_SLOT_WAL,
)
from config import DURABLE_PRODUCER, PROJECT_ROOT, KafkaUser, Settings
from harness.sockets import free_port
from ops.connectors import POSTGRES, render
from ops.stack.process import Daemon
from streams.topics import DEAD_LETTERS, ORDERS
from tests.ops.support import produce, python_daemon, wait_for
from tests.support.browser import headless

pytestmark = pytest.mark.engines

BURSTS = (40, 80, 120)
DASHBOARD_GAUGES = [m for m in ALL_METRICS if m.kind == "gauge"]
ENGINES = ("postgres", "redis", "ferretdb", "elasticsearch", "kafka")
StartDashboard = Callable[..., tuple[str, Daemon]]


@pytest.fixture
def lagging_group(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[str]:
    """A group that committed offset 0 on a fresh topic and then stopped consuming."""
    require_engine("kafka")
    name = f"opsdash-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    admin.create_topics(
        [NewTopic(name, num_partitions=3, replication_factor=settings.kafka_replication_factor)]
    )
    consumer = KafkaConsumer(**settings.kafka_client(KafkaUser.ADMIN), group_id=name)
    consumer.commit({TopicPartition(name, p): OffsetAndMetadata(0, "", -1) for p in range(3)})
    consumer.close()
    try:
        yield name
    finally:
        admin.delete_topics([name])
        admin.delete_groups([name])
        admin.close()


@pytest.fixture
def start_dashboard(
    settings: Settings, require_engine: Callable[[str], None], tmp_path: Path
) -> Iterator[StartDashboard]:
    """Starts a dashboard process sampling every second, with extra ``SHOP_*`` settings."""
    for engine in ENGINES:
        require_engine(engine)
    started: list[Daemon] = []

    def start(**env: str) -> tuple[str, Daemon]:
        """Its base URL carries the operator's login (httpx and the browser send it)."""
        port, password = free_port(), secrets.token_urlsafe(24)
        daemon = python_daemon(
            tmp_path,
            f"dashboard-{len(started)}",
            ["-m", "ops.dashboard"],
            {
                "SHOP_DASHBOARD_PORT": str(port),
                "SHOP_DASHBOARD_SAMPLE_SECONDS": "1",
                "SHOP_DASHBOARD_PASSWORD": password,
                **env,
            },
        )
        started.append(daemon)
        daemon.start()
        user = settings.dashboard_user
        return f"http://{user}:{password}@{settings.dashboard_host}:{port}", daemon

    try:
        yield start
    finally:
        for daemon in started:
            daemon.stop()


@pytest.fixture
def dashboard(start_dashboard: StartDashboard) -> tuple[str, Daemon]:
    return start_dashboard()


@pytest.fixture
def failing_connector(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[str]:
    """A Debezium connector whose task fails at start: its publication does not exist and it
    may not create one. Its own slot, topic prefix and no table, so nothing of the stack's
    capture is touched; removed afterwards."""
    require_engine("connect")
    name = f"opsdash-{uuid.uuid4().hex[:8]}"
    own = name.replace("-", "_")
    config = {
        **render(POSTGRES, settings)[1],
        "slot.name": own,
        "publication.name": own,
        "publication.autocreate.mode": "disabled",
        "topic.prefix": name,
        "table.include.list": "public.opsdash_none",
        "snapshot.mode": "no_data",
    }
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        try:
            yield name
        finally:
            connect.delete(f"/connectors/{name}")
            drop_slot(settings, own)


def drop_slot(settings: Settings, slot: str) -> None:
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            " WHERE slot_name = %s AND NOT active",
            (slot,),
        )


@pytest.fixture
def idle_slot(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[str]:
    """A logical slot nobody reads, behind some WAL written after it: Debezium's slot while the
    connector is down."""
    require_engine("postgres")
    slot = f"opsdash_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (slot,))
        conn.execute("SELECT pg_logical_emit_message(false, 'opsdash', repeat('x', 100000))")
    try:
        yield slot
    finally:
        drop_slot(settings, slot)


@pytest.fixture
def topic_prefix(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[str]:
    """A topic prefix of the test's own, with its dead-letter topic; removed afterwards."""
    require_engine("kafka")
    prefix = f"opsdash-{uuid.uuid4().hex[:8]}"
    topic = DEAD_LETTERS.name(settings.model_copy(update={"topic_prefix": prefix}))
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    admin.create_topics(
        [NewTopic(topic, num_partitions=1, replication_factor=settings.kafka_replication_factor)]
    )
    try:
        yield prefix
    finally:
        admin.delete_topics([topic])
        admin.close()


def get(base: str, path: str) -> httpx.Response:
    try:
        return httpx.get(f"{base}{path}", timeout=10)
    except httpx.TransportError:
        return httpx.Response(503)


def group_lag(base: str, group: str) -> list[dict]:
    answer = get(base, "/api/lag")
    if answer.status_code != 200:
        return []
    return [p for p in answer.json()["partitions"] if p["group"] == group]


def group_lag_seconds(base: str, group: str) -> float | None:
    answer = get(base, "/api/lag")
    return answer.json()["group_lag_seconds"].get(group) if answer.status_code == 200 else None


def json_of(base: str, path: str) -> dict:
    answer = get(base, path)
    return answer.json() if answer.status_code == 200 else {}


def exported(base: str, metric: str) -> dict[tuple, float]:
    """The samples of one family on ``/metrics``, by their sorted labels."""
    families = text_string_to_metric_families(get(base, "/metrics").text)
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in families
        if family.name == metric
        for s in family.samples
    }


def test_the_running_dashboard_wants_the_login_and_its_own_name(
    dashboard: tuple[str, Daemon],
) -> None:
    base, daemon = dashboard
    wait_for("dashboard answering", lambda: get(base, "/healthz").status_code == 200, daemon)
    address = urlsplit(base)
    anonymous = f"http://{address.hostname}:{address.port}"
    assert httpx.get(f"{anonymous}/healthz", timeout=10).status_code == 200  # probes
    assert httpx.get(f"{anonymous}/api/mail", timeout=10).status_code == 401
    assert get(base, "/api/mail").status_code == 200
    rebound = httpx.get(f"{base}/api/mail", headers={"Host": "attacker.example:8070"}, timeout=10)
    assert rebound.status_code == 421 and rebound.json()["error"]["code"] == "unknown_host"


def test_dashboard_shows_lag_trend_freshness_and_stock(
    settings: Settings,
    dashboard: tuple[str, Daemon],
    lagging_group: str,
    chromium: str,
    tmp_path: Path,
) -> None:
    base, daemon = dashboard
    produced, first_produced = 0, time.time()
    for burst in BURSTS:
        produce(settings, lagging_group, burst)
        produced += burst
        wait_for(
            f"dashboard sees lag {produced}",
            lambda total=produced: sum(p["lag"] for p in group_lag(base, lagging_group)) == total,
            daemon,
        )
    trend = [lag for _, lag in group_lag(base, lagging_group)[0]["history"]]
    assert trend == sorted(trend) and trend[-1] > trend[0], trend
    wait_for(  # nothing consumes: the oldest record waits longer and longer
        "lag in seconds of the group",
        lambda: (group_lag_seconds(base, lagging_group) or 0) >= 2,
        daemon,
    )
    assert group_lag_seconds(base, lagging_group) <= time.time() - first_produced + 2
    exported_seconds = exported(base, CONSUMER_LAG_SECONDS.name)
    assert exported_seconds[(("group", lagging_group),)] >= 2

    freshness = get(base, "/api/freshness").json()["topics"]
    assert any(t["records"] > 0 and t["age_seconds"] is not None for t in freshness), freshness
    # The stack's topics hold change records (orders, seeding): the first sample reads the
    # last of each partition, so their commit -> topic delays are counted.
    assert any(t["delays"]["count"] > 0 for t in freshness), freshness
    wait_for(
        "first stock audit",
        lambda: get(base, "/api/stock").json()["audited_at_ms"] is not None,
        daemon,
        timeout=600,
    )
    stock = get(base, "/api/stock?size=10").json()
    assert stock["summary"]["products"] > 0 and len(stock["rows"]) == 10
    drifted = get(base, "/api/stock?size=500&drifted=true").json()["rows"]
    assert all(row["drifted"] for row in drifted)
    low = get(base, "/api/low-stock").json()
    assert all(r["postgres"]["available"] <= low["threshold"] for r in low["rows"])

    families = {f.name: f for f in text_string_to_metric_families(get(base, "/metrics").text)}
    assert {m.name for m in DASHBOARD_GAUGES} <= set(families)
    assert CDC_COMMIT_TO_TOPIC.name in families
    exported_lag = sum(
        s.value for s in families[CONSUMER_LAG.name].samples if s.labels["group"] == lagging_group
    )
    assert exported_lag == produced

    dom = headless(chromium, "--dump-dom", f"{base}/#group={lagging_group}")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-loaded="true"' in dom.stdout and lagging_group in dom.stdout
    assert dom.stdout.count("<polyline") >= 3  # one trend per partition of the group
    assert "drifts" in dom.stdout and "stock" in dom.stdout and 'id="driftedOnly"' in dom.stdout
    assert "Prometheus" in dom.stdout  # the links: what runs, not Kafka UI nor Grafana here
    assert "Kafka UI" not in dom.stdout and "Grafana" not in dom.stdout
    assert render(POSTGRES, settings)[0] in dom.stdout  # the stack's connector
    assert "100 ms" in dom.stdout  # the delay histogram's header
    assert "in the last 15 minutes" in dom.stdout  # and the window it counts

    screenshot = Path(os.environ.get("OPS_DASHBOARD_SCREENSHOT", tmp_path / "dashboard.png"))
    shot = headless(chromium, f"--screenshot={screenshot.resolve()}", f"{base}/")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 50_000


def test_dashboard_shows_connector_states_and_a_failed_tasks_reason(
    settings: Settings, dashboard: tuple[str, Daemon], failing_connector: str, chromium: str
) -> None:
    base, daemon = dashboard
    stack_connector = render(POSTGRES, settings)[0]

    def units() -> dict[tuple[str, str], dict]:
        answer = json_of(base, "/api/connectors")
        return {(u["connector"], u["task"]): u for u in answer.get("units", [])}

    wait_for(
        "the failing connector's task FAILED",
        lambda: units().get((failing_connector, "0"), {}).get("state") == "FAILED",
        daemon,
    )
    seen = units()
    failed = seen[(failing_connector, "0")]
    assert failed["level"] == "bad" and not failed["up"] and failed["trace"], failed
    assert "\n" not in failed["trace"]  # the first line only
    assert seen[(stack_connector, "")]["up"] and seen[(stack_connector, "0")]["up"], seen

    up = exported(base, CONNECTOR_UP.name)
    assert up[(("connector", failing_connector), ("task", "0"))] == 0
    assert up[(("connector", stack_connector), ("task", ""))] == 1

    dom = headless(chromium, "--dump-dom", f"{base}/")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<td class="bad">FAILED</td>' in dom.stdout
    assert html.escape(failed["trace"][:40], quote=False) in dom.stdout


def test_dashboard_warns_of_the_wal_an_idle_slot_retains(
    settings: Settings, start_dashboard: StartDashboard, idle_slot: str
) -> None:
    base, daemon = start_dashboard(SHOP_SLOT_WAL_ALERT_BYTES="1")

    def slot() -> dict:
        slots = json_of(base, "/api/slots").get("slots", [])
        return next((s for s in slots if s["name"] == idle_slot), {})

    wait_for("the idle slot listed", lambda: bool(slot()), daemon)
    seen = slot()
    assert not seen["active"] and seen["retained_bytes"] > 0 and seen["level"] == "bad", seen
    stack_slot = render(POSTGRES, settings)[1]["slot.name"]
    assert stack_slot in {s["name"] for s in json_of(base, "/api/slots")["slots"]}
    assert exported(base, REPLICATION_SLOT_WAL.name)[(("slot", idle_slot),)] > 0


def test_dashboard_counts_dead_letters_and_lists_the_latest(
    settings: Settings, start_dashboard: StartDashboard, topic_prefix: str
) -> None:
    from streams.dead_letters import dead_letter  # the shape the agents park (the Faust app)

    topic = DEAD_LETTERS.name(settings.model_copy(update={"topic_prefix": topic_prefix}))
    base, daemon = start_dashboard(SHOP_TOPIC_PREFIX=topic_prefix)
    producer = KafkaProducer(**settings.kafka_client(KafkaUser.ADMIN), **DURABLE_PRODUCER)

    def park(first: int, count: int) -> None:
        for n in range(first, first + count):
            key = json.dumps({"id": n}).encode()
            letter = dead_letter(ORDERS, key, b'{"op": "?"}', ValueError(f"no model {n}"))
            producer.send(topic, key=key, value=json.dumps(letter).encode())
        producer.flush()

    def count() -> int | None:
        return json_of(base, "/api/dead-letters").get("counts", {}).get(topic)

    try:
        park(0, 60)
        wait_for("60 dead letters counted", lambda: count() == 60, daemon)
        park(60, 70)  # read from where the last sample stopped
        wait_for("130 dead letters counted", lambda: count() == 130, daemon)
    finally:
        producer.close()
    letters = json_of(base, "/api/dead-letters?limit=100")["letters"]
    assert [d["offset"] for d in letters] == list(range(129, 29, -1))  # newest first, bounded
    newest = letters[0]
    assert (newest["origin"], newest["key"], newest["reason"], newest["payload"]) == (
        ORDERS.name(settings),
        '{"id": 129}',
        "no model 129",
        '{"op": "?"}',
    )
    assert exported(base, DEAD_LETTER_COUNT.name) == {(("topic", topic),): 130}
    assert get(base, "/api/dead-letters?limit=1000").status_code == 422


def test_dashboard_shows_what_the_stacks_prometheus_says(
    settings: Settings,
    dashboard: tuple[str, Daemon],
    require_engine: Callable[[str], None],
    chromium: str,
) -> None:
    require_engine("prometheus")
    base, daemon = dashboard

    def evaluated() -> bool:
        answer = json_of(base, "/api/alerts")
        groups, targets = answer.get("groups", []), answer.get("targets", [])
        return bool(groups) and all(g["ok"] for g in groups) and bool(targets)

    wait_for("Prometheus' rules evaluated, as the dashboard reads them", evaluated, daemon)
    answer = json_of(base, "/api/alerts")
    assert answer["prometheus"] == settings.prometheus_url and answer["error"] is None
    assert {g["name"] for g in answer["groups"]} == {"shopstream"}
    assert {t["job"] for t in answer["targets"]} == {"api", "dashboard", "streams"}
    assert all(a["state"] in ("firing", "pending") for a in answer["alerts"])

    dom = headless(chromium, "--dump-dom", f"{base}/")
    assert dom.returncode == 0, dom.stderr[-2000:]
    rules = yaml.safe_load((PROJECT_ROOT / "ops" / "prometheus" / "alerts.yml").read_text())
    count = sum(len(group["rules"]) for group in rules["groups"])
    assert f"rule group shopstream: {count} rules, evaluated" in dom.stdout
    assert f"({settings.prometheus_url})" in dom.stdout

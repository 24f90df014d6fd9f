"""Pure rules of the dashboard's pipeline panels: connector and slot health, dead letters as
shown, lag in seconds, the delay histogram, the tail reads' offsets, links and the exported
series."""

import json

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metric_names import (
    CDC_COMMIT_TO_TOPIC,
    CONNECTOR_UP,
    CONSUMER_LAG_SECONDS,
    DEAD_LETTER_COUNT,
    REPLICATION_SLOT_WAL,
)
from adapters.replication_slots import ReplicationSlot
from config import Settings
from ops.connector_status import UnitState, connector_states, first_line, unreachable
from ops.connectors import expected_connectors
from ops.dashboard.metrics import registry_for
from ops.dashboard.rules import MAIL_VIEWER, human_bytes, links, slot_level
from ops.dashboard.sampler import Sampler
from ops.dead_letters import DeadLetterView, excerpt, read_letter
from ops.freshness import (
    DelayHistogram,
    DelayWindow,
    TopicFreshness,
    bucket_labels,
    record_times,
)
from ops.kafka_read import tail_span
from ops.lag import PartitionLag, group_lag_seconds
from ops.mailsink import summary
from streams.topics import ORDERS

TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Publication autocreation is disabled\n"
    "\tat io.debezium.connector.postgresql.connection.PostgresReplicationConnection.init\n"
)
EXPANDED = {
    "shopstream-postgres": {
        "status": {
            "name": "shopstream-postgres",
            "connector": {"state": "RUNNING", "worker_id": "127.0.0.1:8083"},
            "tasks": [
                {"id": 1, "state": "PAUSED", "worker_id": "127.0.0.1:8083"},
                {"id": 0, "state": "FAILED", "worker_id": "127.0.0.1:8083", "trace": TRACE},
            ],
            "type": "source",
        }
    }
}


def test_connector_and_tasks_each_get_a_state_and_a_failed_task_its_first_trace_line() -> None:
    units = connector_states(EXPANDED, expected=["shopstream-postgres", "shopstream-catalog"])
    assert [(u.connector, u.task, u.state, u.up, u.level) for u in units] == [
        ("shopstream-catalog", "", "MISSING", False, "bad"),
        ("shopstream-postgres", "", "RUNNING", True, "ok"),
        ("shopstream-postgres", "0", "FAILED", False, "bad"),
        ("shopstream-postgres", "1", "PAUSED", False, "warn"),
    ]
    assert units[2].trace == TRACE.splitlines()[0] and units[1].trace is None
    assert first_line("  \n") is None
    just_created = {"opsdash": {}}  # no status yet: neither listed nor missing
    assert connector_states(just_created, expected=["opsdash"]) == []


def test_unreachable_connect_shows_every_expected_connector_down() -> None:
    [unit] = unreachable(["shopstream-postgres"], "ConnectError('refused')\nmore")
    assert (unit.state, unit.up, unit.level, unit.trace) == (
        "UNREACHABLE",
        False,
        "bad",
        "ConnectError('refused')",
    )


def test_the_mongodb_connector_is_expected_only_where_it_captures_the_catalog() -> None:
    assert expected_connectors(Settings(catalog_feed_enabled=True)) == ["shopstream-postgres"]
    assert expected_connectors(Settings(catalog_feed_enabled=False)) == [
        "shopstream-postgres",
        "shopstream-catalog",
    ]


@pytest.mark.parametrize(
    ("active", "retained", "level"),
    [
        (True, 10, "ok"),
        (True, 2_000, "warn"),  # a slow consumer
        (False, 10, "warn"),  # the connector stopped; not much retained yet
        (False, 2_000, "bad"),  # the classic outage: nobody releases the WAL
        (True, None, "ok"),  # no WAL reserved yet
    ],
)
def test_slot_level(active: bool, retained: int | None, level: str) -> None:
    assert slot_level(ReplicationSlot("s", active, retained, None), alert_bytes=1_000) == level


def test_bytes_are_shown_in_binary_units() -> None:
    assert [human_bytes(n) for n in (None, 512, 1536, 3 * 1024**3, 2 * 1024**5)] == [
        "-",
        "512 B",
        "1.5 KiB",
        "3.0 GiB",
        "2048.0 TiB",
    ]


def test_links_point_a_browser_at_the_tools_that_run() -> None:
    tools = Settings(
        api_host="0.0.0.0",
        api_port=8000,
        prometheus_url="http://prometheus:9090",
        prometheus_ui_url="http://p:9090",
        kafka_ui_url="http://k:8080",
        grafana_url="http://g:3000",
        mail_ui_url="",
    )
    assert {link["name"]: link["url"] for link in links(tools)} == {
        "API docs": "http://127.0.0.1:8000/docs",
        "Prometheus": "http://p:9090",
        "Kafka UI": "http://k:8080",
        "Grafana": "http://g:3000",
        "Mail": MAIL_VIEWER,
    }
    mailpit = tools.model_copy(update={"mail_ui_url": "http://m:8025"})
    assert links(mailpit)[-1]["url"] == "http://m:8025"


def test_the_local_stack_links_only_what_it_runs() -> None:
    """No Kafka UI, no Grafana; its Prometheus has no web UI, so its alerts as JSON."""
    tools = ("prometheus_url", "prometheus_ui_url", "kafka_ui_url", "grafana_url", "mail_ui_url")
    defaults = {name: Settings.model_fields[name].get_default() for name in tools}
    local = Settings(_env_file=None, api_host="127.0.0.1", api_port=8000, **defaults)
    assert [link["name"] for link in links(local)] == [
        "API docs",
        "Prometheus alerts (JSON)",
        "Mail",
    ]
    assert links(local)[1]["url"] == "http://127.0.0.1:9090/api/v1/alerts"
    without = local.model_copy(update={"prometheus_url": ""})
    assert "Prometheus" not in str(links(without))


def test_an_agents_dead_letter_shows_origin_key_reason_and_payload(settings: Settings) -> None:
    from streams.dead_letters import dead_letter  # the shape the agents park (the Faust app)

    parked = dead_letter(ORDERS, b'{"id": 7}', b'{"after": null}', ValueError("no model"))
    letter = read_letter("dlq", 0, 41, 1_000, b'{"id": 7}', json.dumps(parked).encode())
    assert (letter.origin, letter.key, letter.reason, letter.payload) == (
        ORDERS.name(settings),
        '{"id": 7}',
        "no model",
        '{"after": null}',
    )
    assert (letter.offset, letter.timestamp_ms, letter.headers) == (41, 1_000, {})


def test_a_foreign_dead_letter_shows_its_headers_reason_and_an_excerpt() -> None:
    value = ("x" * 1_000).encode()
    headers = [("__connect.errors.exception.message", b"bad schema"), ("empty", None)]
    letter = read_letter("dlq", 0, 0, 5, b"k", value, headers)
    assert (letter.origin, letter.key, letter.reason) == (None, "k", "bad schema")
    assert letter.headers == {"__connect.errors.exception.message": "bad schema", "empty": ""}
    assert len(letter.payload) == 300 and letter.payload.endswith("…")
    assert read_letter("dlq", 0, 0, 5, None, None).payload == ""
    assert excerpt("short") == "short"


def test_lag_in_seconds_is_the_wait_of_the_oldest_unconsumed_record() -> None:
    caught_up = PartitionLag("g", "t", 0, 9, 9, None, oldest_unconsumed_ms=None)
    behind = PartitionLag("g", "t", 1, 3, 9, None, oldest_unconsumed_ms=1_000)
    unread = PartitionLag("h", "t", 0, 3, 9, None)
    assert [r.lag_seconds(now_ms=4_000) for r in (caught_up, behind, unread)] == [0.0, 3.0, None]
    assert behind.as_json(4_000)["lag_seconds"] == 3.0
    assert group_lag_seconds([caught_up, behind, unread], now_ms=4_000) == {"g": 3.0}


def test_commit_to_topic_delay_of_change_records_only() -> None:
    change = json.dumps({"ts_ms": 2_000, "source": {"ts_ms": 1_700}, "op": "u"}).encode()
    assert record_times(change, record_ms=2_100).commit_to_topic_ms == 400
    assert record_times(change, record_ms=1_000).commit_to_topic_ms == 0  # clock skew
    snapshot = json.dumps({"ts_ms": 2_000, "source": {"ts_ms": 1}, "op": "r"}).encode()
    assert record_times(snapshot, record_ms=2_100).commit_to_topic_ms is None
    assert record_times(b'{"ts_ms": 5}', record_ms=9).commit_to_topic_ms is None  # heartbeat


def test_delays_are_counted_in_buckets_with_inclusive_upper_bounds() -> None:
    empty = DelayHistogram()
    delays = empty.added([0.05, 0.1, 0.3, 2.0, 100.0])
    assert empty.count == 0 and delays.count == 5 and delays.sum_seconds == pytest.approx(102.45)
    assert delays.counts == (2, 0, 1, 0, 1, 0, 0, 0, 0, 1)
    assert delays.cumulative()[:3] == [("0.1", 2), ("0.25", 2), ("0.5", 3)]
    assert delays.cumulative()[-1] == ("+Inf", 5)
    assert delays.as_json()["buckets"][0] == {"label": "≤100 ms", "count": 2}
    assert bucket_labels((0.25, 1.0, 60.0)) == ["≤250 ms", "≤1 s", "≤60 s", ">60 s"]


def test_the_delay_panel_counts_only_records_that_reached_their_topic_within_the_window() -> None:
    minutes = 15 * 60_000
    now = 10 * 3_600_000
    window = DelayWindow(window_ms=minutes)
    window.add(now - 3_600_000, 35.6)  # the seed's records, an hour before: read just now
    window.add(now - minutes - 1, 20.0)  # just before the window
    window.add(now - minutes, 0.3)  # its first instant
    window.add(now - 1_000, 0.05)
    recent = window.histogram(now)
    assert recent.count == 2 and recent.sum_seconds == pytest.approx(0.35)
    assert recent.counts[0] == 1 and recent.counts[2] == 1
    later = window.histogram(now + 60_000)  # the 0.3 s record has left the window
    assert later.count == 1 and later.sum_seconds == pytest.approx(0.05)
    assert DelayWindow(window_ms=minutes).histogram(now).count == 0


@pytest.mark.parametrize(
    ("position", "begin", "end", "span"),
    [
        (None, 0, 500, (300, 500)),  # first read: the last 200
        (None, 0, 50, (0, 50)),
        (450, 0, 500, (450, 500)),  # since the last read
        (100, 0, 500, (300, 500)),  # a burst: the last 200 only
        (600, 0, 500, (300, 500)),  # the topic was recreated
        (450, 480, 500, (480, 500)),  # retention deleted the start
    ],
)
def test_tail_span(position: int | None, begin: int, end: int, span: tuple[int, int]) -> None:
    assert tail_span(position, begin, end, backlog=200) == span


def test_a_stored_message_is_listed_by_its_headers() -> None:
    raw = (
        b"From: shop <orders@shopstream.local>\r\nTo: ada@example.com\r\n"
        b"Subject: Order confirmed\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\nbody"
    )
    mail = summary("1704189600123456789-abcd1234.eml", raw)
    assert (mail.received_ms, mail.to, mail.subject) == (
        1704189600123,
        "ada@example.com",
        "Order confirmed",
    )
    assert mail.date == "2024-01-02T10:00:00+00:00"
    assert summary("1-x.eml", b"Date: never\r\n\r\n").date is None


def test_the_pipeline_figures_are_exported_with_their_labels() -> None:
    sampler = Sampler(Settings(), clients=None)  # type: ignore[arg-type]  # results only
    sampler.connectors = connector_states(EXPANDED, expected=["shopstream-catalog"])
    sampler.slots = [ReplicationSlot("shopstream", False, 4_096, 1_024)]
    sampler.dead_letters = DeadLetterView({"shop.dead-letters": 3}, [])
    sampler.lag = [PartitionLag("g", "t", 0, 3, 9, None, oldest_unconsumed_ms=0)]
    delays = DelayHistogram().added([0.2, 0.7])
    sampler.freshness = [TopicFreshness("shop.public.orders", 9, 1, 1, delays)]
    families = {
        f.name: f
        for f in text_string_to_metric_families(generate_latest(registry_for(sampler)).decode())
    }

    def samples(name: str) -> dict[tuple, float]:
        return {tuple(sorted(s.labels.items())): s.value for s in families[name].samples}

    assert samples(CONNECTOR_UP.name) == {
        (("connector", "shopstream-catalog"), ("task", "")): 0,
        (("connector", "shopstream-postgres"), ("task", "")): 1,
        (("connector", "shopstream-postgres"), ("task", "0")): 0,
        (("connector", "shopstream-postgres"), ("task", "1")): 0,
    }
    assert samples(REPLICATION_SLOT_WAL.name) == {(("slot", "shopstream"),): 4_096}
    assert samples(DEAD_LETTER_COUNT.name) == {(("topic", "shop.dead-letters"),): 3}
    [(labels, seconds)] = samples(CONSUMER_LAG_SECONDS.name).items()
    assert labels == (("group", "g"),) and seconds > 1e6  # the record is from 1970
    histogram = samples(CDC_COMMIT_TO_TOPIC.name)
    assert histogram[(("le", "0.25"), ("topic", "shop.public.orders"))] == 1
    assert histogram[(("le", "+Inf"), ("topic", "shop.public.orders"))] == 2
    assert {s.name for s in families[CDC_COMMIT_TO_TOPIC.name].samples} == set(
        CDC_COMMIT_TO_TOPIC.series()
    )


def test_unit_state_json_carries_its_verdict() -> None:
    unit = UnitState("c", "0", "FAILED", "w", "boom")
    assert unit.as_json() == {
        "connector": "c",
        "task": "0",
        "state": "FAILED",
        "worker": "w",
        "trace": "boom",
        "up": False,
        "level": "bad",
    }

"""The dashboard's JSON routes over a sampler's results, filled by hand: what each panel gets,
and bad input answered 422. The sampling itself runs on the engines (test_dashboard.py)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.replication_slots import ReplicationSlot
from config import Settings
from ops.connector_status import UnitState
from ops.dashboard.app import create_app
from ops.dashboard.metrics import registry_for
from ops.dashboard.sampler import Sampler
from ops.dead_letters import DeadLetterView, read_letter
from ops.freshness import DelayHistogram, TopicFreshness
from ops.lag import PartitionLag
from ops.mailsink import mail_dir
from ops.prometheus_view import Alert, PrometheusView, RuleGroup, Target

Dashboard = tuple[httpx.AsyncClient, Sampler]
PASSWORD = "a-dashboard-password-for-tests"


def dashboard_settings(tmp_path: Path, **fields: object) -> Settings:
    return Settings(
        _env_file=None,
        stack_dir=tmp_path,
        slot_wal_alert_bytes=1_000,
        mail_ui_url="",
        dashboard_password=SecretStr(PASSWORD),
        **fields,
    )


@asynccontextmanager
async def served(settings: Settings, **client: object) -> AsyncIterator[Dashboard]:
    """The app without its lifespan (which opens the engines), over a sampler of its own, to
    a client at the dashboard's own address (``client``: httpx.AsyncClient arguments)."""
    app = create_app(settings)
    sampler = Sampler(settings, clients=None)  # type: ignore[arg-type]  # results only
    app.state.sampler, app.state.registry = sampler, registry_for(sampler)
    transport = httpx.ASGITransport(app=app, client=client.pop("peer", ("127.0.0.1", 123)))
    base_url = f"http://127.0.0.1:{settings.dashboard_port}"
    async with httpx.AsyncClient(transport=transport, base_url=base_url, **client) as http:
        yield http, sampler


@pytest.fixture
async def dashboard(tmp_path: Path) -> AsyncIterator[Dashboard]:
    """Signed in as the operator."""
    async with served(dashboard_settings(tmp_path), auth=("ops", PASSWORD)) as signed_in:
        yield signed_in


async def test_connectors_and_slots(dashboard: Dashboard) -> None:
    client, sampler = dashboard
    sampler.connectors = [UnitState("c", "0", "FAILED", "w", "boom")]
    sampler.slots = [ReplicationSlot("shopstream", False, 5_000, 100)]
    sampler.errors["connect"] = "flaky"
    connectors = (await client.get("/api/connectors")).json()
    assert connectors["units"][0]["level"] == "bad" and connectors["error"] == "flaky"
    slots = (await client.get("/api/slots")).json()
    assert slots["alert"] == "1000 B"
    assert slots["slots"] == [
        {
            "name": "shopstream",
            "active": False,
            "retained_bytes": 5_000,
            "unconfirmed_bytes": 100,
            "retained": "4.9 KiB",
            "unconfirmed": "100 B",
            "level": "bad",
        }
    ]


async def test_dead_letters_newest_first_and_bounded(dashboard: Dashboard) -> None:
    client, sampler = dashboard
    letters = [read_letter("dlq", 0, n, n, None, b"{}") for n in (9, 8, 7)]
    sampler.dead_letters = DeadLetterView({"dlq": 3}, letters)
    answer = (await client.get("/api/dead-letters", params={"limit": 2})).json()
    assert answer["counts"] == {"dlq": 3} and [d["offset"] for d in answer["letters"]] == [9, 8]
    assert (await client.get("/api/dead-letters", params={"limit": 0})).status_code == 422
    assert (await client.get("/api/dead-letters", params={"limit": 101})).status_code == 422


async def test_lag_in_seconds_and_freshness_delays(dashboard: Dashboard) -> None:
    client, sampler = dashboard
    sampler.lag = [PartitionLag("g", "t", 0, 1, 5, None, oldest_unconsumed_ms=0)]
    since_start, recent = DelayHistogram().added([35.6, 0.3]), DelayHistogram().added([0.3])
    sampler.freshness = [TopicFreshness("t", 5, 1, 1, since_start, recent)]
    lag = (await client.get("/api/lag")).json()
    assert lag["partitions"][0]["lag_seconds"] > 0 and set(lag["group_lag_seconds"]) == {"g"}
    freshness = (await client.get("/api/freshness")).json()
    assert freshness["delay_window_minutes"] == 15
    [topic] = freshness["topics"]
    assert topic["delays"]["count"] == 2
    recent_json = topic["recent_delays"]
    assert recent_json["count"] == 1 and recent_json["buckets"][2]["count"] == 1


async def test_alerts_show_what_prometheus_said_and_only_while_it_answers(
    dashboard: Dashboard,
) -> None:
    client, sampler = dashboard
    assert (await client.get("/api/alerts")).json() == {
        "prometheus": "http://127.0.0.1:9090",
        "sampled_at_ms": None,
        "error": None,
    }
    sampler.prometheus = PrometheusView(
        alerts=[Alert("CdcStalled", "firing", "critical", "no heartbeat", "t", {})],
        groups=[RuleGroup("shopstream", "alerts.yml", 10, [], "t")],
        targets=[Target("api", "http://127.0.0.1:8000/metrics", "up", None)],
    )
    answer = (await client.get("/api/alerts")).json()
    assert [a["name"] for a in answer["alerts"]] == ["CdcStalled"]
    assert answer["groups"][0]["ok"] and answer["targets_up"] == 1
    sampler.prometheus, sampler.errors["prometheus"] = None, "ConnectError('refused')"
    answer = (await client.get("/api/alerts")).json()
    assert "alerts" not in answer and answer["error"] == "ConnectError('refused')"


async def test_mail_lists_the_local_sinks_messages(dashboard: Dashboard) -> None:
    client, sampler = dashboard
    directory = mail_dir(sampler.settings)
    directory.mkdir()
    for n, subject in ((1, "older"), (2, "newer")):
        path = directory / f"{n:019d}-abcd.eml"
        path.write_bytes(f"Subject: {subject}\r\nTo: a@b.c\r\n\r\nbody".encode())
    messages = (await client.get("/api/mail")).json()["messages"]
    assert [m["subject"] for m in messages] == ["newer", "older"]
    links = {link["name"]: link["url"] for link in (await client.get("/api/links")).json()["links"]}
    assert links["Mail"] == "/api/mail"


async def test_page_and_metrics_render(dashboard: Dashboard) -> None:
    client, sampler = dashboard
    sampler.connectors = [UnitState("c", "", "RUNNING", "w", None)]
    page = await client.get("/")
    assert 'id="connectors"' in page.text and "{{REFRESH_MS}}" not in page.text
    assert (
        'shopstream_connector_up{connector="c",task=""} 1.0' in (await client.get("/metrics")).text
    )

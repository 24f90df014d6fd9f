"""The ops dashboard on the real engines, looked at by headless Chromium.

A consumer group of the test's own falls behind in bursts while the dashboard samples, so the
page must show its lag growing; the stock audit of the live catalog fills the stock tables.
Set ``OPS_DASHBOARD_SCREENSHOT`` to keep the screenshot (docs/dashboard.png was made that way).
"""

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata
from prometheus_client.parser import text_string_to_metric_families

from adapters.metric_names import ALL_METRICS, CONSUMER_LAG
from config import Settings
from harness.sockets import free_port
from ops.stack.process import Daemon
from ops.stack.provision import apt_install
from tests.ops.support import produce, python_daemon, wait_for

pytestmark = pytest.mark.engines

BURSTS = (40, 80, 120)
DASHBOARD_GAUGES = [m for m in ALL_METRICS if m.kind == "gauge"]


@pytest.fixture(scope="session")
def chromium(settings: Settings) -> str:
    """Debian's chromium, installed on first use (idempotent)."""
    apt_install(["chromium"], settings.stack_dir / "chromium" / "apt.log")
    path = shutil.which("chromium")
    assert path, "chromium is not on PATH after apt-get install chromium"
    return path


@pytest.fixture
def lagging_group(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[str]:
    """A group that committed offset 0 on a fresh topic and then stopped consuming."""
    require_engine("kafka")
    name = f"opsdash-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=name)
    consumer.commit({TopicPartition(name, p): OffsetAndMetadata(0, "", -1) for p in range(3)})
    consumer.close()
    try:
        yield name
    finally:
        admin.delete_topics([name])
        admin.delete_groups([name])
        admin.close()


@pytest.fixture
def dashboard(
    settings: Settings, require_engine: Callable[[str], None], tmp_path: Path
) -> Iterator[tuple[str, Daemon]]:
    for engine in ("postgres", "redis", "ferretdb", "elasticsearch", "kafka"):
        require_engine(engine)
    port = free_port()
    daemon = python_daemon(
        tmp_path,
        "dashboard",
        ["-m", "ops.dashboard"],
        {"SHOP_DASHBOARD_PORT": str(port), "SHOP_DASHBOARD_SAMPLE_SECONDS": "1"},
    )
    daemon.start()
    try:
        yield f"http://{settings.dashboard_host}:{port}", daemon
    finally:
        daemon.stop()


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


def headless(chromium: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--window-size=1400,1700",
                "--virtual-time-budget=8000",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_dashboard_shows_lag_trend_freshness_and_stock(
    settings: Settings,
    dashboard: tuple[str, Daemon],
    lagging_group: str,
    chromium: str,
    tmp_path: Path,
) -> None:
    base, daemon = dashboard
    produced = 0
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

    freshness = get(base, "/api/freshness").json()["topics"]
    assert any(t["records"] > 0 and t["age_seconds"] is not None for t in freshness), freshness
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
    exported_lag = sum(
        s.value for s in families[CONSUMER_LAG.name].samples if s.labels["group"] == lagging_group
    )
    assert exported_lag == produced

    dom = headless(chromium, "--dump-dom", f"{base}/#group={lagging_group}")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-loaded="true"' in dom.stdout and lagging_group in dom.stdout
    assert dom.stdout.count("<polyline") >= 3  # one trend per partition of the group
    assert "drifts" in dom.stdout and "stock" in dom.stdout and 'id="driftedOnly"' in dom.stdout

    screenshot = Path(os.environ.get("OPS_DASHBOARD_SCREENSHOT", tmp_path / "dashboard.png"))
    shot = headless(chromium, f"--screenshot={screenshot.resolve()}", f"{base}/")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 50_000

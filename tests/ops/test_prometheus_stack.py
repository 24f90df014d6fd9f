"""The stack's Prometheus (``make up``): it scrapes the stack's own processes, every target
healthy, and evaluates the alert rules of ``ops/prometheus/alerts.yml``."""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from config import PROJECT_ROOT, Settings
from ops.polling import wait_until
from ops.prometheus_view import NEVER
from ops.stack.services import specs, stream_workers

pytestmark = pytest.mark.engines

RULES = yaml.safe_load((PROJECT_ROOT / "ops" / "prometheus" / "alerts.yml").read_text())
WITHIN = 90  # seconds: a few scrape and evaluation intervals (15 s)


def data(settings: Settings, path: str) -> Any:
    answer = httpx.get(f"{settings.prometheus_url}{path}", timeout=10)
    answer.raise_for_status()
    return answer.json()["data"]


def test_prometheus_scrapes_the_stacks_processes_and_evaluates_the_rules(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    scraped = ["api", "dashboard", *stream_workers(settings)]
    for name in ["prometheus", *scraped]:
        require_engine(name)
    served = {spec.name: urlsplit(spec.health_url(settings)).netloc for spec in specs(settings)}
    expected = {f"http://{served[name]}/metrics" for name in scraped}

    def targets() -> dict[str, dict]:
        active = data(settings, "/api/v1/targets?state=active")["activeTargets"]
        return {target["scrapeUrl"]: target for target in active}

    seen = wait_until(
        targets,
        timeout=WITHIN,
        what="every target of the stack scraped and up",
        accept=lambda found: (
            set(found) == expected and all(t["health"] == "up" for t in found.values())
        ),
        ignoring=(httpx.HTTPError,),
        interval=1,
    )[0]
    assert {t["labels"]["job"] for t in seen.values()} == {"api", "dashboard", "streams"}

    def evaluated() -> list[dict]:
        return data(settings, "/api/v1/rules?type=alert")["groups"]

    groups = wait_until(
        evaluated,
        timeout=WITHIN,
        what="the alert rules evaluated once",
        accept=lambda found: bool(found) and all(g["lastEvaluation"] != NEVER for g in found),
        ignoring=(httpx.HTTPError,),
        interval=1,
    )[0]
    assert [(g["name"], Path(g["file"]).name) for g in groups] == [
        (group["name"], "alerts.yml") for group in RULES["groups"]
    ]
    for group, expected_group in zip(groups, RULES["groups"], strict=True):
        assert [r["name"] for r in group["rules"]] == [r["alert"] for r in expected_group["rules"]]
        assert {r["health"] for r in group["rules"]} == {"ok"}, group["rules"]
    assert isinstance(data(settings, "/api/v1/alerts")["alerts"], list)

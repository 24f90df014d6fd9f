"""Prometheus on the local stack: scrapes the stack's own ``/metrics`` and evaluates the alert
rules, as docker-compose's does.

Built from the Go module proxy at the release compose runs (``prometheus_build``), without its
web UI: the ops dashboard shows what fires, and the HTTP API answers the rest. Its
configuration is compose's ``ops/prometheus/prometheus.yml`` (same jobs, intervals and rule
file) with each target at the address the local stack serves that process on; so it sits
beside ``services``, not among the ``engines`` our services depend on.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from config import PROJECT_ROOT, Profile, Settings
from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon, EngineError
from ops.stack.prometheus_build import ensure_prometheus
from ops.stack.services import specs

CONFIG_DIR = PROJECT_ROOT / "ops" / "prometheus"
SHARED_CONFIG = CONFIG_DIR / "prometheus.yml"
RETENTION = "7d"  # a local stack's history; the disk stays small


def streams_jobs_file(profile: Profile) -> Path:
    """The workers' job: one worker per role, or two (compose mounts the cluster file in place
    of ``streams.yml``)."""
    return CONFIG_DIR / ("streams.cluster.yml" if profile is Profile.CLUSTER else "streams.yml")


def local_config(settings: Settings) -> dict[str, Any]:
    """Compose's configuration, its workers' job inlined, every ``service:port`` target at the
    local address of the process of that name (its health URL's)."""
    shared = yaml.safe_load(SHARED_CONFIG.read_text())
    workers = yaml.safe_load(streams_jobs_file(settings.profile).read_text())
    local = {spec.name: urlsplit(spec.health_url(settings)).netloc for spec in specs(settings)}

    def at_home(target: str) -> str:
        service = target.rsplit(":", 1)[0]
        if service not in local:
            raise EngineError(f"prometheus: compose scrapes {target}; no local {service} runs")
        return local[service]

    return {
        "global": shared["global"],
        "rule_files": [str(CONFIG_DIR / name) for name in shared["rule_files"]],
        "scrape_configs": [
            {
                **job,
                "static_configs": [
                    {**group, "targets": [at_home(t) for t in group["targets"]]}
                    for group in job["static_configs"]
                ],
            }
            for job in [*shared["scrape_configs"], *workers["scrape_configs"]]
        ],
    }


class Prometheus(DaemonEngine):
    name = "prometheus"

    @property
    def endpoint(self) -> str:
        return self.settings.prometheus_url

    @property
    def binary(self) -> Path:
        return self.settings.stack_dir / "bin" / "prometheus"

    @property
    def config_file(self) -> Path:
        return self.home / "prometheus.yml"

    def data_paths(self) -> tuple[Path, ...]:
        return (self.home / "data",)

    def provision(self) -> None:
        ensure_prometheus(self.settings.stack_dir)

    def start(self) -> None:
        """The configuration is written anew each start: a profile switch or an edited rule
        file takes effect with ``make down && make up``."""
        self.home.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: Prometheus reads it as written.
        self.config_file.write_text(json.dumps(local_config(self.settings), indent=2))
        super().start()

    def daemon(self) -> Daemon:
        return Daemon(
            argv=[
                str(self.binary),
                f"--config.file={self.config_file}",
                f"--storage.tsdb.path={self.home / 'data'}",
                f"--storage.tsdb.retention.time={RETENTION}",
                f"--web.listen-address={urlsplit(self.endpoint).netloc}",
                "--log.level=warn",
            ],
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        """Ready: the storage is open and the configuration (rules too) loaded."""
        httpx.get(f"{self.endpoint}/-/ready", timeout=3).raise_for_status()

"""The project's own processes that ``make up`` runs next to the engines."""

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from config import Settings, StreamsRole, streams_service
from ops.mailsink import mail_dir
from ops.probe import reachable
from ops.stack.engine import DaemonEngine, Engine
from ops.stack.engines.proxy import SOURCE_ADDRESS, Proxy
from ops.stack.process import Daemon


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: Callable[[Settings], list[str]]
    health_url: Callable[[Settings], str]
    multiprocess_metrics: bool = False  # several worker processes share one /metrics
    env: tuple[tuple[str, str], ...] = ()  # SHOP_* settings of this process only
    data: Callable[[Settings], tuple[Path, ...]] = lambda s: ()  # what `reset` deletes


class AppService(DaemonEngine):
    """A Python process of ours: nothing to provision, healthy when its URL answers 200."""

    def __init__(self, settings: Settings, spec: ServiceSpec) -> None:
        self.name = spec.name
        self.spec = spec
        super().__init__(settings)

    @property
    def endpoint(self) -> str:
        return self.spec.health_url(self.settings)

    def provision(self) -> None:
        """Installed by `make` into the virtualenv already."""

    def data_paths(self) -> tuple[Path, ...]:
        return self.spec.data(self.settings)

    @property
    def metrics_dir(self) -> Path:
        return self.home / "metrics"

    def start(self) -> None:
        """Samples of a previous run's workers would be summed into this one's: drop them.
        (A restart by the supervisor keeps them: its counters carry on from there.)"""
        if self.spec.multiprocess_metrics and not self.supervisor_files().supervisor_pid():
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
            self.metrics_dir.mkdir(parents=True)
        super().start()

    def daemon(self) -> Daemon:
        env = dict(self.spec.env)
        if self.spec.multiprocess_metrics:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.metrics_dir)
        return Daemon(
            argv=self.spec.argv(self.settings), log=self.log, pidfile=self.pidfile, env=env
        )

    def probe(self) -> None:
        """HTTP services must answer 200; others (SMTP) must accept a connection."""
        if self.endpoint.startswith("http"):
            httpx.get(self.endpoint, timeout=3).raise_for_status()
        elif not reachable(self.endpoint.split("://", 1)[-1]):
            raise ConnectionError(f"{self.name} not accepting connections at {self.endpoint}")


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _streams_worker(role: StreamsRole, worker: int) -> ServiceSpec:
    """Worker ``worker`` of ``role``: the role's consumer group, a web port and files of its own."""
    return ServiceSpec(
        streams_service(role, worker),
        lambda s: _python("-m", "faust", "-A", "streams.worker", "worker", "-l", "info"),
        lambda s: f"http://127.0.0.1:{s.streams_port(role, worker)}/",
        env=(("SHOP_STREAMS_ROLE", role.value), ("SHOP_STREAMS_WORKER", str(worker))),
        data=lambda s: (s.streams_data_dir,),
    )


def _specs(workers: int) -> tuple[ServiceSpec, ...]:
    return (
        ServiceSpec(
            "mailsink",
            lambda s: _python("-m", "ops.mailsink"),
            lambda s: f"smtp://{s.smtp_host}:{s.smtp_port}",
            data=lambda s: (mail_dir(s),),
        ),
        ServiceSpec(
            "gateway",
            lambda s: _python("-m", "ops.payment_gateway"),
            lambda s: f"{s.gateway_url}/healthz",
        ),
        ServiceSpec(
            "api",
            lambda s: _python("-m", "api"),
            lambda s: f"http://{s.api_host}:{s.api_port}/healthz",
            multiprocess_metrics=True,
            env=(("SHOP_TRUSTED_PROXIES", SOURCE_ADDRESS),),
        ),
        *(
            _streams_worker(role, worker)
            for role in STREAMS_ROLES
            for worker in range(1, workers + 1)
        ),
        ServiceSpec(
            "dashboard",
            lambda s: _python("-m", "ops.dashboard"),
            lambda s: f"http://{s.dashboard_host}:{s.dashboard_port}/healthz",
        ),
    )


STREAMS_ROLES = (StreamsRole.ORDERS, StreamsRole.CATALOG)
"""The roles ``make up`` runs workers of (``all`` is for tests and small setups)."""
SERVICES = _specs(workers=1)
"""The single profile's processes (one worker per role); ``specs`` gives a profile's."""


def stream_workers(settings: Settings) -> list[str]:
    """The names of the profile's stream worker processes, every role's."""
    return [
        streams_service(role, worker)
        for role in STREAMS_ROLES
        for worker in range(1, settings.streams_workers + 1)
    ]


def specs(settings: Settings) -> tuple[ServiceSpec, ...]:
    """The processes of the settings' profile: the cluster profile runs each role twice."""
    return _specs(settings.streams_workers)


def services(settings: Settings) -> list[Engine]:
    """Our processes, then the TLS edge in front of the storefront."""
    return [*(AppService(settings, spec) for spec in specs(settings)), Proxy(settings)]

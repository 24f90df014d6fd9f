"""Bring the whole local stack up, down, or report its health, in dependency order."""

import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from config import Settings
from ops.stack.engine import Engine
from ops.stack.engines.connect import Connect
from ops.stack.engines.elasticsearch import Elasticsearch
from ops.stack.engines.ferretdb import FerretDB
from ops.stack.engines.kafka import brokers, every_broker, refuse_other_profile
from ops.stack.engines.objectstore import ObjectStore
from ops.stack.engines.postgres import Postgres
from ops.stack.engines.redis import Redis
from ops.stack.process import EngineError
from ops.stack.prometheus import Prometheus
from ops.stack.services import services
from ops.stack.supervision import UNSUPERVISED, Phase, Supervision


def engines(settings: Settings) -> list[Engine]:
    """Slow JVMs start early so they warm up while the quick engines come up."""
    return [
        Postgres(settings),
        Redis(settings),
        *brokers(settings),
        Elasticsearch(settings),
        FerretDB(settings),
        ObjectStore(settings),
        Connect(settings),
        Prometheus(settings),  # scrapes our services: they come up after it, it retries
    ]


def provision_all(stack: list[Engine]) -> None:
    """apt first (one dpkg lock), then the independent downloads/builds in parallel."""
    print("provisioning engines (cached after the first run)", flush=True)
    apt_first = [e for e in stack if isinstance(e, Postgres | Redis)]
    for engine in apt_first:
        engine.provision()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(e.provision) for e in stack if e not in apt_first]:
            future.result()


def components(settings: Settings) -> list[Engine]:
    """Engines first, then our own services that need them."""
    return [*engines(settings), *services(settings)]


def up(settings: Settings) -> list[Engine]:
    refuse_other_profile(settings)
    stack = engines(settings)
    started = time.monotonic()
    provision_all(stack)
    start(stack)
    print(f"engines up in {time.monotonic() - started:.0f}s", flush=True)
    return stack


def start(stack: list[Engine]) -> None:
    """Start what is not running yet, each after its dependencies answer; then wait for all."""
    by_name = {e.name: e for e in stack}
    for engine in stack:
        for dep in engine.depends_on:
            by_name[dep].wait_healthy()
        supervised = _supervision_state(engine)
        if engine.healthy():
            if engine.pid() is None:
                raise EngineError(
                    f"{engine.name}: {engine.endpoint} answers, but no process of this stack"
                    f" ({engine.home}) runs it: another stack, e.g. of another clone, holds"
                    " the port. Stop it there (`make down`) and run this again."
                )
            if supervised != UNSUPERVISED:
                print(f"{engine.name}: already running at {engine.endpoint}", flush=True)
                continue
            print(
                f"{engine.name}: runs without its supervisor; restarting it under one", flush=True
            )
        elif supervised == Phase.GAVE_UP:
            print(
                f"{engine.name}: its supervisor gave up on a crash loop (log: {engine.log})",
                flush=True,
            )
        print(f"{engine.name}: starting", flush=True)
        engine.start()
    for engine in stack:
        engine.wait_healthy()
        print(f"{engine.name}: healthy at {engine.endpoint}", flush=True)


def _supervision_state(engine: Engine) -> str | None:
    supervision = engine.supervision()
    return supervision.state if supervision else None


def down(settings: Settings) -> None:
    """Dependents before what they depend on. Each stop goes to the supervisor first, which
    stops its process itself: nothing is restarted, and no stop is recorded as a crash."""
    for engine in reversed(components(settings)):
        print(f"{engine.name}: stopping", flush=True)
        engine.stop()


def data_paths(settings: Settings) -> list[Path]:
    """The stored data of every component that exists now, each path once; the brokers'
    of both profiles, so a reset also clears what the other profile left."""
    stores = [*components(settings), *every_broker(settings)]
    paths = dict.fromkeys(p for c in stores for p in c.data_paths())
    return [p for p in paths if p.exists()]


def reset(settings: Settings) -> list[Path]:
    """Stop everything, then delete the stores' data; the paths deleted.

    Downloads, built engines, the stack's secrets and TLS certificates and the logs stay, so
    the next ``up`` is as quick as a restart and clients keep trusting the stack's CA.
    """
    down(settings)
    doomed = data_paths(settings)
    delete(doomed)
    return doomed


def delete(paths: Iterable[Path]) -> None:
    """Data files and folders of stopped engines."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


@dataclass
class EngineStatus:
    name: str
    healthy: bool
    endpoint: str
    pid: int | None
    memory_bytes: int
    log: str
    supervision: Supervision | None  # None: not supervised

    def as_json(self) -> dict:
        return {**asdict(self), "supervision": self.supervision and self.supervision.as_json()}


def status(settings: Settings) -> list[EngineStatus]:
    return [
        EngineStatus(
            e.name,
            e.healthy(),
            e.endpoint,
            e.pid(),
            e.memory_bytes(),
            str(e.log),
            e.supervision(),
        )
        for e in components(settings)
    ]

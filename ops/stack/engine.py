"""What every local engine offers to ``shopctl up/down/status``."""

from abc import ABC, abstractmethod
from pathlib import Path

from config import Settings
from ops.polling import NotReached, wait_until
from ops.stack.process import (
    Daemon,
    EngineError,
    Supervised,
    SupervisorFiles,
    log_tail,
    tree_memory_bytes,
)
from ops.stack.supervision import Supervision


class Engine(ABC):
    """One server of the stack: provisioned once, started detached, probed by its own client."""

    name: str
    depends_on: tuple[str, ...] = ()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.stack_dir / self.name
        self.log = self.home / f"{self.name}.log"

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """Where clients reach it, for humans."""

    @abstractmethod
    def provision(self) -> None:
        """Install or download what is missing; idempotent."""

    @abstractmethod
    def start(self) -> None:
        """Start without waiting for readiness (``wait_healthy`` does that)."""

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def probe(self) -> None:
        """Raise unless the engine answers a real request through its client."""

    @abstractmethod
    def pid(self) -> int | None: ...

    def supervision(self) -> Supervision | None:
        """None: nothing restarts this engine when it dies but `shopctl up`."""
        return None

    def data_paths(self) -> tuple[Path, ...]:
        """What ``shopctl reset`` deletes: the stored data, never downloads or builds."""
        return ()

    def healthy(self) -> bool:
        try:
            self.probe()
        except Exception:
            return False
        return True

    def wait_healthy(self) -> None:
        """Probe once a second until the engine answers; fail with the end of its log."""
        what, timeout = (
            f"{self.name} at {self.endpoint}",
            self.settings.engine_start_timeout_seconds,
        )
        print(f"  waiting for {what} (up to {timeout:.0f}s, log: {self.log})", flush=True)
        try:
            wait_until(
                self.probe,
                timeout=timeout,
                what=f"{what} healthy",
                accept=lambda _: True,
                ignoring=(Exception,),
                interval=1,
            )
        except NotReached as missed:
            raise EngineError(
                f"{missed}\n--- last lines of {self.log} ---\n{log_tail(self.log)}"
            ) from None

    def memory_bytes(self) -> int:
        pid = self.pid()
        return tree_memory_bytes(pid) if pid else 0


class DaemonEngine(Engine, ABC):
    """An engine that is one detached process we launch ourselves, under a supervisor that
    starts it again when it dies (``ops.stack.supervise``)."""

    @abstractmethod
    def daemon(self) -> Daemon: ...

    def supervised(self) -> Supervised:
        return Supervised(self.daemon())

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.supervised().start()

    def stop(self) -> None:
        self.supervisor_files().stop()

    def supervisor_files(self) -> SupervisorFiles:
        """Stop, pid, status and memory by the pid files alone: building the launch command
        may need what a stack that never started lacks, and writes config files."""
        return SupervisorFiles(self.pidfile)

    def pid(self) -> int | None:
        return self.supervisor_files().pid()

    def supervision(self) -> Supervision | None:
        return self.supervisor_files().supervision()

    def memory_bytes(self) -> int:
        """The supervisor's tree: the process and the supervisor's own few MiB."""
        files = self.supervisor_files()
        pid = files.supervisor_pid() or files.pid()
        return tree_memory_bytes(pid) if pid else 0

    @property
    def pidfile(self) -> Path:
        return self.home / f"{self.name}.pid"

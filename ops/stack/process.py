"""Run the local engines as plain background processes (this machine has no Docker)."""

import ipaddress
import json
import os
import signal
import subprocess
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from ops.polling import NotReached, wait_until
from ops.stack.supervision import STOP_GRACE_SECONDS, Supervision, SupervisorState, status_of


class EngineError(RuntimeError):
    """An engine failed to provision, start or become healthy; the message names its log."""


def log_tail(log: Path, lines: int = 15) -> str:
    if not log.exists():
        return f"(no log at {log})"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return Path(f"/proc/{pid}").exists() and "zombie" not in _proc_state(pid)


def _proc_state(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.lower()
    except OSError:
        pass
    return ""


def read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().split()[0])  # postmaster.pid has more lines
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def tree_memory_bytes(pid: int) -> int:
    """Proportional memory (PSS) of a process and its descendants.

    PSS splits shared pages between the processes that map them, so postgres'
    shared buffers are counted once rather than once per backend as RSS would.
    """
    return sum(_pss_bytes(p) for p in process_tree(pid))


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket the process tree listens on, from /proc."""
    inodes = set()
    for p in process_tree(pid):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{p}/fd").iterdir()]
        except OSError:
            continue
        inodes |= {link[8:-1] for link in links if link.startswith("socket:[")}
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(_address(fields[1]))
    return found


def _address(hex_address: str) -> tuple[str, int]:
    """``/proc/net/tcp`` notation (little-endian words) to (textual address, port)."""
    host, port = hex_address.split(":")
    raw = b"".join(bytes.fromhex(host[i : i + 8])[::-1] for i in range(0, len(host), 8))
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address), int(port, 16)


def _pss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Daemon:
    """A long-running process we start detached, track by pid file and stop by signal."""

    argv: list[str]
    log: Path
    pidfile: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    def pid(self) -> int | None:
        return read_pid(self.pidfile)

    def start(self) -> None:
        if self.pid():
            return
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        self.pidfile.write_text(str(proc.pid))

    def stop(self, timeout: float = 30) -> None:
        stop_pidfile(self.pidfile, timeout)


def stop_pidfile(pidfile: Path, timeout: float = 30) -> None:
    """Stop the process a pid file names, if it runs, and remove the file."""
    pid = read_pid(pidfile)
    if pid:
        stop_pid(pid, timeout)
    pidfile.unlink(missing_ok=True)


@dataclass(frozen=True)
class SupervisorFiles:
    """What a supervised process leaves beside its pid file: its supervisor's pid file and the
    state file status reads. Enough to stop it and report on it without building its launch
    command (which may need what a stack that never started lacks, and writes config files)."""

    pidfile: Path  # the process itself: what status shows and what a crash test kills

    @property
    def state_file(self) -> Path:
        return self.pidfile.with_suffix(".supervision.json")

    @property
    def supervisor_pidfile(self) -> Path:
        return self.pidfile.with_suffix(".supervisor.pid")

    def pid(self) -> int | None:
        return read_pid(self.pidfile)

    def supervisor_pid(self) -> int | None:
        return read_pid(self.supervisor_pidfile)

    def stop(self) -> None:
        """The supervisor first, which stops the process and knows it asked; then whatever
        outlived it (a supervisor killed outright leaves its process running)."""
        stop_pidfile(self.supervisor_pidfile, timeout=STOP_GRACE_SECONDS + 10)
        stop_pidfile(self.pidfile)

    def supervision(self) -> Supervision:
        return status_of(self._state(), self.supervisor_pid() is not None, self.pid() is not None)

    def _state(self) -> SupervisorState | None:
        try:
            return SupervisorState.from_json(json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError, KeyError):
            return None


@dataclass
class Supervised:
    """A Daemon run under ``python -m ops.stack.supervise``, which restarts it when it dies."""

    daemon: Daemon

    @property
    def files(self) -> SupervisorFiles:
        return SupervisorFiles(self.daemon.pidfile)

    def supervisor(self) -> Daemon:
        files = self.files
        return Daemon(
            argv=[
                sys.executable,
                "-m",
                "ops.stack.supervise",
                f"--name={files.pidfile.stem}",
                f"--pidfile={files.pidfile}",
                f"--state={files.state_file}",
                "--",
                *self.daemon.argv,
            ],
            log=self.daemon.log,
            pidfile=files.supervisor_pidfile,
            env=self.daemon.env,
            cwd=self.daemon.cwd,
        )

    def start(self, timeout: float = 15) -> None:
        """Start the supervisor unless one runs (it may be waiting to restart the process);
        return once it started the process. A process whose supervisor died is stopped
        first: only a child of its own can be watched."""
        files = self.files
        if files.supervisor_pid():
            return
        self.daemon.stop()
        files.state_file.unlink(missing_ok=True)
        supervisor, name = self.supervisor(), files.pidfile.stem
        supervisor.start()

        def first_started() -> bool:
            if files.state_file.exists():
                return True
            if supervisor.pid() is None:
                raise EngineError(f"the supervisor of {name} exited:\n{log_tail(supervisor.log)}")
            return False

        try:
            wait_until(first_started, timeout=timeout, what=f"supervisor of {name} started")
        except NotReached as missed:
            raise EngineError(f"{missed}\n{log_tail(supervisor.log)}") from None


def stop_pid(pid: int, timeout: float = 30) -> None:
    """SIGTERM the process group (wrappers like runuser have children), then SIGKILL leftovers."""
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    with suppress(NotReached):
        wait_until(lambda: not pid_alive(pid), timeout=timeout, what=f"{pid} gone", interval=0.3)
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run(argv: list[str], what: str, log: Path | None = None, **kwargs: object) -> str:
    """Run a provisioning command; on failure raise EngineError with its output."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as out:
            out.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise EngineError(
            f"{what} failed (exit {result.returncode}): {' '.join(argv)}\n"
            + (result.stdout + result.stderr)[-3000:]
        )
    return result.stdout

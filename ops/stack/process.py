"""Run the local engines as plain background processes (this machine has no Docker)."""

import ipaddress
import os
import signal
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from ops.polling import NotReached, wait_until


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

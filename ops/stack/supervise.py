"""``python -m ops.stack.supervise --name N --pidfile P --state S -- COMMAND...``: run one
process of the stack and start it again when it dies.

The process runs in a session of its own, so stopping it reaches its whole tree and nothing
else; after it dies, whatever it left in that session (a JVM under ``runuser``, nginx or
uvicorn workers) is killed before the restart, so the new one finds its ports free. Each start
rewrites ``P`` with the process's pid (what status shows and a crash test kills); ``S`` holds
the restarts and the last exit (``ops.stack.supervision``). SIGTERM stops the process and then
the supervisor: the supervisor asked for that exit, so it is never taken for a crash. Output
goes where the supervisor's goes (the process's log), with a line of its own per event.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from ops.clock import now_ms
from ops.stack.supervision import (
    STOP_GRACE_SECONDS,
    Phase,
    RestartPolicy,
    SupervisorState,
    describe_exit,
    died,
    first_run,
    restarted,
    stopped,
)

POLL_SECONDS = 0.2
"""How often the process's exit and a stop request are checked; a signal handler only sets a
flag (waking a blocked wait from a handler invites deadlocks)."""


class Supervisor:
    def __init__(
        self,
        name: str,
        command: Sequence[str],
        pidfile: Path,
        state_file: Path,
        policy: RestartPolicy,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.pidfile = pidfile
        self.state_file = state_file
        self.policy = policy
        self.stop_requested = False

    def request_stop(self, _signum: int, _frame: object) -> None:
        self.stop_requested = True

    def run(self) -> int:
        """0 after a requested stop, 1 after giving up on a crash loop."""
        state: SupervisorState | None = None
        while not self.stop_requested:
            child, began = self._spawn(), time.monotonic()
            state = (
                first_run(self.name, child.pid) if state is None else restarted(state, child.pid)
            )
            self._record(state, f"started pid {child.pid} (restarts: {state.restarts})")
            returncode = self._wait(child)
            self.pidfile.unlink(missing_ok=True)
            if self.stop_requested:
                break
            _kill_group(child.pid)
            ran = time.monotonic() - began
            state = died(state, returncode, ran, now_ms(), self.policy)
            if state.phase is Phase.GAVE_UP:
                self._record(
                    state,
                    f"{describe_exit(returncode)} after {ran:.0f}s, {state.streak} quick deaths"
                    " in a row: giving up (`shopctl up` starts it again)",
                )
                return 1
            delay = self.policy.delay(state.streak)
            self._record(
                state, f"{describe_exit(returncode)} after {ran:.0f}s; restarting in {delay:g}s"
            )
            self._sleep_until(time.monotonic() + delay)
        if state is not None:
            self._record(stopped(state), "stopped on request")
        return 0

    def _spawn(self) -> subprocess.Popen:
        child = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, start_new_session=True)
        _write(self.pidfile, str(child.pid))
        return child

    def _wait(self, child: subprocess.Popen) -> int:
        """The process's return code; on a stop request, after stopping it."""
        while (returncode := child.poll()) is None:
            if self.stop_requested:
                return self._stop(child)
            time.sleep(POLL_SECONDS)
        return returncode

    def _stop(self, child: subprocess.Popen) -> int:
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        try:
            return child.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_group(child.pid)
            return child.wait()

    def _sleep_until(self, deadline: float) -> None:
        while not self.stop_requested and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)

    def _record(self, state: SupervisorState, event: str) -> None:
        _write(self.state_file, json.dumps(state.as_json()))
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(f"[{stamp}] supervise {self.name}: {event}", flush=True)


def _kill_group(pgid: int) -> None:
    """What is left of a dead process's session. Its id stays reserved while any member lives,
    so this never reaches an unrelated process."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _write(path: Path, text: str) -> None:
    """Readers never see half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.stack.supervise")
    parser.add_argument("--name", required=True)
    parser.add_argument("--pidfile", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    supervisor = Supervisor(args.name, args.command, args.pidfile, args.state, RestartPolicy())
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, supervisor.request_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())

"""Supervision on real processes: a killed process of the stack is back by itself, counted in
``shopctl status --json``; a requested stop leaves nothing that could restart it and is not
counted as a crash; a crash loop is given up.

The first test kills the stack's own orders worker (it waits until the worker's consumer group
is whole again, so the tests after it find the pipeline as before); the others run processes of
their own.
"""

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import Settings, StreamsRole
from harness.app_process import running_service
from harness.kafka_log import worker_members
from harness.sockets import free_port
from ops.cli import app as shopctl
from ops.polling import wait_until
from ops.stack.process import pid_alive
from ops.stack.services import SERVICES, AppService
from ops.stack.supervise import Supervisor
from ops.stack.supervision import Phase, RestartPolicy, SupervisorState

pytestmark = pytest.mark.engines  # real processes, and the stack's secrets

WORKER = f"streams-{StreamsRole.ORDERS}"
BACK_WITHIN_SECONDS = 120  # backoff 1 s, then the worker's start-up
REJOINED_WITHIN_SECONDS = 180  # the killed member leaves the group at its session timeout


def status_row(name: str) -> dict:
    shown = CliRunner().invoke(shopctl, ["status", "--json"])
    rows = json.loads(shown.stdout)["components"]
    return next(row for row in rows if row["name"] == name)


def test_a_killed_stream_worker_is_back_by_itself_and_counted(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    for needed in ("kafka", WORKER):
        require_engine(needed)
    before = status_row(WORKER)
    assert before["supervision"]["state"] == Phase.RUNNING, before

    os.kill(before["pid"], signal.SIGKILL)

    back, _ = wait_until(
        lambda: status_row(WORKER),
        timeout=BACK_WITHIN_SECONDS,
        what=f"{WORKER} healthy again under a new pid",
        accept=lambda row: row["healthy"] and row["pid"] not in (None, before["pid"]),
        interval=1,
    )
    assert back["supervision"]["state"] == Phase.RUNNING
    assert back["supervision"]["restarts"] == before["supervision"]["restarts"] + 1
    assert back["supervision"]["last_exit"] == "SIGKILL"
    wait_until(
        lambda: worker_members(settings, settings.streams_group(StreamsRole.ORDERS)),
        timeout=REJOINED_WITHIN_SECONDS,
        what="the orders group stable with the new worker in it",
        accept=lambda members: members == settings.streams_workers,
        interval=1,
    )


def test_a_crashed_service_is_restarted_and_a_stopped_one_stays_stopped(tmp_path: Path) -> None:
    gateway = next(spec for spec in SERVICES if spec.name == "gateway")
    url = f"http://127.0.0.1:{free_port()}"
    with running_service("gateway", tmp_path, SHOP_GATEWAY_URL=url) as settings:
        service = AppService(settings, gateway)
        crashed = service.pid()
        assert crashed is not None
        os.kill(crashed, signal.SIGKILL)
        wait_until(
            service.supervision,
            timeout=30,
            what="gateway restarted by its supervisor",
            accept=lambda shown: shown.state == Phase.RUNNING and shown.restarts == 1,
        )
        service.wait_healthy()
        assert service.pid() not in (None, crashed)
        supervisor = service.supervisor_files().supervisor_pid()
        assert supervisor is not None
    # running_service stopped it the way `shopctl down` stops each process
    assert not pid_alive(supervisor), "nothing is left that could restart it"
    assert service.pid() is None
    shown = service.supervision()
    assert (shown.state, shown.restarts, shown.last_exit) == (Phase.STOPPED, 1, "SIGKILL")


def test_a_crash_loop_is_given_up(tmp_path: Path) -> None:
    pidfile, state_file = tmp_path / "loop.pid", tmp_path / "loop.supervision.json"
    supervisor = Supervisor(
        "loop",
        [sys.executable, "-c", "raise SystemExit(3)"],
        pidfile,
        state_file,
        RestartPolicy(first_delay=0.05, max_delay=0.2, give_up_after=4),
    )
    assert supervisor.run() == 1
    state = SupervisorState.from_json(json.loads(state_file.read_text()))
    assert (state.phase, state.restarts, state.streak, state.last_exit) == (
        Phase.GAVE_UP,
        3,
        4,
        "exit 3",
    )
    assert not pidfile.exists()

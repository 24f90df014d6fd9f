"""``shopctl`` as an operator meets it: every command can answer in JSON, and an engine that
does not answer is one line on stderr and exit 1, never a traceback (no engine needed: the
test points the command at ports where nothing listens)."""

import os
import subprocess
import sys
import uuid

import httpx
import kafka.errors
import psycopg
import pytest
import typer.main

from harness.sockets import free_port
from ops.cli import app
from ops.cli_errors import one_line
from ops.replay import ReplayRefused

INTERACTIVE_ONLY: set[str] = set()
"""Commands whose result is not data (none today)."""


def test_every_command_has_a_json_option() -> None:
    group = typer.main.get_command(app)
    assert len(group.commands) >= 15  # type: ignore[attr-defined]
    missing = [
        name
        for name, command in group.commands.items()  # type: ignore[attr-defined]
        if name not in INTERACTIVE_ONLY
        and "--json" not in {o for p in command.params for o in p.opts}
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (
            psycopg.OperationalError("connection refused\nmore detail"),
            "error: PostgreSQL unreachable",
        ),
        (kafka.errors.KafkaTimeoutError("Unable to bootstrap"), "error: Kafka unreachable"),
        (httpx.ConnectError("refused"), "error: an HTTP service unreachable"),
        (ReplayRefused("the new index holds fewer documents"), "error: the new index holds"),
        (FileNotFoundError(2, "No such file", "promtool"), "error: promtool not found"),
    ],
)
def test_an_operators_failure_is_one_line(error: Exception, start: str) -> None:
    line = one_line(error)
    assert line is not None and line.startswith(start) and "\n" not in line


def test_a_bug_keeps_its_traceback() -> None:
    assert one_line(KeyError("x")) is None


def test_an_unreachable_postgres_is_one_line_and_exit_1() -> None:
    env = {
        **os.environ,
        "SHOP_POSTGRES_PORT": str(free_port()),
        "SHOP_POSTGRES_CONNECT_TIMEOUT": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", "trace", str(uuid.uuid4())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("error: PostgreSQL unreachable"), done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr

"""``shopctl migrate | prepare | register``: the setup steps of ``shopctl up``, one by one.

Pure, apart from connecting to a local port nothing listens on: which connectors a deployment
registers, and that an unreachable engine ends a step with one line and exit 1.
"""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import Settings, get_settings
from ops.cli import app as shopctl
from ops.connectors import (
    CONNECTORS_DIR,
    MONGODB,
    POSTGRES,
    SECRET,
    connector_files,
    render,
    secret_variables,
)
from ops.setup_steps import STEPS, Outcome, as_json, lines, one_line
from ops.stack.engines.connect import Connect


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_the_catalog_connector_runs_exactly_where_the_feed_does_not() -> None:
    """One producer of the catalog topic: the polling feed (FerretDB) or Debezium (MongoDB)."""
    assert connector_files(settings()) == (POSTGRES,)
    assert connector_files(settings(catalog_feed_enabled=False)) == (POSTGRES, MONGODB)


def test_every_connector_file_is_registered_somewhere() -> None:
    shipped = {path.name for path in CONNECTORS_DIR.glob("*.json")}
    chosen = {
        name
        for feed in (True, False)
        for name in connector_files(settings(catalog_feed_enabled=feed))
    }
    assert chosen == shipped


CREDENTIALS = {POSTGRES: "database.password", MONGODB: "mongodb.connection.string"}
"""The config key of each connector that carries a secret (a password, a URL with one)."""


@pytest.mark.parametrize("file_name", [POSTGRES, MONGODB])
def test_settings_are_filled_and_credentials_left_to_connect(file_name: str) -> None:
    """``${NAME}`` is filled from the settings; the credential stays ``${env:NAME}``, which the
    Connect worker resolves from its own environment: the REST API shows the placeholder."""
    secret = settings(postgres_password="pg-secret-1", mongo_url="mongodb://u:mongo-secret-2@m/")
    name, config = render(file_name, secret)
    assert name.startswith("shopstream-")
    left = {key: value for key, value in config.items() if "${" in value}
    assert list(left) == [CREDENTIALS[file_name]]
    [variable] = SECRET.fullmatch(left[CREDENTIALS[file_name]]).groups()
    assert variable in secret_variables()
    assert not [value for value in config.values() if "secret-" in value]


def test_connect_reads_only_the_variables_the_connectors_name() -> None:
    """The worker's env config provider may read these (its allowlist), and the local worker is
    started with their values from the settings."""
    connect = Connect(settings(postgres_password="pg-secret-1"))
    assert secret_variables() == ("SHOP_MONGO_URL", "SHOP_POSTGRES_PASSWORD")
    allowed = connect.worker_properties()["config.providers.env.param.allowlist.pattern"]
    assert set(str(allowed).split("|")) == set(secret_variables())
    assert connect.secret_environment()["SHOP_POSTGRES_PASSWORD"] == "pg-secret-1"
    assert connect.daemon().env == connect.secret_environment()


def test_every_step_is_a_shopctl_command() -> None:
    commands = {command.name for command in shopctl.registered_commands}
    assert {step.command for step in STEPS} <= commands


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: every connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def nothing_answers(
    closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every engine of the settings at the closed port; short waits."""
    for name, value in {
        "SHOP_STACK_DIR": str(tmp_path),
        "SHOP_POSTGRES_HOST": "127.0.0.1",
        "SHOP_POSTGRES_PORT": str(closed_port),
        "SHOP_MONGO_URL": f"mongodb://127.0.0.1:{closed_port}/",
        "SHOP_MONGO_TIMEOUT_MS": "200",
        "SHOP_CONNECT_URL": f"http://127.0.0.1:{closed_port}",
        "SHOP_KAFKA_BOOTSTRAP": f"127.0.0.1:{closed_port}",
        "SHOP_OBJECTSTORE_URL": f"http://127.0.0.1:{closed_port}",
        "SHOP_ENGINE_START_TIMEOUT_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("step", [step.command for step in STEPS])
@pytest.mark.parametrize("options", [[], ["--json"]])
def test_an_unreachable_engine_is_one_line_and_exit_1(
    nothing_answers: None, step: str, options: list[str]
) -> None:
    result = CliRunner().invoke(shopctl, [step, *options])
    assert result.exit_code == 1, result.output
    assert result.stdout == "", "no result printed for a failed step"
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: {step} (")
    assert "Traceback" not in result.output


def test_the_connect_wait_is_said_and_bounded(nothing_answers: None) -> None:
    result = CliRunner().invoke(shopctl, ["register"])
    said = result.stderr.splitlines()
    assert said[0].startswith("waiting for Kafka Connect at http://127.0.0.1:")
    assert said[0].endswith("(up to 1s)")
    assert "not within 1s" in said[-1]


def test_one_line_keeps_the_first_line_and_a_bounded_length() -> None:
    assert one_line(RuntimeError("refused\n\tIs the server running?")) == "refused"
    assert len(one_line(RuntimeError("x" * 1000))) == 300
    assert one_line(TimeoutError()) == "TimeoutError"


def test_a_step_prints_a_line_per_result_or_its_idle_line() -> None:
    [migrate] = [step for step in STEPS if step.command == "migrate"]
    applied = [
        Outcome("migration applied", "001_init.sql"),
        Outcome("migration applied", "002_x.sql"),
    ]
    assert lines(migrate, applied) == [
        "migration applied: 001_init.sql",
        "migration applied: 002_x.sql",
    ]
    assert lines(migrate, []) == ["migrate: no migration pending"]
    assert as_json(migrate, applied[:1]) == {
        "step": "migrate",
        "results": [{"what": "migration applied", "name": "001_init.sql"}],
    }

"""``shopctl reset`` deletes the stores' data and keeps what makes the next ``up`` warm.

Pure: a stack directory laid out as ``make up`` leaves it, in a temporary folder, with no
process running (``down`` finds no pid file there and stops nothing).
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import Settings, get_settings
from ops.cli import app as shopctl
from ops.stack import stack

STORES = {  # what reset deletes: a file inside it
    "postgres/data": "PG_VERSION",
    "kafka/data": "meta.properties",
    "elasticsearch/data": "nodes/0/_state",
    "redis/appendonlydir": "appendonly.aof.1.base.rdb",
    "faust": "shopstream-orders-data/v1/tables",
    "mail": "1-ab.eml",
}
DATA = tuple(f"{store}/{inside}" for store, inside in STORES.items())
KEPT = (
    "secrets.env",
    "tls/ca.pem",
    "lib/kafka/kafka_2.13-3.9.1.jar",
    "lib/elasticsearch/elasticsearch-8.19.7.zip",
    "connect-plugins/debezium-connector-postgres/debezium-core.jar",
    "elasticsearch/dist/bin/elasticsearch",
    "bin/ferretdb",
    "src/ferretdb-v1.24.2/go.mod",
    "postgres/postgres.log",
    "kafka/server.properties",
    "redis/redis.log",
)


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    for rel in DATA + KEPT:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    return tmp_path


@pytest.fixture
def cli_on(stack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``shopctl`` with its settings pointing at ``stack_dir``, never at a real stack."""
    monkeypatch.setenv("SHOP_STACK_DIR", str(stack_dir))
    get_settings.cache_clear()
    assert get_settings().stack_dir == stack_dir
    yield stack_dir
    get_settings.cache_clear()


def test_reset_deletes_the_data_and_keeps_downloads_secrets_and_logs(stack_dir: Path) -> None:
    deleted = stack.reset(Settings(stack_dir=stack_dir))
    assert sorted(deleted) == sorted(stack_dir / store for store in STORES)
    assert not any((stack_dir / rel).exists() for rel in DATA)
    assert all((stack_dir / rel).read_text() == rel for rel in KEPT)


def test_a_second_reset_finds_nothing_to_delete(stack_dir: Path) -> None:
    stack.reset(Settings(stack_dir=stack_dir))
    assert stack.reset(Settings(stack_dir=stack_dir)) == []


def test_the_cli_deletes_with_yes_and_reports_json(cli_on: Path) -> None:
    result = CliRunner().invoke(shopctl, ["reset", "--yes", "--json"])
    assert result.exit_code == 0, result.output
    deleted = json.loads(result.stdout.splitlines()[-1])["deleted"]
    assert len(deleted) == len(DATA)
    assert not any((cli_on / rel).exists() for rel in DATA)


def test_the_cli_asks_first_and_a_no_keeps_everything(cli_on: Path) -> None:
    result = CliRunner().invoke(shopctl, ["reset"], input="n\n")
    assert result.exit_code == 1
    assert str(cli_on / "postgres" / "data") in result.stdout
    assert all((cli_on / rel).exists() for rel in DATA)


def test_json_without_yes_is_refused_before_anything(cli_on: Path) -> None:
    result = CliRunner().invoke(shopctl, ["reset", "--json"])
    assert result.exit_code == 2
    assert all((cli_on / rel).exists() for rel in DATA)

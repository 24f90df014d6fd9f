"""The setup steps of ``shopctl up`` against the stack's engines, as ``shopctl`` commands:
each succeeds, says what it did in JSON, and changes nothing when run again."""

import json
from collections.abc import Callable

from pymongo import MongoClient
from typer.testing import CliRunner

from config import Settings
from ops.catalog_setup import is_ferretdb
from ops.cli import app as shopctl
from ops.connectors import connector_files, render


def run(command: str) -> dict:
    result = CliRunner().invoke(shopctl, [command, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_steps_succeed_and_are_idempotent(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    for engine in ("postgres", "ferretdb", "kafka", "connect"):
        require_engine(engine)
    run("migrate")
    assert run("migrate") == {"step": "migrate", "results": []}  # nothing pending the 2nd time

    prepared = run("prepare")["results"]
    assert prepared[0] == {
        "what": "catalog collection ready",
        "name": f"{settings.mongo_db}.products",
    }
    assert run("prepare")["results"] == prepared[:1]  # the GIN twins exist by now

    names = [render(name, settings)[0] for name in connector_files(settings)]
    registered = run("register")["results"]
    assert registered == [{"what": "connector running", "name": name} for name in names]


def test_the_local_catalog_is_recognised_as_ferretdb(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    """Else `prepare` would skip the GIN twins FerretDB's lookups need."""
    require_engine("ferretdb")
    with MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000) as mongo:
        assert is_ferretdb(mongo)

"""``shopctl up`` heals a connector through this Connect's REST API: a task that failed is
restarted (``onlyFailed``) until it runs, and a whole restart is accepted."""

import httpx
import psycopg

from config import Settings
from ops.connector_status import Health, health
from ops.connectors import Step, heal, restart
from ops.polling import wait_until
from tests.support.connectors import ENGINES, probe_connector

NO_PUBLICATION_MADE = {"publication.autocreate.mode": "disabled"}
"""Its task fails at start until someone creates the publication it names."""


def connector_health(connect: httpx.Client, name: str) -> Health | None:
    """None while Connect has no status for it yet (just created)."""
    answer = connect.get(f"/connectors/{name}/status")
    return None if answer.status_code == 404 else health(answer.raise_for_status().json())


def test_a_failed_task_is_restarted_until_it_runs(settings: Settings, require_engine) -> None:
    for engine in ENGINES:
        require_engine(engine)
    with probe_connector(settings, NO_PUBLICATION_MADE, running=False) as probe:
        wait_until(
            lambda: connector_health(probe.connect, probe.name),
            timeout=60,
            what="its task failed: no publication",
            accept=lambda seen: seen is Health.FAILED,
            interval=0.5,
        )
        with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
            conn.execute(f"CREATE PUBLICATION {probe.publication} FOR TABLE {probe.table}")
        said: list[str] = []
        assert heal(probe.connect, probe.name, timeout=90, report=said.append) is Step.DONE
        assert any("restarted its failed parts" in line for line in said), said
        assert said[-1].endswith("running again")


def test_connect_takes_a_restart_of_the_connector_and_its_tasks(
    settings: Settings, require_engine
) -> None:
    for engine in ENGINES:
        require_engine(engine)
    with probe_connector(settings) as probe:
        assert restart(probe.connect, probe.name, only_failed=False)
        assert heal(probe.connect, probe.name, timeout=90, report=print) is Step.DONE
        wait_until(  # the restart is carried out asynchronously: heal may have seen it before
            lambda: connector_health(probe.connect, probe.name),
            timeout=60,
            what="running after the restart",
            accept=lambda seen: seen is Health.RUNNING,
        )

"""``shopctl up`` heals a connector through this Connect's REST API: a task that failed is
restarted (``onlyFailed``) until it runs, and a whole restart is accepted."""

import httpx
import psycopg

from config import Settings
from ops.connectors import Health, Step, heal, health, restart
from ops.polling import wait_until
from tests.support.connectors import ENGINES, probe_connector

FAIL_ON_FIRST_ERROR = {"errors.max.retries": "0"}  # else Debezium retries a lost connection itself


def connector_health(connect: httpx.Client, name: str) -> Health:
    return health(connect.get(f"/connectors/{name}/status").raise_for_status().json())


def test_a_failed_task_is_restarted_until_it_runs(settings: Settings, require_engine) -> None:
    for engine in ENGINES:
        require_engine(engine)
    with probe_connector(settings, FAIL_ON_FIRST_ERROR) as probe:
        with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                " WHERE slot_name = %s AND active",
                (probe.slot,),
            )
        wait_until(
            lambda: connector_health(probe.connect, probe.name),
            timeout=60,
            what="its task failed after its replication connection was cut",
            accept=lambda seen: seen is Health.FAILED,
            interval=0.5,
        )
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
        assert connector_health(probe.connect, probe.name) is Health.RUNNING

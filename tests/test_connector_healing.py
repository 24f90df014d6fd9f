"""What ``shopctl up`` does about a connector, given ``GET /connectors/<name>/status`` (pure)."""

import pytest

from ops.connector_status import Health, health
from ops.connectors import PENDING_SECONDS, SETTLE_SECONDS, Step, describe, next_step


def status(connector: str, *tasks: str) -> dict:
    return {
        "name": "shopstream-postgres",
        "connector": {"state": connector, "worker_id": "127.0.0.1:8083"},
        "tasks": [
            {"id": i, "state": state, "worker_id": "127.0.0.1:8083"}
            for i, state in enumerate(tasks)
        ],
        "type": "source",
    }


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        (status("RUNNING", "RUNNING"), Health.RUNNING),
        (status("RUNNING", "RUNNING", "RUNNING"), Health.RUNNING),
        (status("RUNNING", "FAILED"), Health.FAILED),
        (status("RUNNING", "RUNNING", "FAILED"), Health.FAILED),
        (status("FAILED"), Health.FAILED),
        (status("UNASSIGNED", "UNASSIGNED"), Health.PENDING),
        (status("RUNNING", "UNASSIGNED"), Health.PENDING),
        (status("RESTARTING", "RESTARTING"), Health.PENDING),
        (status("RUNNING"), Health.PENDING),  # its tasks not created yet
        (status("PAUSED", "PAUSED"), Health.HELD),
        (status("STOPPED"), Health.HELD),
    ],
)
def test_health_of_a_status(seen: dict, expected: Health) -> None:
    assert health(seen) is expected


def test_a_running_connector_is_left_alone() -> None:
    assert next_step(status("RUNNING", "RUNNING"), 0, restarted=False) is Step.DONE


def test_a_failure_is_restarted_at_once_only_the_failed_parts() -> None:
    assert next_step(status("RUNNING", "FAILED"), 0, restarted=False) is Step.RESTART_FAILED
    assert next_step(status("FAILED"), 0, restarted=False) is Step.RESTART_FAILED


def test_a_restarted_connector_gets_time_to_come_up_before_the_next_restart() -> None:
    still_failed = status("RUNNING", "FAILED")
    assert next_step(still_failed, SETTLE_SECONDS - 1, restarted=True) is Step.WAIT
    assert next_step(still_failed, SETTLE_SECONDS, restarted=True) is Step.RESTART_FAILED


def test_an_unassigned_connector_waits_for_a_rebalance_then_is_restarted_whole() -> None:
    unassigned = status("UNASSIGNED", "UNASSIGNED")
    assert next_step(unassigned, PENDING_SECONDS - 1, restarted=False) is Step.WAIT
    assert next_step(unassigned, PENDING_SECONDS, restarted=False) is Step.RESTART_ALL


def test_a_paused_connector_is_an_operators_choice() -> None:
    assert next_step(status("PAUSED", "PAUSED"), 1000, restarted=False) is Step.LEAVE


def test_a_connector_connect_does_not_list_yet_is_waited_for() -> None:
    assert next_step(None, 1000, restarted=False) is Step.WAIT


def test_what_up_prints_about_a_status() -> None:
    assert (
        describe(status("RUNNING", "FAILED", "RUNNING"))
        == "connector RUNNING, tasks FAILED, RUNNING"
    )
    assert describe(status("UNASSIGNED")) == "connector UNASSIGNED, tasks none"
    assert describe(None) == "not listed by Connect"

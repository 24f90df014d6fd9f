"""When the supervisor restarts a process, when it gives up, and what status shows (pure)."""

import json

import pytest
from rich.console import Console

from ops.stack.stack import EngineStatus
from ops.stack.supervision import (
    UNSUPERVISED,
    Phase,
    RestartPolicy,
    Supervision,
    SupervisorState,
    age,
    describe_exit,
    died,
    first_run,
    restarted,
    status_of,
    stopped,
)
from ops.views import status_table

POLICY = RestartPolicy(first_delay=1, max_delay=30, stable_after=60, give_up_after=8)
NOW_MS = 1_700_000_000_000


def test_the_delay_doubles_with_each_death_in_a_row_up_to_the_cap() -> None:
    assert [POLICY.delay(streak) for streak in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_quick_death_schedules_a_restart_after_the_backoff() -> None:
    state = died(first_run("api", 41), -9, ran_seconds=5, now_ms=NOW_MS, policy=POLICY)
    assert state.phase is Phase.RESTARTING
    assert (state.pid, state.streak, state.last_exit) == (None, 1, "SIGKILL")
    assert (state.last_exit_ms, state.next_start_ms) == (NOW_MS, NOW_MS + 1000)
    assert state.restarts == 0, "counted when it starts again"


def test_each_start_after_a_death_counts_as_a_restart() -> None:
    state = died(first_run("api", 41), 1, ran_seconds=5, now_ms=NOW_MS, policy=POLICY)
    state = restarted(state, 42)
    assert (state.phase, state.pid, state.restarts, state.next_start_ms) == (
        Phase.RUNNING,
        42,
        1,
        None,
    )
    assert state.last_exit == "exit 1", "kept for status"


def crash_loop(deaths: int, ran_seconds: float = 1) -> SupervisorState:
    state = first_run("api", 1)
    for pid in range(2, deaths + 2):
        state = died(state, 1, ran_seconds, NOW_MS, POLICY)
        if state.phase is Phase.GAVE_UP:
            return state
        state = restarted(state, pid)
    return state


def test_quick_deaths_in_a_row_back_off_further_and_further() -> None:
    state = died(crash_loop(3), 1, 1, NOW_MS, POLICY)
    assert (state.streak, state.next_start_ms) == (4, NOW_MS + 8000)


def test_a_crash_loop_is_given_up_after_so_many_quick_deaths() -> None:
    state = crash_loop(POLICY.give_up_after)
    assert state.phase is Phase.GAVE_UP
    assert (state.restarts, state.streak, state.next_start_ms) == (7, 8, None)


def test_a_run_that_lasted_ends_the_streak() -> None:
    state = died(crash_loop(5), 1, ran_seconds=POLICY.stable_after, now_ms=NOW_MS, policy=POLICY)
    assert (state.phase, state.streak, state.next_start_ms) == (
        Phase.RESTARTING,
        1,
        NOW_MS + 1000,
    )


def test_a_requested_stop_is_not_a_death() -> None:
    state = stopped(restarted(died(first_run("api", 1), -9, 5, NOW_MS, POLICY), 2))
    assert (state.phase, state.pid, state.restarts, state.last_exit) == (
        Phase.STOPPED,
        None,
        1,
        "SIGKILL",
    )


@pytest.mark.parametrize(
    ("returncode", "words"),
    [(0, "exit 0"), (1, "exit 1"), (137, "exit 137"), (-9, "SIGKILL"), (-15, "SIGTERM")],
)
def test_exits_in_words(returncode: int, words: str) -> None:
    assert describe_exit(returncode) == words


def test_the_state_file_round_trips() -> None:
    state = died(first_run("api", 41), -11, 3, NOW_MS, POLICY)
    assert SupervisorState.from_json(state.as_json()) == state


RECORDED = died(first_run("api", 41), -9, 3, NOW_MS, POLICY)


@pytest.mark.parametrize(
    ("state", "supervisor_alive", "process_alive", "shown"),
    [
        (first_run("api", 41), True, True, Phase.RUNNING),
        (RECORDED, True, False, Phase.RESTARTING),
        (None, True, False, Phase.RUNNING),  # started, its first state not written yet
        (first_run("api", 41), False, True, UNSUPERVISED),  # the supervisor was killed
        (first_run("api", 41), False, False, Phase.STOPPED),  # both killed: its file is stale
        (crash_loop(POLICY.give_up_after), False, False, Phase.GAVE_UP),
        (stopped(RECORDED), False, False, Phase.STOPPED),
        (None, False, False, Phase.STOPPED),
    ],
)
def test_what_status_shows(
    state: SupervisorState | None, supervisor_alive: bool, process_alive: bool, shown: str
) -> None:
    assert status_of(state, supervisor_alive, process_alive).state == shown


def test_status_shows_restarts_and_the_last_exit_with_its_age() -> None:
    shown = status_of(restarted(RECORDED, 42), True, True)
    assert (shown.restarts, shown.last_exit) == (1, "SIGKILL")
    assert shown.last_exit_text(NOW_MS + 3 * 60_000) == "SIGKILL 3m ago"
    assert Supervision(Phase.RUNNING).last_exit_text(NOW_MS) == "-"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0s"), (59, "59s"), (60, "1m"), (7200, "2h"), (90000, "1d")]
)
def test_ages(seconds: float, shown: str) -> None:
    assert age(seconds) == shown


def test_the_status_table_has_supervision_columns_and_none_for_unsupervised_engines() -> None:
    rows = [
        EngineStatus("postgres", True, "postgresql://x", 10, 0, "pg.log", None),
        EngineStatus(
            "api",
            False,
            "http://x",
            None,
            0,
            "api.log",
            status_of(RECORDED, True, False),
        ),
    ]
    console = Console(width=200, record=True)
    console.print(status_table(rows, NOW_MS + 5000))
    text = console.export_text()
    assert "supervisor" in text and "restarts" in text and "last exit" in text
    postgres, api = (line for line in text.splitlines() if line.startswith(("│ postgres", "│ api")))
    assert "none" in postgres
    assert "restarting" in api and "SIGKILL 5s ago" in api


def test_status_json_carries_supervision() -> None:
    shown = status_of(restarted(RECORDED, 7), True, True)
    row = EngineStatus("api", True, "http://x", 7, 0, "api.log", shown)
    assert json.loads(json.dumps(row.as_json()))["supervision"] == {
        "state": "running",
        "restarts": 1,
        "last_exit": "SIGKILL",
        "last_exit_ms": NOW_MS,
    }
    unsupervised = EngineStatus("postgres", True, "x", 1, 0, "pg.log", None)
    assert unsupervised.as_json()["supervision"] is None

"""When a supervised process of the stack is restarted, when its supervisor gives up, and how
``shopctl status`` shows it.

Pure: the supervisor (``ops.stack.supervise``) feeds in exits and clocks and writes the state
down; status reads it back. A process that dies without being asked to is restarted after a
delay that doubles with each quick death in a row (1 s, 2 s, 4 s ... capped); a run that lasts
``stable_after`` ends the streak. After ``give_up_after`` quick deaths in a row it is a crash
loop: the supervisor stops trying, status says "gave up", and ``shopctl up`` starts it afresh.
"""

import signal
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from ops.clock import seconds_since

STOP_GRACE_SECONDS = 30.0
"""How long a process asked to stop (SIGTERM) gets before it is killed."""


class Phase(StrEnum):
    RUNNING = "running"
    RESTARTING = "restarting"  # died; waiting out the backoff before the next start
    GAVE_UP = "gave up"  # crash loop: nothing restarts it until `shopctl up`
    STOPPED = "stopped"  # stopped on request (`shopctl down`)


UNSUPERVISED = "unsupervised"
"""Status of a process that runs while its supervisor does not (it was killed)."""


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    give_up_after: int = 8  # ~90 s of backoff: rides out an engine restart, not a broken config

    def delay(self, streak: int) -> float:
        """Seconds before the restart that follows death number ``streak`` of a streak."""
        return min(self.max_delay, self.first_delay * 2 ** (streak - 1))


def describe_exit(returncode: int) -> str:
    """Popen's return code in words: a negative one is the signal that ended the process."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


@dataclass(frozen=True)
class SupervisorState:
    """What the supervisor of one process records in its state file."""

    name: str
    phase: Phase
    pid: int | None = None  # the supervised process; None between runs
    restarts: int = 0
    streak: int = 0  # deaths in a row, none after a run of `stable_after`
    last_exit: str | None = None  # the last exit nobody asked for
    last_exit_ms: int | None = None
    next_start_ms: int | None = None  # while restarting

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "SupervisorState":
        return cls(**{**data, "phase": Phase(data["phase"])})


def first_run(name: str, pid: int) -> SupervisorState:
    return SupervisorState(name, Phase.RUNNING, pid)


def restarted(state: SupervisorState, pid: int) -> SupervisorState:
    return replace(
        state, phase=Phase.RUNNING, pid=pid, restarts=state.restarts + 1, next_start_ms=None
    )


def stopped(state: SupervisorState) -> SupervisorState:
    return replace(state, phase=Phase.STOPPED, pid=None, next_start_ms=None)


def died(
    state: SupervisorState,
    returncode: int,
    ran_seconds: float,
    now_ms: int,
    policy: RestartPolicy,
) -> SupervisorState:
    """After an exit nobody asked for: restart after the backoff, or give up on a crash loop."""
    streak = state.streak + 1 if ran_seconds < policy.stable_after else 1
    dead = replace(
        state,
        pid=None,
        streak=streak,
        last_exit=describe_exit(returncode),
        last_exit_ms=now_ms,
        next_start_ms=None,
    )
    if streak >= policy.give_up_after:
        return replace(dead, phase=Phase.GAVE_UP)
    delay_ms = round(policy.delay(streak) * 1000)
    return replace(dead, phase=Phase.RESTARTING, next_start_ms=now_ms + delay_ms)


@dataclass(frozen=True)
class Supervision:
    """One row's supervision columns in ``shopctl status`` (and its ``--json``)."""

    state: str  # a Phase, or UNSUPERVISED
    restarts: int = 0
    last_exit: str | None = None
    last_exit_ms: int | None = None

    def as_json(self) -> dict:
        return asdict(self)

    def last_exit_text(self, now_ms: int) -> str:
        """E.g. ``SIGKILL 3m ago``; ``-`` when it never died on its own."""
        if self.last_exit is None:
            return "-"
        return f"{self.last_exit} {age(seconds_since(self.last_exit_ms, now_ms))} ago"


def status_of(
    state: SupervisorState | None, supervisor_alive: bool, process_alive: bool
) -> Supervision:
    """What to show, from the state file and which of the two processes are alive.

    The file alone can lie: a supervisor killed outright leaves its last phase behind.
    """
    if supervisor_alive:
        phase = state.phase if state else Phase.RUNNING  # it writes the file on its first start
    elif process_alive:
        phase = UNSUPERVISED
    elif state and state.phase is Phase.GAVE_UP:
        phase = Phase.GAVE_UP
    else:
        phase = Phase.STOPPED
    if state is None:
        return Supervision(phase)
    return Supervision(phase, state.restarts, state.last_exit, state.last_exit_ms)


def age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f}{unit}"
    return f"{seconds:.0f}s"

"""Waiting for asynchronous state with a deadline, never a fixed sleep (tenacity underneath).

The stack waits for engines to answer, the harness for workers to be ready, tests and
benches for the pipeline to carry a change: all of them poll a check here until it holds or
the deadline passes, and then fail saying what they waited for and what they last saw.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_delay,
    wait_fixed,
)

T = TypeVar("T")


class NotReached(AssertionError):
    """The check did not hold in time; ``last`` is its last value (or the error it raised)."""

    def __init__(self, what: str, timeout: float, last: Any) -> None:
        super().__init__(f"{what}: not within {timeout:g}s (last seen: {last!r})")
        self.last = last


def wait_until(
    check: Callable[[], T],
    *,
    timeout: float,
    what: str,
    accept: Callable[[T], bool] = bool,
    ignoring: tuple[type[Exception], ...] = (),
    interval: float = 0.05,
) -> tuple[T, float]:
    """Call ``check`` until ``accept`` takes its value; (that value, seconds it took).

    Errors of the ``ignoring`` types count as "not yet"; any other error ends the wait.
    """
    started = time.monotonic()
    value = Retrying(**_policy(timeout, what, accept, ignoring, interval))(check)
    return value, time.monotonic() - started


async def until(
    check: Callable[[], Awaitable[T]],
    *,
    timeout: float,
    what: str,
    accept: Callable[[T], bool] = bool,
    ignoring: tuple[type[Exception], ...] = (),
    interval: float = 0.05,
) -> tuple[T, float]:
    """``wait_until`` for a coroutine check, sleeping without blocking the event loop."""
    started = time.monotonic()
    value = await AsyncRetrying(**_policy(timeout, what, accept, ignoring, interval))(check)
    return value, time.monotonic() - started


async def eventually(
    read: Callable[[], Awaitable[T]], expected: T, timeout: float = 10.0, interval: float = 0.1
) -> T:
    """Re-read until the value equals ``expected``; the last value read either way, so the
    caller's assertion shows what was there instead."""
    try:
        value, _ = await until(
            read,
            timeout=timeout,
            what=f"waiting for {expected!r}",
            accept=lambda seen: seen == expected,
            interval=interval,
        )
    except NotReached as missed:
        return missed.last
    return value


def _policy(
    timeout: float,
    what: str,
    accept: Callable[[Any], bool],
    ignoring: tuple[type[Exception], ...],
    interval: float,
) -> dict[str, Any]:
    def give_up(state: RetryCallState) -> None:
        outcome = state.outcome
        last = None if outcome is None else outcome.exception() or outcome.result()
        raise NotReached(what, timeout, last)

    return {
        "retry": retry_if_exception_type(ignoring) | retry_if_result(lambda v: not accept(v)),
        "stop": stop_after_delay(timeout),
        "wait": wait_fixed(interval),
        "retry_error_callback": give_up,
    }

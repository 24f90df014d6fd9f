"""The one way everything waits (ops.polling): pure, no engine."""

import itertools

import pytest

from ops.polling import NotReached, eventually, until, wait_until


def test_returns_the_first_accepted_value_and_how_long_it_took() -> None:
    counter = itertools.count()
    value, took = wait_until(lambda: next(counter), timeout=5, what="3", accept=lambda n: n >= 3)
    assert value == 3 and 0 <= took < 5


def test_a_check_that_never_holds_fails_naming_what_and_the_last_value() -> None:
    with pytest.raises(NotReached, match=r"the answer: not within 0\.2s") as missed:
        wait_until(lambda: 41, timeout=0.2, what="the answer", accept=lambda n: n == 42)
    assert missed.value.last == 41


def test_errors_end_the_wait_unless_they_are_ignored() -> None:
    def fails() -> bool:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        wait_until(fails, timeout=5, what="up")
    with pytest.raises(NotReached) as missed:
        wait_until(fails, timeout=0.2, what="up", ignoring=(ConnectionError,))
    assert isinstance(missed.value.last, ConnectionError)


async def test_the_async_forms_wait_without_blocking_and_eventually_returns_the_last_read() -> None:
    counter = itertools.count()

    async def read() -> int:
        return next(counter)

    assert (await until(read, timeout=5, what="2", accept=lambda n: n == 2))[0] == 2
    assert await eventually(read, 5, timeout=5, interval=0.01) == 5
    assert await eventually(read, -1, timeout=0.1, interval=0.01) > 5

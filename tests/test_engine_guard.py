"""A missing engine fails the run (with or without CI=true); it never turns into a skip."""

import pytest

from config import Settings
from tests.conftest import engine_guard


def test_unreachable_engine_fails_naming_engine_and_log() -> None:
    check = engine_guard(Settings(redis_url="redis://127.0.0.1:1/0"))
    with pytest.raises(pytest.fail.Exception, match=r"engine redis not reachable.*redis\.log"):
        check("redis")

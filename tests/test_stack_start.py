"""``shopctl up`` starts what is missing and refuses a port held by another stack (pure logic)."""

import pytest

from config import Settings
from ops.stack.engine import Engine
from ops.stack.process import EngineError
from ops.stack.stack import start


class Answering(Engine):
    """An engine whose endpoint answers; ``owned`` says whether this stack's process runs it."""

    name = "answering"

    def __init__(self, settings: Settings, owned: bool) -> None:
        super().__init__(settings)
        self.owned = owned

    @property
    def endpoint(self) -> str:
        return "tcp://127.0.0.1:1"

    def provision(self) -> None: ...

    def start(self) -> None:
        raise AssertionError("an answering engine is never started again")

    def stop(self) -> None: ...

    def probe(self) -> None: ...

    def pid(self) -> int | None:
        return 4242 if self.owned else None


def test_an_engine_of_this_stack_is_left_running(tmp_path, capsys) -> None:
    start([Answering(Settings(stack_dir=tmp_path), owned=True)])
    assert "answering: already running" in capsys.readouterr().out


def test_a_port_answered_by_another_stack_is_an_error(tmp_path) -> None:
    with pytest.raises(EngineError, match="another stack"):
        start([Answering(Settings(stack_dir=tmp_path), owned=False)])

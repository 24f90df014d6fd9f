"""``shopctl up`` starts what is missing, refuses a port held by another stack, and brings a
process back under a supervisor (pure logic)."""

import pytest

from config import Settings
from ops.stack.engine import Engine
from ops.stack.process import EngineError
from ops.stack.stack import start
from ops.stack.supervision import UNSUPERVISED, Phase, Supervision


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


class Supervisable(Engine):
    """An engine whose supervisor shows ``shown``; it answers once started."""

    name = "supervisable"

    def __init__(self, settings: Settings, answering: bool, shown: str) -> None:
        super().__init__(settings)
        self.answering, self.shown, self.starts = answering, shown, 0

    @property
    def endpoint(self) -> str:
        return "tcp://127.0.0.1:1"

    def provision(self) -> None: ...

    def start(self) -> None:
        self.starts += 1
        self.answering, self.shown = True, Phase.RUNNING

    def stop(self) -> None: ...

    def probe(self) -> None:
        if not self.answering:
            raise ConnectionError("down")

    def pid(self) -> int | None:
        return 4242 if self.answering else None

    def supervision(self) -> Supervision:
        return Supervision(self.shown)


def test_a_process_whose_supervisor_died_is_started_again_under_one(tmp_path, capsys) -> None:
    engine = Supervisable(Settings(stack_dir=tmp_path), answering=True, shown=UNSUPERVISED)
    start([engine])
    assert engine.starts == 1
    assert "supervisable: runs without its supervisor" in capsys.readouterr().out


def test_a_supervised_process_that_answers_is_left_running(tmp_path) -> None:
    engine = Supervisable(Settings(stack_dir=tmp_path), answering=True, shown=Phase.RUNNING)
    start([engine])
    assert engine.starts == 0


def test_a_process_given_up_on_is_started_afresh_saying_so(tmp_path, capsys) -> None:
    engine = Supervisable(Settings(stack_dir=tmp_path), answering=False, shown=Phase.GAVE_UP)
    start([engine])
    assert engine.starts == 1
    assert "supervisable: its supervisor gave up on a crash loop" in capsys.readouterr().out

"""The topology declarations match the running Faust app, and docs/topology.md is current."""

import importlib

from streams.app import AGENT_MODULES, app, settings
from streams.topology import (
    DOC_PATH,
    Timer,
    agent_specs,
    render_markdown,
    render_text,
    worker_specs,
)


def test_committed_diagram_is_current() -> None:
    assert DOC_PATH.read_text() == render_markdown(worker_specs()), (
        "docs/topology.md is stale: run `python -m streams.topology` and commit it"
    )


def test_every_faust_agent_is_declared_with_its_real_topic() -> None:
    declared = {
        f"{module}.{spec.name}": spec
        for module in AGENT_MODULES
        for spec in importlib.import_module(module).AGENTS
    }
    for name, agent in app.agents.items():
        spec = declared.pop(name)
        assert agent.channel.get_topic_name() == spec.source.name(settings), name
    assert all(isinstance(spec.source, Timer) for spec in declared.values()), declared
    assert all(hasattr(settings, spec.source.interval_setting) for spec in declared.values())


def test_text_lists_every_agent_once() -> None:
    text = render_text(worker_specs())
    for spec in agent_specs():
        assert text.count(f" -> {spec.name} -> ") == 1

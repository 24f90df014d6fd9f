"""The topology declarations match the running Faust app, and docs/topology.md is current."""

from streams.app import AGENT_MODULES, app, settings
from streams.topology import (
    DOC_PATH,
    Timer,
    agent_specs,
    module_specs,
    render_markdown,
    render_text,
)


def test_committed_diagram_is_current() -> None:
    assert DOC_PATH.read_text() == render_markdown(agent_specs()), (
        "docs/topology.md is stale: run `python -m streams.topology` and commit it"
    )


def test_declared_sources_are_the_agents_channels() -> None:
    subscribed = {
        name.rsplit(".", 1)[0]: agent.channel.get_topic_name() for name, agent in app.agents.items()
    }
    for module_name in AGENT_MODULES:
        for spec in module_specs(module_name):
            if isinstance(spec.source, Timer):
                assert hasattr(settings, spec.source.interval_setting)
                assert module_name not in subscribed
            else:
                assert subscribed[module_name] == spec.source.name(settings)


def test_text_lists_every_agent_once() -> None:
    text = render_text(agent_specs())
    for spec in agent_specs():
        assert text.count(f" -> {spec.name} -> ") == 1

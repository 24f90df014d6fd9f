"""Turning a raw CDC record into the row it carries, at the edge of every agent."""

from schemas.events import Envelope, Row
from schemas.topics import TopicSpec
from streams.dead_letters import decoded


def after_image(source: TopicSpec, model: type[Envelope[Row]], record: bytes | None) -> Row | None:
    """The row after a create, snapshot read or update; None for deletes and tombstones.

    A malformed record goes to the dead-letter topic (and gives None) before any domain code
    runs.
    """
    if record is None:
        return None
    event = decoded(source, model.model_validate_json, record)
    return None if event is None or event.op == "d" else event.after

"""Turning a raw CDC record into the row it carries, at the edge of every agent."""

from schemas.events import Envelope, Row


def after_image(model: type[Envelope[Row]], record: bytes | None) -> Row | None:
    """The row after a create, snapshot read or update; None for deletes and tombstones.

    A malformed record raises here, before any domain code runs.
    """
    if record is None:
        return None
    event = model.model_validate_json(record)
    return None if event.op == "d" else event.after

"""Records no model accepts go to the dead-letter topic instead of crashing their agent.

A record that fails validation fails the same way on every redelivery: raising restarts the
agent on the same offset forever and stalls its partition for every later record (it did,
on catalog documents missing required fields). So ``typed`` logs it, parks it on
``DEAD_LETTERS`` with its origin and the error, and moves on; nothing is lost, and an
operator re-publishes the record to its topic once the cause is fixed.
"""

import json
import logging
from typing import Any

from streams.app import app, settings, topic
from streams.events import UnreadableRecord, decode
from streams.topics import DEAD_LETTERS, TopicSpec

log = logging.getLogger(__name__)

dead_letters = topic(DEAD_LETTERS)


@app.task
async def declare_dead_letters() -> None:
    """Create the topic at worker start, as declared: a broker may not auto-create topics."""
    await dead_letters.maybe_declare()


def dead_letter(source: TopicSpec, key: bytes | None, value: bytes, error: Exception) -> dict:
    """The parked record: enough to see what failed and to re-publish it unchanged."""
    return {
        "topic": source.name(settings),
        "key": None if key is None else key.decode("utf-8", "replace"),
        "value": value.decode("utf-8", "replace"),
        "error": str(error),
    }


def typed(source: TopicSpec, key: bytes | None, value: bytes | None) -> Any:
    """The event a record carries (``streams.events.decode``), or None: for a tombstone, a
    row delete, and a record no model accepts, once it is on the dead-letter topic."""
    try:
        return decode(source, key, value)
    except UnreadableRecord as exc:
        assert value is not None  # a tombstone is never unreadable
        letter = dead_letter(source, key, value, exc)
        log.error("dead-lettered a record of %s: %s", letter["topic"], letter["error"])
        dead_letters.send_soon(key=key, value=json.dumps(letter).encode())
        return None

"""The failures an operator meets with ``shopctl`` as one line each, never a traceback.

An engine that does not answer, a refused replay or a missing tool is a situation, not a
bug: the line names what failed and how to go on. Anything else is a bug and keeps its
traceback.
"""

import elasticsearch
import httpx
import kafka.errors
import psycopg
import pymongo.errors
import redis.exceptions

from ops.replay import ReplayRefused
from ops.setup_steps import SetupFailed
from ops.stack.process import EngineError
from ops.trace import OrderUnknown

UNREACHABLE: dict[type[BaseException], str] = {
    psycopg.OperationalError: "PostgreSQL",
    redis.exceptions.ConnectionError: "Redis",
    kafka.errors.KafkaConnectionError: "Kafka",
    kafka.errors.KafkaTimeoutError: "Kafka",  # what a client raises when no broker answers
    elasticsearch.ConnectionError: "Elasticsearch",
    pymongo.errors.ConnectionFailure: "MongoDB",
    httpx.TransportError: "an HTTP service",
}
"""Client errors that mean "the engine did not answer", and the engine's name."""

SITUATIONS = (EngineError, SetupFailed, ReplayRefused, OrderUnknown, FileNotFoundError)
"""Refusals and missing pieces whose own message says what happened."""


def one_line(error: BaseException) -> str | None:
    """The line to print for an operator's failure; None for a bug (keep its traceback)."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    for kind, engine in UNREACHABLE.items():
        if isinstance(error, kind):
            return f"error: {engine} unreachable: {text} (is the stack up? `make status`)"
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"error: {error.filename} not found: is it installed? (`make up` provisions tools)"
    if isinstance(error, SITUATIONS):
        return f"error: {text}"
    return None

"""Structured JSON logs for every long-running process, naming the request and order they concern.

Each line is one JSON object (``ts``, ``level``, ``logger``, ``process``, ``message`` and
whatever the code bound): the storefront binds the request id of each HTTP request, the stream
agents bind the order id and the request id that the order's row carries, so the lines of one
order can be followed across processes (``shopctl trace``).
"""

import logging
import logging.config
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

TRACED = ("request_id", "order_id")
"""The fields ``shopctl trace`` follows an order by."""

REQUEST_ID_HEADER = "x-request-id"
_SOUND_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

_bound: ContextVar[Mapping[str, str]] = ContextVar("log_fields", default=MappingProxyType({}))


@contextmanager
def bound(**fields: object) -> Iterator[None]:
    """Every log line of this task (and the tasks it starts) carries these fields meanwhile;
    a field given as None is left as it was."""
    token = _bound.set({**_bound.get(), **{k: str(v) for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _bound.reset(token)


def current(field: str) -> str | None:
    """A bound field's value, e.g. the request id a row written now should carry."""
    return _bound.get().get(field)


def request_id_from(claimed: str | None) -> str:
    """A caller's request id when it is a plausible one (so a proxy's id carries through),
    otherwise a new one: a header must never inject text into the logs."""
    if claimed and _SOUND_REQUEST_ID.fullmatch(claimed):
        return claimed
    return uuid.uuid4().hex


class BoundFields(logging.Filter):
    """Copies the bound fields onto each record (the JSON formatter writes them out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _bound.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


QUIET = ("elastic_transport", "kafka", "aiokafka", "httpx", "httpcore", "urllib3")
"""Libraries logging a line per request or poll: warnings only."""


def logging_config(process: str, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: JSON lines on stderr. Handed to uvicorn
    (``log_config``) and Faust (``logging_config``), which apply it in each process."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"bound": {"()": BoundFields}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message"],
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "ts",
                "static_fields": {"process": process},
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["bound"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": "WARNING"} for name in QUIET},
            # uvicorn's own loggers carry handlers of their own unless told otherwise.
            **{
                name: {"handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
        },
    }

"""Fixtures of the end-to-end tests: the running pipeline (Postgres, Debezium, Kafka,
stream workers and the mail sink of `make up`)."""

import email
import smtplib
from collections.abc import Callable, Iterator
from email.message import Message
from functools import partial
from pathlib import Path

import httpx
import pytest

from config import Settings, StreamsRole
from harness.kafka_log import worker_members
from harness.shopdb import ShopDB
from ops.connectors import render, wait_running
from ops.mailsink import mail_dir
from ops.polling import NotReached, wait_until

WORKER_REJOIN_SECONDS = 60


@pytest.fixture(scope="session")
def pipeline(settings: Settings, require_engine) -> Settings:
    """Fails, naming what is missing, unless CDC, a stream worker and the mail sink are live."""
    for engine in ("postgres", "kafka", "connect", "redis"):
        require_engine(engine)
    name, _ = render("postgres.json", settings)
    with httpx.Client(base_url=settings.connect_url, timeout=10) as connect:
        try:
            wait_running(connect, name, timeout=10)
        except RuntimeError as exc:
            pytest.fail(f"CDC connector not running ({exc}); run `make up`", pytrace=False)
    for role in (StreamsRole.ORDERS, StreamsRole.CATALOG):
        group = settings.streams_group(role)
        try:  # a worker that was just restarted (a fault test) rejoins within seconds
            wait_until(
                partial(worker_members, settings, group), timeout=WORKER_REJOIN_SECONDS, what=group
            )
        except NotReached:
            pytest.fail(
                f"no stream worker in consumer group {group!r}: run `make up` (or"
                f" `SHOP_STREAMS_ROLE={role} faust -A streams.worker worker`)",
                pytrace=False,
            )
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=5) as smtp:
            smtp.noop()
    except OSError as exc:
        pytest.fail(
            f"no mail sink at {settings.smtp_host}:{settings.smtp_port} ({exc!r}): run "
            "`make up` (or `python -m ops.mailsink`)",
            pytrace=False,
        )
    return settings


@pytest.fixture(scope="session")
def db(pipeline: Settings) -> Iterator[ShopDB]:
    shop_db = ShopDB(pipeline.postgres_dsn)
    yield shop_db
    shop_db.conn.close()


@pytest.fixture(scope="session")
def mailbox(pipeline: Settings) -> Callable[[str], list[Message]]:
    """Messages the mail sink received for one recipient (each file parsed once)."""
    directory = mail_dir(pipeline)
    parsed: dict[Path, Message] = {}

    def received(recipient: str) -> list[Message]:
        for path in directory.glob("*.eml"):
            if path not in parsed:
                parsed[path] = email.message_from_bytes(path.read_bytes())
        return [m for m in parsed.values() if m["To"] == recipient]

    return received

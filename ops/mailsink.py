"""Local SMTP sink: accepts every message and keeps it as a ``.eml`` file in ``<stack_dir>/mail/``.

Notifications go out through real SMTP in development and tests, so the same code path runs as
in production; the sink just stands in for the mail provider. ``python -m ops.mailsink`` runs
it on the configured SMTP host and port until interrupted; the ops dashboard lists the latest
messages (``latest``), the local stack's mail UI.
"""

import email
import re
import signal
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from config import Settings, get_settings


class MailDir:
    """aiosmtpd handler writing each message to its own file, atomically (write, then rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope.original_content or b"")
        partial.rename(self.directory / name)
        return "250 Message accepted for delivery"


def mail_dir(settings: Settings) -> Path:
    return settings.stack_dir / "mail"


@dataclass(frozen=True)
class MailSummary:
    name: str  # the file in the mail directory
    received_ms: int
    sender: str
    to: str
    subject: str
    date: str | None  # the Date header, ISO 8601, when it parses

    def as_json(self) -> dict:
        return asdict(self)


def summary(name: str, raw: bytes) -> MailSummary:
    """Headers of a stored message; the file name starts with its arrival time (ns)."""
    headers = BytesHeaderParser().parsebytes(raw)
    try:
        date = parsedate_to_datetime(headers["Date"]).isoformat() if headers["Date"] else None
    except ValueError:
        date = None
    return MailSummary(
        name=name,
        received_ms=int(name.split("-", 1)[0]) // 1_000_000,
        sender=str(headers["From"] or ""),
        to=str(headers["To"] or ""),
        subject=str(headers["Subject"] or ""),
        date=date,
    )


def latest(directory: Path, limit: int) -> list[MailSummary]:
    """The newest ``limit`` messages, newest first (names sort by arrival: same-width ns)."""
    names = sorted((p.name for p in directory.glob("*.eml")), reverse=True)[:limit]
    return [summary(name, (directory / name).read_bytes()) for name in names]


def messages_to(directory: Path, recipient: str) -> list[Message]:
    """Every message the sink caught for ``recipient``, oldest first."""
    found = []
    for path in sorted(directory.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        if str(message["To"] or "").lower() == recipient.lower():
            found.append(message)
    return found


def body_of(message: Message) -> str:
    payload = message.get_payload(0) if message.is_multipart() else message
    return payload.get_payload(decode=True).decode()  # type: ignore[union-attr]


_TOKEN = re.compile(r"#token=([A-Za-z0-9_-]{43})\b")


def token_in(message: Message) -> str | None:
    """The token of the link an account mail carries (confirmation, password reset)."""
    found = _TOKEN.search(body_of(message))
    return None if found is None else found.group(1)


def start(directory: Path, host: str, port: int) -> Controller:
    """A running sink (in its own thread); ``.stop()`` it when done."""
    controller = Controller(MailDir(directory), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    settings = get_settings()
    directory = mail_dir(settings)
    controller = start(directory, settings.smtp_host, settings.smtp_port)
    print(f"mail sink on {settings.smtp_host}:{settings.smtp_port} -> {directory}", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()

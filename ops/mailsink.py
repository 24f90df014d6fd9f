"""Local SMTP sink: accepts every message and keeps it as a ``.eml`` file in ``<stack_dir>/mail/``.

Notifications go out through real SMTP in development and tests, so the same code path runs as
in production; the sink just stands in for the mail provider. ``python -m ops.mailsink`` runs
it on the configured SMTP host and port until interrupted.
"""

import signal
import threading
import time
import uuid
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

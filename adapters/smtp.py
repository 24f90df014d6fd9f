"""Sending email with the standard library's SMTP client, off the event loop."""

import asyncio
import smtplib
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 10


class SmtpMailer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    async def send(self, message: EmailMessage) -> None:
        """Returns once the server accepted the message; raises on any refusal."""
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)

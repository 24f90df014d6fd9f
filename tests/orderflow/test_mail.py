"""The SMTP mailer and the local mail sink, talking real SMTP over a socket."""

import email
from email.message import EmailMessage
from pathlib import Path

from adapters.smtp import SmtpMailer
from harness.sockets import free_port
from ops import mailsink


async def test_sent_message_lands_in_the_sink_as_eml(tmp_path: Path) -> None:
    port = free_port()
    sink = mailsink.start(tmp_path, "127.0.0.1", port)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.test", "b@x.test", "hi"
        message.set_content("hello")
        await SmtpMailer("127.0.0.1", port).send(message)
    finally:
        sink.stop()
    [eml] = tmp_path.glob("*.eml")
    received = email.message_from_bytes(eml.read_bytes())
    assert (received["To"], received["Subject"]) == ("b@x.test", "hi")
    assert received.get_payload().strip() == "hello"
    assert not list(tmp_path.glob(".*.part"))

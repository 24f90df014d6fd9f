"""Account mail: each queued mail (address confirmation, password reset, a notice) is sent
once (``services.account_mail.send_account_mail``)."""

from collections.abc import AsyncIterator
from functools import partial

from faust import StreamT

from services.account_mail import send_account_mail
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import ACCOUNT_MAIL
from streams.topology import AgentSpec, postgres
from streams.wiring import services

AGENTS = (
    AgentSpec("account_mail", ACCOUNT_MAIL, sinks=(postgres("account_mail"), "smtp:customer")),
)


@app.agent(topic(ACCOUNT_MAIL))
async def account_mail(records: StreamT[bytes]) -> AsyncIterator[bool]:
    """Yields whether each record sent a mail (tests read it)."""
    async for key, value in records.items():
        mail = typed(ACCOUNT_MAIL, key, value)
        if mail is None:
            yield False
            continue
        handlers = await services()
        yield await retry_forever(
            partial(send_account_mail, handlers, mail), f"sending {mail.kind} mail {mail.mail_id}"
        )

"""Sending the mail an account holder is owed (``domain.accounts.MailKind``): the orders
worker's handler of the ``account_mail`` outbox's change records.

The row is claimed before sending and released when sending fails, so a redelivered record or
a second worker sends nothing twice and a failure is retried. The token is derived here from
the row's token id (``domain.accounts.account_token``): it never went through Kafka.
"""

import logging
from email.message import EmailMessage

from domain.accounts import TOKEN_OF_MAIL, AccountMail, account_token, mail_text
from services.context import Services
from services.verification import token_ttl_seconds

log = logging.getLogger(__name__)


async def send_account_mail(services: Services, mail: AccountMail) -> bool:
    """True when this call sent the mail."""
    settings = services.settings
    async with services.unit_of_work() as uow:
        recipient = await uow.account_mail.recipient(mail.user_id)
        if recipient is None:
            log.warning("no account %s for mail %s", mail.user_id, mail.mail_id)
            return False
        if not await uow.account_mail.claim(mail):
            return False
    name, email = recipient
    key = settings.account_token_key
    token = None if mail.token_id is None else account_token(key, mail.token_id)
    purpose = TOKEN_OF_MAIL.get(mail.kind)
    minutes = 0 if purpose is None else token_ttl_seconds(settings, purpose) // 60
    text = mail_text(mail.kind, name, token, settings.public_url, minutes)
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = email
    message["Subject"] = text.subject
    message["X-Shopstream-Mail"] = f"{mail.mail_id}:{mail.kind}"
    message.set_content(text.body)
    try:
        await services.mailer.send(message)
    except Exception:
        async with services.unit_of_work() as uow:
            await uow.account_mail.release(mail)
        raise
    log.info("sent %s mail %s", mail.kind, mail.mail_id, extra={"user_id": mail.user_id})
    return True

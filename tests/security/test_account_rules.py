"""The pure rules of proving an address (``domain.accounts``): tokens, mail, admin promotion."""

import datetime as dt
import hashlib
import uuid

import pytest

from domain.accounts import (
    AccountMail,
    AdminStep,
    ExistingAccount,
    MailKind,
    account_token,
    admin_step,
    mail_text,
    plausible_token,
    token_digest,
)
from streams.events import decode
from streams.topics import ACCOUNT_MAIL
from tests.support import records

TOKEN_ID = uuid.UUID("8d4c2f0e-6a4b-4d1e-9c3a-0b7e5f1d2a3c")


def test_a_token_is_the_same_for_one_id_and_key_and_nobody_elses() -> None:
    token = account_token("key one", TOKEN_ID)
    assert token == account_token("key one", str(TOKEN_ID))
    assert token != account_token("key two", TOKEN_ID)
    assert token != account_token("key one", uuid.uuid4())
    assert len(token) == 43 and plausible_token(token)


def test_only_a_digest_is_kept() -> None:
    token = account_token("key", TOKEN_ID)
    assert token_digest(token) == hashlib.sha256(token.encode()).digest()


@pytest.mark.parametrize(
    "presented",
    ["", "short", "x" * 44, "a" * 42 + "=", "a" * 42 + "\x00", "a" * 42 + "é", "a" * 42 + "$"],
)
def test_other_shapes_are_not_tokens(presented: str) -> None:
    assert not plausible_token(presented)


def test_links_carry_the_token_in_the_fragment_only() -> None:
    text = mail_text(MailKind.VERIFY_EMAIL, "Ada", "T" * 43, "https://shop.example", 1440)
    assert "https://shop.example/account/verify-email#token=" + "T" * 43 in text.body
    assert "?token=" not in text.body
    assert "1440 minutes" in text.body


def test_a_taken_address_is_offered_a_reset_not_told_about_the_signup() -> None:
    text = mail_text(MailKind.ACCOUNT_EXISTS, "Ada", "R" * 43, "https://s", 30)
    assert "already has one" in text.body and "Nothing was changed" in text.body
    assert "/account/reset-password#token=" + "R" * 43 in text.body


def test_a_password_change_notice_carries_no_token() -> None:
    text = mail_text(MailKind.PASSWORD_CHANGED, "Ada", None, "https://s", 0)
    assert "#token=" not in text.body and "signed out" in text.body


NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("account", "step"),
    [
        (None, AdminStep.CREATE),
        (ExistingAccount(TOKEN_ID, "customer", None), AdminStep.REFUSE_UNVERIFIED),
        (ExistingAccount(TOKEN_ID, "admin", None), AdminStep.REFUSE_UNVERIFIED),
        (ExistingAccount(TOKEN_ID, "customer", NOW), AdminStep.PROMOTE),
        (ExistingAccount(TOKEN_ID, "admin", NOW), AdminStep.ALREADY_ADMIN),
    ],
)
def test_only_an_address_someone_proved_is_promoted(
    account: ExistingAccount | None, step: AdminStep
) -> None:
    assert admin_step(account) == step


def account_mail_record(op: str, sent_at: str | None = None) -> bytes:
    row = {
        "mail_id": "m1",
        "user_id": "u1",
        "kind": "verify_email",
        "token_id": str(TOKEN_ID),
        "created_at": "2026-12-07T12:00:00Z",
        "sent_at": sent_at,
    }
    return records.envelope("account_mail", row, op)


@pytest.mark.parametrize("op", ["c", "r"])
def test_a_queued_mail_is_decoded_from_its_change_record(op: str) -> None:
    decoded = decode(ACCOUNT_MAIL, b"{}", account_mail_record(op))
    assert decoded == AccountMail("m1", "u1", MailKind.VERIFY_EMAIL, str(TOKEN_ID))


@pytest.mark.parametrize(
    ("op", "sent_at"), [("u", "2026-12-07T12:00:01Z"), ("u", None), ("d", None)]
)
def test_the_senders_own_claims_and_deletes_are_not_mail(op: str, sent_at: str | None) -> None:
    assert decode(ACCOUNT_MAIL, b"{}", account_mail_record(op, sent_at)) is None

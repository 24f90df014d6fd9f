"""HTTP models of signup, login, profile and delivery addresses."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, EmailStr, Field, StringConstraints

from adapters.wire import ApiModel

NormalizedEmail = Annotated[EmailStr, AfterValidator(str.lower)]
"""Emails compare case-insensitively, so ``Ann@X.com`` and ``ann@x.com`` are one account."""

Password = Annotated[str, StringConstraints(min_length=8, max_length=128, strip_whitespace=False)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SignupRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Ann Lee", "email": "ann@example.com", "password": "correct horse 42"}
            ]
        }
    )

    name: Text
    email: NormalizedEmail
    password: Password


MailedStatus = Literal["mail_sent"]


class Mailed(ApiModel):
    """The same answer whether the address has an account or not: what happens next is in
    the mail sent to it."""

    status: MailedStatus = "mail_sent"
    message: str = Field(
        "If this address can be used, a mail is on its way to it: follow it to go on.",
    )


AccountToken = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class EmailRequest(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ann@example.com"}]})

    email: NormalizedEmail


class VerifyEmailRequest(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "the code from the mail"}]})

    token: AccountToken


class PasswordResetConfirm(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"token": "the code from the mail", "newPassword": "a new long one 7"}]
        }
    )

    token: AccountToken
    new_password: Password


class Done(ApiModel):
    status: Literal["verified", "password_reset"]


class LoginRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "ann@example.com", "password": "correct horse 42"}]
        }
    )

    email: NormalizedEmail
    password: Annotated[
        str, StringConstraints(min_length=1, max_length=128, strip_whitespace=False)
    ]


class TokenResponse(ApiModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str = Field(
        description="Buys the next token pair once (POST /v1/users/refresh); keep it secret"
    )


class RefreshRequest(ApiModel):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PasswordChange(ApiModel):
    current_password: Annotated[
        str, StringConstraints(min_length=1, max_length=128, strip_whitespace=False)
    ]
    new_password: Password


class AddressIn(ApiModel):
    label: Annotated[str, StringConstraints(max_length=50)] | None = None
    recipient: Text
    line1: Text
    line2: Annotated[str, StringConstraints(max_length=200)] | None = None
    city: Text
    region: Annotated[str, StringConstraints(max_length=100)] | None = None
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2 code, e.g. US"
    )


class Address(AddressIn):
    address_id: uuid.UUID


class UserProfile(ApiModel):
    user_id: uuid.UUID
    name: str
    email: str
    email_verified: bool
    role: str
    addresses: list[Address]
    created_at: dt.datetime

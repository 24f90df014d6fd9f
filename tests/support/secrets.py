"""Settings with the secrets ``api.app.create_app`` refuses to start without, for tests that
build the storefront without the stack's ``secrets.env`` (its document, its docs pages)."""

from pydantic import SecretStr

from adapters.tokens import new_signing_key
from config import Settings


def with_app_secrets(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "jwt_signing_key": SecretStr(new_signing_key()),
            "gateway_secret": SecretStr("a-gateway-secret-for-tests-only"),
            "carrier_webhook_secret": SecretStr("a-carrier-secret-for-tests-only"),
            "account_token_secret": SecretStr("an-account-secret-for-tests-only"),
        }
    )

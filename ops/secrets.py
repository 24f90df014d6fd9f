"""The local stack's secrets, generated once into ``<stack>/secrets.env`` (git-ignored, 0600).

Every process reads that file through the settings (``config.get_settings``);
variables set in the environment win over it, which is how docker-compose and production
pass their own. Nothing here is ever printed.
"""

import os
import secrets
from pathlib import Path

from adapters.tokens import new_signing_key, public_key_text
from config import KafkaUser, Settings, secrets_file


def _token() -> str:
    return secrets.token_urlsafe(32)


def kafka_password_variable(user: KafkaUser) -> str:
    """The variable of ``user``'s Kafka password (``Settings.kafka_<user>_password``)."""
    return f"SHOP_KAFKA_{user.upper()}_PASSWORD"


GENERATED = {
    "SHOP_JWT_SIGNING_KEY": new_signing_key,
    "SHOP_GATEWAY_SECRET": _token,
    "SHOP_CARRIER_WEBHOOK_SECRET": _token,
    "SHOP_ACCOUNT_TOKEN_SECRET": _token,
    "SHOP_OBJECTSTORE_SECRET_KEY": _token,
    **{kafka_password_variable(user): _token for user in KafkaUser},
    "SHOP_DASHBOARD_PASSWORD": _token,
}


COMPOSE_ONLY = (
    "SHOP_POSTGRES_PASSWORD",
    "SHOP_REDIS_PASSWORD",
    "SHOP_GRAFANA_PASSWORD",
    "SHOP_KAFKA_UI_PASSWORD",
)


def compose_secrets() -> dict[str, str]:
    """Fresh values for every secret docker-compose asks for (its env file)."""
    return {
        **{name: make() for name, make in GENERATED.items()},
        **{name: secrets.token_urlsafe(24) for name in COMPOSE_ONLY},
    }


def read_secrets(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def _write(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.writelines(f"{name}={value}\n" for name, value in values.items())
    os.replace(path.with_suffix(".tmp"), path)


def ensure_secrets(settings: Settings) -> list[str]:
    """Generate the secrets the file lacks; the names generated (none on a rerun)."""
    path = secrets_file(settings.stack_dir)
    values = read_secrets(path)
    missing = [name for name in GENERATED if not values.get(name)]
    if missing:
        _write(path, values | {name: GENERATED[name]() for name in missing})
    return missing


def rotate_jwt_key(settings: Settings) -> str:
    """A new signing key; the old one's public key joins the retired keys, so tokens it
    signed stay valid until they expire. Returns the retired key's public key."""
    path = secrets_file(settings.stack_dir)
    values = read_secrets(path)
    old = values.get("SHOP_JWT_SIGNING_KEY")
    if not old:
        raise RuntimeError(f"no SHOP_JWT_SIGNING_KEY in {path}: run `shopctl up` first")
    retired = [key for key in values.get("SHOP_JWT_RETIRED_KEYS", "").split(",") if key]
    public = public_key_text(old)
    values["SHOP_JWT_RETIRED_KEYS"] = ",".join([*retired, public])
    values["SHOP_JWT_SIGNING_KEY"] = new_signing_key()
    _write(path, values)
    return public

"""``python -m ops.payment_gateway``: serves the gateway on the port of settings.gateway_url."""

from urllib.parse import urlsplit

import uvicorn

from config import get_settings
from config.logs import logging_config
from ops.payment_gateway.app import create_gateway_app


def main() -> None:
    settings = get_settings()
    address = urlsplit(settings.gateway_url)
    uvicorn.run(
        create_gateway_app(settings),
        host=address.hostname or "127.0.0.1",
        port=address.port or 80,
        log_config=logging_config("gateway", "WARNING"),
    )


if __name__ == "__main__":
    main()

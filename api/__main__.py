"""``python -m api``: the storefront under uvicorn, as ``make up`` and docker-compose run it.

The secrets are checked before any worker starts, so a missing or weak one stops the process
at once with one clear line (exit 2) instead of workers crashing in a loop.
Forwarded headers (``X-Forwarded-For``, ``-Proto``) are honoured only from the proxies named
in ``SHOP_TRUSTED_PROXIES``; with none named, the socket peer is the client, whatever a
request claims.
"""

import logging.config
import sys

import uvicorn

from api.app import SecretMissing, check_secrets
from api.processes import Processes
from config import get_settings
from config.logs import logging_config

KEEP_ALIVE_SECONDS = 75
"""Longer than any client keeps an idle connection (the edge's upstream pool 60 s, httpx 5 s):
with uvicorn's 5 s a client could send on a connection the server was just closing, and the
request failed with a dropped connection (seen in the 2,000-buyer flash sale)."""


def main() -> int:
    settings = get_settings()
    try:
        check_secrets(settings)
    except SecretMissing as exc:
        print(f"storefront refuses to start: {exc}", file=sys.stderr)
        return 2
    trusted = settings.trusted_proxies.strip()
    log_config = logging_config("api", settings.log_level)
    options = {
        "app": "api.app:create_app",
        "factory": True,
        "host": settings.api_host,
        "port": settings.api_port,
        "access_log": False,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "log_config": log_config,
    }
    if settings.api_workers == 1:
        uvicorn.run(**options)
        return 0
    logging.config.dictConfig(log_config)
    return Processes(options, settings.api_workers).run()


if __name__ == "__main__":
    sys.exit(main())

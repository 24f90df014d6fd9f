"""Run the ops dashboard on ``SHOP_DASHBOARD_HOST:SHOP_DASHBOARD_PORT`` (``shopctl up`` does)."""

import uvicorn

from config import get_settings
from config.logs import logging_config
from ops.dashboard.app import create_app

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.dashboard_host,
        port=settings.dashboard_port,
        access_log=False,
        log_config=logging_config("dashboard", settings.log_level),
    )

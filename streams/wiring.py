"""What this worker's agents work with: the handlers' ``Services``.

Opened from the engines (``services.bootstrap``) when an agent first needs them, closed when
the worker shuts down. Tests run the very same agents on fakes by calling ``use``.
"""

from contextlib import AsyncExitStack

from services.bootstrap import open_services
from services.context import Services
from streams.app import app, settings

WORKER_POOL_SIZE = 8

_opened = AsyncExitStack()
_services: Services | None = None


async def services() -> Services:
    global _services
    if _services is None:
        _services = await _opened.enter_async_context(
            open_services(settings, pool_size=WORKER_POOL_SIZE)
        )
    return _services


def use(replacement: Services | None) -> None:
    """Run the agents on ``replacement`` (fakes); None: back to the engines on next use."""
    global _services
    _services = replacement


@app.on_before_shutdown.connect
async def close_services(sender: object, **_: object) -> None:
    global _services
    await _opened.aclose()
    _services = None

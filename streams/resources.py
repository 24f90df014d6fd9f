"""Engine connections shared by every agent of one worker process."""

from contextlib import AsyncExitStack

from adapters.connections import Clients, open_clients
from schemas.settings import get_settings

_stack = AsyncExitStack()
_clients: Clients | None = None


async def resources() -> Clients:
    """Open the connections on first use; they live as long as the worker."""
    global _clients
    if _clients is None:
        _clients = await _stack.enter_async_context(open_clients(get_settings(), pool_size=8))
    return _clients


async def close_resources() -> None:
    global _clients
    await _stack.aclose()
    _clients = None

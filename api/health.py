"""``/healthz``: the process is alive (always 200) and says which dependency is degraded.

Each dependency gets one cheap request with a short deadline, all at once, so a probe never
waits long for a hung engine. ``status`` is ``ok`` or ``degraded``; orchestrators restart on
liveness, operators read which dependency is down.
"""

import asyncio
from collections.abc import Awaitable

from adapters.connections import Clients

PROBE_SECONDS = 1.0


async def _answers(probe: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(probe, PROBE_SECONDS)
    except Exception:
        return "down"
    return "ok"


async def _postgres(clients: Clients) -> None:
    async with clients.pg.connection(timeout=PROBE_SECONDS) as conn:
        await conn.execute("SELECT 1")


async def dependency_health(clients: Clients) -> dict:
    names = ("postgres", "redis", "mongo", "elasticsearch")
    probes = (
        _postgres(clients),
        clients.redis.ping(),
        clients.mongo.command("ping"),
        clients.es.cluster.health(),  # GET / needs a module the local build lacks
    )
    states = await asyncio.gather(*(_answers(probe) for probe in probes))
    dependencies = dict(zip(names, states, strict=True))
    degraded = any(state != "ok" for state in states)
    return {"status": "degraded" if degraded else "ok", "dependencies": dependencies}

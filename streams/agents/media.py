"""Media: the variants of newly uploaded product images, and the lifecycle job.

The agent follows catalog changes: a product listing a picture still ``processing`` gets its
variants made and their CDN URLs written back (a new product version, which search and the
product cache follow). Replays and redeliveries find the pictures ready and do nothing.
The lifecycle job, on the leader only, deletes the files of images no live product lists.
"""

import logging
from datetime import timedelta
from functools import partial

from services.media import collect_unused_images, make_pending_variants
from streams.app import app, settings, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import PRODUCTS
from streams.topology import AgentSpec, Timer, mongo
from streams.wiring import services

log = logging.getLogger(__name__)

OBJECTS = "s3:<media_bucket>"

AGENTS = (
    AgentSpec("image_variants", PRODUCTS, sinks=(OBJECTS, mongo("products"))),
    AgentSpec(
        "media_lifecycle",
        Timer("media_lifecycle_interval_seconds"),
        sinks=(OBJECTS,),
        reads=(mongo("products"),),
    ),
)


@app.agent(topic(PRODUCTS))
async def image_variants(records):
    async for key, value in records.items():
        if (change := typed(PRODUCTS, key, value)) is not None:
            handle = partial(make_pending_variants, await services(), change)
            await retry_forever(handle, f"making the image variants of {change}")


@app.timer(interval=settings.media_lifecycle_interval_seconds, on_leader=True)
async def media_lifecycle() -> None:
    grace = timedelta(seconds=settings.media_lifecycle_grace_seconds)
    try:
        await collect_unused_images(await services(), grace)
    except Exception:
        # A raising timer would stop for good; the next tick retries instead.
        log.exception("media lifecycle sweep failed")

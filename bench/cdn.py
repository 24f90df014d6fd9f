"""Images per second through the CDN (the TLS edge's cache), beside the object store serving
the same variants itself, at the same concurrency in one run.

The variants are the seeded catalog's placeholder thumbnails and large pictures (`make seed`
first). The floor is a plain GET of the same objects from the object store (no TLS, no cache);
the CDN answers over HTTPS from its cache after one warming pass (every answer must say HIT).

    python -m bench.cdn --requests 5000 --in-flight 16
"""

import argparse
import asyncio
import random
import ssl

import httpx

from adapters.object_store import ObjectStore
from bench.lanes import timed_lanes
from config import get_settings
from domain.media import VARIANTS
from harness.flash_sale import p99


async def run(args: argparse.Namespace) -> None:
    settings = get_settings()
    store = ObjectStore(settings)
    keys = [o.key for o in store.objects() if o.key.startswith(VARIANTS)]
    if not keys:
        raise SystemExit("no image variants in the media bucket: run `make seed` first")
    rng = random.Random(args.random_seed)
    picked = [rng.choice(keys) for _ in range(args.requests)]
    ca = ssl.create_default_context(cafile=settings.stack_dir / "tls" / "ca.pem")
    limits = httpx.Limits(max_connections=args.in_flight, max_keepalive_connections=args.in_flight)
    async with (
        httpx.AsyncClient(base_url=settings.objectstore_url, limits=limits) as direct,
        httpx.AsyncClient(verify=ca, limits=limits) as browser,
    ):
        cdn_base = settings.media_base_url.rstrip("/")

        async def from_store(key: str) -> None:
            (await direct.get(f"/{settings.media_bucket}/{key}")).raise_for_status()

        async def through_cdn(key: str) -> None:
            answer = await browser.get(f"{cdn_base}/{key.removeprefix(VARIANTS)}")
            answer.raise_for_status()
            if answer.headers.get("x-cache-status") != "HIT":
                raise AssertionError(f"{key}: {answer.headers.get('x-cache-status')}")

        for key in set(picked):  # warm the cache: one MISS each
            await browser.get(f"{cdn_base}/{key.removeprefix(VARIANTS)}")
        print(
            f"image variants, {args.requests} GETs of {len(set(picked))} objects,"
            f" {args.in_flight} in flight"
        )
        for name, read in (("object store (floor)", from_store), ("CDN, cache hits", through_cdn)):
            wall, timings = await timed_lanes(read, picked, args.in_flight)
            print(f"  {name:<24} {len(picked) / wall:8,.0f}/s  p99 {p99(timings) * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--random-seed", type=int, default=7)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

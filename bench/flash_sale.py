"""A flash sale through the running storefront beside the Redis floor it stands on.

N signed-in buyers (default 2,000, from 250 loopback addresses) race for U units (default
100) of one product through HTTP, each checkout with an Idempotency-Key. Before the sale,
the floor: the checkout gate's read-only look (the one Redis call a refused buyer needs),
called from this one Python process with 64 in flight. Prints refusals per second and their
p99, accepted checkouts' p99, and the floor beside them; then every refused buyer retries,
64 at a time, the product sold out: the refusal path alone under a steady load. Uses its
own product and accounts.

    python -m bench.flash_sale --buyers 2000 --units 100
"""

import argparse
import asyncio

import httpx

from adapters.connections import open_clients
from adapters.stock_cache import CheckoutGate
from bench.lanes import timed_lanes
from config import get_settings
from harness.factories import create_shoppers
from harness.flash_sale import (
    KEEP_IDLE,
    flash_product_id,
    latency,
    list_and_stock,
    p99,
    retry_refused,
    run_sale,
)

FLOOR_CALLS = 20_000
FLOOR_IN_FLIGHT = 64


async def gate_floor(gate: CheckoutGate, product_id: str) -> tuple[float, float]:
    """(calls/s, p99 seconds) of the gate's look for one unit, from this process."""
    wall, timings = await timed_lanes(
        lambda _: gate.first_short({product_id: 1}), range(FLOOR_CALLS), FLOOR_IN_FLIGHT
    )
    return FLOOR_CALLS / wall, p99(timings)


async def run(args: argparse.Namespace) -> None:
    settings = get_settings()
    base_url = args.base_url or f"http://{settings.api_host}:{settings.api_port}"
    async with (
        open_clients(settings, pool_size=4) as clients,
        httpx.AsyncClient(base_url=base_url, timeout=30, limits=KEEP_IDLE) as operator,
    ):
        admin, *_ = await create_shoppers(clients, 1, role="admin")
        buyers = await create_shoppers(clients, args.buyers)
        product_id = flash_product_id()
        await list_and_stock(operator, admin, product_id, args.units)
        try:
            floor_rate, floor_p99 = await gate_floor(CheckoutGate(clients.redis), product_id)
            sale = await run_sale(base_url, buyers, product_id, args.addresses)
            refused = [b for b, a in zip(buyers, sale.answers, strict=True) if a.status == 409]
            retries = await retry_refused(
                base_url, refused, product_id, args.addresses, args.retry_in_flight
            )
        finally:
            await operator.delete(f"/v1/admin/products/{product_id}", headers=admin.headers)
    refusals, wins = sale.seconds_of(409), sale.seconds_of(201)
    others = sorted({a.status for a in sale.answers} - {201, 409})
    print(f"flash sale: {args.buyers} buyers, {args.units} units, {sale.wall_seconds:.2f} s wall")
    print(
        f"  Redis floor (gate look, 1 process, {FLOOR_IN_FLIGHT} in flight):"
        f" {floor_rate:,.0f} calls/s, p99 {floor_p99 * 1000:.1f} ms"
    )
    print(
        f"  refusals (409): {len(refusals)}, {len(refusals) / sale.wall_seconds:,.0f}/s"
        f" ({len(refusals) / sale.wall_seconds / floor_rate:.0%} of the floor), {latency(refusals)}"
    )
    print(f"  accepted (201): {len(wins)}, {latency(wins)}")
    if others:
        print(f"  other statuses: {others}")
    again = retries.seconds_of(409)
    print(
        f"  the refused retry, {args.retry_in_flight} in flight: {len(again)} refusals,"
        f" {len(again) / retries.wall_seconds:,.0f}/s, {latency(again)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--addresses", type=int, default=250, help="loopback client addresses")
    parser.add_argument("--base-url", help="the storefront (default: SHOP_API_HOST/PORT)")
    parser.add_argument(
        "--retry-in-flight", type=int, default=64, help="refused buyers retrying at a time"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

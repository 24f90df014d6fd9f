"""Constant-rate runs of the storefront's hot routes with a native load generator (vegeta),
beside the app's own floor measured in the same run, with the CPU each stack process used.

Routes: ``floor`` (a 404 through the whole middleware stack: what any request costs),
``product`` (a cached product page), ``refusal`` (checkout of a sold-out product: what a flash
sale's losers cost) and ``checkout`` (a successful checkout: a distinct buyer and cart line per
request). Requests go to the API port from 127.0.0.2, the address ``make up`` trusts as its
proxy, each buyer's with an ``X-Forwarded-For`` of its own, so the per-address limiter sees
many clients. Open loop: vegeta sends at the rate asked whatever the answers take.

    python -m bench.rates --routes floor,refusal --rates 250,500,1000,2000 --seconds 8
"""

import argparse
import asyncio
import base64
import json
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from adapters.connections import Clients, open_clients
from config import Settings, get_settings
from harness.factories import Shopper, create_product, create_shoppers, put_in_carts
from ops.stack.vegeta import ensure_vegeta

PROXY_ADDRESS = "127.0.0.2"
PRICE = Decimal("25.00")
STACK_PROCESSES = (
    "api",
    "postgres",
    "redis",
    "ferretdb",
    "streams-orders",
    "streams-catalog",
    "connect",
    "kafka",
    "elasticsearch",
)


def forwarded_for(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"


def target(settings: Settings, method: str, path: str, headers: dict, body: dict | None) -> str:
    """One line of vegeta's JSON target format."""
    line = {
        "method": method,
        "url": f"http://{settings.api_host}:{settings.api_port}{path}",
        "header": {name: [value] for name, value in headers.items()},
    }
    if body is not None:
        line["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    return json.dumps(line)


def checkout_body(buyer: Shopper, product_id: str) -> dict:
    return {
        "cartId": str(buyer.cart_id),
        "products": [{"productId": product_id, "quantity": 1, "price": float(PRICE)}],
    }


def buyer_headers(buyer: Shopper, i: int, key: str) -> dict:
    return {
        **buyer.headers,
        "Content-Type": "application/json",
        "X-Forwarded-For": forwarded_for(i),
        "Idempotency-Key": key,
    }


async def targets_for(route: str, clients: Clients, count: int) -> list[str]:
    """``count`` requests of ``route`` (each buyer once: a checkout empties its cart line)."""
    settings = clients.settings
    if route == "floor":
        return [
            target(
                settings, "GET", "/v1/no-such-route", {"X-Forwarded-For": forwarded_for(i)}, None
            )
            for i in range(count)
        ]
    if route == "product":
        product = await create_product(clients, price=PRICE, stock=1000, cached_stock=1000)
        return [
            target(
                settings,
                "GET",
                f"/v1/products/{product}",
                {"X-Forwarded-For": forwarded_for(i)},
                None,
            )
            for i in range(count)
        ]
    buyers = await create_shoppers(clients, count)
    stock = 0 if route == "refusal" else count
    product = await create_product(clients, price=PRICE, stock=stock, cached_stock=stock)
    await put_in_carts(clients, buyers, product, 1)
    return [
        target(
            settings,
            "POST",
            "/v1/checkout",
            buyer_headers(buyer, i, f"bench-{buyer.user_id}"),
            checkout_body(buyer, product),
        )
        for i, buyer in enumerate(buyers)
    ]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its descendants (uvicorn's workers, postgres'
    backends), in seconds."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / 100
    return total


def descendants(pid: int) -> Iterator[int]:
    for child in children_of(pid):
        yield child
        yield from descendants(child)


def stack_pids(settings: Settings) -> dict[str, int]:
    pids = {}
    for name in STACK_PROCESSES:
        path = (
            settings.stack_dir
            / name
            / ("data/postmaster.pid" if name == "postgres" else f"{name}.pid")
        )
        if path.exists():
            pids[name] = int(path.read_text().split()[0])
    return pids


@dataclass(frozen=True)
class Run:
    route: str
    rate: int
    answered_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    cpu: dict[str, float]

    def line(self) -> str:
        statuses = " ".join(f"{code}x{n}" for code, n in sorted(self.statuses.items()))
        cpu = " ".join(
            f"{name} {seconds:.1f}" for name, seconds in self.cpu.items() if seconds >= 0.05
        )
        return (
            f"  {self.route:9} {self.rate:>5}/s asked {self.answered_per_s:>7.0f}/s answered"
            f"  p50 {self.p50_ms:>7.1f} ms  p99 {self.p99_ms:>8.1f} ms  max {self.max_ms:>8.1f} ms"
            f"  [{statuses}]  cpu s: {cpu}"
        )


def attack(vegeta: Path, targets: Path, rate: int, seconds: float, pids: dict[str, int]) -> dict:
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    attacked = subprocess.run(
        [
            str(vegeta),
            "attack",
            "-format=json",
            f"-targets={targets}",
            f"-rate={rate}/1s",
            f"-duration={seconds}s",
            f"-laddr={PROXY_ADDRESS}",
            "-timeout=30s",
            "-max-workers=4000",
        ],
        capture_output=True,
        check=True,
    )
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    report = subprocess.run(
        [str(vegeta), "report", "-type=json"],
        input=attacked.stdout,
        capture_output=True,
        check=True,
    )
    metrics = json.loads(report.stdout)
    metrics["cpu"] = {name: after[name] - before[name] for name in pids}
    return metrics


def run_of(route: str, rate: int, metrics: dict) -> Run:
    latencies = metrics["latencies"]
    return Run(
        route,
        rate,
        metrics["requests"] / ((metrics["duration"] + metrics["wait"]) / 1e9),
        latencies["50th"] / 1e6,
        latencies["99th"] / 1e6,
        latencies["max"] / 1e6,
        metrics["status_codes"],
        metrics["cpu"],
    )


async def prepare(
    routes: Sequence[str], rates: Sequence[int], seconds: float, folder: Path
) -> dict[str, list[Path]]:
    """Per route, one targets file per rate, each with a request per second asked."""
    files: dict[str, list[Path]] = {}
    async with open_clients(get_settings(), pool_size=4) as clients:
        for route in routes:
            files[route] = []
            for rate in rates:
                lines = await targets_for(route, clients, int(rate * seconds) + rate)
                path = folder / f"{route}-{rate}.json"
                path.write_text("\n".join(lines) + "\n")
                files[route].append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", default="floor,product,refusal,checkout")
    parser.add_argument("--rates", default="250,500,1000,2000")
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    routes = args.routes.split(",")
    rates = [int(r) for r in args.rates.split(",")]
    settings = get_settings()
    vegeta = ensure_vegeta(settings.stack_dir)
    pids = stack_pids(settings)
    with tempfile.TemporaryDirectory() as tmp:
        files = asyncio.run(prepare(routes, rates, args.seconds, Path(tmp)))
        print(f"vegeta {vegeta.name}, {args.seconds:g} s per rate, from {PROXY_ADDRESS}")
        for route in routes:
            for rate, path in zip(rates, files[route], strict=True):
                print(
                    run_of(route, rate, attack(vegeta, path, rate, args.seconds, pids)).line(),
                    flush=True,
                )
                time.sleep(2)  # let the queues drain between rates


if __name__ == "__main__":
    main()

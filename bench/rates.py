"""Constant-rate runs of the storefront's hot routes with a native load generator (vegeta),
beside the app's own floor measured in the same run, with the CPU each stack process used.

Routes: ``floor`` (a 404 through the whole middleware stack: what any request costs),
``product`` (a cached product page), ``refusal`` (checkout of a sold-out product: what a flash
sale's losers cost), ``checkout`` (a successful checkout: a distinct buyer and cart line per
request) and ``flash`` (2,000 buyers for 100 units, all sent within half a second,
whatever rates are asked; Postgres' count of the product follows the line). Requests go to
the API port from 127.0.0.2, the address ``make up`` trusts as its proxy, each buyer's with an
``X-Forwarded-For`` of its own, so the per-address limiter sees many clients. Open loop:
vegeta sends at the rate asked whatever the answers take. Each line gives the latencies of every
answer and of each status apart (a 503 shed at once is not hidden by the 409s), and the CPU of
each stack process, of each API process and of vegeta itself (which shares the machine's cores).

    python -m bench.rates --routes floor,refusal --rates 250,500,1000,2000 --seconds 8
"""

import argparse
import asyncio
import base64
import json
import resource
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from adapters import inventory_store
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
class Result:
    """One answer as vegeta saw it (status 0: no answer, the connection failed or timed out)."""

    sent_ns: int
    status: int
    latency_ns: int


def parse_results(csv_text: str) -> list[Result]:
    """``vegeta encode --to csv`` lines: timestamp, status and latency lead each line."""
    results = []
    for line in csv_text.splitlines():
        sent, status, latency = line.split(",", 3)[:3]
        results.append(Result(int(sent), int(status), int(latency)))
    return results


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass(frozen=True)
class Run:
    route: str
    rate: int
    results: list[Result]
    cpu: dict[str, float]

    def answered_per_s(self) -> float:
        """Answers over the time from the first request sent to the last answer."""
        start = min(r.sent_ns for r in self.results)
        end = max(r.sent_ns + r.latency_ns for r in self.results)
        return len(self.results) / max(1e-9, (end - start) / 1e9)

    def latencies_ms(self, status: int | None = None) -> list[float]:
        return [r.latency_ns / 1e6 for r in self.results if status is None or r.status == status]

    def line(self) -> str:
        every = self.latencies_ms()
        statuses = sorted({r.status for r in self.results})
        by_status = "  ".join(
            f"{status}x{len(ms)} p50 {percentile(ms, 0.5):.1f} p99 {percentile(ms, 0.99):.1f}"
            for status in statuses
            for ms in [self.latencies_ms(status)]
        )
        cpu = " ".join(
            f"{name} {seconds:.1f}" for name, seconds in self.cpu.items() if seconds >= 0.05
        )
        return (
            f"  {self.route:9} {self.rate:>5}/s asked {self.answered_per_s():>7.0f}/s answered"
            f"  p50 {percentile(every, 0.5):>7.1f} ms  p99 {percentile(every, 0.99):>8.1f} ms"
            f"  max {max(every):>8.1f} ms  [{by_status}]  cpu s: {cpu}"
        )


def with_api_processes(pids: dict[str, int]) -> dict[str, int]:
    """The stack's processes plus each API server process on its own, to show the balance."""
    servers = [
        child
        for child in children_of(pids["api"])
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]
    return pids | {f"api[{i}]": pid for i, pid in enumerate(sorted(servers), 1)}


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def attack(
    vegeta: Path, targets: Path, rate: int, seconds: float, pids: dict[str, int]
) -> tuple[list[Result], dict[str, float]]:
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    before_vegeta = children_cpu_seconds()
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
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu["vegeta"] = children_cpu_seconds() - before_vegeta
    encoded = subprocess.run(
        [str(vegeta), "encode", "--to", "csv"],
        input=attacked.stdout,
        capture_output=True,
        check=True,
    )
    return parse_results(encoded.stdout.decode()), cpu


def wait_until_idle(api_pid: int, deadline_seconds: float = 60) -> None:
    """Polls until the API processes use under a fifth of a core (the last rate's queues
    drained), so one rate's backlog is not measured as the next one's."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(api_pid)
        time.sleep(0.5)
        if cpu_seconds(api_pid) - before < 0.1:
            return


FLASH_BUYERS = 2000
FLASH_UNITS = 100
FLASH_RATE = 4000  # 2,000 requests in half a second


@dataclass(frozen=True)
class Planned:
    route: str
    rate: int
    seconds: float
    targets: Path  # a request per send
    product_id: str | None = None  # the flash sale's, counted afterwards


async def prepare(
    routes: Sequence[str], rates: Sequence[int], seconds: float, folder: Path
) -> list[Planned]:
    planned = []
    async with open_clients(get_settings(), pool_size=4) as clients:
        for route in routes:
            if route == "flash":
                product_id, lines = await flash_targets(clients)
                path = folder / "flash.json"
                path.write_text("\n".join(lines) + "\n")
                planned.append(
                    Planned(route, FLASH_RATE, FLASH_BUYERS / FLASH_RATE, path, product_id)
                )
                continue
            for rate in rates:
                lines = await targets_for(route, clients, int(rate * seconds) + rate)
                path = folder / f"{route}-{rate}.json"
                path.write_text("\n".join(lines) + "\n")
                planned.append(Planned(route, rate, seconds, path))
    return planned


async def units_of(product_id: str) -> str:
    async with (
        open_clients(get_settings(), pool_size=1) as clients,
        clients.pg.connection() as conn,
    ):
        [level] = await inventory_store.levels(conn, product_ids=[product_id])
    return f"    postgres: available {level.available}, reserved {level.reserved}"


async def flash_targets(clients: Clients) -> tuple[str, list[str]]:
    buyers = await create_shoppers(clients, FLASH_BUYERS)
    product = await create_product(
        clients, price=PRICE, stock=FLASH_UNITS, cached_stock=FLASH_UNITS
    )
    await put_in_carts(clients, buyers, product, 1)
    return product, [
        target(
            clients.settings,
            "POST",
            "/v1/checkout",
            buyer_headers(buyer, i, f"flash-{buyer.user_id}"),
            checkout_body(buyer, product),
        )
        for i, buyer in enumerate(buyers)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", default="floor,product,refusal,checkout,flash")
    parser.add_argument("--rates", default="250,500,1000,2000")
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    routes = args.routes.split(",")
    rates = [int(r) for r in args.rates.split(",")]
    settings = get_settings()
    vegeta = ensure_vegeta(settings.stack_dir)
    pids = with_api_processes(stack_pids(settings))
    with tempfile.TemporaryDirectory() as tmp:
        planned = asyncio.run(prepare(routes, rates, args.seconds, Path(tmp)))
        print(f"vegeta {vegeta.name}, {args.seconds:g} s per rate, from {PROXY_ADDRESS}")
        for run in planned:
            wait_until_idle(pids["api"])
            results, cpu = attack(vegeta, run.targets, run.rate, run.seconds, pids)
            print(Run(run.route, run.rate, results, cpu).line(), flush=True)
            if run.product_id is not None:
                print(asyncio.run(units_of(run.product_id)), flush=True)


if __name__ == "__main__":
    main()

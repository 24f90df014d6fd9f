"""``shopctl``: one entry point for operating the local shopstream stack."""

import asyncio
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass
from email.message import Message
from pathlib import Path
from typing import Annotated

import typer
from elasticsearch import Elasticsearch
from rich.console import Console
from rich.progress import Progress

from adapters.connections import open_clients
from adapters.search_index import SCHEMA, serving_schema
from adapters.tokens import new_signing_key
from config import Profile, Settings, get_settings
from domain.accounts import AdminStep
from domain.errors import Refusal
from ops import audit as stock_audit
from ops import mailsink, setup_steps
from ops.cli_errors import one_line
from ops.clock import now_ms
from ops.demo.placeholders import sample_photo
from ops.demo.seed import seed_catalog
from ops.lag import LagProbe, over_threshold
from ops.money_audit import MoneyReport, audit_money, repair_money
from ops.polling import NotReached, wait_until
from ops.replay import ReplayRefused, ReplayResult, Target
from ops.replay import replay as rebuild
from ops.secrets import compose_secrets, ensure_secrets, rotate_jwt_key
from ops.stack import profile, stack
from ops.stack.process import EngineError
from ops.stock_repair import Repair
from ops.stock_repair import repair as repair_copies
from ops.trace import OrderUnknown
from ops.trace import trace as trace_order
from ops.views import (
    audit_table,
    lag_table,
    money_summary,
    money_table,
    refund_table,
    repair_table,
    status_table,
    stock_summary,
    trace_table,
)
from services import accounts
from services.bootstrap import open_services

app = typer.Typer(help="Operate the shopstream stack.", no_args_is_help=True)
console = Console(width=max(Console().width, 160))
errors = Console(stderr=True, soft_wrap=True)
"""Progress and failures: stdout keeps to results (one line each, or JSON)."""

JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON (progress on stderr)")


@contextmanager
def results_only(as_json: bool) -> Iterator[None]:
    """With --json, whatever the work prints (provisioning, progress) goes to stderr, so
    stdout holds the JSON result alone."""
    if not as_json:
        yield
        return
    with redirect_stdout(sys.stderr):
        yield


def main() -> None:
    """The ``shopctl`` entry point: an operator's failure (an engine down, a refused replay,
    a missing tool) is one line and exit 1; a bug keeps its traceback."""
    try:
        app()
    except Exception as exc:
        line = one_line(exc)
        if line is None:
            raise
        errors.print(line, style="red", markup=False, highlight=False)
        sys.exit(1)


@app.command()
def up(
    cluster: bool | None = typer.Option(
        None,
        "--cluster/--single",
        help="Run three Kafka brokers and two workers per role, or one of each; recorded in"
        " the stack for every later command (default: the profile recorded, else single)",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Provision (first run only) and start every engine, apply migrations, prepare the
    catalog, register the CDC connectors (restarting one that failed), then start the
    storefront API and the stream workers. Every process but Postgres runs under a supervisor
    that restarts it when it dies."""
    settings = get_settings()
    try:
        with results_only(as_json):
            if cluster is not None:
                settings = profile.switch(settings, Profile.CLUSTER if cluster else Profile.SINGLE)
            if generated := ensure_secrets(settings):
                console.print(f"secrets generated into the stack directory: {', '.join(generated)}")
                get_settings.cache_clear()
                settings = get_settings()
            stack.up(settings)
            for step in setup_steps.STEPS:
                _print_outcomes(step, setup_steps.run_step(step, settings, _say), as_json=False)
            stack.start(stack.services(settings))
            _roll_out_search_schema(settings)
    except (EngineError, setup_steps.SetupFailed, RuntimeError) as exc:
        errors.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if not _print_status(as_json):
        raise typer.Exit(1)


def _say(message: str) -> None:
    errors.print(message, markup=False, highlight=False)


def _print_outcomes(
    step: setup_steps.SetupStep, outcomes: list[setup_steps.Outcome], as_json: bool
) -> None:
    if as_json:
        print(json.dumps(setup_steps.as_json(step, outcomes)))
    else:
        for line in setup_steps.lines(step, outcomes):
            print(line)


def _setup_command(step: setup_steps.SetupStep) -> Callable[[bool], None]:
    """``shopctl <step>``: the step ``up`` runs, alone; exit 1 with one line on failure."""

    def command(
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON"),
    ) -> None:
        try:
            outcomes = setup_steps.run_step(step, get_settings(), _say)
        except setup_steps.SetupFailed as failed:
            errors.print(f"error: {failed}", style="red", markup=False, highlight=False)
            raise typer.Exit(1) from None
        _print_outcomes(step, outcomes, as_json)

    return command


for _step in setup_steps.STEPS:
    app.command(_step.command, help=_step.help)(_setup_command(_step))


def _roll_out_search_schema(settings: Settings) -> None:
    """An index built by older code (another mapping or analysis) is rebuilt from the
    catalog log and swapped in; searches keep being answered by the old one meanwhile."""
    with Elasticsearch(settings.elasticsearch_url) as es:
        built_under = serving_schema(es, settings.search_alias)
    if built_under in (None, SCHEMA):
        return
    console.print(f"search index built under schema {built_under}, this code: {SCHEMA}; rebuilding")
    try:
        result = asyncio.run(_replay(Target.SEARCH, None, "", "", False, lambda *_: None))
    except ReplayRefused as refused:
        console.print(
            f"[yellow]search index not rebuilt: {refused}; search keeps the old index until"
            " `shopctl replay --target search --allow-shrink`[/yellow]"
        )
        return
    console.print(f"search index rebuilt: {result.index}, {result.products} products")


@app.command()
def down(as_json: bool = JSON_OPTION) -> None:
    """Stop every engine (data stays under the stack directory)."""
    settings = get_settings()
    with results_only(as_json):
        stack.down(settings)
    if as_json:
        print(json.dumps({"running": [r.name for r in stack.status(settings) if r.pid]}))


@app.command()
def reset(
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation"),
    as_json: bool = typer.Option(False, "--json", help="Print the paths deleted as JSON"),
) -> None:
    """Stop the stack and delete its data: Postgres (with FerretDB's documents), Kafka,
    Elasticsearch, Redis, the workers' files and the caught mail. Downloads, built engines,
    secrets, TLS certificates and logs stay, so the next `up` is warm and starts empty."""
    if as_json and not yes:  # a question would corrupt the JSON
        typer.echo("reset --json needs --yes", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    if not yes:
        doomed = [str(path) for path in stack.data_paths(settings)] or ["(no data yet)"]
        console.print("\n  ".join(["This stops the stack and deletes:", *doomed]))
        typer.confirm("Go ahead?", abort=True)
    try:
        deleted = stack.reset(settings)
    except (EngineError, RuntimeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if as_json:
        print(json.dumps({"deleted": [str(path) for path in deleted]}))
    else:
        console.print(f"deleted {len(deleted)} data paths; `make up` starts an empty stack")


@app.command()
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Each engine's and service's health, supervisor (state, restarts, last exit), endpoint,
    pid and memory; exit 1 if any is unhealthy."""
    if not _print_status(as_json):
        raise typer.Exit(1)


@app.command()
def seed(
    count: int = typer.Option(10_000, help="How many products to generate"),
    random_seed: int = typer.Option(42, help="The same random seed gives the same catalog"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Load a deterministic demo catalog into Mongo, Postgres inventory and Elasticsearch.

    Only adds what is missing, so it is safe on a live system.
    """
    say = errors.print if as_json else console.print
    result = seed_catalog(get_settings(), count=count, random_seed=random_seed, report=say)
    if as_json:
        print(json.dumps(asdict(result)))
    else:
        console.print(result)


@app.command()
def lag(
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Only these groups (repeatable)"),
    ] = None,
    max_lag: int = typer.Option(
        None, help="Exit 1 when any partition lags more (default: SHOP_LAG_ALERT_RECORDS)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """Consumer lag per group, topic and partition: committed offset, end offset, lag and the
    time since the group's last commit. Exit 1 above the threshold, or when a requested group
    has no committed offsets (a health check)."""
    settings = get_settings()
    threshold = settings.lag_alert_records if max_lag is None else max_lag
    probe = LagProbe(settings, group)
    try:
        rows = probe.measure()
    finally:
        probe.close()
    now = now_ms()
    over = over_threshold(rows, threshold)
    unknown = sorted(set(group or ()) - {row.group for row in rows})  # never committed
    if as_json:
        partitions = [r.as_json(now) for r in rows]
        print(json.dumps({"max_lag": threshold, "partitions": partitions, "unknown": unknown}))
    else:
        console.print(lag_table(rows, threshold, now))
        console.print(f"{len(over)} of {len(rows)} partitions lag more than {threshold} records")
        if unknown:
            console.print(f"[red]no committed offsets for {', '.join(unknown)}[/red]")
    if over or unknown:
        raise typer.Exit(1)


@app.command()
def audit(
    alias: str = typer.Option(None, help="Search alias to check (default: SHOP_SEARCH_ALIAS)"),
    key_prefix: str = typer.Option("", help="Prefix of the Redis stock keys to check"),
    products: str = typer.Option(
        "", help="Only products whose id starts with this (and, for money, their orders)"
    ),
    grace: float = typer.Option(3.0, help="Seconds before re-reading what looks wrong"),
    limit: int = typer.Option(50, help="How many flagged products and payments to list"),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Set drifted copies to what Postgres holds and refund charges kept for orders"
        " that ended, then audit again",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables"),
) -> None:
    """Check stock conservation in Postgres and that Redis, Mongo and Elasticsearch agree
    with it, and that money is conserved (every charge on a fulfilled order or refunded, no
    order charged twice, every refund of a charge); print what is wrong (and, with --repair,
    what was fixed); exit 1 on any violation (after --repair: on any that remains)."""
    settings = get_settings()
    scope = stock_audit.Scope(alias or settings.search_alias, key_prefix, products)
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("auditing stock and money", total=len(stock_audit.READS) + 2)
        run = asyncio.run(_audit(scope, grace, repair, lambda _: progress.advance(task)))
    ok = run.stock.ok and run.money.ok
    if as_json:
        print(
            json.dumps(
                {
                    **run.stock.as_json(),
                    "ok": ok,
                    "repairs": [r.as_json() for r in run.repairs],
                    "money": run.money.as_json(),
                    "refunds": [{k: str(v) for k, v in r.items()} for r in run.refunds],
                }
            )
        )
    else:
        if run.repairs:
            console.print(repair_table(run.repairs))
            console.print(f"{len(run.repairs)} copies repaired")
        if run.refunds:
            console.print(refund_table(run.refunds))
            console.print(f"{len(run.refunds)} charges refunded")
        if run.repairs or run.refunds:
            console.print("audited again:")
        if not run.stock.ok:
            console.print(audit_table(run.stock, limit))
        console.print(stock_summary(run.stock))
        if not run.money.ok:
            console.print(money_table(run.money, limit))
        console.print(money_summary(run.money))
        console.print("[green]audit passed[/green]" if ok else "[red]audit failed[/red]")
    if not ok:
        raise typer.Exit(1)


@dataclass(frozen=True)
class AuditRun:
    """The reports (after a repair: of the audit that followed it) and what was repaired."""

    stock: stock_audit.AuditReport
    money: MoneyReport
    repairs: list[Repair]
    refunds: list[dict]


async def _audit(
    scope: stock_audit.Scope, grace: float, repair: bool, step: stock_audit.Step
) -> AuditRun:
    async with open_services(get_settings(), pool_size=4) as services:
        clients = services.engines
        stock = await stock_audit.audit(clients, scope, grace, step)
        money = await audit_money(clients, grace_seconds=grace, product_prefix=scope.product_prefix)
        step("money")
        repairs: list[Repair] = []
        refunded: list[dict] = []
        if repair and stock.drifts:
            repairs = await repair_copies(clients, scope, stock)
            stock = await stock_audit.audit(clients, scope, grace)
        if repair and any(f.refundable for f in money.findings):
            refunded = await repair_money(services, money)
            money = await audit_money(
                clients, grace_seconds=grace, product_prefix=scope.product_prefix
            )
        return AuditRun(stock, money, repairs, refunded)


@app.command("new-jwt-key")
def new_jwt_key(as_json: bool = JSON_OPTION) -> None:
    """Print a new random signing key (for SHOP_JWT_SIGNING_KEY outside the local stack)."""
    key = new_signing_key()
    print(json.dumps({"SHOP_JWT_SIGNING_KEY": key}) if as_json else key)


@app.command("compose-secrets")
def compose_secrets_command(as_json: bool = JSON_OPTION) -> None:
    """Print a fresh env file of every secret docker-compose needs:
    `shopctl compose-secrets > compose.env; docker compose --env-file compose.env up`."""
    secrets = compose_secrets()
    if as_json:
        print(json.dumps(secrets))
        return
    for name, value in secrets.items():
        print(f"{name}={value}")


@app.command("rotate-jwt-key")
def rotate_jwt_key_command(as_json: bool = JSON_OPTION) -> None:
    """Give the local stack a new signing key; tokens of the old one stay valid until they
    expire (its public key joins SHOP_JWT_RETIRED_KEYS). Restart the API to apply."""
    rotate_jwt_key(get_settings())
    if as_json:
        print(json.dumps({"rotated": True, "restart": "api"}))
    else:
        console.print("new signing key written to the stack's secrets.env; restart the API")


@app.command("create-admin")
def create_admin_command(
    email: str = typer.Option(..., help="Operator's email (login)"),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="Operator's password"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an operator account (admin role), or promote an account whose owner confirmed
    its address; either way with this password, ending every session the account had.
    Refuses (exit 1) an account whose address was never confirmed. Idempotent."""

    async def create() -> accounts.AdminOutcome:
        async with open_services(get_settings(), pool_size=1) as services:
            return await accounts.create_admin(services, email, password)

    try:
        done = asyncio.run(create())
    except Refusal as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        print(
            json.dumps(
                {
                    "user_id": str(done.user_id),
                    "email": email,
                    "did": done.step,
                    "sessions_ended": done.sessions_ended,
                }
            )
        )
        return
    said = {
        AdminStep.CREATE: f"created the admin account {email} ({done.user_id})",
        AdminStep.PROMOTE: f"promoted {email} ({done.user_id}) to admin and set its password",
        AdminStep.ALREADY_ADMIN: f"{email} ({done.user_id}) was an admin: its password is set",
    }[done.step]
    if done.step is not AdminStep.CREATE:
        said += f"; ended its {done.sessions_ended} live sessions (sign in again)"
    console.print(said)


@app.command("sample-picture")
def sample_picture(
    path: Annotated[Path, typer.Argument(help="Where to write the JPEG")] = Path("photo.jpg"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a freshly drawn JPEG to try the image upload with (a new picture each time)."""
    picture = sample_photo()
    path.write_bytes(picture)
    print(json.dumps({"path": str(path), "bytes": len(picture)}) if as_json else path)


@app.command()
def mail(
    to: str = typer.Option(..., "--to", help="Recipient whose newest mail to show"),
    subject: str = typer.Option("", help="Only mail whose subject starts with this"),
    token: bool = typer.Option(False, "--token", help="Print only the token its link carries"),
    wait: float = typer.Option(10.0, help="Seconds to wait for such a mail to arrive"),
    as_json: bool = JSON_OPTION,
) -> None:
    """The newest mail the local mail sink caught for an address (waiting for it), as its
    recipient reads it: `--token` prints the code of its confirmation or reset link."""
    directory = mailsink.mail_dir(get_settings())

    def newest() -> Message | None:
        found = [m for m in mailsink.messages_to(directory, to) if m["Subject"].startswith(subject)]
        return found[-1] if found else None

    try:
        message, _ = wait_until(newest, timeout=wait, what=f"mail to {to}")
    except NotReached:
        errors.print(f"no mail to {to}{f' about {subject!r}' if subject else ''} in {wait:g}s")
        raise typer.Exit(1) from None
    code = mailsink.token_in(message)
    if token:
        if code is None:
            errors.print(f"the newest mail to {to} ({message['Subject']!r}) carries no link")
            raise typer.Exit(1)
        print(code)
    elif as_json:
        body = {"subject": message["Subject"], "body": mailsink.body_of(message), "token": code}
        print(json.dumps(body))
    else:
        print(f"Subject: {message['Subject']}\n\n{mailsink.body_of(message)}")


@app.command()
def replay(
    target: Annotated[Target, typer.Option(help="What to rebuild from the Kafka log")],
    alias: str = typer.Option(None, help="Search alias to rebuild (default: SHOP_SEARCH_ALIAS)"),
    key_prefix: str = typer.Option("", help="Prefix of the Redis stock keys to write"),
    products: str = typer.Option(
        "", help="cache/product-qty: only products whose id starts with this"
    ),
    allow_shrink: bool = typer.Option(
        False, help="search: swap even if the new index holds fewer documents than the old"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """Rebuild the search index (new index, atomic alias swap), the Redis stock cache or the
    Mongo product quantities from topic offset 0. Idempotent; safe beside live traffic."""
    with Progress(console=console, disable=as_json) as progress:
        tasks = {
            phase: progress.add_task(f"{phase} {target}", total=None) for phase in ("read", "write")
        }

        def report(phase: str, done: int, total: int) -> None:
            progress.update(tasks[phase], completed=done, total=total)

        result = asyncio.run(_replay(target, alias, key_prefix, products, allow_shrink, report))
    if as_json:
        print(json.dumps(result.as_json()))
    else:
        console.print(
            f"{target}: {result.records} records of {result.topic} read, {result.products} products"
            f" written in {result.seconds:.1f}s ({result.records_per_second:.0f} records/s)"
            + (f"; {result.index} now serves the alias" if result.index else "")
        )


async def _replay(
    target: Target,
    alias: str | None,
    key_prefix: str,
    products: str,
    allow_shrink: bool,
    report: Callable[[str, int, int], None],
) -> ReplayResult:
    async with open_clients(get_settings(), pool_size=4) as clients:
        return await rebuild(
            clients,
            target,
            alias=alias,
            key_prefix=key_prefix,
            product_prefix=products,
            allow_shrink=allow_shrink,
            progress=report,
        )


@app.command()
def trace(
    order_id: Annotated[uuid.UUID, typer.Argument(help="The order's id")],
    log: Annotated[
        list[Path] | None,
        typer.Option(help="JSON log files to read (default: the local stack's service logs)"),
    ] = None,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    """One order's timeline across processes: the storefront requests, the rows committed,
    the CDC records, each stream agent's action and the mail, in time order."""
    settings = get_settings()
    logs = log or [service.log for service in stack.services(settings)]
    try:
        steps = trace_order(settings, str(order_id), logs)
    except OrderUnknown as exc:
        console.print(f"[red]no order {exc}[/red]")
        raise typer.Exit(1) from exc
    if as_json:
        print(json.dumps({"order_id": str(order_id), "steps": [s.as_json() for s in steps]}))
    else:
        console.print(trace_table(steps))


def _print_status(as_json: bool = False) -> bool:
    rows = stack.status(get_settings())
    healthy = all(r.healthy for r in rows)
    if as_json:
        print(json.dumps({"healthy": healthy, "components": [r.as_json() for r in rows]}))
        return healthy
    console.print(status_table(rows, now_ms()))
    console.print(f"total memory (PSS): {sum(r.memory_bytes for r in rows) / 2**30:.2f} GiB")
    return healthy


if __name__ == "__main__":
    main()

"""``shopctl``: one entry point for operating the local shopstream stack."""

import sys

import typer
from rich.console import Console
from rich.table import Table

from ops import connectors
from ops.admin import create_admin
from ops.migrate import apply_migrations
from ops.seed import seed_catalog
from ops.stack import stack
from ops.stack.process import EngineError
from schemas.settings import get_settings

app = typer.Typer(help="Operate the shopstream stack.", no_args_is_help=True)
console = Console(width=max(Console().width, 160))


@app.command()
def up() -> None:
    """Provision (first run only) and start every engine, apply migrations, register the
    CDC connectors, then start the storefront API and the stream workers."""
    settings = get_settings()
    try:
        stack.up(settings)
        applied = apply_migrations(settings)
        console.print(f"migrations applied: {', '.join(applied) or 'none pending'}")
        console.print(f"connector registered: {connectors.register(settings)}")
        stack.start(stack.services(settings))
    except (EngineError, RuntimeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if not _print_status():
        raise typer.Exit(1)


@app.command()
def down() -> None:
    """Stop every engine (data stays under the stack directory)."""
    stack.down(get_settings())


@app.command()
def status() -> None:
    """Each engine's health, endpoint, pid and memory; exit 1 if any is unhealthy."""
    if not _print_status():
        raise typer.Exit(1)


@app.command()
def seed(
    count: int = typer.Option(10_000, help="How many products to generate"),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same catalog"),
) -> None:
    """Load a deterministic demo catalog into Mongo, Postgres inventory and Elasticsearch.

    Only adds what is missing, so it is safe on a live system.
    """
    result = seed_catalog(get_settings(), count=count, seed=seed, report=console.print)
    console.print(result)


@app.command("create-admin")
def create_admin_command(
    email: str = typer.Option(..., help="Operator's email (login)"),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="Operator's password"),
) -> None:
    """Create an operator account (admin role), or promote an existing one. Idempotent."""
    console.print(f"admin user id: {create_admin(get_settings(), email, password)}")


def _print_status() -> bool:
    rows = stack.status(get_settings())
    table = Table("engine", "health", "endpoint", "pid", "PSS MiB", "log")
    for row in rows:
        health = "[green]healthy[/green]" if row.healthy else "[red]down[/red]"
        table.add_row(
            row.name,
            health,
            row.endpoint,
            str(row.pid or "-"),
            f"{row.memory_bytes / 2**20:.0f}",
            row.log,
        )
    console.print(table)
    console.print(f"total memory (PSS): {sum(r.memory_bytes for r in rows) / 2**30:.2f} GiB")
    return all(r.healthy for r in rows)


if __name__ == "__main__":
    sys.exit(app())

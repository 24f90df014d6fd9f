"""``shopctl``: one entry point for operating the local shopstream stack."""

import sys

import typer
from rich.console import Console
from rich.table import Table

from ops.migrate import apply_migrations
from ops.stack import stack
from ops.stack.process import EngineError
from schemas.settings import get_settings

app = typer.Typer(help="Operate the shopstream stack.", no_args_is_help=True)
console = Console(width=max(Console().width, 160))


@app.command()
def up() -> None:
    """Provision (first run only) and start every engine, then apply migrations."""
    settings = get_settings()
    try:
        stack.up(settings)
        applied = apply_migrations(settings)
    except EngineError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"migrations applied: {', '.join(applied) or 'none pending'}")
    _print_status()


@app.command()
def down() -> None:
    """Stop every engine (data stays under the stack directory)."""
    stack.down(get_settings())


@app.command()
def status() -> None:
    """Each engine's health, endpoint, pid and memory; exit 1 if any is unhealthy."""
    if not _print_status():
        raise typer.Exit(1)


def _print_status() -> bool:
    rows = stack.status(get_settings())
    table = Table("engine", "health", "endpoint", "pid", "RSS MiB", "log")
    for row in rows:
        health = "[green]healthy[/green]" if row.healthy else "[red]down[/red]"
        table.add_row(
            row.name,
            health,
            row.endpoint,
            str(row.pid or "-"),
            f"{row.rss_bytes / 2**20:.0f}",
            row.log,
        )
    console.print(table)
    console.print(f"total RSS: {sum(r.rss_bytes for r in rows) / 2**30:.2f} GiB")
    return all(r.healthy for r in rows)


if __name__ == "__main__":
    sys.exit(app())

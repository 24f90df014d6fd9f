"""Rich tables for the ``shopctl`` operations commands (the modules stay free of presentation)."""

from collections.abc import Sequence

from rich.table import Table

from ops.audit import STORES, AuditReport
from ops.lag import PartitionLag
from ops.money_audit import MoneyReport
from ops.stack.stack import EngineStatus
from ops.stack.supervision import Phase
from ops.stock_repair import Repair
from ops.trace import Step

SUPERVISION_COLOURS = {Phase.RUNNING: "green", Phase.RESTARTING: "yellow"}


def lag_table(rows: Sequence[PartitionLag], max_lag: int, now_ms: int) -> Table:
    table = Table("group", "topic", "partition", "committed", "end", "lag", "last commit")
    for row in rows:
        lag = f"[red]{row.lag}[/red]" if row.lag > max_lag else str(row.lag)
        age = row.commit_age_seconds(now_ms)
        table.add_row(
            row.group,
            row.topic,
            str(row.partition),
            str(row.committed),
            str(row.end),
            lag,
            "unknown" if age is None else f"{age:.0f}s ago",
        )
    return table


def status_table(rows: Sequence[EngineStatus], now_ms: int) -> Table:
    """Health and supervision of every process of the stack, in start order."""
    columns = ("supervisor", "restarts", "last exit", "endpoint", "pid", "PSS MiB", "log")
    table = Table("engine", "health", *columns)
    for row in rows:
        supervision = row.supervision
        if supervision is None:
            watched, restarts, last_exit = "[dim]none[/dim]", "-", "-"
        else:
            colour = SUPERVISION_COLOURS.get(supervision.state, "red")
            watched = f"[{colour}]{supervision.state}[/{colour}]"
            restarts, last_exit = str(supervision.restarts), supervision.last_exit_text(now_ms)
        table.add_row(
            row.name,
            "[green]healthy[/green]" if row.healthy else "[red]down[/red]",
            watched,
            restarts,
            last_exit,
            row.endpoint,
            str(row.pid or "-"),
            f"{row.memory_bytes / 2**20:.0f}",
            row.log,
        )
    return table


def audit_table(report: AuditReport, limit: int) -> Table:
    """The drifted and unconserved products, worst first: the ones an operator acts on."""
    table = Table("product", "available", "reserved", "sold", "stocked", *STORES, "problem")
    flagged = report.unconserved + [r for r in report.drifts if r.conserved]
    for row in flagged[:limit]:
        copies = [_copy(row.copies, store, row.available) for store in STORES]
        problem = "not conserved" if not row.conserved else f"drift: {', '.join(row.drifted)}"
        level = row.level
        table.add_row(
            row.product_id,
            str(level.available),
            str(level.reserved),
            str(level.sold),
            str(level.stocked),
            *copies,
            problem,
        )
    return table


def repair_table(repairs: Sequence[Repair]) -> Table:
    """What ``audit --repair`` changed: each copy, from its drifted value to Postgres'."""
    table = Table("product", "copy", "was", "now")
    for repair in repairs:
        was = "missing" if repair.before is None else str(repair.before)
        table.add_row(repair.product_id, repair.store, f"[red]{was}[/red]", str(repair.after))
    return table


def stock_summary(report: AuditReport) -> str:
    """One sentence of what the stock audit saw: products, drifts per copy, violations."""
    summary = report.summary()
    drifts = ", ".join(f"{store} {n}" for store, n in summary["drift_counts"].items())
    return (
        f"stock: {summary['products']} products ({summary['uncataloged']} uncataloged) read in"
        f" {summary['seconds']}s; drifted copies: {drifts}; unconserved products:"
        f" {summary['unconserved_count']}; orders both sold and released:"
        f" {summary['mixed_orders_count']}"
    )


def money_summary(report: MoneyReport) -> str:
    found = [f"{kind.replace('_', ' ')} {n}" for kind, n in report.counts().items() if n]
    verdict = f"discrepancies: {', '.join(found)}" if found else "no discrepancy"
    return (
        f"money: {report.charges} charges and {report.refunds} refunds read in"
        f" {report.seconds:.3f}s; {verdict}"
    )


def money_table(report: MoneyReport, limit: int) -> Table:
    """Each charge or refund that breaks the conservation of money, and how."""
    table = Table("order", "order status", "payment", "amount", "problem")
    for finding in report.findings[:limit]:
        table.add_row(
            finding.order_id,
            finding.order_status,
            finding.payment_id,
            str(finding.amount),
            finding.kind.replace("_", " "),
        )
    return table


def refund_table(refunds: Sequence[dict]) -> Table:
    """What ``audit --repair`` refunded, as the gateway answered."""
    table = Table("order", "payment", "amount", "refund")
    for refund in refunds:
        table.add_row(
            str(refund["order_id"]),
            str(refund["payment_id"]),
            str(refund["amount"]),
            refund["status"],
        )
    return table


def _copy(copies: dict[str, int | None], store: str, expected: int) -> str:
    if store not in copies:
        return "[dim]n/a[/dim]"
    value = copies[store]
    if value == expected:
        return str(value)
    return "[red]missing[/red]" if value is None else f"[red]{value}[/red]"


def trace_table(steps: Sequence[Step]) -> Table:
    """One row per step, with the time since the first (the order's own pace)."""
    table = Table("time (UTC)", "+ms", "source", "what")
    first = steps[0].at if steps else None
    for step in steps:
        since = (step.at - first).total_seconds() * 1000 if first else 0.0
        table.add_row(step.at.strftime("%H:%M:%S.%f")[:-3], f"{since:,.0f}", step.source, step.what)
    return table

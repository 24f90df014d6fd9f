"""Rich tables for the ``shopctl`` operations commands (the modules stay free of presentation)."""

from collections.abc import Sequence

from rich.table import Table

from ops.audit import STORES, AuditReport
from ops.lag import PartitionLag


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


def audit_table(report: AuditReport, limit: int) -> Table:
    """The drifted and unconserved products, worst first: the ones an operator acts on."""
    table = Table("product", "available", "reserved", "sold", "stocked", *STORES, "problem")
    flagged = report.unconserved + [r for r in report.drifts if r.conserved]
    for row in flagged[:limit]:
        copies = [_copy(row.copies, store, row.available) for store in STORES]
        problem = "not conserved" if not row.conserved else f"drift: {', '.join(row.drifted)}"
        table.add_row(
            row.product_id,
            str(row.available),
            str(row.reserved),
            str(row.sold),
            str(row.stocked),
            *copies,
            problem,
        )
    return table


def _copy(copies: dict[str, int | None], store: str, expected: int) -> str:
    if store not in copies:
        return "[dim]n/a[/dim]"
    value = copies[store]
    if value == expected:
        return str(value)
    return "[red]missing[/red]" if value is None else f"[red]{value}[/red]"

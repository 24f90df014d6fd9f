"""Stock sync rules: which inventory change to apply, and when a stored value must stay.

Postgres owns stock. Every derived copy (Redis ``stock:{pid}``, Mongo ``quantity``) remembers
the LSN of the change it holds and accepts only a newer one, so duplicates, replays and
out-of-order deliveries leave it unchanged.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from schemas.events import InventoryEvent


@dataclass(frozen=True)
class StockChange:
    product_id: str
    available: int
    lsn: int


def stock_change(event: InventoryEvent) -> StockChange | None:
    """The sellable quantity an inventory change sets; None for a row delete (no row image)."""
    if event.op == "d" or event.after is None or event.source.lsn is None:
        return None
    return StockChange(event.after.product_id, event.after.available_qty, event.source.lsn)


def supersedes(lsn: int, stored_lsn: int | None) -> bool:
    return stored_lsn is None or lsn > stored_lsn


def latest_per_product(changes: Iterable[StockChange]) -> list[StockChange]:
    """The newest change of each product: the older ones would lose to it anyway."""
    latest: dict[str, StockChange] = {}
    for change in changes:
        held = latest.get(change.product_id)
        if supersedes(change.lsn, None if held is None else held.lsn):
            latest[change.product_id] = change
    return list(latest.values())


class StockSink(Protocol):
    """The derived stock copies; each write keeps a stored change with a newer LSN."""

    async def apply(self, change: StockChange) -> None: ...

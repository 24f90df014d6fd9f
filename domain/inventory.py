"""Stock as plain values: the levels of one product, the moves between them, and the copies.

Postgres holds one ``StockLevel`` per product and is the arbiter of every unit. A unit is
available, reserved (held by an unpaid order) or sold; ``stocked`` counts all of them, so
``stocked = available + reserved + sold`` always holds (the invariant). Every change is a
``StockMove``: reserve, release and sell shift units between the three buckets; restocking
(an operator setting the level) moves ``stocked`` along with ``available``.

Every committed change gives the row a new ``version`` (one higher than the last). The derived
copies (the Redis mirror, the catalog's ``quantity``) store a ``StockChange`` — the available
count at a version — and only ever take a newer one, so repeated, late and reordered
deliveries of the change log leave them on the newest figure.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.errors import Refusal


class OutOfStock(Refusal):
    code = "out_of_stock"

    def __init__(self, product_id: str) -> None:
        super().__init__(f"not enough stock of {product_id}", product_id=product_id)


class ReservationStatus(StrEnum):
    """A hold is converted exactly once: sold (paid) or released (declined, expired,
    cancelled); a sale cancelled before shipping is released too."""

    HELD = "HELD"
    SOLD = "SOLD"
    RELEASED = "RELEASED"


@dataclass(frozen=True)
class Hold:
    """A HELD reservation: ``quantity`` units of a product set aside for an order."""

    product_id: str
    quantity: int
    expires_at: datetime


@dataclass(frozen=True)
class StockMove:
    """Deltas of one product's levels. ``stocked`` moves only when units enter or leave the
    shop (restocking); otherwise the three buckets trade units and sum to zero."""

    product_id: str
    available: int
    reserved: int
    sold: int
    stocked: int = 0

    @property
    def conserves(self) -> bool:
        return self.stocked == self.available + self.reserved + self.sold


def reserve(product_id: str, quantity: int) -> StockMove:
    """A checkout holds units for its order."""
    return StockMove(product_id, -quantity, quantity, 0)


def release(product_id: str, quantity: int) -> StockMove:
    """A declined, failed or expired order gives its held units back."""
    return StockMove(product_id, quantity, -quantity, 0)


def sell(product_id: str, quantity: int) -> StockMove:
    """A paid order's held units are sold."""
    return StockMove(product_id, 0, -quantity, quantity)


def unsell(product_id: str, quantity: int) -> StockMove:
    """A paid order cancelled before shipping: its sold units are available again."""
    return StockMove(product_id, quantity, 0, -quantity)


def restock(product_id: str, quantity: int) -> StockMove:
    """Units enter (or, negative, leave) the shop as available ones."""
    return StockMove(product_id, quantity, 0, 0, stocked=quantity)


@dataclass(frozen=True)
class StockLevel:
    """One product's row: every unit ever stocked is available, reserved or sold."""

    product_id: str
    available: int
    reserved: int
    sold: int
    stocked: int
    version: int = 1

    @classmethod
    def fresh(cls, product_id: str, available: int) -> "StockLevel":
        """A new row: everything stocked is available."""
        return cls(product_id, available, 0, 0, available)

    @property
    def change(self) -> "StockChange":
        """What a copy of this level holds."""
        return StockChange(self.product_id, self.available, self.version)

    @property
    def conserved(self) -> bool:
        return self.stocked == self.available + self.reserved + self.sold

    def can_apply(self, move: StockMove) -> bool:
        return (
            min(
                self.available + move.available,
                self.reserved + move.reserved,
                self.sold + move.sold,
            )
            >= 0
        )

    def apply(self, move: StockMove) -> "StockLevel":
        """The level after ``move``; refuses one that would take a bucket below zero."""
        if move.product_id != self.product_id:
            raise ValueError(f"a move of {move.product_id} applied to {self.product_id}")
        if not self.can_apply(move):
            raise OutOfStock(self.product_id)
        return replace(
            self,
            available=self.available + move.available,
            reserved=self.reserved + move.reserved,
            sold=self.sold + move.sold,
            stocked=self.stocked + move.stocked,
            version=self.version + 1,
        )


def set_available(level: StockLevel, available: int) -> StockMove:
    """An operator sets the sellable count: the difference enters (or leaves) the shop, and
    reserved and sold units are left alone."""
    return restock(level.product_id, available - level.available)


def net_moves(moves: Iterable[StockMove]) -> list[StockMove]:
    """One move per product, summed, in product order: the order in which a transaction must
    lock inventory rows so that concurrent ones cannot deadlock."""
    net: dict[str, StockMove] = {}
    for move in moves:
        held = net.get(move.product_id, StockMove(move.product_id, 0, 0, 0))
        net[move.product_id] = StockMove(
            move.product_id,
            held.available + move.available,
            held.reserved + move.reserved,
            held.sold + move.sold,
            held.stocked + move.stocked,
        )
    return [net[product_id] for product_id in sorted(net)]


@dataclass(frozen=True)
class StockChange:
    """What a derived copy holds: a product's available count as of a row version."""

    product_id: str
    available: int
    version: int


def is_newer_version(version: int, stored_version: int | None) -> bool:
    return stored_version is None or version > stored_version


def latest_per_product(changes: Iterable[StockChange]) -> list[StockChange]:
    """The newest change of each product: the older ones would lose to it anyway."""
    latest: dict[str, StockChange] = {}
    for change in changes:
        held = latest.get(change.product_id)
        if is_newer_version(change.version, None if held is None else held.version):
            latest[change.product_id] = change
    return list(latest.values())


class StockCopy(Protocol):
    """A derived copy of the available counts (the Redis mirror, the catalog quantity)."""

    async def apply(self, change: StockChange) -> bool:
        """Take the change if it is newer than the stored one; True when it was taken."""

    async def overwrite(self, change: StockChange) -> bool:
        """Take the change whatever is stored (repair); True when something changed."""

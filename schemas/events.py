"""Change events as the pipeline carries them: the Debezium envelope and the row models.

Agents parse every record into these models first, so a malformed record fails
loudly at the edge of the agent instead of deep inside domain code.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from bson import json_util
from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.inventory import StockChange

Row = TypeVar("Row", bound=BaseModel)

# MongoDB extended JSON ("relaxed" mode, as the Debezium MongoDB connector writes it).
EXTENDED_JSON = json_util.JSONOptions(
    json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=UTC
)


class Source(BaseModel):
    """Where a change came from; ``lsn`` (Postgres) or ``ord`` (catalog feed) orders it."""

    model_config = ConfigDict(extra="allow")

    connector: str
    db: str | None = None
    table: str | None = None
    collection: str | None = None
    lsn: int | None = None
    ts_ms: int | None = None


class Envelope(BaseModel, Generic[Row]):
    """Debezium's change envelope: op c(reate) u(pdate) d(elete) r(ead, snapshot)."""

    model_config = ConfigDict(extra="ignore")

    op: Literal["c", "u", "d", "r"]
    before: Row | None = None
    after: Row | None = None
    source: Source
    ts_ms: int

    @field_validator("before", "after", mode="before")
    @classmethod
    def _extended_json(cls, value: Any) -> Any:
        """Debezium's MongoDB connector carries documents as extended-JSON strings.

        Decoding them as extended JSON (not plain JSON) restores dates and ObjectIds.
        """
        return (
            json_util.loads(value, json_options=EXTENDED_JSON) if isinstance(value, str) else value
        )

    @property
    def row(self) -> Row:
        """The state after the change, or the last state for a delete."""
        row = self.after if self.op != "d" else self.before
        if row is None:
            raise ValueError(f"{self.op} event without a row image")
        return row

    @property
    def position(self) -> int:
        """A per-source monotonic position, used to drop stale or repeated deliveries."""
        return self.source.lsn or self.source.model_extra.get("ord", 0) or self.ts_ms


class InventoryRow(BaseModel):
    product_id: str
    available_qty: int
    reserved_qty: int
    sold_qty: int
    stocked_qty: int
    version: int = 0  # 0: a record captured before rows had versions; any versioned one wins
    updated_at: datetime | None = None

    @property
    def stock_change(self) -> StockChange:
        """What the derived copies of stock take from this row."""
        return StockChange(self.product_id, self.available_qty, self.version)


class OrderRow(BaseModel):
    order_id: str
    user_id: str
    status: str
    total_amount: Decimal
    currency: str
    tracking_number: str | None = None
    estimated_delivery: date | None = None
    updated_at: datetime | None = None

    @field_validator("estimated_delivery", mode="before")
    @classmethod
    def _days_since_epoch(cls, value: Any) -> Any:
        """Debezium sends DATE columns as days since 1970-01-01."""
        if isinstance(value, int):
            return date.fromordinal(date(1970, 1, 1).toordinal() + value)
        return value


class PaymentRow(BaseModel):
    payment_id: str
    order_id: str
    user_id: str
    status: Literal["PENDING", "SUCCEEDED", "FAILED", "UNKNOWN"]
    amount: Decimal
    transaction_id: str | None = None
    failure_reason: str | None = None


class ReservationRow(BaseModel):
    order_id: str
    product_id: str
    quantity: int
    status: Literal["HELD", "SOLD", "RELEASED"]
    expires_at: datetime


class ProductChange(BaseModel):
    """A catalog document as the change feed (or Debezium's MongoDB connector) carries it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    product_id: str = Field(alias="productId")
    version: int = 0
    deleted: bool = False  # soft delete: the catalog keeps a versioned tombstone


def product_key(product_id: str) -> bytes:
    """Record key of the catalog topic: ``{"productId": ...}``, like the Postgres connector's."""
    return json.dumps({"productId": product_id}, separators=(",", ":")).encode()


def product_id_of_key(key: bytes | None) -> str | None:
    """The product id a catalog record key names, or None when it names none.

    Accepts the change feed's ``{"productId": ...}`` and the Debezium MongoDB connector's
    ``{"id": <extended JSON of _id>}``, which names the product when ``_id`` is its id (an
    ObjectId ``_id`` names no product: consumers then read ``after.productId``).
    """
    if not key:
        return None
    fields = json.loads(key)
    if "productId" in fields:
        return fields["productId"]
    try:
        document_id = json_util.loads(fields["id"])
    except ValueError:  # a bare string, not JSON
        return fields["id"]
    return document_id if isinstance(document_id, str) else None


InventoryEvent = Envelope[InventoryRow]
OrderEvent = Envelope[OrderRow]
PaymentEvent = Envelope[PaymentRow]
ReservationEvent = Envelope[ReservationRow]
ProductEvent = Envelope[ProductChange]


def stock_change_of(event: InventoryEvent) -> StockChange | None:
    """The available count an inventory change sets; None for a row delete (no row image)."""
    return None if event.op == "d" or event.after is None else event.after.stock_change

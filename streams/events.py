"""The pipeline's topics as typed events: each record becomes a domain value, or is refused.

``decode(spec, key, value)`` is the one way a record becomes an event: the Debezium envelope
and its row model are checked (pydantic), then turned into the domain value the handlers take
(``StockChange``, ``OrderSnapshot``, ``PaymentChange``, ``CatalogChange``). A record no model
accepts raises ``UnreadableRecord``; the agents park it on the dead-letter topic
(``streams/dead_letters.py``), ``shopctl replay`` counts and skips it. Tombstones and row
deletes carry no event (None).

The catalog change feed writes its records here too (``catalog_envelope``), shaped like the
Debezium MongoDB connector's, so consumers cannot tell the two sources apart.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from bson import json_util
from pydantic import BaseModel, ConfigDict, Field, field_validator

from adapters.catalog_documents import Product
from domain.accounts import AccountMail, MailKind
from domain.catalog import CatalogChange
from domain.catalog_feed import Document, operation
from domain.inventory import StockChange
from domain.orders import OrderSnapshot, OrderStatus
from domain.payments import PaymentChange, PaymentStatus
from streams.topics import ACCOUNT_MAIL, INVENTORY, ORDERS, PAYMENTS, PRODUCTS, TopicSpec

Row = TypeVar("Row", bound=BaseModel)

CATALOG_FEED = "catalog-feed"
"""``source.connector`` of the records our catalog change feed writes."""

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
    status: OrderStatus
    total_amount: Decimal
    currency: str
    discount_code: str | None = None  # absent from records captured before orders had one
    discount_amount: Decimal = Decimal(0)
    tracking_number: str | None = None
    carrier: str | None = None
    estimated_delivery: date | None = None
    updated_at: datetime | None = None
    request_id: str | None = None

    @field_validator("estimated_delivery", mode="before")
    @classmethod
    def _days_since_epoch(cls, value: Any) -> Any:
        """Debezium sends DATE columns as days since 1970-01-01."""
        if isinstance(value, int):
            return date.fromordinal(date(1970, 1, 1).toordinal() + value)
        return value

    @property
    def snapshot(self) -> OrderSnapshot:
        return OrderSnapshot(**self.model_dump())


class PaymentRow(BaseModel):
    payment_id: str
    order_id: str
    user_id: str
    status: PaymentStatus
    amount: Decimal
    transaction_id: str | None = None
    failure_reason: str | None = None
    request_id: str | None = None

    @property
    def change(self) -> PaymentChange:
        return PaymentChange(self.payment_id, self.order_id, self.status, self.request_id)


class AccountMailRow(BaseModel):
    mail_id: str
    user_id: str
    kind: MailKind
    token_id: str | None = None

    @property
    def mail(self) -> AccountMail:
        return AccountMail(self.mail_id, self.user_id, self.kind, self.token_id)


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
ProductEvent = Envelope[ProductChange]
AccountMailEvent = Envelope[AccountMailRow]


class UnreadableRecord(ValueError):
    """A record no model of its topic accepts (its error says why)."""


def _inventory(key: bytes | None, value: bytes) -> StockChange | None:
    event = InventoryEvent.model_validate_json(value)
    return None if event.op == "d" or event.after is None else event.after.stock_change


def _order(key: bytes | None, value: bytes) -> OrderSnapshot | None:
    event = OrderEvent.model_validate_json(value)
    return None if event.op == "d" or event.after is None else event.after.snapshot


def _payment(key: bytes | None, value: bytes) -> PaymentChange | None:
    event = PaymentEvent.model_validate_json(value)
    return None if event.op == "d" or event.after is None else event.after.change


def _account_mail(key: bytes | None, value: bytes) -> AccountMail | None:
    """A queued mail (its row created); its later changes are the sender's own claim."""
    event = AccountMailEvent.model_validate_json(value)
    return None if event.op not in ("c", "r") or event.after is None else event.after.mail


def _product(key: bytes | None, value: bytes) -> CatalogChange | None:
    """A live product's document at its version; a delete (the feed's op d, or the
    connector's update with ``deleted: true``) at its version; None when nothing names the
    product. A purge (the connector's op d) falls back to the key and ``source.ord``."""
    event = ProductEvent.model_validate_json(value)
    after = event.after if event.op != "d" else None
    if after is not None:
        if after.deleted:
            return CatalogChange(after.product_id, after.version, None)
        product = Product.model_validate(after.model_dump(by_alias=True))  # refused here, once
        return CatalogChange(after.product_id, after.version, product.model_dump())
    product_id = product_id_of_key(key)
    return None if product_id is None else CatalogChange(product_id, event.position, None)


_DECODERS: dict[str, Callable[[bytes | None, bytes], object | None]] = {
    INVENTORY.source: _inventory,
    ORDERS.source: _order,
    PAYMENTS.source: _payment,
    PRODUCTS.source: _product,
    ACCOUNT_MAIL.source: _account_mail,
}


def decode(spec: TopicSpec, key: bytes | None, value: bytes | None) -> Any:
    """The event a record of ``spec``'s topic carries (None for a tombstone or a row delete);
    ``UnreadableRecord`` when no model accepts it."""
    if value is None:
        return None
    try:
        return _DECODERS[spec.source](key, value)
    except (ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        raise UnreadableRecord(f"{type(exc).__name__}: {exc}") from exc


def catalog_envelope(
    document: Document, *, name: str, db: str, snapshot: bool, now_ms: int
) -> dict:
    """The Debezium MongoDB change event of a document's current version.

    ``after`` is the document as relaxed extended JSON (null for a delete) and ``before`` is
    null, as the connector in ``change_streams_update_full`` mode sends them. ``source.ord``
    carries the document version: it orders one product's events, a delete's included.
    """
    op = operation(document, snapshot)
    return {
        "op": op,
        "before": None,
        "after": None if op == "d" else json_util.dumps(document, json_options=EXTENDED_JSON),
        "source": {
            "connector": CATALOG_FEED,
            "name": name,
            "db": db,
            "collection": "products",
            "ord": document["version"],
            "ts_ms": int(document["updatedAt"].timestamp() * 1000),
            "snapshot": "true" if snapshot else "false",
        },
        "ts_ms": now_ms,
    }

"""Catalog contract: the stored product document and the storefront's catalog HTTP shapes.

JSON is camelCase like the seed's API (section 4); Python attributes stay snake_case.
Prices are floats rounded to cents: FerretDB (local Mongo) has no Decimal128, so the
document stores a double; sums of money (cart totals) belong in ``Decimal``.
"""

import math
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from domain.inventory import StockLevel

MAX_PAGE_SIZE = 100
"""Largest search page; bigger requests are refused (422) rather than silently clamped."""

MAX_RESULT_WINDOW = 10_000
"""Elasticsearch's default ``index.max_result_window``: page * size may not exceed it."""

PRODUCT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$"

ProductId = Annotated[str, Field(pattern=PRODUCT_ID_PATTERN, examples=["prod_000123"])]
Price = Annotated[float, Field(ge=0.01, le=1_000_000), AfterValidator(lambda p: round(p, 2))]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"])]
Rating = Annotated[float, Field(ge=0, le=5)]
MAX_URL_LENGTH = 2000


def _short_url(url: HttpUrl) -> HttpUrl:
    """Measured after normalisation (a bare host gains a ``/``), so what is stored reads back."""
    if len(str(url)) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    return url


Url = Annotated[HttpUrl, AfterValidator(_short_url), PlainSerializer(str, return_type=str)]
"""Images are CDN URLs, never bytes; stored and served as plain strings."""
SpecKey = Annotated[
    str,
    Field(min_length=1, max_length=100, pattern=r"^[^$.][^.]*$"),
]
"""A specification name is a Mongo field name: no ``$`` operator prefix, no ``.`` path."""
SpecValue = str | int | float | bool
Specifications = Annotated[dict[SpecKey, SpecValue], Field(max_length=100)]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Description = Annotated[str, Field(max_length=10_000)]
Label = Annotated[str, Field(min_length=1, max_length=100)]
"""A category or brand name."""
Images = Annotated[list[Url], Field(max_length=20)]


class CamelModel(BaseModel):
    """Base of every model on the wire: camelCase there, snake_case in Python.

    Numbers must be finite (JSON's ``NaN`` and ``Infinity``, ``1e999``, ``inf`` in a query are
    refused), and no text may hold a NUL character: Postgres cannot store one, and nothing a
    shopper types needs it.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        allow_inf_nan=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _holds_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class Review(CamelModel):
    author: str = Field(min_length=1, max_length=100)
    rating: int = Field(ge=1, le=5)
    text: str = Field(max_length=5000)
    date: datetime


class ProductSummary(CamelModel):
    """One search hit, exactly the fields of seed 4.1."""

    product_id: str
    title: str
    price: float
    currency: str
    thumbnail: str | None
    rating: float
    available_qty: int


class Pagination(CamelModel):
    page: int
    size: int
    total_pages: int
    total_results: int


class SearchResponse(CamelModel):
    products: list[ProductSummary]
    pagination: Pagination


class SearchParams(CamelModel):
    """Query string of ``GET /v1/products/search``; unknown parameters are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field("", max_length=200, description="Free text; typos and prefixes match")
    category: str | None = Field(None, max_length=100, description="Exact category, any case")
    min_price: float | None = Field(None, ge=0)
    max_price: float | None = Field(None, ge=0)
    min_rating: float | None = Field(None, ge=0, le=5)
    in_stock: bool = Field(
        False, description="true: only products with availableQty > 0; false: no filter"
    )
    page: int = Field(1, ge=1)
    size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise ValueError("minPrice must not exceed maxPrice")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise ValueError(f"page * size must not exceed {MAX_RESULT_WINDOW}; narrow the search")
        return self

    def total_pages(self, total_results: int) -> int:
        return math.ceil(total_results / self.size)


class ProductListing(CamelModel):
    """What a seller lists: identity and content, no reviews, no stock."""

    product_id: ProductId
    title: Title
    description: Description = ""
    category: Label
    brand: Label
    price: Price
    currency: Currency = "USD"
    images: Images = Field(default_factory=list)
    thumbnail: Url | None = None
    specifications: Specifications = Field(default_factory=dict)


class ProductCreate(ProductListing):
    """Admin request creating a product; stock is set separately (Postgres owns it)."""

    model_config = ConfigDict(extra="forbid")


class ReviewedProduct(ProductListing):
    rating: Rating = 0.0
    review_count: int = Field(0, ge=0)
    reviews: list[Review] = Field(default_factory=list)


class Product(ReviewedProduct):
    """A product as stored in the Mongo ``products`` collection (one document per product).

    ``quantity`` is a derived copy of the Postgres ``inventory.available_qty`` kept fresh by
    the stock-sync stream; Postgres stays the source of truth for stock.
    """

    quantity: int = Field(0, ge=0)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def listed(cls, listing: ProductListing, now: datetime) -> "Product":
        """A newly listed product: no reviews yet, no stock until an operator sets it."""
        return cls.model_validate({**listing.model_dump(), "createdAt": now, "updatedAt": now})


class ProductDetails(ReviewedProduct):
    """Seed 4.2 plus category, brand, rating and reviewCount; availableQty is live stock."""

    available_qty: int

    @classmethod
    def of(cls, product: Product, available_qty: int) -> "ProductDetails":
        listed = product.model_dump(exclude={"quantity", "created_at", "updated_at"})
        return cls.model_validate({**listed, "availableQty": available_qty})


class ProductUpdate(CamelModel):
    """Admin partial update: only the fields sent change (null means "leave as is")."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    category: Label | None = None
    brand: Label | None = None
    price: Price | None = None
    currency: Currency | None = None
    images: Images | None = None
    thumbnail: Url | None = None
    specifications: Specifications | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.changes():
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict:
        """The fields to ``$set``, keyed by their stored (camelCase) names."""
        return self.model_dump(mode="json", exclude_none=True)


class SetStock(CamelModel):
    """Admin request: the new sellable quantity of a product."""

    model_config = ConfigDict(extra="forbid")

    available_qty: int = Field(ge=0, le=10_000_000)


class InventoryLevel(CamelModel):
    """A Postgres inventory row; stocked = available + reserved + sold always holds."""

    product_id: str
    available_qty: int
    reserved_qty: int
    sold_qty: int
    stocked_qty: int

    @classmethod
    def of(cls, level: StockLevel) -> "InventoryLevel":
        return cls(
            product_id=level.product_id,
            available_qty=level.available,
            reserved_qty=level.reserved,
            sold_qty=level.sold,
            stocked_qty=level.stocked,
        )

"""HTTP shapes of the storefront's catalog routes: search, the product page, administration."""

import math
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from adapters.catalog_documents import (
    Currency,
    Description,
    Images,
    Label,
    Price,
    Product,
    ProductListing,
    ReviewedProduct,
    Specifications,
    Title,
    Url,
)
from adapters.wire import CamelModel
from domain.inventory import StockLevel

MAX_PAGE_SIZE = 100
"""Largest search page; bigger requests are refused (422) rather than silently clamped."""

MAX_RESULT_WINDOW = 10_000
"""Elasticsearch's default ``index.max_result_window``: page * size may not exceed it."""


class ProductSummary(CamelModel):
    """One search hit, exactly the fields the design names."""

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


class ProductCreate(ProductListing):
    """Admin request creating a product; stock is set separately (Postgres owns it)."""

    model_config = ConfigDict(extra="forbid")


class ProductDetails(ReviewedProduct):
    """The design's product page plus category, brand, rating and reviewCount.

    ``availableQty`` is live stock.
    """

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

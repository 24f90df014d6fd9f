"""HTTP shapes of the storefront's catalog routes: search, the product page, administration."""

import math
from enum import StrEnum
from typing import Annotated, Self

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
    """One search hit: the fields the design names, plus brand and category."""

    product_id: str
    title: str
    brand: str
    category: str
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

    @classmethod
    def of(cls, page: int, size: int, total: int) -> "Pagination":
        return cls(page=page, size=size, total_pages=math.ceil(total / size), total_results=total)


class FacetValue(CamelModel):
    """A category or brand with the products matching under the other filters."""

    value: str
    count: int
    selected: bool = False


class PriceBand(CamelModel):
    """Products priced ``from`` (inclusive) up to ``to`` (exclusive; none: no upper bound);
    a storefront filters with ``minPrice``/``maxPrice``."""

    from_: float = Field(alias="from")
    to: float | None
    count: int


class RatingFloor(CamelModel):
    """Products rated ``min`` or better ("4 stars & up"); a storefront filters with
    ``minRating``."""

    min: int
    count: int


class Facets(CamelModel):
    """Counts a storefront draws its filters from. Brand counts ignore the brand filter
    itself, so the other brands stay selectable (multi-select)."""

    category: list[FacetValue]
    brand: list[FacetValue]
    price: list[PriceBand]
    rating: list[RatingFloor]


class SearchResponse(CamelModel):
    products: list[ProductSummary]
    pagination: Pagination
    facets: Facets
    did_you_mean: str | None = Field(
        None, description="A spelling that finds products, when this search found none"
    )


class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price-asc"
    PRICE_DESC = "price-desc"
    RATING = "rating"
    NEWEST = "newest"


BrandName = Annotated[str, Field(min_length=1, max_length=100)]


class SearchParams(CamelModel):
    """Query string of ``GET /v1/products/search``; unknown parameters are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(
        "", max_length=200, description="Free text: stems, synonyms, typos and prefixes match"
    )
    category: str | None = Field(None, max_length=100, description="Exact category, any case")
    brand: list[BrandName] = Field(
        [], max_length=20, description="Any of these brands (repeat the parameter), any case"
    )
    min_price: float | None = Field(None, ge=0)
    max_price: float | None = Field(None, ge=0)
    min_rating: float | None = Field(None, ge=0, le=5)
    in_stock: bool = Field(
        False, description="true: only products with availableQty > 0; false: no filter"
    )
    sort: SearchSort = Field(
        SearchSort.RELEVANCE, description="Out-of-stock products come last in every order"
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


class SuggestParams(CamelModel):
    """Query string of ``GET /v1/products/suggest``."""

    model_config = ConfigDict(extra="forbid")

    prefix: str = Field(
        min_length=1,
        max_length=60,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="What the shopper typed so far (no control characters)",
    )
    size: int = Field(8, ge=1, le=20)


class SuggestResponse(CamelModel):
    prefix: str
    suggestions: list[str] = Field(description="Completions, most reviewed products first")


class ProductCreate(ProductListing):
    """Admin request creating a product; stock is set separately (Postgres owns it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {  # an id outside the demo seed's (prod_000001...): trying it touches none
                    "productId": "prod_example_1",
                    "title": "iPhone 15 Pro 128GB Natural Titanium",
                    "description": "A17 Pro chip, 48MP main camera, USB-C.",
                    "category": "Phones",
                    "brand": "Apple",
                    "price": 999.99,
                    "currency": "USD",
                    "images": ["https://cdn.example.com/products/prod_example_1/1.jpg"],
                    "thumbnail": "https://cdn.example.com/products/prod_example_1/thumb.jpg",
                    "specifications": {"storage": "128GB", "color": "Natural Titanium"},
                }
            ]
        },
    )


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

"""The product document as the catalog stores it (Mongo ``products``), and its field types.

Prices are floats rounded to cents: FerretDB (local Mongo) has no Decimal128, so the
document stores a double; sums of money (cart totals) belong in ``Decimal``.
"""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, HttpUrl, PlainSerializer

from adapters.wire import CamelModel
from domain.media import MAX_PICTURES, ImageStatus, Picture

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


class Review(CamelModel):
    author: str = Field(min_length=1, max_length=100)
    rating: int = Field(ge=1, le=5)
    text: str = Field(max_length=5000)
    date: datetime


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


class ReviewedProduct(ProductListing):
    rating: Rating = 0.0
    review_count: int = Field(0, ge=0)
    reviews: list[Review] = Field(default_factory=list)


_EXAMPLE_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
_EXAMPLE_CDN = f"https://shop.example.com/media/{_EXAMPLE_ID}"


class ProductImage(CamelModel):
    """An uploaded image: ``variants`` (name -> CDN URL) appear once the media agent made them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "imageId": _EXAMPLE_ID,
                    "status": "ready",
                    "width": 1600,
                    "height": 900,
                    "contentType": "image/jpeg",
                    "uploadedAt": "2026-12-03T18:35:50.698Z",
                    "variants": {
                        "large": f"{_EXAMPLE_CDN}/large-1200.webp",
                        "medium": f"{_EXAMPLE_CDN}/medium-600.webp",
                        "thumbnail": f"{_EXAMPLE_CDN}/thumbnail-200.webp",
                    },
                    "placeholder": False,
                }
            ]
        }
    )

    image_id: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the original")
    status: ImageStatus
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    content_type: str
    uploaded_at: datetime
    variants: dict[str, Url] = Field(default_factory=dict)
    placeholder: bool = False

    def picture(self) -> Picture:
        return Picture(
            **{name: getattr(self, name) for name in type(self).model_fields if name != "variants"},
            variants={name: str(url) for name, url in self.variants.items()},
        )

    @classmethod
    def of(cls, picture: Picture) -> "ProductImage":
        return cls.model_validate(picture, from_attributes=True)


class Product(ReviewedProduct):
    """A product as stored in the Mongo ``products`` collection (one document per product).

    ``quantity`` is a derived copy of the Postgres ``inventory.available_qty`` kept fresh by
    the stock-sync stream; Postgres stays the source of truth for stock.
    """

    quantity: int = Field(0, ge=0)
    media: list[ProductImage] = Field(default_factory=list, max_length=MAX_PICTURES)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def listed(cls, listing: ProductListing, now: datetime) -> "Product":
        """A newly listed product: no reviews yet, no stock until an operator sets it."""
        return cls.model_validate({**listing.model_dump(), "createdAt": now, "updatedAt": now})

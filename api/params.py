"""Request parameters shared by several routes."""

import uuid
from typing import Annotated

from fastapi import Header, Path

from adapters.catalog_documents import PRODUCT_ID_PATTERN
from domain.discounts import CODE_PATTERN

ProductIdPath = Annotated[
    str, Path(alias="productId", pattern=PRODUCT_ID_PATTERN, examples=["prod_000123"])
]
"""The ids products are created with: anything else (a NUL, an operator) is a 422, not a
lookup a database refuses."""

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retrying with the same key returns the first attempt's result",
    ),
]

OrderIdPath = Annotated[uuid.UUID, Path(alias="orderId")]

DiscountCodePath = Annotated[
    str, Path(alias="code", pattern=CODE_PATTERN, max_length=32, examples=["SUMMER10"])
]
"""A discount code as typed, any case (``normalise_code`` before use)."""

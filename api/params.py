"""Request parameters shared by several routes."""

import uuid
from typing import Annotated

from fastapi import Header, Path

from domain.discounts import CODE_PATTERN

ProductIdPath = Annotated[str, Path(alias="productId", min_length=1, max_length=64)]

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

"""Base of every HTTP model: camelCase on the wire (as in the seed), snake_case in Python."""

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field, PlainSerializer

from schemas.catalog import CamelModel


class ApiModel(CamelModel):
    """Strict: unknown fields are refused, so a typo in a request is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""Exact in Python, a plain JSON number on the wire (``999.99``), at most two decimals."""

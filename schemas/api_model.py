"""Base of every HTTP model: camelCase on the wire (as in the seed), snake_case in Python."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Strict: unknown fields are refused, so a typo in a request is a 422, not a silent no-op."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""Exact in Python, a plain JSON number on the wire (``999.99``), at most two decimals."""

ProductId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
]

"""How values travel on every wire of ours: camelCase JSON (as in the design's API) with
snake_case attributes in Python, finite numbers, and text without NUL characters.

``CamelModel`` is the base of every HTTP model, stored document and gateway message;
``ApiModel`` adds the strictness requests need (unknown fields refused).
"""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.alias_generators import to_camel


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


class ApiModel(CamelModel):
    """Strict: unknown fields are refused, so a typo in a request is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""Exact in Python, a plain JSON number on the wire (``999.99``), at most two decimals."""

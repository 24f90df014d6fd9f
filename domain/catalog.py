"""Catalog changes as the search index follows them, as pure code.

Every change of a product carries the product's version (the catalog store bumps it on every
write, a soft delete included). Consumers keep the newest version and drop the rest: repeated,
replayed and reordered deliveries change nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import Refusal


@dataclass(frozen=True)
class CatalogChange:
    """Product ``product_id`` at ``version``: its document, or None once deleted."""

    product_id: str
    version: int
    document: Mapping[str, Any] | None

    @property
    def deleted(self) -> bool:
        return self.document is None


def latest_changes(changes: Iterable[CatalogChange]) -> list[CatalogChange]:
    """The highest version of each product: the search index would refuse the others."""
    latest: dict[str, CatalogChange] = {}
    for change in changes:
        held = latest.get(change.product_id)
        if held is None or change.version > held.version:
            latest[change.product_id] = change
    return list(latest.values())


class ProductExists(Refusal):
    code = "product_exists"

    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id!r} already exists", product_id=product_id)

"""Writes of the search index, ordered by the product version (Elasticsearch external versioning).

Elasticsearch stores the version with the document (and, for ``index.gc_deletes``, with a
delete) and refuses a write whose version is not higher: repeated or stale deliveries end in
a 409 that means "already applied", with no scripting (the local build has no painless).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from adapters.catalog_documents import Product
from adapters.search_index import product_to_search_doc
from domain.catalog import CatalogChange


class SearchWriteError(RuntimeError):
    """Elasticsearch refused writes for another reason than an older or equal version."""


@dataclass
class SearchWriter:
    """Search sync's sink (and the search replay's): the index behind ``alias``."""

    es: AsyncElasticsearch
    alias: str

    async def apply_many(self, changes: Sequence[CatalogChange]) -> None:
        """One bulk request: a live product is indexed, a deleted one removed, each at its
        version, so each document keeps whichever version is the highest."""
        operations: list[dict] = []
        for change in changes:
            head = {"_id": change.product_id, "version": change.version, "version_type": "external"}
            if change.document is None:
                operations.append({"delete": head})
            else:
                document = product_to_search_doc(Product.model_validate(change.document))
                # require_alias: never auto-create an unmapped index
                operations += [{"index": {**head, "require_alias": True}}, document]
        if not operations:
            return
        answer = await self.es.bulk(index=self.alias, operations=operations)
        refused = [item for item in answer["items"] if not _applied(item)]
        if refused:
            raise SearchWriteError(f"{len(refused)} search writes refused: {refused[:3]}")


def _applied(item: dict) -> bool:
    """Written, or a no-op: 409 = Elasticsearch holds this version or a newer one; a delete
    404 without error = the document is not there (already done). A 404 with an error on an
    index write means the alias is missing."""
    ((operation, outcome),) = item.items()
    status = outcome["status"]
    return status < 300 or status == 409 or (operation == "delete" and "error" not in outcome)

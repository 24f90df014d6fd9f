"""Writes of the search index, ordered by the product version (Elasticsearch external versioning).

Elasticsearch stores the version with the document (and, for ``index.gc_deletes``, with a
delete) and refuses a write whose version is not higher: repeated or stale deliveries end in
a 409 that means "already applied", with no scripting (the local build has no painless).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from domain.search_sync import Remove, SearchAction, Upsert


class SearchWriteError(RuntimeError):
    """Elasticsearch refused writes for another reason than an older or equal version."""


@dataclass
class SearchWriter:
    """Search sync's sink (and the search replay's): the index behind ``alias``."""

    es: AsyncElasticsearch
    alias: str

    async def apply(self, action: SearchAction) -> None:
        await self.apply_many([action])

    async def apply_many(self, actions: Sequence[SearchAction]) -> None:
        """One bulk request; each document keeps whichever version is the highest."""
        operations: list[dict] = []
        for action in actions:
            match action:
                case Upsert(product_id, version, document):
                    head = {"_id": product_id, "version": version, "version_type": "external"}
                    # require_alias: never auto-create an unmapped index
                    operations += [{"index": {**head, "require_alias": True}}, document]
                case Remove(product_id, version):
                    operations.append(
                        {
                            "delete": {
                                "_id": product_id,
                                "version": version,
                                "version_type": "external",
                            }
                        }
                    )
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

"""Writes of the search index, ordered by the product version (Elasticsearch external versioning).

Elasticsearch stores the version with the document (and, for ``index.gc_deletes``, with a
delete) and refuses a write whose version is not higher: repeated or stale deliveries end in
a 409 that means "already applied", with no scripting (the local build has no painless).
"""

from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from domain.search_sync import Remove, SearchAction, Upsert


@dataclass
class SearchWriter:
    """Search sync's sink: the index behind ``alias``."""

    es: AsyncElasticsearch
    alias: str

    async def apply(self, action: SearchAction) -> None:
        try:
            match action:
                case Upsert(product_id, version, document):
                    await self.es.index(
                        index=self.alias,
                        id=product_id,
                        document=document,
                        version=version,
                        version_type="external",
                        require_alias=True,  # never auto-create an unmapped index
                    )
                case Remove(product_id, version):
                    await self.es.delete(
                        index=self.alias, id=product_id, version=version, version_type="external"
                    )
        except ConflictError:
            pass  # Elasticsearch holds this version or a newer one: nothing to do
        except NotFoundError:
            if isinstance(action, Upsert):
                raise  # the alias is missing
            # deleting a document that is not there: already done

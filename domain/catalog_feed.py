"""Pure rules of the catalog change feed: what a write stamps, what to emit, which operation.

Writers stamp every product with ``updatedAt``, a coarse ``changeBucket`` of that time and a
new ``version`` (``adapters/catalog_store.py``). The feed re-reads the buckets of the last
few seconds and emits each document whose version it has not emitted yet, shaped like the
Debezium MongoDB connector's change event, so consumers cannot tell the two sources apart.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

CHANGE_BUCKET_SECONDS = 10
"""Width of a change bucket. The feed looks documents up by *equality* on the bucket: FerretDB
1.24 evaluates only equality predicates inside Postgres (a ``$gte`` on ``updatedAt`` decodes
the whole collection; see docs/PERFORMANCE.md), MongoDB serves either from an index. Writers
and the feed must agree on it, so it is a constant, not a setting."""

Document = Mapping[str, Any]
Op = Literal["c", "u", "d", "r"]


def change_bucket(at: datetime) -> int:
    return int(at.timestamp()) // CHANGE_BUCKET_SECONDS


def buckets_between(since: datetime, until: datetime) -> range:
    """Every bucket a write stamped within [since, until] can be in."""
    return range(change_bucket(since), change_bucket(until) + 1)


def to_emit(documents: Iterable[Document], emitted: Mapping[str, int]) -> list[Document]:
    """Documents newer than the last version emitted for their product, oldest change first.

    Re-reads (the overlap, a restart before the position was saved) find nothing newer, so
    a document version is emitted once per saved position: at-least-once, never skipped.
    Documents without a version were not written through the catalog store and are ignored.
    """
    fresh = [d for d in documents if d.get("version", 0) > emitted.get(d["productId"], 0)]
    return sorted(fresh, key=lambda d: (d["updatedAt"], d["productId"]))


def operation(document: Document, snapshot: bool) -> Op:
    """d for a soft-deleted product; r in the initial snapshot (as Debezium); c for version 1."""
    if document.get("deleted"):
        return "d"
    if snapshot:
        return "r"
    return "c" if document["version"] == 1 else "u"

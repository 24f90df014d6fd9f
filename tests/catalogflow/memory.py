"""In-memory sinks with the engines' write contracts, for agent tests without engines.

Each keeps what it holds unless the incoming change is newer, by the same domain rule the
real adapters enforce inside Redis/Mongo (row version) and Elasticsearch (external version).
"""

from domain.inventory import StockChange, supersedes
from domain.search_sync import SearchAction, Upsert


class MemoryStock:
    def __init__(self) -> None:
        self.held: dict[str, StockChange] = {}
        self.writes = 0

    async def apply(self, change: StockChange) -> bool:
        held = self.held.get(change.product_id)
        if not supersedes(change.version, None if held is None else held.version):
            return False
        self.held[change.product_id] = change
        self.writes += 1
        return True

    async def overwrite(self, change: StockChange) -> bool:
        changed = self.held.get(change.product_id) != change
        self.held[change.product_id] = change
        return changed


class MemorySearch:
    def __init__(self) -> None:
        self.documents: dict[str, dict] = {}
        self.versions: dict[str, int] = {}

    async def apply(self, action: SearchAction) -> None:
        if action.version <= self.versions.get(action.product_id, 0):
            return  # Elasticsearch answers 409: this version or a newer one is there
        self.versions[action.product_id] = action.version
        if isinstance(action, Upsert):
            self.documents[action.product_id] = action.document
        else:
            self.documents.pop(action.product_id, None)

"""Fixtures of the catalog flow tests: in-memory sinks plugged into the agents."""

import pytest

from streams.agents import search_sync, stock_sync
from tests.catalogflow.memory import MemorySearch, MemoryStock


@pytest.fixture
def memory_stock(monkeypatch: pytest.MonkeyPatch) -> MemoryStock:
    sink = MemoryStock()

    async def stock_sink() -> MemoryStock:
        return sink

    monkeypatch.setattr(stock_sync, "stock_sink", stock_sink)
    return sink


@pytest.fixture
def memory_search(monkeypatch: pytest.MonkeyPatch) -> MemorySearch:
    sink = MemorySearch()

    async def search_sink() -> MemorySearch:
        return sink

    monkeypatch.setattr(search_sync, "search_sink", search_sink)
    return sink

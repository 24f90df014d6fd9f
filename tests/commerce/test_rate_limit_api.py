"""Per-IP and per-user rate limits in Redis: 429 JSON with Retry-After."""

import uuid

from adapters.connections import Clients
from api.rate_limit import window_position
from config import Settings
from harness.factories import create_shopper
from harness.flows import assert_refused
from harness.inprocess import in_process_api

HOUR = 3600
"""A long window, so the burst below cannot straddle a window boundary."""


def unique_ip() -> str:
    """Concurrent test runs share Redis: each test counts against its own address."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2]}"


def test_window_position() -> None:
    assert window_position(125.2, 60) == (2, 55)
    assert window_position(120.0, 60) == (2, 60)


async def test_too_many_requests_from_one_ip_are_429(app_settings: Settings) -> None:
    limited = app_settings.model_copy(
        update={"rate_limit_per_ip": 3, "rate_limit_window_seconds": HOUR}
    )
    async with in_process_api(limited, client_ip=unique_ip()) as (_, api):
        allowed = [await api.post("/v1/users/login", json={}) for _ in range(3)]
        refused = await api.post("/v1/users/login", json={})

    assert [r.status_code for r in allowed] == [422, 422, 422]
    assert_refused(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= HOUR


async def test_too_many_requests_from_one_user_are_429_whatever_the_ip(
    app_settings: Settings, clients: Clients
) -> None:
    limited = app_settings.model_copy(
        update={"rate_limit_per_user": 2, "rate_limit_window_seconds": HOUR}
    )
    user = await create_shopper(clients)
    statuses = []
    for _ in range(3):
        async with in_process_api(limited, client_ip=unique_ip()) as (_, api):
            statuses.append((await api.get("/v1/cart", headers=user.headers)).status_code)
    assert statuses == [200, 200, 429]

"""Image uploads are read only once the caller is known to be an operator within the rate
limits: an anonymous, forged, customer's or rate-limited upload is refused before its body
crosses the wire, a malformed one from a stranger is a 401 (not a 422), and an operator's
body is read no further than the limit. Storefront in this process, on the real engines."""

import io
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from PIL import Image

from adapters.connections import Clients
from api.uploads import ENVELOPE_BYTES
from config import Settings
from harness.early_answer import FILE_PART, MULTIPART, answer_before_body
from harness.factories import Shopper, create_product, create_shopper
from harness.flows import assert_refused
from harness.inprocess import in_process_api
from tests.support.live_server import live_storefront

FIVE_MB = 5_000_000
SMALL_LIMIT = 100_000
CHUNK = 16_384


@pytest.fixture(scope="module")
async def live(app_settings: Settings) -> AsyncIterator[str]:
    """A real server (uvicorn), so a test can hold the body back and see when it answers."""
    async with live_storefront(app_settings) as (_, client):
        yield str(client.base_url)


@pytest.fixture
async def admin(clients: Clients) -> Shopper:
    return await create_shopper(clients, role="admin")


def upload_url(base: str, product_id: str = "prod_absent") -> str:
    return f"{base.rstrip('/')}/v1/admin/products/{product_id}/images"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (uuid.uuid4().bytes[0], 90, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (lambda s: {}, 401, "unauthorized"),
        (lambda s: {"Authorization": "Bearer not.a.token"}, 401, "unauthorized"),
        (lambda s: s.headers, 403, "forbidden"),
    ],
    ids=["anonymous", "forged-token", "customer"],
)
async def test_a_strangers_5mb_upload_is_refused_before_its_body_is_sent(
    live: str,
    shopper: Shopper,
    who: Callable[[Shopper], dict[str, str]],
    status: int,
    code: str,
) -> None:
    answer = await answer_before_body(
        upload_url(live), {**MULTIPART, **who(shopper)}, FIVE_MB, FILE_PART
    )
    assert answer.status == status
    assert f'"{code}"' in answer.body.decode()


async def test_an_operator_over_the_limit_is_413_before_the_body_is_sent(
    live: str, admin: Shopper, app_settings: Settings
) -> None:
    declared = app_settings.media_max_upload_bytes + ENVELOPE_BYTES + 1
    answer = await answer_before_body(
        upload_url(live), {**MULTIPART, **admin.headers}, declared, FILE_PART
    )
    assert answer.status == 413 and b"upload_too_large" in answer.body


async def test_a_rate_limited_caller_is_429_before_the_body_is_sent(
    app_settings: Settings, admin: Shopper
) -> None:
    limited = app_settings.model_copy(update={"rate_limit_per_user": 0})
    async with live_storefront(limited) as (_, client):
        answer = await answer_before_body(
            upload_url(str(client.base_url)), {**MULTIPART, **admin.headers}, FIVE_MB, FILE_PART
        )
    assert answer.status == 429 and b"rate_limited" in answer.body
    assert int(answer.headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "application/json", None],
    ids=["no-boundary", "empty-boundary", "json", "none"],
)
async def test_a_malformed_upload_from_a_stranger_is_401_and_an_operators_is_422(
    api: httpx.AsyncClient, admin: Shopper, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    url = upload_url("")
    assert_refused(await api.post(url, content=b"garbage", headers=headers), 401, "unauthorized")
    refused = await api.post(url, content=b"garbage", headers={**headers, **admin.headers})
    error = assert_refused(refused, 422, "invalid_request")
    assert error["details"][0]["field"].startswith("body")


async def test_a_multipart_body_without_the_file_part_is_422_naming_it(
    api: httpx.AsyncClient, admin: Shopper
) -> None:
    refused = await api.post(
        upload_url(""),
        data={"other": "field"},
        files={"picture": ("p", b"x")},
        headers=admin.headers,
    )
    error = assert_refused(refused, 422, "invalid_request")
    assert error["details"] == [{"field": "body.file", "problem": "Field required (a file part)"}]


async def test_an_operators_chunked_body_is_read_no_further_than_the_limit(
    app_settings: Settings, admin: Shopper
) -> None:
    """No Content-Length to refuse by: reading stops once the body passes the limit. In
    process, the app pulls each chunk it reads from the generator: ``read`` counts them."""
    read = 0

    async def ten_times_too_much() -> AsyncIterator[bytes]:
        nonlocal read
        yield FILE_PART
        while read < 10 * SMALL_LIMIT:
            read += CHUNK
            yield b"x" * CHUNK

    small = app_settings.model_copy(update={"media_max_upload_bytes": SMALL_LIMIT})
    async with in_process_api(small) as (_, api):
        refused = await api.post(
            upload_url(""), content=ten_times_too_much(), headers={**MULTIPART, **admin.headers}
        )
    assert_refused(refused, 413, "upload_too_large")
    assert read <= SMALL_LIMIT + ENVELOPE_BYTES + CHUNK


async def test_an_operators_picture_is_accepted(
    api: httpx.AsyncClient,
    clients: Clients,
    admin: Shopper,
    require_engine: Callable[[str], None],
) -> None:
    require_engine("objectstore")
    product_id = await create_product(clients)
    accepted = await api.post(
        upload_url("", product_id),
        files={"file": ("p.png", png(), "image/png")},
        headers=admin.headers,
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "processing"
    absent = await api.post(
        upload_url("", f"{product_id}-absent"),
        files={"file": ("p.png", png(), "image/png")},
        headers=admin.headers,
    )
    assert_refused(absent, 404, "product_not_found")

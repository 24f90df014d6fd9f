"""Product images as the outside meets them, on the running stack (`make up`): an operator
uploads through the TLS edge, the media agent of the catalog worker makes the variants, the
product page and search carry their URLs, and the edge serves them as a CDN would: immutable
cache headers, an ETag, a cache miss and then a hit. Hostile uploads get a JSON 4xx."""

import io
import random
import ssl
import uuid
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest
from PIL import Image

from config import Settings
from harness.accounts import new_accounts
from ops.demo.seed import seed_catalog
from ops.polling import wait_until

pytestmark = pytest.mark.engines

RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def edge(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[httpx.Client]:
    for engine in ("proxy", "objectstore", "streams-catalog", "elasticsearch"):
        require_engine(engine)
    ca = ssl.create_default_context(cafile=settings.stack_dir / "tls" / "ca.pem")
    base_url = f"https://{settings.proxy_host}:{settings.proxy_port}"
    with httpx.Client(base_url=base_url, verify=ca, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
async def headers(settings: Settings) -> dict[str, dict[str, str]]:
    async with await psycopg.AsyncConnection.connect(settings.postgres_dsn, autocommit=True) as pg:
        [admin] = await new_accounts(pg, settings, 1, "admin")
        [customer] = await new_accounts(pg, settings, 1, "customer")
    return {"admin": admin.headers, "customer": customer.headers}


@pytest.fixture
def product(edge: httpx.Client, headers: dict) -> Iterator[str]:
    product_id = f"img{RUN}_{uuid.uuid4().hex[:6]}"
    listing = {
        "productId": product_id,
        "title": f"Quokkaphone {product_id}",
        "category": "Toys",
        "brand": "Acme",
        "price": 12.5,
    }
    created = edge.post("/v1/admin/products", json=listing, headers=headers["admin"])
    assert created.status_code == 201, created.text
    yield product_id
    edge.delete(f"/v1/admin/products/{product_id}", headers=headers["admin"])


def photo(size: tuple[int, int] = (1600, 900)) -> bytes:
    """A JPEG of a random colour: a content address no earlier run fetched."""
    out = io.BytesIO()
    Image.new("RGB", size, tuple(random.randrange(256) for _ in range(3))).save(out, "JPEG")
    return out.getvalue()


def upload(
    edge: httpx.Client, headers: dict, product_id: str, data: bytes, kind: str = "image/jpeg"
):
    return edge.post(
        f"/v1/admin/products/{product_id}/images",
        files={"file": ("picture", data, kind)},
        headers=headers,
    )


def page_once_published(edge: httpx.Client, product_id: str) -> dict:
    def published() -> dict | None:
        page = edge.get(f"/v1/products/{product_id}").json()
        return page if page["thumbnail"] else None

    page, _ = wait_until(published, timeout=20, what=f"the variants of {product_id}")
    return page


def test_an_upload_reaches_the_page_search_and_the_cdn(
    edge: httpx.Client, headers: dict, product: str, settings: Settings
) -> None:
    accepted = upload(edge, headers["admin"], product, photo())
    assert accepted.status_code == 202, accepted.text
    image_id = accepted.json()["imageId"]
    assert accepted.json()["status"] == "processing"

    page = page_once_published(edge, product)
    base = f"{settings.media_base_url}/{image_id}"
    assert page["thumbnail"] == f"{base}/thumbnail-200.webp"
    assert page["images"] == [f"{base}/large-1200.webp"]

    first = edge.get(page["thumbnail"])
    second = edge.get(page["thumbnail"])
    for fetched in (first, second):
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "image/webp"
        assert fetched.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert fetched.headers["etag"]
    assert (first.headers["x-cache-status"], second.headers["x-cache-status"]) == ("MISS", "HIT")
    assert max(Image.open(io.BytesIO(first.content)).size) == 200
    unchanged = edge.get(page["thumbnail"], headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304
    large = Image.open(io.BytesIO(edge.get(page["images"][0]).content))
    assert large.size == (1200, 675)

    def found() -> dict | None:
        hits = edge.get("/v1/products/search", params={"term": product}).json()["products"]
        return next((h for h in hits if h["productId"] == product and h["thumbnail"]), None)

    hit, _ = wait_until(found, timeout=20, what="the thumbnail in search")
    assert hit["thumbnail"] == page["thumbnail"]


def test_taking_a_picture_off_takes_it_off_the_page(
    edge: httpx.Client, headers: dict, product: str
) -> None:
    first = upload(edge, headers["admin"], product, photo()).json()["imageId"]
    second = upload(edge, headers["admin"], product, photo((300, 300))).json()["imageId"]
    page_once_published(edge, product)
    wait_until(
        lambda: len(edge.get(f"/v1/products/{product}").json()["images"]) == 2,
        timeout=20,
        what="both pictures published",
    )
    removed = edge.delete(f"/v1/admin/products/{product}/images/{first}", headers=headers["admin"])
    assert removed.status_code == 200, removed.text
    assert [m["imageId"] for m in removed.json()["media"]] == [second]
    page = edge.get(f"/v1/products/{product}").json()
    assert page["thumbnail"].split("/")[-2] == second
    assert all(first not in url for url in page["images"])


@pytest.mark.parametrize(
    ("data", "kind", "status", "code"),
    [
        (b"hello, not a picture", "image/png", 415, "invalid_image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif", 415, "invalid_image"),
        (b"\xff\xd8\xff" + b"\x00" * 64, "image/jpeg", 415, "invalid_image"),
        (b"x" * 10_000_001, "image/png", 413, "upload_too_large"),  # the API's limit
        (b"x" * 12_000_000, "image/png", 413, "upload_too_large"),  # the edge's limit
    ],
    ids=["text", "gif", "truncated-jpeg", "over-the-api-limit", "over-the-edge-limit"],
)
def test_what_is_not_an_acceptable_picture_is_a_json_4xx(
    edge: httpx.Client, headers: dict, product: str, data: bytes, kind: str, status: int, code: str
) -> None:
    refused = upload(edge, headers["admin"], product, data, kind)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == code


def test_uploads_are_for_admins_of_existing_products(
    edge: httpx.Client, headers: dict, product: str
) -> None:
    assert upload(edge, headers["customer"], product, photo()).status_code == 403
    assert upload(edge, {}, product, photo()).status_code == 401
    assert upload(edge, headers["admin"], f"{product}-missing", photo()).status_code == 404
    no_file = edge.post(f"/v1/admin/products/{product}/images", headers=headers["admin"])
    assert no_file.status_code == 422 and no_file.json()["error"]["code"] == "invalid_request"
    unknown = edge.delete(
        f"/v1/admin/products/{product}/images/{'0' * 64}", headers=headers["admin"]
    )
    assert unknown.status_code == 404
    malformed = edge.delete(f"/v1/admin/products/{product}/images/$ne", headers=headers["admin"])
    assert malformed.status_code == 422


def test_originals_stay_private_and_the_cdn_serves_only_gets(
    edge: httpx.Client, headers: dict, product: str, settings: Settings
) -> None:
    image_id = upload(edge, headers["admin"], product, photo()).json()["imageId"]
    store = httpx.get(f"{settings.objectstore_url}/{settings.media_bucket}/originals/{image_id}")
    assert store.status_code == 403
    climbing = edge.get(f"/media/{image_id}/../../originals/{image_id}")
    assert climbing.status_code == 404
    assert edge.post(f"/media/{image_id}/thumbnail-200.webp").status_code == 403


def test_seeded_products_show_placeholder_pictures_through_the_cdn(
    edge: httpx.Client, headers: dict, settings: Settings
) -> None:
    """Seeded into the stack's own catalog (ids of this run): then deleted as an admin would."""
    prefix = f"ph{RUN}_"
    ids = [f"{prefix}00000{n}" for n in (1, 2)]
    try:
        seed_catalog(settings, len(ids), 11, prefix, lambda _: None)
        page = edge.get(f"/v1/products/{ids[0]}").json()
        assert page["thumbnail"].startswith(settings.media_base_url)
        assert len(page["images"]) >= 2
        for url in (page["thumbnail"], *page["images"]):
            served = edge.get(url)
            assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    finally:
        for product_id in ids:
            edge.delete(f"/v1/admin/products/{product_id}", headers=headers["admin"])

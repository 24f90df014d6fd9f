"""Uploaded images and the lifecycle job, on the real object store and catalog (this run's own
bucket and database): a deleted product's images go, a live product's stay, and so does an
image a deleted product shared with a live one."""

import io
import random
from datetime import timedelta

import httpx
from fastapi import FastAPI
from PIL import Image

from adapters.catalog_documents import Product
from adapters.object_store import ObjectStore
from config import Settings
from domain.media import THUMBNAIL, original_key
from services.media import collect_unused_images
from tests.catalog.test_admin_api import new_listing


def random_picture() -> bytes:
    """Bytes no other test or run uploads: a fresh content address."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), tuple(random.randrange(256) for _ in range(3))).save(out, "PNG")
    return out.getvalue()


async def listed_with(api: httpx.AsyncClient, headers: dict, *pictures: bytes) -> tuple[str, list]:
    listing = new_listing()
    created = await api.post("/v1/admin/products", json=listing, headers=headers)
    assert created.status_code == 201, created.text
    ids = []
    for data in pictures:
        uploaded = await api.post(
            f"/v1/admin/products/{listing['productId']}/images",
            files={"file": ("picture.png", data, "image/png")},
            headers=headers,
        )
        assert uploaded.status_code == 202, uploaded.text
        assert uploaded.json()["status"] == "processing"
        ids.append(uploaded.json()["imageId"])
    return listing["productId"], ids


async def test_an_upload_is_stored_and_recorded_once(
    api: httpx.AsyncClient, admin_headers: dict, engines: Settings
) -> None:
    picture = random_picture()
    product_id, [image_id, again] = await listed_with(api, admin_headers, picture, picture)
    assert again == image_id, "the same bytes are the same image"
    assert ObjectStore(engines).get(original_key(image_id)) == picture
    admin_view = await api.put(
        f"/v1/admin/products/{product_id}", json={"price": 10.5}, headers=admin_headers
    )
    assert [m["imageId"] for m in admin_view.json()["media"]] == [image_id]
    page = await api.get(f"/v1/products/{product_id}")
    assert page.json()["thumbnail"] is not None, "the listing's own thumbnail stays"


async def test_the_lifecycle_job_deletes_only_what_no_live_product_lists(
    api: httpx.AsyncClient,
    admin_headers: dict,
    engines: Settings,
    catalog: list[Product],
    catalog_served: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    own, shared = random_picture(), random_picture()
    gone_id, [gone_image, shared_image] = await listed_with(api, admin_headers, own, shared)
    _, [_, also_shared] = await listed_with(api, admin_headers, random_picture(), shared)
    assert also_shared == shared_image
    deleted = await api.delete(f"/v1/admin/products/{gone_id}", headers=admin_headers)
    assert deleted.status_code == 204
    services = catalog_served[0].state.services
    store = ObjectStore(engines)

    assert await collect_unused_images(services, timedelta(hours=1)) == 0, "within the grace"
    assert await collect_unused_images(services, timedelta(0)) >= 1
    assert not store.exists(original_key(gone_image))
    assert store.exists(original_key(shared_image)), "a live product still lists it"
    placeholder = catalog[0].media[0].image_id
    assert store.exists(THUMBNAIL.key(placeholder)), "the seeded placeholders stay"
    assert await collect_unused_images(services, timedelta(0)) == 0, "nothing left to delete"

"""Product images: operators upload originals, the media agent makes the variants, the
lifecycle job deletes what no product uses any more.

The original goes to the object store first, then the product document records it
(``processing``); its change reaches the media agent through the catalog change feed like
every catalog change, and the agent writes the variants and their CDN URLs back into the
document, from where search and the product cache pick them up. Writes to a product's images
are read-modify-write at the document's version, so an operator's edit and the agent's
never overwrite each other.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapters import catalog_store
from adapters.catalog_documents import Product, ProductImage
from adapters.object_store import ObjectStore
from domain.catalog import CatalogChange
from domain.errors import Refusal
from domain.media import (
    THUMBNAIL,
    VARIANT_TYPE,
    ImageStatus,
    InvalidImage,
    Picture,
    accept_upload,
    add_picture,
    finish_picture,
    garbage,
    make_variants,
    original_key,
    public_urls,
    published,
    remove_picture,
)
from domain.pricing import ProductNotFound
from services.catalog import fill_cache
from services.context import Services

log = logging.getLogger(__name__)

_ATTEMPTS = 10  # concurrent writers of one product's images (operator and agent) retry


class ImagesBusy(Refusal):
    code = "images_busy"

    def __init__(self, product_id: str) -> None:
        super().__init__(f"the images of {product_id!r} are changing; retry", product_id=product_id)


async def upload_image(services: Services, product_id: str, data: bytes) -> ProductImage:
    """Store the original and record it on the product (``processing``); the same bytes
    uploaded again are the same image, recorded once."""
    upload = await asyncio.to_thread(accept_upload, data, services.settings.media_max_upload_bytes)
    if not await catalog_store.product_exists(services.engines.mongo, product_id):
        raise ProductNotFound(product_id)
    store = services.engines.objects
    await asyncio.to_thread(store.put, upload.key, data, upload.content_type)
    picture = Picture.uploaded(upload, datetime.now(UTC))
    product = await _change_pictures(services, product_id, lambda p: add_picture(p, picture))
    return next(image for image in product.media if image.image_id == upload.image_id)


async def delete_image(services: Services, product_id: str, image_id: str) -> Product:
    """Take an image off the product; the lifecycle job deletes its objects later."""
    return await _change_pictures(
        services, product_id, lambda p: remove_picture(p, product_id, image_id)
    )


async def make_pending_variants(services: Services, change: CatalogChange) -> int:
    """Make the variants of every picture of a changed product still ``processing``; how many.

    Redelivered or replayed changes find the pictures ready and do nothing; a picture whose
    original cannot be decoded is marked ``failed``.
    """
    media = (change.document or {}).get("media") or ()
    pending = [m["imageId"] for m in media if m.get("status") == ImageStatus.PROCESSING]
    for image_id in pending:  # most changes have none: no need to read the whole product
        urls = await _render(services, image_id)
        with contextlib.suppress(ProductNotFound):  # deleted meanwhile: the lifecycle job
            await _change_pictures(
                services,
                change.product_id,
                lambda p, image_id=image_id, urls=urls: finish_picture(p, image_id, urls),
            )
    return len(pending)


async def _render(services: Services, image_id: str) -> dict[str, str] | None:
    """Store each variant of an original; their CDN URLs, or None if it cannot be made."""
    store = services.engines.objects
    original = await asyncio.to_thread(store.get, original_key(image_id))
    if original is None:
        log.warning("image %s: its original is missing", image_id)
        return None
    try:
        return await asyncio.to_thread(
            _store_variants, store, services.settings.media_base_url, image_id, original
        )
    except InvalidImage as exc:
        log.warning("image %s: %s", image_id, exc.message)
        return None


def _store_variants(
    store: ObjectStore, base_url: str, image_id: str, original: bytes
) -> dict[str, str]:
    for variant, data in make_variants(original).items():
        store.put(variant.key(image_id), data, VARIANT_TYPE)
    return dict(public_urls(base_url, image_id))


def publish_placeholder(store: ObjectStore, base_url: str, data: bytes, now: datetime) -> Picture:
    """A generated picture stored with its variants, ready (blocking: for the demo seed).
    Stored once: the same bytes are the same objects."""
    upload = accept_upload(data, len(data))
    if not store.exists(THUMBNAIL.key(upload.image_id)):
        store.put(upload.key, data, upload.content_type)
        _store_variants(store, base_url, upload.image_id, data)
    ready = Picture.uploaded(upload, now)
    return replace(
        ready,
        status=ImageStatus.READY,
        variants=public_urls(base_url, upload.image_id),
        placeholder=True,
    )


async def _change_pictures(
    services: Services,
    product_id: str,
    change: Callable[[list[Picture]], list[Picture]],
) -> Product:
    """Apply ``change`` to the product's pictures at its current version, retrying when
    another writer got there first; ``images`` and ``thumbnail`` follow."""
    mongo = services.engines.mongo
    for _ in range(_ATTEMPTS):
        document = await catalog_store.find_product(mongo, product_id)
        if document is None:
            raise ProductNotFound(product_id)
        product = Product.model_validate(document)
        before = [image.picture() for image in product.media]
        after = change(before)
        if after == before:
            return product
        images, thumbnail = published(
            [str(url) for url in product.images],
            None if product.thumbnail is None else str(product.thumbnail),
            before,
            after,
        )
        changes = {
            "media": [ProductImage.of(p).model_dump(by_alias=True) for p in after],
            "images": images,
            "thumbnail": thumbnail,
        }
        written = await catalog_store.update_product_at(
            mongo, product_id, document["version"], changes
        )
        if written is not None:
            updated = Product.model_validate(written)
            await fill_cache(services, product_id, written["version"], updated)
            return updated
    raise ImagesBusy(product_id)


async def collect_unused_images(services: Services, grace: timedelta) -> int:
    """Delete the objects of images no live product lists, older than ``grace``; how many."""
    store: ObjectStore = services.engines.objects
    referenced = await catalog_store.image_ids(services.engines.mongo)
    objects = await asyncio.to_thread(lambda: list(store.objects()))
    keys = garbage(objects, referenced, datetime.now(UTC), grace)
    if keys:
        await asyncio.to_thread(store.delete, keys)
        log.info("lifecycle: deleted %d objects of unused images", len(keys))
    return len(keys)

"""Catalog and stock administration for sellers/operators (admin role).

These edges write only their source of truth, Mongo for products (through
``adapters.catalog_store``, whose stamps the catalog change feed finds) and Postgres for
stock; the CDC pipeline carries every change on to Elasticsearch, Redis and Mongo
``quantity``.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from adapters.catalog_documents import Product, ProductImage
from api.auth import AdminUser
from api.deps import ServicesDep
from api.models.catalog import InventoryLevel, ProductCreate, ProductUpdate, SetStock
from api.openapi import error_responses
from api.params import ProductIdPath
from api.uploads import multipart_body, read_file
from services import catalog, media, stock

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403))


@router.post("/products", status_code=201, response_model=Product, responses=error_responses(409))
async def create_product(listing: ProductCreate, _: AdminUser, services: ServicesDep) -> Product:
    """Create a product (no stock yet: set it with PUT /admin/inventory/{productId}).

    A deleted product's id can be listed again: that revives it at a newer version.
    """
    return await catalog.create_product(services, listing)


@router.put("/products/{productId}", response_model=Product, responses=error_responses(404))
async def update_product(
    product_id: ProductIdPath, update: ProductUpdate, _: AdminUser, services: ServicesDep
) -> Product:
    """Partial update: only the fields sent change; updatedAt and the version are bumped."""
    return await catalog.update_product(services, product_id, update.changes())


@router.delete("/products/{productId}", status_code=204, responses=error_responses(404))
async def delete_product(
    product_id: ProductIdPath, _: AdminUser, services: ServicesDep
) -> Response:
    """Soft delete: the document stays as a tombstone (``deleted``, a new version) so the
    change feed carries the delete to search; the inventory row stays for order history
    and audit."""
    await catalog.delete_product(services, product_id)
    return Response(status_code=204)


ImageIdPath = Annotated[str, Path(alias="imageId", pattern=r"^[0-9a-f]{64}$")]


@router.post(
    "/products/{productId}/images",
    status_code=202,
    response_model=ProductImage,
    responses=error_responses(404, 409, 413, 415),
    openapi_extra=multipart_body("file", "A JPEG, PNG or WebP picture"),
)
async def upload_image(
    product_id: ProductIdPath, request: Request, _: AdminUser, services: ServicesDep
) -> ProductImage:
    """Add a picture to the product (multipart, field ``file``): 202, ``processing``.

    The media agent then makes its variants (large, medium, thumbnail, WebP) and publishes
    their CDN URLs in the product's ``media``, ``images`` and ``thumbnail``, and so in search.
    URLs are content-addressed: the same picture sent again is the same image, added once.
    The body is read only once the caller is known to be an operator within the rate limits
    (``api.uploads``).
    """
    data = await read_file(request, "file", services.settings.media_max_upload_bytes)
    return await media.upload_image(services, product_id, data)


@router.delete(
    "/products/{productId}/images/{imageId}", response_model=Product, responses=error_responses(404)
)
async def delete_image(
    product_id: ProductIdPath, image_id: ImageIdPath, _: AdminUser, services: ServicesDep
) -> Product:
    """Take a picture off the product; the lifecycle job deletes its files once no product
    lists it."""
    return await media.delete_image(services, product_id, image_id)


@router.put("/inventory/{productId}", response_model=InventoryLevel, responses=error_responses(404))
async def set_stock(
    product_id: ProductIdPath, level: SetStock, _: AdminUser, services: ServicesDep
) -> InventoryLevel:
    """Set sellable stock; stockedQty moves by the same delta so stock stays conserved."""
    return InventoryLevel.of(await stock.set_stock(services, product_id, level.available_qty))

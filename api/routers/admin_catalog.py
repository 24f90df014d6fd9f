"""Catalog and stock administration for sellers/operators (admin role in the JWT).

These edges write only their source of truth, Mongo for products (through
``adapters.catalog_store``, whose stamps the catalog change feed finds) and Postgres for
stock; the CDC pipeline carries every change on to Elasticsearch, Redis and Mongo
``quantity``.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from pymongo.errors import DuplicateKeyError

from adapters import catalog_store, inventory_store
from api.auth import AdminUser
from api.deps import ClientsDep
from api.errors import ApiError, error_responses
from api.params import ProductIdPath
from schemas.catalog import InventoryLevel, Product, ProductCreate, ProductUpdate, SetStock

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403, 404, 409))


def _unknown(product_id: str) -> ApiError:
    return ApiError(404, "product_not_found", f"no product {product_id!r}")


@router.post("/products", status_code=201, response_model=Product)
async def create_product(listing: ProductCreate, _: AdminUser, clients: ClientsDep) -> Product:
    """Create a product (no stock yet: set it with PUT /admin/inventory/{productId}).

    A deleted product's id can be listed again: that revives it at a newer version.
    """
    # No ``quantity``: it mirrors Postgres stock, which a delete keeps, so a revived product
    # keeps its mirrored figure; a new one reads as 0 until stock sync writes it.
    listed = Product.listed(listing, now=datetime.now(UTC)).model_dump(exclude={"quantity"})
    try:
        document = await catalog_store.create_product(clients.mongo, listed)
    except DuplicateKeyError as exc:
        raise ApiError(
            409, "product_exists", f"product {listing.product_id!r} already exists"
        ) from exc
    return Product.model_validate(document)


@router.put("/products/{productId}", response_model=Product)
async def update_product(
    product_id: ProductIdPath, update: ProductUpdate, _: AdminUser, clients: ClientsDep
) -> Product:
    """Partial update: only the fields sent change; updatedAt and the version are bumped."""
    document = await catalog_store.update_product(clients.mongo, product_id, update.changes())
    if document is None:
        raise _unknown(product_id)
    return Product.model_validate(document)


@router.delete("/products/{productId}", status_code=204)
async def delete_product(product_id: ProductIdPath, _: AdminUser, clients: ClientsDep) -> Response:
    """Soft delete: the document stays as a tombstone (``deleted``, a new version) so the
    change feed carries the delete to search; the inventory row stays for order history
    and audit."""
    if not await catalog_store.delete_product(clients.mongo, product_id):
        raise _unknown(product_id)
    return Response(status_code=204)


@router.put("/inventory/{productId}", response_model=InventoryLevel)
async def set_stock(
    product_id: ProductIdPath, level: SetStock, _: AdminUser, clients: ClientsDep
) -> InventoryLevel:
    """Set sellable stock; stockedQty moves by the same delta so stock stays conserved."""
    if not await catalog_store.product_exists(clients.mongo, product_id):
        raise _unknown(product_id)
    async with clients.pg.connection() as conn:
        stocked = await inventory_store.set_available(conn, product_id, level.available_qty)
    return InventoryLevel.of(stocked)

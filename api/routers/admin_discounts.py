"""Discount codes for operators (admin role): create, read, replace the terms, retire.

Codes live in Postgres only (``services.discounts``); CDC carries every change of a code and
of its redemptions to Kafka like any other row.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import AdminUser
from api.deps import ServicesDep
from api.models.catalog import MAX_PAGE_SIZE, Pagination
from api.models.discounts import (
    DiscountCodeCreate,
    DiscountCodesPage,
    DiscountCodeView,
    DiscountTerms,
)
from api.openapi import error_responses
from api.params import DiscountCodePath
from domain.discounts import normalise_code
from services import discounts

router = APIRouter(
    prefix="/admin/discount-codes", tags=["admin"], responses=error_responses(401, 403)
)


@router.post("", status_code=201, responses=error_responses(409))
async def create_discount_code(
    body: DiscountCodeCreate, _: AdminUser, services: ServicesDep
) -> DiscountCodeView:
    """409 ``discount_code_exists`` when the code exists, retired ones included: codes are
    never reused, because orders name them."""
    return DiscountCodeView.model_validate(await discounts.create_code(services, body.as_code()))


@router.get("")
async def list_discount_codes(
    _: AdminUser,
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> DiscountCodesPage:
    """In code order, retired codes included."""
    rows, total = await discounts.codes_page(services, size, (page - 1) * size)
    return DiscountCodesPage(
        codes=[DiscountCodeView.model_validate(row) for row in rows],
        pagination=Pagination.of(page, size, total),
    )


@router.get("/{code}", responses=error_responses(404))
async def get_discount_code(
    code: DiscountCodePath, _: AdminUser, services: ServicesDep
) -> DiscountCodeView:
    return DiscountCodeView.model_validate(
        await discounts.code_view(services, normalise_code(code))
    )


@router.put("/{code}", responses=error_responses(404, 409))
async def replace_discount_terms(
    code: DiscountCodePath, terms: DiscountTerms, _: AdminUser, services: ServicesDep
) -> DiscountCodeView:
    """New terms for a live code. Its live redemptions stay: 409 ``cap_below_redemptions``
    when the new cap is lower; 409 ``discount_code_retired`` for a retired code. Orders
    placed before keep the discount they got."""
    replaced = await discounts.replace_terms(services, terms.of_code(normalise_code(code)))
    return DiscountCodeView.model_validate(replaced)


@router.delete("/{code}", status_code=204, responses=error_responses(404))
async def retire_discount_code(
    code: DiscountCodePath, _: AdminUser, services: ServicesDep
) -> Response:
    """Retire the code: it applies to no new order, and stays for the orders that name it
    (their redemptions are still given back when they fail or expire). Idempotent."""
    await discounts.retire_code(services, normalise_code(code))
    return Response(status_code=204)

"""Every router the storefront serves, mounted under /v1 by api.app."""

from fastapi import APIRouter

from api.routers import (
    admin_access,
    admin_catalog,
    admin_discounts,
    admin_orders,
    carrier,
    cart,
    checkout,
    order_events,
    orders,
    payment,
    products,
    users,
)

ROUTERS: list[APIRouter] = [
    users.router,
    products.router,
    cart.router,
    checkout.router,
    payment.router,
    orders.router,
    order_events.router,
    admin_access.router,
    admin_catalog.router,
    admin_orders.router,
    admin_discounts.router,
    carrier.router,
]

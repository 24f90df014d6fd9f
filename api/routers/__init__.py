"""Every router the storefront serves, mounted under /v1 by api.app."""

from fastapi import APIRouter

from api.routers import admin_catalog, products

ROUTERS: list[APIRouter] = [products.router, admin_catalog.router]

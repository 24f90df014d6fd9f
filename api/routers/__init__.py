"""Every router the storefront serves, mounted under /v1 by api.app."""

from fastapi import APIRouter

from api.routers import order_events

ROUTERS: list[APIRouter] = [order_events.router]

"""Every router the storefront serves, mounted under /v1 by api.app."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []

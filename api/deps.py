"""FastAPI dependencies handing routes what the lifespan opened for the process.

All ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a hop that cost
more CPU than what these return.

Kept out of ``api.app`` so routers can import them without a cycle (``api.app`` imports
every router).
"""

from typing import Annotated

from fastapi import Depends, Request

from adapters.connections import Clients
from adapters.passwords import PasswordHashing
from adapters.prices import PriceReader
from adapters.tokens import TokenKeys
from services.context import Services
from services.sessions import Credentials


def services_of(request: Request) -> Services:
    """What the handlers work with (``services.bootstrap``)."""
    return request.app.state.services


def clients_of(request: Request) -> Clients:
    """The engine connections (Postgres, Mongo, Redis, Elasticsearch), for reads."""
    return request.app.state.services.engines


def keys_of(request: Request) -> TokenKeys:
    """The keys that sign and verify access tokens (checked when the app is created)."""
    return request.app.state.keys


async def get_services(request: Request) -> Services:
    return services_of(request)


async def get_clients(request: Request) -> Clients:
    return clients_of(request)


async def get_prices(request: Request) -> PriceReader:
    """The live price reader, shared so concurrent lookups of one product share a query."""
    return request.app.state.prices


async def get_keys(request: Request) -> TokenKeys:
    return keys_of(request)


async def get_hashing(request: Request) -> PasswordHashing:
    """The process's bounded password hasher."""
    return request.app.state.hashing


async def get_credentials(request: Request) -> Credentials:
    return Credentials(request.app.state.keys, request.app.state.hashing)


ServicesDep = Annotated[Services, Depends(get_services)]
ClientsDep = Annotated[Clients, Depends(get_clients)]
PricesDep = Annotated[PriceReader, Depends(get_prices)]
KeysDep = Annotated[TokenKeys, Depends(get_keys)]
HashingDep = Annotated[PasswordHashing, Depends(get_hashing)]
CredentialsDep = Annotated[Credentials, Depends(get_credentials)]

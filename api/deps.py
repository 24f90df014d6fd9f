"""FastAPI dependencies handing routes what the lifespan opened for the process.

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


def get_services(request: Request) -> Services:
    """What the handlers work with (``services.bootstrap``)."""
    return request.app.state.services


def get_clients(request: Request) -> Clients:
    """The engine connections (Postgres, Mongo, Redis, Elasticsearch), for reads."""
    return get_services(request).engines


def get_prices(request: Request) -> PriceReader:
    """The live price reader, shared so concurrent lookups of one product share a query."""
    return request.app.state.prices


def get_keys(request: Request) -> TokenKeys:
    """The keys that sign and verify access tokens (checked when the app is created)."""
    return request.app.state.keys


def get_hashing(request: Request) -> PasswordHashing:
    """The process's bounded password hasher."""
    return request.app.state.hashing


def get_credentials(request: Request) -> Credentials:
    return Credentials(get_keys(request), get_hashing(request))


ServicesDep = Annotated[Services, Depends(get_services)]
ClientsDep = Annotated[Clients, Depends(get_clients)]
PricesDep = Annotated[PriceReader, Depends(get_prices)]
KeysDep = Annotated[TokenKeys, Depends(get_keys)]
HashingDep = Annotated[PasswordHashing, Depends(get_hashing)]
CredentialsDep = Annotated[Credentials, Depends(get_credentials)]

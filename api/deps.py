"""FastAPI dependencies handing routes the process-wide connections opened by the lifespan.

Kept out of ``api.app`` so routers can import them without a cycle (``api.app`` imports
every router), and out of ``adapters`` so the stream workers don't depend on FastAPI.
"""

from typing import Annotated

from fastapi import Depends, Request

from adapters.connections import Clients
from api.gateway import PaymentGateway
from api.passwords import PasswordHashing
from api.prices import PriceReader
from api.tokens import TokenKeys


def get_clients(request: Request) -> Clients:
    """The engine connections (Postgres, Mongo, Redis, Elasticsearch)."""
    return request.app.state.clients


def get_gateway(request: Request) -> PaymentGateway:
    """The payment gateway client; only the API talks to the gateway."""
    return request.app.state.gateway


def get_prices(request: Request) -> PriceReader:
    """The live price reader, shared so concurrent lookups of one product share a query."""
    return request.app.state.prices


def get_keys(request: Request) -> TokenKeys:
    """The keys that sign and verify access tokens (checked when the app is created)."""
    return request.app.state.keys


def get_hashing(request: Request) -> PasswordHashing:
    """The process's bounded password hasher."""
    return request.app.state.hashing


ClientsDep = Annotated[Clients, Depends(get_clients)]
KeysDep = Annotated[TokenKeys, Depends(get_keys)]
HashingDep = Annotated[PasswordHashing, Depends(get_hashing)]
GatewayDep = Annotated[PaymentGateway, Depends(get_gateway)]
PricesDep = Annotated[PriceReader, Depends(get_prices)]

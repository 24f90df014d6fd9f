"""FastAPI dependencies handing routes the process-wide connections opened by the lifespan.

Kept out of ``api.app`` so routers can import them without a cycle (``api.app`` imports
every router), and out of ``adapters`` so the stream workers don't depend on FastAPI.
"""

from typing import Annotated

from fastapi import Depends, Request

from adapters.connections import Clients
from api.gateway import PaymentGateway


def get_clients(request: Request) -> Clients:
    """The engine connections (Postgres, Mongo, Redis, Elasticsearch)."""
    return request.app.state.clients


def get_gateway(request: Request) -> PaymentGateway:
    """The payment gateway client; only the API talks to the gateway."""
    return request.app.state.gateway


ClientsDep = Annotated[Clients, Depends(get_clients)]
GatewayDep = Annotated[PaymentGateway, Depends(get_gateway)]

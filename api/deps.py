"""FastAPI dependencies shared by the routers.

Kept out of ``api.app`` so routers can import them without a cycle (``api.app`` imports
every router), and out of ``adapters`` so the stream workers don't depend on FastAPI.
"""

from typing import Annotated

from fastapi import Depends, Request

from adapters.connections import Clients


def get_clients(request: Request) -> Clients:
    """The process-wide engine connections, opened by the app lifespan."""
    return request.app.state.clients


ClientsDep = Annotated[Clients, Depends(get_clients)]

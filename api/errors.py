"""Every error leaves the API as JSON ``{"error": {"code", "message"}}``; no stack trace leaks."""

import logging
from collections.abc import Awaitable, Callable
from typing import Literal

import psycopg
from elasticsearch import ConnectionError as ElasticsearchUnreachable
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pymongo.errors import ConnectionFailure
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.passwords import HashingBusy
from domain.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    Refusal,
    Throttled,
    Unauthenticated,
)
from domain.media import InvalidImage, UploadTooLarge

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain refusal the client can act on (4xx) with a stable machine-readable code."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


class ErrorDetail(BaseModel):
    """``code`` is stable for clients; refusals add fields naming what was refused
    (``productId``, ``availableQty``; ``dependency`` on a 503)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx: ``{"error": {"code", "message", ...details}}``."""

    error: ErrorDetail


class FieldProblem(BaseModel):
    field: str = Field(description="Where, dotted: `body.products.0.quantity`, `query.size`")
    problem: str


class ValidationErrorDetail(ErrorDetail):
    code: Literal["invalid_request"]
    details: list[FieldProblem] = Field(description="Each problem found, by field")


class ValidationErrorBody(BaseModel):
    """A 422: the request failed validation; ``details`` names each problem by field."""

    error: ValidationErrorDetail


def error_body(code: str, message: str, **extra: object) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def invalid_request(message: str, problems: list[FieldProblem]) -> JSONResponse:
    """Every 422 has this one shape (``ValidationErrorBody``), whatever failed to parse."""
    detail = ValidationErrorDetail(code="invalid_request", message=message, details=problems)
    body = ValidationErrorBody(error=detail)
    return JSONResponse(body.model_dump(mode="json"), status_code=422)


UNAVAILABLE: dict[type[Exception], str] = {
    RedisConnectionError: "redis",
    RedisTimeoutError: "redis",
    ConnectionFailure: "mongo",
    ElasticsearchUnreachable: "elasticsearch",
    psycopg.OperationalError: "postgres",
    PoolTimeout: "postgres",
}
"""Failures that mean a dependency is down, not that the request was wrong: a 503 naming it,
with ``Retry-After``. Features that can do without one catch its errors first (the product
page reads stock from Postgres when Redis is down, the rate limiter lets requests through)."""

RETRY_AFTER_SECONDS = 5


def unavailable(dependency: str) -> JSONResponse:
    return JSONResponse(
        error_body(
            "dependency_unavailable",
            f"{dependency} is unavailable; retry shortly",
            dependency=dependency,
        ),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _unavailable(dependency: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        path = request.url.path
        log.warning("%s unavailable on %s %s: %r", dependency, request.method, path, exc)
        return unavailable(dependency)

    return handler


def refusal_status(refusal: Refusal) -> int:
    """What kind of no it is, in HTTP: not found, not signed in, not allowed, not usable as
    sent, too many, an upload we do not take, else a conflict."""
    for kind, status in (
        (NotFound, 404),
        (Unauthenticated, 401),
        (Forbidden, 403),
        (InvalidRequest, 400),
        (Throttled, 429),
        (UploadTooLarge, 413),
        (InvalidImage, 415),
    ):
        if isinstance(refusal, kind):
            return status
    return 409


def refusal_headers(refusal: Refusal) -> dict[str, str] | None:
    if isinstance(refusal, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(refusal, Throttled):
        return {"Retry-After": str(refusal.retry_after_seconds)}
    return None


def api_error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers
    )


def refusal_response(refusal: Refusal) -> JSONResponse:
    details = {to_camel(key): value for key, value in refusal.details.items()}
    return JSONResponse(
        error_body(refusal.code, refusal.message, **details),
        status_code=refusal_status(refusal),
        headers=refusal_headers(refusal),
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return api_error_response(exc)

    @app.exception_handler(Refusal)
    async def _refused(_: Request, exc: Refusal) -> JSONResponse:
        return refusal_response(exc)

    @app.exception_handler(HashingBusy)
    async def _busy(_: Request, exc: HashingBusy) -> JSONResponse:
        return JSONResponse(
            error_body("busy", "too many sign-ins at once; retry in a second"),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    for failure, dependency in UNAVAILABLE.items():
        app.add_exception_handler(failure, _unavailable(dependency))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(field=".".join(str(p) for p in err["loc"]), problem=err["msg"])
            for err in exc.errors()
        ]
        return invalid_request("request failed validation", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that is not even text: bad input like any other
            problem = FieldProblem(field="body", problem=str(exc.detail))
            return invalid_request(f"request failed validation: {exc.detail}", [problem])
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)

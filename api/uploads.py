"""Multipart uploads read by the route itself, once the caller is known.

FastAPI parses a declared ``File``/``Form`` body before it runs any dependency, so an
anonymous caller's upload was read (and spooled to disk) before the 401, and a malformed one
answered 422 instead. Routes taking an upload declare no body: their dependencies
(authentication, rate limits) run first, then ``read_file`` reads at most the limit (a
declared ``Content-Length`` over it is refused before anything is read); ``multipart_body``
documents the body in the OpenAPI as FastAPI would have.
"""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from domain.media import UploadTooLarge

ENVELOPE_BYTES = 64 * 1024
"""Room for the multipart boundaries and part headers around the largest file (the TLS edge
allows the same)."""

MAX_OTHER_FIELDS = 8
MAX_FIELD_BYTES = 64 * 1024


def _invalid(field: str, problem: str) -> RequestValidationError:
    """The 422 FastAPI gives a missing body field, in the same shape (``api.errors``)."""
    return RequestValidationError([{"loc": ("body", field), "msg": problem, "type": "missing"}])


def multipart_body(field: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` of a route reading one required file part named ``field``."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {
            field: {
                "type": "string",
                "contentMediaType": "application/octet-stream",
                "description": description,
            }
        },
    }
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def read_file(request: Request, field: str, limit: int) -> bytes:
    """The bytes of file part ``field``: 413 (``UploadTooLarge``) past ``limit``, 422 for a
    body that is not multipart or has no such file."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit + ENVELOPE_BYTES:
        raise UploadTooLarge(limit)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise _invalid(field, "expected multipart/form-data with a file part")
    bounded = Request(request.scope, _bounded(request.receive, limit + ENVELOPE_BYTES, limit))
    async with bounded.form(
        max_files=1, max_fields=MAX_OTHER_FIELDS, max_part_size=MAX_FIELD_BYTES
    ) as form:
        part = form.get(field)
        if not isinstance(part, UploadFile):
            raise _invalid(field, "Field required (a file part)")
        data = await part.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(limit)
    return data


def _bounded(receive: Receive, most: int, limit: int) -> Receive:
    """``receive`` that refuses (413) once the body passes ``most`` bytes: a body sent chunked,
    or longer than it declared, is cut off while it is read."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > most:
            raise UploadTooLarge(limit)
        return message

    return bounded_receive

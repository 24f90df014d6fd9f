"""What a server answers to a request whose body it has not been sent: the proof that it
decided without reading the body (an anonymous upload refused before its megabytes cross
the wire). A server that reads the body first never answers: the deadline says so."""

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}
FILE_PART = b'--b\r\nContent-Disposition: form-data; name="file"; filename="p"\r\n\r\n'
"""The start of an image upload's body (multipart, field ``file``), for a body held back."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def answer_before_body(
    url: str,
    headers: dict[str, str],
    declared_length: int,
    first_bytes: bytes = b"",
    tls: ssl.SSLContext | None = None,
    timeout: float = 5.0,
) -> Answer:
    """POST ``url`` declaring a body of ``declared_length`` bytes but sending only
    ``first_bytes`` of it; the answer must come within ``timeout`` seconds."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80)
    reader, writer = await asyncio.open_connection(
        host, port, ssl=tls, server_hostname=host if tls else None
    )
    connection = h11.Connection(h11.CLIENT)
    head = [("Host", parts.netloc), ("Content-Length", str(declared_length)), *headers.items()]
    writer.write(connection.send(h11.Request(method="POST", target=parts.path, headers=head)))
    if first_bytes:
        writer.write(connection.send(h11.Data(data=first_bytes)) or b"")
    await writer.drain()
    try:
        async with asyncio.timeout(timeout):
            return await _read_answer(connection, reader)
    except TimeoutError:
        raise AssertionError(
            f"no answer within {timeout}s with {len(first_bytes)} of {declared_length} bytes "
            "sent: the server waits for the body before deciding"
        ) from None
    finally:
        writer.close()


async def _read_answer(connection: h11.Connection, reader: asyncio.StreamReader) -> Answer:
    status, headers, body = 0, {}, bytearray()
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
            headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return Answer(status, headers, bytes(body))

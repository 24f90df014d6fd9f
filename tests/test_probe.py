"""The healthcheck probe must tell a listening port from a closed one, and a health endpoint
answering 2xx from one answering an error or nothing."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ops.probe import answers, main, reachable


def test_probe_sees_listener_and_closed_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        address = f"127.0.0.1:{server.getsockname()[1]}"
        assert reachable(address)
        assert main([address]) == 0
    assert not reachable(address, timeout=0.5)
    assert main([]) == 1


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the status codes."""


@contextmanager
def health_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_probe_wants_a_2xx_from_a_url() -> None:
    with health_server() as base:
        assert answers(f"{base}/healthz")
        assert not answers(f"{base}/broken")
        assert main([f"{base}/healthz", base.removeprefix("http://")]) == 0
        assert main([f"{base}/healthz", f"{base}/broken"]) == 1
    assert not answers(f"{base}/healthz", timeout=0.5)

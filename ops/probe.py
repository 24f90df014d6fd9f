"""Readiness probe for the app containers' healthchecks.

python:3.11-slim ships neither curl nor nc, so docker-compose.yml calls
``python -m ops.probe TARGET ...``: exit 0 only when every target is up. A URL must answer
2xx (a service's own health endpoint, the one ``make up`` waits on too); a ``HOST:PORT`` must
accept a connection (a server without HTTP).
"""

import socket
import sys

import httpx


def reachable(address: str, timeout: float = 2.0) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).is_success
    except httpx.HTTPError:
        return False


def up(target: str) -> bool:
    return answers(target) if "://" in target else reachable(target)


def main(targets: list[str]) -> int:
    return 0 if targets and all(up(t) for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""TCP readiness probe for the app containers' healthchecks.

python:3.11-slim ships neither curl nor nc, so docker-compose.yml calls
``python -m ops.probe HOST:PORT ...``: exit 0 only when every address accepts a connection.
"""

import socket
import sys


def reachable(address: str, timeout: float = 2.0) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def main(addresses: list[str]) -> int:
    return 0 if addresses and all(reachable(a) for a in addresses) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The healthcheck probe must tell a listening port from a closed one."""

import socket

from ops.probe import main, reachable


def test_probe_sees_listener_and_closed_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        address = f"127.0.0.1:{server.getsockname()[1]}"
        assert reachable(address)
        assert main([address]) == 0
    assert not reachable(address, timeout=0.5)
    assert main([]) == 1

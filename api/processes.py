"""Several storefront processes on one port, each accepting on a listening socket of its own.

uvicorn's ``workers`` share one listening socket: under keep-alive load whichever process
wakes first takes the connection, and one process did five times the other's work while the
machine had a core to spare. Here each process binds the port itself with ``SO_REUSEPORT``,
so the kernel spreads new connections over the processes by their addresses; uvicorn has no
option for that, hence this small supervisor.

The parent only supervises: a process that dies is started again (the connections waiting in
its own queue are reset; the others' are untouched), one that fails before serving stops
everything with uvicorn's startup-failure code, and SIGTERM or SIGINT stops the processes
gracefully (each finishes its requests in flight) before the parent exits.
"""

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.context import SpawnProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("api.processes")

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 30
"""How long a stopped process may take to answer what it accepted before it is killed."""


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A socket of this process's own on ``host:port``, sharing the port with its siblings."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(backlog)
    return sock


def serve_one(options: dict[str, Any]) -> None:
    """One server process: uvicorn on a socket bound here (run in a spawned child)."""
    config = uvicorn.Config(**options)
    sock = listening_socket(config.host, config.port, config.backlog)
    uvicorn.Server(config).run(sockets=[sock])


class Processes:
    """Keeps ``count`` server processes running until asked to stop."""

    def __init__(self, options: dict[str, Any], count: int) -> None:
        self.options = options
        self.count = count
        self.stop_requested = False
        self._context = multiprocessing.get_context("spawn")

    def request_stop(self, _signum: int, _frame: object) -> None:
        self.stop_requested = True

    def _start(self) -> SpawnProcess:
        process = self._context.Process(target=serve_one, args=(self.options,))
        process.start()
        return process

    def run(self) -> int:
        """The exit code: 0 once stopped, uvicorn's startup failure if a process never served."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_stop)
        processes = [self._start() for _ in range(self.count)]
        code = 0
        while not self.stop_requested:
            time.sleep(POLL_SECONDS)
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("server process %s failed to start: stopping", process.pid)
                    self.stop_requested, code = True, STARTUP_FAILURE
                    break
                log.warning(
                    "server process %s died (%s): starting another", process.pid, process.exitcode
                )
                processes[i] = self._start()
        self._stop(processes)
        return code

    @staticmethod
    def _stop(processes: list[SpawnProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()

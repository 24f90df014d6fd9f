"""Redis from Debian's packages: stock cache, flash-sale gate and rate limiter."""

from pathlib import Path

import redis

from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon
from ops.stack.provision import apt_install


class Redis(DaemonEngine):
    name = "redis"

    @property
    def endpoint(self) -> str:
        return self.settings.redis_url

    @property
    def port(self) -> int:
        return redis.connection.parse_url(self.settings.redis_url).get("port", 6379)

    def data_paths(self) -> tuple[Path, ...]:
        """The append-only file (snapshots are off; a dump left by hand goes too)."""
        return (self.home / "appendonlydir", self.home / "dump.rdb")

    def provision(self) -> None:
        apt_install(["redis-server"], self.log, services=("redis-server",))

    def daemon(self) -> Daemon:
        return Daemon(
            argv=[
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.home),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
            ],
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        client = redis.Redis.from_url(self.settings.redis_url, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()

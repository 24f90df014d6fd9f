"""FerretDB: the MongoDB wire protocol on a Postgres database of its own (no MongoDB here)."""

from urllib.parse import urlsplit

import pymongo

from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon
from ops.stack.provision import go_build

MODULE = "github.com/FerretDB/FerretDB"
VERSION = "v1.24.2"  # last release line with the plain PostgreSQL backend (v2 needs DocumentDB)


class FerretDB(DaemonEngine):
    name = "ferretdb"
    depends_on = ("postgres",)

    @property
    def endpoint(self) -> str:
        return self.settings.mongo_url

    @property
    def binary(self):
        return self.settings.stack_dir / "bin" / "ferretdb"

    def provision(self) -> None:
        go_build(
            MODULE,
            VERSION,
            "./cmd/ferretdb",
            self.binary,
            self.log,
            files={"build/version/version.txt": VERSION + "\n"},
        )

    def daemon(self) -> Daemon:
        s = self.settings
        listen = urlsplit(s.mongo_url).netloc.rsplit("@", 1)[-1]
        return Daemon(
            argv=[
                str(self.binary),
                "--handler=postgresql",
                f"--listen-addr={listen}",
                f"--postgresql-url={s.dsn_for(s.ferretdb_postgres_db)}",
                f"--state-dir={self.home}",
                "--telemetry=disable",
                "--log-level=warn",
                "--debug-addr=127.0.0.1:0",
            ],
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        client: pymongo.MongoClient = pymongo.MongoClient(
            self.settings.mongo_url, serverSelectionTimeoutMS=2000
        )
        try:
            client.admin.command("ping")
        finally:
            client.close()

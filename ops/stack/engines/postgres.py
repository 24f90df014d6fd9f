"""PostgreSQL 15 from Debian's packages, in a cluster of our own with logical WAL for Debezium."""

from pathlib import Path

import psycopg
from psycopg import sql

from ops.stack.engine import Engine
from ops.stack.process import EngineError, read_pid, run
from ops.stack.provision import apt_install, chown_tree

PG_BIN = Path("/usr/lib/postgresql/15/bin")
OS_USER = "postgres"  # the server refuses to run as root

CONFIG = """\
# Written by ops/stack/engines/postgres.py on every start.
listen_addresses = '{host}'
port = {port}
unix_socket_directories = '{socket_dir}'
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
max_connections = 300
shared_buffers = 256MB
logging_collector = off
"""


class Postgres(Engine):
    name = "postgres"

    @property
    def endpoint(self) -> str:
        return f"postgresql://{self.settings.postgres_host}:{self.settings.postgres_port}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "run"

    def provision(self) -> None:
        apt_install(["postgresql-15"], self.log, services=("postgresql",))
        if (self.data_dir / "PG_VERSION").exists():
            return
        print(f"  initdb {self.data_dir}", flush=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        chown_tree(self.home, OS_USER)
        self._as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ],
            "initdb",
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude 'shopstream.conf'\n")

    def start(self) -> None:
        if self.pid():
            return
        (self.data_dir / "shopstream.conf").write_text(
            CONFIG.format(
                host=self.settings.postgres_host,
                port=self.settings.postgres_port,
                socket_dir=self.socket_dir,
            )
        )
        chown_tree(self.home, OS_USER)
        self._as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
        )
        self._bootstrap()

    def _bootstrap(self) -> None:
        """Create the application role and databases (Debezium needs REPLICATION)."""
        s = self.settings
        with psycopg.connect(
            host=str(self.socket_dir),
            port=s.postgres_port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (s.postgres_user,))
            verb = "ALTER" if exists.fetchone() else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN REPLICATION PASSWORD {}").format(
                    sql.SQL(verb),
                    sql.Identifier(s.postgres_user),
                    sql.Literal(s.postgres_password),
                )
            )
            for db in (s.postgres_db, s.ferretdb_postgres_db):
                if not conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (db,)
                ).fetchone():
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(db), sql.Identifier(s.postgres_user)
                        )
                    )

    def stop(self) -> None:
        if self.pid():
            self._as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                "pg_ctl stop",
            )

    def pid(self) -> int | None:
        return read_pid(self.data_dir / "postmaster.pid")

    def data_paths(self) -> tuple[Path, ...]:
        """The whole cluster (FerretDB's documents too: they live in its database here);
        the next ``up`` runs initdb again."""
        return (self.data_dir,)

    def probe(self) -> None:
        with psycopg.connect(self.settings.postgres_dsn, connect_timeout=3) as conn:
            wal = conn.execute("SHOW wal_level").fetchone()
        if not wal or wal[0] != "logical":
            raise EngineError(f"wal_level is {wal}, Debezium needs 'logical'")

    def _as_postgres(self, argv: list[str], what: str) -> None:
        run(["runuser", "-u", OS_USER, "--", *argv], what, self.log)

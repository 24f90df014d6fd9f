"""versitygw: an S3-compatible object store over a plain directory, for product images.

Built from the Go module proxy (Apache-2.0, like FerretDB); the bucket's objects are files
under ``<stack>/objectstore/data``. docker-compose runs the project's own image of the same
version. The root credentials are the settings' access key and generated secret.
"""

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon
from ops.stack.provision import go_build

MODULE = "github.com/versity/versitygw"
VERSION = "v1.8.0"


class ObjectStore(DaemonEngine):
    name = "objectstore"

    @property
    def endpoint(self) -> str:
        return self.settings.objectstore_url

    @property
    def binary(self) -> Path:
        return self.settings.stack_dir / "bin" / "versitygw"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def data_paths(self) -> tuple[Path, ...]:
        return (self.data_dir,)

    def provision(self) -> None:
        go_build(MODULE, VERSION, "./cmd/versitygw", self.binary, self.log, files={})

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        super().start()

    def daemon(self) -> Daemon:
        s = self.settings
        return Daemon(
            argv=[
                str(self.binary),
                "--port",
                urlsplit(s.objectstore_url).netloc,
                "--quiet",
                "posix",
                str(self.data_dir),
            ],
            log=self.log,
            pidfile=self.pidfile,
            # In the environment, not argv: the secret stays out of `ps`.
            env={
                "ROOT_ACCESS_KEY_ID": s.objectstore_access_key,
                "ROOT_SECRET_ACCESS_KEY": s.objectstore_secret,
            },
        )

    def probe(self) -> None:
        """Any S3 answer (an anonymous listing is refused with 403) means it serves."""
        answer = httpx.get(self.endpoint, timeout=3)
        if answer.status_code >= 500:
            answer.raise_for_status()

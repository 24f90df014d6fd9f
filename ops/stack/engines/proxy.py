"""nginx from Debian's packages: the storefront's TLS edge on the local stack.

It listens on ``https://127.0.0.1:<SHOP_PROXY_PORT>`` with a certificate of the stack's own CA
(``<stack>/tls/ca.pem``: ``curl --cacert``) and connects to the API from ``SOURCE_ADDRESS``,
the one address whose ``X-Forwarded-For`` the API believes (``SHOP_TRUSTED_PROXIES``).
"""

import os
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ops.proxy import Edge
from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon
from ops.stack.provision import apt_install, chown_tree, ensure_system_user
from ops.tls import ensure_certificates

SOURCE_ADDRESS = "127.0.0.2"
WORKER_USER = "shopstack"  # workers need no root; the master reads the key as root


class Proxy(DaemonEngine):
    name = "proxy"
    depends_on = ("api",)

    @property
    def tls_dir(self) -> Path:
        return self.settings.stack_dir / "tls"

    @property
    def endpoint(self) -> str:
        return f"https://{self.settings.proxy_host}:{self.settings.proxy_port}/healthz"

    def provision(self) -> None:
        apt_install(["nginx"], self.log, services=("nginx",))
        ensure_certificates(self.tls_dir)

    def _edge(self) -> Edge:
        root = os.geteuid() == 0
        return Edge(
            upstream=f"{self.settings.api_host}:{self.settings.api_port}",
            listen=f"{self.settings.proxy_host}:{self.settings.proxy_port}",
            tls_dir=self.tls_dir,
            home=self.home,
            media=urlsplit(self.settings.objectstore_url).netloc,
            media_bucket=self.settings.media_bucket,
            upload_limit=self.settings.media_max_upload_bytes,
            source_address=SOURCE_ADDRESS,
            user=WORKER_USER if root else None,
        )

    def start(self) -> None:
        self.provision()
        self.home.mkdir(parents=True, exist_ok=True)
        self._edge().write(self.home / "nginx.conf")
        if os.geteuid() == 0:
            ensure_system_user(WORKER_USER)
            chown_tree(self.home / "tmp", WORKER_USER)
            chown_tree(self.home / "cache", WORKER_USER)
        super().start()

    def daemon(self) -> Daemon:
        return Daemon(
            argv=[
                "nginx",
                "-e",
                str(self.home / "error.log"),
                "-c",
                str(self.home / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        trusted = ssl.create_default_context(cafile=self.tls_dir / "ca.pem")
        httpx.get(self.endpoint, verify=trusted, timeout=3).raise_for_status()

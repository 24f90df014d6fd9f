"""Elasticsearch 8.19 from Maven Central's integ-test zip, on the machine's Java 17.

The zip has no bundled JDK and only the core modules (no analysis-common, so no
n-gram analyzers, and no mapper-extras): the search mapping relies on core
features only (standard analyzer, fuzzy and prefix queries). Security is turned
off on loopback; docker-compose runs the full image the same way.
"""

import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ops.stack.engine import DaemonEngine
from ops.stack.process import Daemon, EngineError
from ops.stack.provision import chown_tree, ensure_system_user, java_home, maven_copy

OS_USER = "shopstack"  # Elasticsearch refuses to run as root

CONFIG = """\
cluster.name: shopstream
node.name: local
path.data: {data}
path.logs: {logs}
network.host: {host}
http.port: {port}
transport.port: {transport_port}
discovery.type: single-node
action.destructive_requires_name: false
xpack.security.enabled: false
"""


class Elasticsearch(DaemonEngine):
    name = "elasticsearch"

    @property
    def endpoint(self) -> str:
        return self.settings.elasticsearch_url

    @property
    def dist_dir(self) -> Path:
        return self.home / "dist"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def provision(self) -> None:
        zips = maven_copy(
            "elasticsearch", self.settings.stack_dir / "lib" / "elasticsearch", self.log
        )
        archive = next(zips.glob("elasticsearch-*.zip"))
        marker = self.dist_dir / ".unpacked"
        if marker.exists() and marker.read_text() == archive.name:
            return
        print(f"  unpacking {archive.name}", flush=True)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(self.home / "unpack")
        (unpacked,) = (self.home / "unpack").iterdir()
        shutil.rmtree(self.dist_dir, ignore_errors=True)
        unpacked.rename(self.dist_dir)
        (self.home / "unpack").rmdir()
        for script in (self.dist_dir / "bin").iterdir():
            script.chmod(0o755)
        marker.write_text(archive.name)

    def data_paths(self) -> tuple[Path, ...]:
        """Indices (``path.data``); the unpacked distribution stays."""
        return (self.data_dir,)

    def daemon(self) -> Daemon:
        url = urlsplit(self.settings.elasticsearch_url)
        (self.dist_dir / "config" / "elasticsearch.yml").write_text(
            CONFIG.format(
                data=self.data_dir,
                logs=self.home / "logs",
                host=url.hostname,
                port=url.port,
                transport_port=(url.port or 9200) + 100,
            )
        )
        (self.dist_dir / "config" / "jvm.options.d").mkdir(exist_ok=True)
        (self.dist_dir / "config" / "jvm.options.d" / "heap.options").write_text(
            "-Xms768m\n-Xmx768m\n"
        )
        ensure_system_user(OS_USER)
        chown_tree(self.home, OS_USER)
        return Daemon(
            argv=["runuser", "-u", OS_USER, "--", str(self.dist_dir / "bin" / "elasticsearch")],
            log=self.log,
            pidfile=self.pidfile,
            env={"ES_JAVA_HOME": str(java_home())},
        )

    def probe(self) -> None:
        health = httpx.get(f"{self.settings.elasticsearch_url}/_cluster/health", timeout=3)
        health.raise_for_status()
        if health.json()["status"] not in ("green", "yellow"):
            raise EngineError(f"cluster status {health.json()['status']}")

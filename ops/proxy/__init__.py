"""The storefront's TLS edge and image CDN: an nginx configuration rendered from ``nginx.conf``.

The same template serves the local stack (nginx from Debian, ``ops.stack.engines.proxy``) and
docker-compose (the ``edge-init`` service renders it for the nginx image), so both terminate
TLS, send HSTS, hide ``/metrics`` and tell the API the client's address the same way.
"""

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

TEMPLATE = files("ops.proxy").joinpath("nginx.conf")


@dataclass(frozen=True)
class Edge:
    upstream: str  # host:port of the storefront API
    listen: str  # port, or address:port
    tls_dir: Path
    home: Path  # pid, error log, temp files and the CDN cache
    media: str  # host:port of the object store
    media_bucket: str
    upload_limit: int  # bytes: the largest image upload
    source_address: str | None = None  # the address the proxy connects from (API trusts it)
    user: str | None = None  # worker user, when the master runs as root

    def render(self) -> str:
        bind = f"proxy_bind {self.source_address};" if self.source_address else ""
        values = {
            "{{USER}}": f"user {self.user};" if self.user else "",
            "{{HOME}}": str(self.home),
            "{{UPSTREAM}}": self.upstream,
            "{{LISTEN}}": str(self.listen),
            "{{TLS}}": str(self.tls_dir),
            "{{BIND}}": bind,
            "{{MEDIA}}": self.media,
            "{{MEDIA_BUCKET}}": self.media_bucket,
            # Room for the multipart envelope around the largest image.
            "{{UPLOAD_LIMIT}}": str(self.upload_limit + 64 * 1024),
        }
        text = TEMPLATE.read_text()
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text

    def write(self, path: Path) -> None:
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.home / "tmp" / temp).mkdir(parents=True, exist_ok=True)
        (self.home / "cache" / "media").mkdir(parents=True, exist_ok=True)
        path.write_text(self.render())

"""The storefront's TLS edge and image CDN: an nginx configuration rendered from ``nginx.conf``.

The same template serves the local stack (nginx from Debian, ``ops.stack.engines.proxy``) and
docker-compose (the ``edge-init`` service renders it for the nginx image), so both terminate
TLS, send HSTS, hide ``/metrics`` and tell the API the client's address the same way.
"""

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from api.uploads import ENVELOPE_BYTES

TEMPLATE = files("ops.proxy").joinpath("nginx.conf")

FORWARDED = (
    'proxy_set_header Connection "";',
    "proxy_set_header Host $host;",
    "# Replaces whatever the client sent: only this proxy says who the client is.",
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Forwarded-Proto https;",
)
"""What every request to the storefront carries; a location setting a header of its own must
repeat them (nginx inherits ``proxy_set_header`` all or nothing), so they are written once."""


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
            "{{UPLOAD_LIMIT}}": str(self.upload_limit + ENVELOPE_BYTES),
        }
        text = _expand(TEMPLATE.read_text(), "{{FORWARDED}}", FORWARDED)
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text

    def write(self, path: Path) -> None:
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.home / "tmp" / temp).mkdir(parents=True, exist_ok=True)
        (self.home / "cache" / "media").mkdir(parents=True, exist_ok=True)
        path.write_text(self.render())


def _expand(text: str, placeholder: str, lines: tuple[str, ...]) -> str:
    """Each line holding only ``placeholder`` becomes ``lines``, indented as it was."""
    out = []
    for line in text.splitlines(keepends=True):
        if line.strip() == placeholder:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(f"{indent}{each}\n" for each in lines)
        else:
            out.append(line)
    return "".join(out)

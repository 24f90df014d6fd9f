"""``python -m ops.proxy``: make the TLS material and the nginx configuration (compose's
``edge-init``); idempotent, so every ``docker compose up`` may run it."""

import argparse
from pathlib import Path

from ops.proxy import Edge
from ops.tls import ensure_certificates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of the storefront API")
    parser.add_argument("--listen", default="8443", help="port, or address:port")
    parser.add_argument("--tls-dir", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True, help="nginx pid, logs, temp files")
    parser.add_argument("--conf", type=Path, required=True, help="where to write nginx.conf")
    parser.add_argument("--media", required=True, help="host:port of the object store")
    parser.add_argument("--media-bucket", default="shopstream-media")
    parser.add_argument("--upload-limit", type=int, default=10_000_000, help="bytes")
    parser.add_argument("--name", action="append", default=None, help="a name to certify")
    args = parser.parse_args()
    names = args.name or ["localhost", "127.0.0.1", "::1"]
    renewed = ensure_certificates(args.tls_dir, names)
    edge = Edge(
        args.upstream,
        args.listen,
        args.tls_dir,
        args.home,
        media=args.media,
        media_bucket=args.media_bucket,
        upload_limit=args.upload_limit,
    )
    edge.write(args.conf)
    print(f"edge ready ({'new' if renewed else 'kept'} certificate for {', '.join(names)})")


if __name__ == "__main__":
    main()

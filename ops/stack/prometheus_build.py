"""Prometheus' commands (the server and promtool), built from the Go module proxy's source.

One pinned release for both, the one docker-compose.yml runs (``prom/prometheus:v<release>``),
so the rules are checked, unit-tested and evaluated locally by the code that loads them in
compose. Their Go module cache lives in the stack directory (git-ignored), shared by both.
"""

from pathlib import Path

from ops.stack.provision import go_build

PROMETHEUS_RELEASE = "3.1.0"
"""docker-compose.yml runs prom/prometheus:v<this> (a test keeps them equal)."""
MODULE = "github.com/prometheus/prometheus"
STATIC_ONLY = "package plugins\n"
"""``plugins/plugins.go`` as an empty ``plugins.yml`` would generate it: no cloud service
discovery (AWS, Azure, GCE, Kubernetes, ...), which the stack's static targets never use;
the file and HTTP ones stay (``plugins/minimum.go``). A smaller, quicker build."""


def module_version(release: str) -> str:
    """Prometheus 3.x tags its Go module ``v0.3MM.P`` for release ``3.MM.P``."""
    major, minor, patch = (int(part) for part in release.split("."))
    return f"v0.{major}{minor:02d}.{patch}"


def build_command(
    stack_dir: Path, command: str, binary: Path, files: dict[str, str] | None = None
) -> Path:
    """``./cmd/<command>`` of the pinned release at ``binary``; built only when missing or of
    another release (minutes the first time: the module graph is large)."""
    gopath = stack_dir / "go"
    return go_build(
        MODULE,
        module_version(PROMETHEUS_RELEASE),
        f"./cmd/{command}",
        binary,
        binary.with_name(f"{command}-build.log"),
        files=files or {},
        go_env={"GOPATH": str(gopath), "GOMODCACHE": str(gopath / "pkg" / "mod")},
    )


def ensure_prometheus(stack_dir: Path) -> Path:
    """The server, without its web UI (a React app whose build takes Node and hundreds of npm
    packages): its HTTP API is what the stack reads."""
    return build_command(
        stack_dir,
        "prometheus",
        stack_dir / "bin" / "prometheus",
        files={"plugins/plugins.go": STATIC_ONLY},
    )

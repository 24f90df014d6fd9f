"""promtool, Prometheus' own checker, for the tests of the alert rules (ops/prometheus).

Built once from the Go module proxy into the stack directory, at the release of the
Prometheus image that docker-compose.yml runs, so the rules are checked and unit-tested by
the code that will load them. Its Go module cache lives in the stack directory as well
(git-ignored). ``python -m ops.promtool`` builds it if missing and prints its path.
"""

from pathlib import Path

from config import get_settings
from ops.stack.provision import go_build

PROMETHEUS_RELEASE = "3.1.0"
"""docker-compose.yml runs prom/prometheus:v<this> (a test keeps them equal)."""
MODULE = "github.com/prometheus/prometheus"


def module_version(release: str) -> str:
    """Prometheus 3.x tags its Go module ``v0.3MM.P`` for release ``3.MM.P``."""
    major, minor, patch = (int(part) for part in release.split("."))
    return f"v0.{major}{minor:02d}.{patch}"


def ensure_promtool(stack_dir: Path) -> Path:
    """The binary; built only when missing or of another release (minutes the first time:
    the module graph is large)."""
    tools, gopath = stack_dir / "tools", stack_dir / "go"
    return go_build(
        MODULE,
        module_version(PROMETHEUS_RELEASE),
        "./cmd/promtool",
        tools / "promtool",
        tools / "promtool-build.log",
        files={},
        go_env={"GOPATH": str(gopath), "GOMODCACHE": str(gopath / "pkg" / "mod")},
    )


if __name__ == "__main__":
    print(ensure_promtool(get_settings().stack_dir))

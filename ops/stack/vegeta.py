"""vegeta, the native HTTP load generator the benchmarks measure rates with (a Python client
on the same two cores would eat the CPU it measures). Built once from the Go module proxy,
pinned, into the stack directory; ``python -m ops.stack.vegeta`` builds it if missing and
prints its path."""

from pathlib import Path

from config import get_settings
from ops.stack.provision import go_build

MODULE = "github.com/tsenart/vegeta/v12"
VERSION = "v12.13.0"


def ensure_vegeta(stack_dir: Path) -> Path:
    """The binary; built only when missing or of another version (under a minute)."""
    binary = stack_dir / "tools" / "vegeta"
    gopath = stack_dir / "go"
    return go_build(
        MODULE,
        VERSION,
        ".",
        binary,
        binary.with_name("vegeta-build.log"),
        files={},
        go_env={"GOPATH": str(gopath), "GOMODCACHE": str(gopath / "pkg" / "mod")},
    )


if __name__ == "__main__":
    print(ensure_vegeta(get_settings().stack_dir))

"""promtool, Prometheus' own checker, for the tests of the alert rules (ops/prometheus).

Built once, like the stack's Prometheus and of the same release
(``ops.stack.prometheus_build``), into the stack directory. ``python -m ops.promtool`` builds
it if missing and prints its path.
"""

from pathlib import Path

from config import get_settings
from ops.stack.prometheus_build import build_command


def ensure_promtool(stack_dir: Path) -> Path:
    """The binary; built only when missing or of another release."""
    return build_command(stack_dir, "promtool", stack_dir / "tools" / "promtool")


if __name__ == "__main__":
    print(ensure_promtool(get_settings().stack_dir))

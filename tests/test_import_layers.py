"""The import graph has no cycle and no upward arrow (layers in docs/ARCHITECTURE.md).

import-linter reads the contracts from pyproject.toml; running it here keeps the rule in
`make test-unit` as well as in `make lint`.
"""

import subprocess
import sys
from pathlib import Path

from config import PROJECT_ROOT


def test_every_import_points_down_and_no_package_has_a_cycle() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout

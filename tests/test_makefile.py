"""The Makefile documents every target, and the Python versions it looks for, locks for and
ships agree with pyproject.toml's requires-python. Pure: reads the files."""

import re
import tomllib

from packaging.specifiers import SpecifierSet

from config import PROJECT_ROOT

MAKEFILE = (PROJECT_ROOT / "Makefile").read_text()
REQUIRES = SpecifierSet(
    tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
)


def make_variable(name: str) -> str:
    return re.search(rf"^{name} := (.+)$", MAKEFILE, re.MULTILINE)[1]


def test_every_phony_target_has_a_help_line() -> None:
    phony = set(re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE)[1].split())
    described = set(re.findall(r"^([a-z-]+):.*## ", MAKEFILE, re.MULTILINE))
    assert phony == described
    assert make_variable(r"\.DEFAULT_GOAL") == "help"


def test_the_python_finder_tries_exactly_the_supported_versions() -> None:
    script = (PROJECT_ROOT / "ops" / "find_python.sh").read_text()
    tried = re.search(r'^VERSIONS="(.+)"$', script, re.MULTILINE)[1].split()
    supported = [f"3.{minor}" for minor in range(30, 7, -1) if f"3.{minor}" in REQUIRES]
    assert tried == supported, "ops/find_python.sh VERSIONS vs requires-python"


def test_the_locks_the_venv_and_the_image_use_one_python() -> None:
    version = make_variable("LOCK_PYTHON")
    assert version in REQUIRES
    for lock in ("requirements.lock", "requirements.runtime.lock"):
        assert f"--python-version {version} " in (PROJECT_ROOT / lock).read_text(), lock
    assert f"FROM python:{version}-slim" in (PROJECT_ROOT / "Dockerfile").read_text()

"""The two lock files and pyproject.toml agree, so the image never drifts from the tested .venv.

Pure: reads the files and the installed packages' metadata. ``requirements.lock`` (the .venv,
with the ``dev`` extra) and ``requirements.runtime.lock`` (the image, without it) are both
compiled from pyproject.toml (``make lock``); these tests catch a hand edit or a lock
regenerated alone, a test tool reaching the image, and a module the app imports at run time
that only a test tool brings in.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass, field

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from config import PROJECT_ROOT

RUNTIME_PACKAGES = ("config", "domain", "adapters", "services", "api", "streams", "ops")
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
SELF = "shopstream (pyproject.toml)"


@dataclass
class Pin:
    version: str
    via: set[str] = field(default_factory=set)


def read_lock(name: str) -> dict[str, Pin]:
    """Pins by canonical name, each with the requirers uv noted under it ("# via ...")."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in (PROJECT_ROOT / name).read_text().splitlines():
        if match := PIN.match(line):
            current = pins[canonicalize_name(match[1])] = Pin(match[2])
        elif current is not None and line.startswith("    #"):
            via = line.strip("# ").removeprefix("via").strip()
            if via and not via.startswith("-c "):
                current.via.add(via)
    return pins


DEV_LOCK = read_lock("requirements.lock")
RUNTIME_LOCK = read_lock("requirements.runtime.lock")


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


RUNTIME = names(PYPROJECT["dependencies"])
DEV = names(PYPROJECT["optional-dependencies"]["dev"])


def test_every_runtime_pin_is_the_dev_locks_pin() -> None:
    differing = {
        name: (pin.version, DEV_LOCK[name].version if name in DEV_LOCK else None)
        for name, pin in RUNTIME_LOCK.items()
        if name not in DEV_LOCK or DEV_LOCK[name].version != pin.version
    }
    assert not differing, f"runtime vs dev lock: {differing}; regenerate both with `make lock`"


def test_both_locks_hold_every_declared_dependency() -> None:
    assert RUNTIME_LOCK.keys() >= RUNTIME, RUNTIME - RUNTIME_LOCK.keys()
    assert DEV_LOCK.keys() >= RUNTIME | DEV, (RUNTIME | DEV) - DEV_LOCK.keys()


def test_no_dev_tool_reaches_the_runtime_lock() -> None:
    """A dev dependency may be in the image only because a runtime package needs it itself
    (pyyaml under uvicorn[standard]); never for its own sake."""
    assert not RUNTIME & DEV, f"declared both runtime and dev: {RUNTIME & DEV}"
    leaked = {
        name: RUNTIME_LOCK[name].via
        for name in DEV & RUNTIME_LOCK.keys()
        if not RUNTIME_LOCK[name].via - {SELF}
    }
    assert not leaked, f"dev tools in the runtime lock: {leaked}"
    assert {"pytest", "ruff", "hypothesis", "schemathesis"}.isdisjoint(RUNTIME_LOCK)


def test_the_dev_lock_adds_only_what_dev_tools_need() -> None:
    """Every package only the dev lock has is a dev dependency or was pulled in by one."""
    extra = DEV_LOCK.keys() - RUNTIME_LOCK.keys()
    unexplained = {name for name in extra if name not in DEV and not {*DEV_LOCK[name].via} - {SELF}}
    assert not unexplained, unexplained


def declared_runtime_distributions() -> set[str]:
    """The runtime dependencies and what their requested extras add (psycopg[pool])."""
    declared = set(RUNTIME)
    for text in PYPROJECT["dependencies"]:
        requirement = Requirement(text)
        for line in importlib.metadata.requires(requirement.name) or ():
            added = Requirement(line)
            if added.marker and any(
                added.marker.evaluate({"extra": extra}) for extra in requirement.extras
            ):
                declared.add(canonicalize_name(added.name))
    return declared


def third_party_imports() -> dict[str, set[str]]:
    """Top-level modules the runtime packages import (not stdlib, not ours) -> importers."""
    ours = {path.name for path in PROJECT_ROOT.iterdir() if (path / "__init__.py").exists()}
    found: dict[str, set[str]] = {}
    for package in RUNTIME_PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in ours:
                        found.setdefault(top, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_what_the_app_imports_is_a_declared_runtime_dependency() -> None:
    """aiosmtpd (ops/mailsink.py, run by `make up`) is runtime; pyyaml (tests only) is dev."""
    providers = importlib.metadata.packages_distributions()
    declared = declared_runtime_distributions()
    undeclared = {
        module: sorted(importers)
        for module, importers in third_party_imports().items()
        if not {canonicalize_name(d) for d in providers.get(module, [module])} & declared
    }
    assert not undeclared, f"imported at run time but not a runtime dependency: {undeclared}"

"""A Go new enough to build a module: the machine's, or the toolchain the module asks for.

Debian 12's golang-go is 1.19, older than FerretDB's go.mod needs, and too old to fetch a
newer toolchain itself (Go 1.21+ does, unless ``GOTOOLCHAIN=local``). Go releases are also
published as modules (``golang.org/toolchain``) on the Go module proxy, so any Go can fetch
the one a go.mod names with ``go mod download``, into ``<stack>/toolchains``, once.
"""

import json
import os
import re
import shutil
from pathlib import Path

from ops.stack.process import EngineError, run

GO_CANDIDATES = ("go", "/usr/local/go/bin/go")  # the release archive's place, often off PATH
DEBIAN_GO = "golang-go"
TOOLCHAIN_MODULE = "golang.org/toolchain"


def go_version(go: str) -> tuple[int, int]:
    reported = run([go, "env", "GOVERSION"], f"{go} env GOVERSION").strip()
    return _major_minor(re.match(r"go(\d+)\.(\d+)", reported), reported)


def go_mod_version(go_mod: str) -> tuple[int, int]:
    """The Go a module needs: its go.mod's ``go`` line (none: any)."""
    line = re.search(r"^go (\d+)\.(\d+)", go_mod, re.MULTILINE)
    return _major_minor(line, go_mod) if line else (0, 0)


def go_mod_toolchain(go_mod: str) -> str:
    """The release to build with: the ``toolchain`` line, else the ``go`` line's first
    release (``go 1.24`` -> ``go1.24.0``)."""
    if toolchain := re.search(r"^toolchain (go\S+)", go_mod, re.MULTILINE):
        return toolchain[1]
    major, minor = go_mod_version(go_mod)
    return f"go{major}.{minor}.0"


def switches_toolchain(go: str, have: tuple[int, int]) -> bool:
    """Go 1.21+ fetches the toolchain a go.mod asks for itself, unless told to stay local."""
    return have >= (1, 21) and run([go, "env", "GOTOOLCHAIN"], "go env").strip() != "local"


def machine_go() -> tuple[str, tuple[int, int]] | None:
    """The newest Go among ``GO_CANDIDATES`` (sudo's PATH may hold only an older one than
    /usr/local/go), with its version."""
    found = {path: go_version(path) for c in GO_CANDIDATES if (path := shutil.which(c))}
    return max(found.items(), key=lambda item: item[1]) if found else None


def go_for(go: str, go_mod: str, toolchains: Path, log: Path) -> str:
    """``go`` when it can build a module with this go.mod, else the toolchain it names."""
    have = go_version(go)
    if go_mod_version(go_mod) <= have or switches_toolchain(go, have):
        return go
    return fetch_toolchain(go, go_mod_toolchain(go_mod), toolchains, log)


def fetch_toolchain(go: str, release: str, toolchains: Path, log: Path) -> str:
    """``release`` (e.g. ``go1.24.3``) for this machine under ``toolchains``; its go command.

    A module zip keeps no file modes: the commands get their executable bits back here, as
    the go command's own toolchain switch does.
    """
    home = toolchains / release
    command = home / "bin" / "go"
    if command.exists():
        return str(command)
    host = "-".join(run([go, "env", "GOHOSTOS", "GOHOSTARCH"], "go env").split())
    module = f"{TOOLCHAIN_MODULE}@v0.0.1-{release}.{host}"
    print(f"  go mod download {module} -> {home}", flush=True)
    env = {**os.environ, "GOFLAGS": "-modcacherw", "GOTOOLCHAIN": "local"}
    info = json.loads(run([go, "mod", "download", "-json", module], "go toolchain", log, env=env))
    partial = home.with_name(f".{release}.part")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(info["Dir"], partial)
    for path in [*(partial / "bin").iterdir(), *(partial / "pkg" / "tool").glob("*/*")]:
        path.chmod(0o755)
    partial.rename(home)
    return str(command)


def _major_minor(match: re.Match[str] | None, text: str) -> tuple[int, int]:
    if match is None:
        raise EngineError(f"no Go version in {text!r}")
    return int(match[1]), int(match[2])

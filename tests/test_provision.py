"""Provisioning's choice of tools (pure: a stand-in ``go`` script in a temporary folder answers
``go env`` and ``go mod download``; nothing is downloaded, built or installed)."""

import json
from pathlib import Path

import pytest

from ops.stack.go_toolchain import (
    go_for,
    go_mod_toolchain,
    go_mod_version,
    go_version,
    switches_toolchain,
)
from ops.stack.provision import apt_install

FERRETDB_GO_MOD = "module github.com/FerretDB/FerretDB\n\ngo 1.24\n\ntoolchain go1.24.3\n"


def fake_go(tmp_path: Path, version: str, toolchain: str = "local") -> str:
    """A ``go`` answering ``env`` like ``version``; ``mod download`` names a toolchain tree
    laid out in ``tmp_path/zip`` as the module zip unpacks (no file modes)."""
    unpacked = tmp_path / "zip"
    for rel in ("bin/go", "bin/gofmt", "pkg/tool/linux_amd64/compile", "src/fmt/print.go"):
        (unpacked / rel).parent.mkdir(parents=True, exist_ok=True)
        (unpacked / rel).write_text(rel)
        (unpacked / rel).chmod(0o444)
    download = json.dumps({"Dir": str(unpacked)})
    script = tmp_path / "go"
    script.write_text(
        "#!/bin/sh\n"
        f'[ "$1 $2" = "env GOVERSION" ] && echo {version}\n'
        f'[ "$1 $2" = "env GOTOOLCHAIN" ] && echo {toolchain}\n'
        '[ "$1 $2" = "env GOHOSTOS" ] && printf "linux\\namd64\\n"\n'
        f'[ "$1" = mod ] && echo \'{download}\' && echo "$4" >> {tmp_path}/downloads\n'
        "exit 0\n"
    )
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(
    ("go_mod", "needed", "toolchain"),
    [
        (FERRETDB_GO_MOD, (1, 24), "go1.24.3"),
        ("module m\n\ngo 1.22\n", (1, 22), "go1.22.0"),
        ("module m\n", (0, 0), "go0.0.0"),
    ],
)
def test_a_go_mod_names_the_go_it_needs(
    go_mod: str, needed: tuple[int, int], toolchain: str
) -> None:
    assert go_mod_version(go_mod) == needed
    assert go_mod_toolchain(go_mod) == toolchain


def test_the_machines_go_version_is_read_from_go_env(tmp_path: Path) -> None:
    assert go_version(fake_go(tmp_path, "go1.19.8")) == (1, 19)


@pytest.mark.parametrize(
    ("version", "toolchain", "switches"),
    [
        ("go1.19.8", "auto", False),  # before toolchain switching existed
        ("go1.22.2", "auto", True),
        ("go1.22.2", "local", False),
    ],
)
def test_only_go_1_21_and_later_fetch_a_toolchain_themselves(
    tmp_path: Path, version: str, toolchain: str, switches: bool
) -> None:
    go = fake_go(tmp_path, version, toolchain)
    assert switches_toolchain(go, go_version(go)) is switches


def test_a_new_enough_go_builds_itself(tmp_path: Path) -> None:
    go = fake_go(tmp_path, "go1.26.8")
    assert go_for(go, FERRETDB_GO_MOD, tmp_path / "toolchains", tmp_path / "log") == go
    assert not (tmp_path / "downloads").exists()


def test_an_old_go_fetches_the_named_toolchain_once(tmp_path: Path) -> None:
    debian_go = fake_go(tmp_path, "go1.19.8")
    toolchains = tmp_path / "toolchains"
    go = go_for(debian_go, FERRETDB_GO_MOD, toolchains, tmp_path / "log")
    assert go == str(toolchains / "go1.24.3" / "bin" / "go")
    tools = [toolchains / "go1.24.3" / rel for rel in ("bin/go", "pkg/tool/linux_amd64/compile")]
    assert all(tool.stat().st_mode & 0o111 for tool in tools)
    assert go_for(debian_go, FERRETDB_GO_MOD, toolchains, tmp_path / "log") == go
    downloads = (tmp_path / "downloads").read_text().split()
    assert downloads == ["golang.org/toolchain@v0.0.1-go1.24.3.linux-amd64"]


def test_installed_packages_need_no_apt(tmp_path: Path) -> None:
    apt_install(["dpkg"], tmp_path / "apt.log")  # installed everywhere dpkg is: nothing runs
    assert not (tmp_path / "apt.log").exists()

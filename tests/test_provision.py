"""Provisioning's checks of the machine's tools (pure: stand-in ``go`` scripts in a temporary
folder answer ``go env``; no download, no build, no install)."""

from pathlib import Path

import pytest

from ops.stack.provision import apt_install, go_mod_version, go_version, switches_toolchain


def fake_go(tmp_path: Path, version: str, toolchain: str = "auto") -> str:
    script = tmp_path / "go"
    script.write_text(
        "#!/bin/sh\n"
        f'[ "$2" = GOVERSION ] && echo {version}\n'
        f'[ "$2" = GOTOOLCHAIN ] && echo {toolchain}\n'
        "exit 0\n"
    )
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(
    ("go_mod", "needed"),
    [
        ("module github.com/FerretDB/FerretDB\n\ngo 1.24\n\ntoolchain go1.24.3\n", (1, 24)),
        ("module m\n\ngo 1.21.0\n", (1, 21)),
        ("module m\n", (0, 0)),
    ],
)
def test_the_go_a_module_needs_is_its_go_line(go_mod: str, needed: tuple[int, int]) -> None:
    assert go_mod_version(go_mod) == needed


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
def test_only_a_go_that_may_switch_toolchains_is_let_build_a_newer_module(
    tmp_path: Path, version: str, toolchain: str, switches: bool
) -> None:
    go = fake_go(tmp_path, version, toolchain)
    assert switches_toolchain(go, go_version(go)) is switches


def test_installed_packages_need_no_apt(tmp_path: Path) -> None:
    apt_install(["dpkg"], tmp_path / "apt.log")  # installed everywhere dpkg is: nothing runs
    assert not (tmp_path / "apt.log").exists()

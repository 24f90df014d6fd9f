"""Fetch what the engines need from the registries this machine reaches, once.

Each step is idempotent: it checks for its result first and does nothing when
it is already there. Downloads are cached by the standard tool caches
(``~/.m2``, the Go module cache); assembled artifacts live under ``.stack``.
The tools they run come from Debian's packages when missing (Java 17, Maven, Go, the
servers); a Go older than a module needs fetches the newer one (``ops.stack.go_toolchain``).
"""

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import threading
from pathlib import Path

from ops.stack.go_toolchain import DEBIAN_GO, go_for, machine_go
from ops.stack.process import EngineError, run

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MAVEN_DIR = Path(__file__).resolve().parent.parent / "maven"
JAVA_PACKAGE = "openjdk-17-jre-headless"
SUPPORTED_OS = "Debian 12 (bookworm)"

_apt = threading.Lock()  # engines provision in parallel; dpkg takes one install at a time


def apt_install(packages: list[str], log: Path, services: tuple[str, ...] = ()) -> None:
    """Install the Debian packages not installed yet (none: nothing runs).

    ``services``: the packages' own system services. Under systemd, a fresh install starts
    them on the ports the stack's own servers need, so they are stopped and disabled then.
    """
    with _apt:
        if shutil.which("dpkg-query") is None:
            raise EngineError(
                f"{' '.join(packages)}: the local stack installs these from Debian's packages,"
                f" and this machine has no dpkg; it is made for {SUPPORTED_OS}"
            )
        missing = [p for p in packages if not _dpkg_installed(p)]
        if not missing:
            return
        if os.geteuid() != 0:
            raise EngineError(
                f"{' '.join(missing)} missing: installing them takes root (`sudo make up`),"
                " or install them yourself"
            )
        print(f"  apt-get install {' '.join(missing)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], "apt-get update", log, env=env)
        if unknown := [p for p in missing if not _apt_candidate(p)]:
            raise EngineError(
                f"{' '.join(unknown)}: not in this machine's apt sources; the local stack is"
                f" made for {SUPPORTED_OS}, whose main archive has them"
            )
        run(["apt-get", "install", "-y", "-qq", *missing], "apt-get install", log, env=env)
        if services and Path("/run/systemd/system").exists():
            print(f"  systemctl disable --now {' '.join(services)}: the stack runs its own")
            run(["systemctl", "disable", "--now", *services], "systemctl disable", log)


def _apt_candidate(package: str) -> bool:
    out = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True)
    return "Candidate:" in out.stdout and "Candidate: (none)" not in out.stdout


def _dpkg_installed(package: str) -> bool:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return out.returncode == 0 and "install ok installed" in out.stdout


def ensure_jvm_tools(log: Path) -> None:
    """Java (which Maven and the JVM engines run on), then Maven, from Debian's packages."""
    if _java_home() is None:
        apt_install([JAVA_PACKAGE], log)
    if shutil.which("mvn") is None:
        apt_install(["maven"], log)


def maven_copy(module: str, out_dir: Path, log: Path) -> Path:
    """Copy the runtime dependencies of ``ops/maven/<module>/pom.xml`` into ``out_dir``."""
    ensure_jvm_tools(log)
    pom = MAVEN_DIR / module / "pom.xml"
    stamp = out_dir / ".pom-sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return out_dir
    print(f"  mvn dependency:copy-dependencies ({module}) -> {out_dir}", flush=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            f"{DEPENDENCY_PLUGIN}:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={out_dir}",
        ],
        f"maven download of {module}",
        log,
    )
    stamp.write_text(digest)
    return out_dir


def go_build(
    module: str,
    version: str,
    package: str,
    binary: Path,
    log: Path,
    files: dict[str, str],
    go_env: dict[str, str] | None = None,
) -> Path:
    """Build a Go command from the module proxy's source, adding generated ``files`` first.

    ``go install`` alone is not enough: FerretDB's version file is generated at release time
    and missing from the module zip, so the binary would panic; Prometheus' go.mod has
    replace directives, which ``go install module@version`` refuses. ``go_env`` adds Go
    settings, e.g. a module cache of the stack's own.
    """
    stamp = binary.with_suffix(".version")
    if binary.exists() and stamp.exists() and stamp.read_text() == version:
        return binary
    what = f"{module}@{version}"
    print(f"  go build {what} -> {binary}", flush=True)
    go = _any_go(log)
    env = {**os.environ, "GOFLAGS": "-modcacherw", **(go_env or {})}
    info = json.loads(run([go, "mod", "download", "-json", what], "go mod download", log, env=env))
    go = go_for(go, Path(info["GoMod"]).read_text(), binary.parent.parent / "toolchains", log)
    src = binary.parent.parent / "src" / f"{binary.name}-{version}"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(info["Dir"], src)
    for path in src.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    for rel, content in files.items():
        (src / rel).write_text(content)
    binary.parent.mkdir(parents=True, exist_ok=True)
    run(
        [go, "build", "-trimpath", "-buildvcs=false", "-o", str(binary), package],
        f"go build {module}",
        log,
        cwd=src,
        env=env,
    )
    stamp.write_text(version)
    return binary


def _any_go(log: Path) -> str:
    """The machine's newest Go, else Debian's (old, but it can fetch a newer toolchain)."""
    if found := machine_go():
        return found[0]
    apt_install([DEBIAN_GO], log)
    if found := machine_go():
        return found[0]
    raise EngineError(f"{DEBIAN_GO} installed, but no go command found")


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """Elasticsearch refuses to run as root, so it gets an unprivileged account."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            f"create user {name}",
        )
        return pwd.getpwnam(name)


def chown_tree(path: Path, user: str) -> None:
    run(["chown", "-R", f"{user}:", str(path)], f"chown {path}")


def java_home() -> Path:
    """The machine's Java 17 (Kafka 3.9, Connect and Elasticsearch 8.19 all run on it)."""
    home = _java_home()
    if home is None:
        raise EngineError(f"no Java found: install {JAVA_PACKAGE} or set JAVA_HOME")
    return home


def _java_home() -> Path | None:
    env = os.environ.get("JAVA_HOME")
    candidates = [Path(env)] if env else []
    candidates.append(Path("/usr/lib/jvm/java-17-openjdk-amd64"))
    java = shutil.which("java")
    if java:
        candidates.append(Path(java).resolve().parent.parent)
    for home in candidates:
        if (home / "bin" / "java").exists():
            return home
    return None

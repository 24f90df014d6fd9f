"""Fetch what the engines need from the registries this machine reaches, once.

Each step is idempotent: it checks for its result first and does nothing when
it is already there. Downloads are cached by the standard tool caches
(``~/.m2``, the Go module cache); assembled artifacts live under ``.stack``.
"""

import hashlib
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from ops.stack.process import EngineError, run

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MAVEN_DIR = Path(__file__).resolve().parent.parent / "maven"


def apt_install(packages: list[str], log: Path) -> None:
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    print(f"  apt-get install {' '.join(missing)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], "apt-get update", log, env=env)
    run(["apt-get", "install", "-y", "-qq", *missing], "apt-get install", log, env=env)


def _dpkg_installed(package: str) -> bool:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return out.returncode == 0 and "install ok installed" in out.stdout


def maven_copy(module: str, out_dir: Path, log: Path) -> Path:
    """Copy the runtime dependencies of ``ops/maven/<module>/pom.xml`` into ``out_dir``."""
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
    print(f"  go build {module}@{version} -> {binary}", flush=True)
    env = {**os.environ, "GOFLAGS": "-modcacherw", **(go_env or {})}
    info = run(
        ["go", "mod", "download", "-json", f"{module}@{version}"], "go mod download", log, env=env
    )
    src = binary.parent.parent / "src" / f"{binary.name}-{version}"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(json.loads(info)["Dir"], src)
    for path in src.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    for rel, content in files.items():
        (src / rel).write_text(content)
    binary.parent.mkdir(parents=True, exist_ok=True)
    run(
        ["go", "build", "-trimpath", "-buildvcs=false", "-o", str(binary), package],
        f"go build {module}",
        log,
        cwd=src,
        env=env,
    )
    stamp.write_text(version)
    return binary


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
    env = os.environ.get("JAVA_HOME")
    candidates = [Path(env)] if env else []
    candidates.append(Path("/usr/lib/jvm/java-17-openjdk-amd64"))
    java = shutil.which("java")
    if java:
        candidates.append(Path(java).resolve().parent.parent)
    for home in candidates:
        if (home / "bin" / "java").exists():
            return home
    raise EngineError("no Java found: install openjdk-17-jre-headless or set JAVA_HOME")

"""Shared launch details of the JVM engines built from Maven Central jars."""

import os
from pathlib import Path

from ops.stack.provision import java_home

LOG4J = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.reflections=ERROR
"""


def write_properties(path: Path, values: dict[str, object]) -> Path:
    """Readable by its owner only: the brokers' and Connect's hold Kafka passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file written before this rule kept its mode
    with os.fdopen(fd, "w") as out:
        out.write("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def java_argv(lib_dir: Path, main_class: str, heap: str, home: Path, *args: str) -> list[str]:
    log4j = home / "log4j.properties"
    log4j.write_text(LOG4J)
    return [
        str(java_home() / "bin" / "java"),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j.configuration=file:{log4j}",
        "-cp",
        f"{lib_dir}/*",
        main_class,
        *args,
    ]

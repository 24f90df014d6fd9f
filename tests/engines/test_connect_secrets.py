"""Kafka Connect's REST API never shows a connector's credentials: the stack's connectors name
them as ``${env:...}`` placeholders that the worker resolves from its own environment
(ops/connectors.py, ops/stack/engines/connect.py). Their running tasks prove it resolved them."""

from collections.abc import Iterator

import httpx

from config import Settings
from ops.connectors import SECRET, connector_files, render, wait_running

READ_BACK = ("/connectors/{name}/config", "/connectors/{name}", "/connectors/{name}/tasks")
"""Every answer of the REST API that carries a connector's or its tasks' config."""


def pairs(body: object) -> Iterator[tuple[str, str]]:
    """Every (key, text) pair of a JSON document, however deep."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str):
                yield key, value
            else:
                yield from pairs(value)
    elif isinstance(body, list):
        for item in body:
            yield from pairs(item)


def credentials(config: dict[str, str]) -> dict[str, str]:
    """The keys of a rendered config that carry a secret: those left as placeholders."""
    return {key: value for key, value in config.items() if SECRET.fullmatch(value)}


def test_the_rest_api_shows_placeholders_never_the_credentials(
    settings: Settings, require_engine
) -> None:
    require_engine("connect")
    answers: list[object] = []
    with httpx.Client(base_url=settings.connect_url, timeout=10) as connect:
        for file_name in connector_files(settings):
            name, config = render(file_name, settings)
            secrets = credentials(config)
            assert secrets, f"{file_name} names no credential as a placeholder"
            wait_running(connect, name, timeout=60)  # its task connected with what it resolved
            for path in READ_BACK:
                body = connect.get(path.format(name=name)).raise_for_status().json()
                shown = [(key, text) for key, text in pairs(body) if key in secrets]
                assert shown, f"{path}: no {sorted(secrets)}"
                assert all(text == secrets[key] for key, text in shown), (path, shown)
                answers.append(body)
        answers.append(connect.get("/connectors", params={"expand": "info"}).json())
    for key, text in (pair for body in answers for pair in pairs(body)):
        if "password" in key:
            assert SECRET.fullmatch(text), f"{key} shown in clear"
            assert text != settings.postgres_password

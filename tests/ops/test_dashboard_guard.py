"""The ops dashboard answers only an operator (HTTP Basic) who named the dashboard itself in
``Host``: a DNS-rebinding page (``Host: attacker.example``) is refused even with the password,
before anything else. Probes keep ``/healthz``; ``/metrics`` stays for the metrics networks.
In process, without engines."""

import base64
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

from config import Settings, secrets_file
from ops.dashboard.app import create_app
from ops.dashboard.guard import allowed_hosts, is_operator
from ops.secrets import ensure_secrets, read_secrets
from ops.stack.services import SERVICES
from tests.ops.test_dashboard_routes import PASSWORD, dashboard_settings, served

ROUTES = ("/", "/api/mail", "/api/lag", "/api/stock", "/api/links", "/docs", "/nowhere")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("path", ROUTES)
async def test_without_the_login_every_page_is_401(tmp_path: Path, path: str) -> None:
    async with served(dashboard_settings(tmp_path)) as (http, _):
        refused = await http.get(path)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert refused.headers["www-authenticate"].startswith('Basic realm="shopstream ops"')


@pytest.mark.parametrize(
    "authorization",
    [
        basic("ops", "not-the-password"),
        basic("root", PASSWORD),
        basic("ops", PASSWORD + "x"),
        basic("ops", ""),
        "Basic " + base64.b64encode(b"ops" + PASSWORD.encode()).decode(),  # no colon
        "Basic !!not-base64!!",
        "Basic " + base64.b64encode("ops:pässword".encode()).decode(),
        "Bearer " + PASSWORD,
        f"ops:{PASSWORD}",
    ],
    ids=[
        "wrong-password",
        "wrong-user",
        "longer",
        "empty",
        "no-colon",
        "not-base64",
        "non-ascii",
        "bearer",
        "no-scheme",
    ],
)
async def test_a_wrong_or_malformed_login_is_401(tmp_path: Path, authorization: str) -> None:
    async with served(dashboard_settings(tmp_path)) as (http, _):
        refused = await http.get("/api/mail", headers={"Authorization": authorization})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"


async def test_a_non_ascii_authorization_header_is_401(tmp_path: Path) -> None:
    async with served(dashboard_settings(tmp_path)) as (http, _):
        refused = await http.get("/api/mail", headers={"Authorization": b"Basic \xff\xfe"})
    assert refused.status_code == 401


async def test_the_operators_login_opens_every_page(tmp_path: Path) -> None:
    async with served(dashboard_settings(tmp_path), auth=("ops", PASSWORD)) as (http, _):
        for path in ("/", "/api/mail", "/api/lag", "/api/stock"):
            assert (await http.get(path)).status_code == 200, path


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8070", "127.0.0.1.nip.io:8070", "", "[::1]"]
)
@pytest.mark.parametrize("path", ["/", "/api/mail", "/healthz", "/metrics"])
async def test_a_foreign_host_is_refused_even_with_the_login(
    tmp_path: Path, host: str, path: str
) -> None:
    async with served(dashboard_settings(tmp_path), auth=("ops", PASSWORD)) as (http, _):
        refused = await http.get(path, headers={"Host": host})
    assert refused.status_code == 421
    assert refused.json()["error"]["code"] == "unknown_host"
    assert "@" not in refused.text


async def test_probes_and_scrapers_need_no_login(tmp_path: Path) -> None:
    async with served(dashboard_settings(tmp_path)) as (http, _):
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/metrics")).status_code == 200
    async with served(dashboard_settings(tmp_path), peer=("203.0.113.9", 5)) as (http, _):
        assert (await http.get("/metrics")).status_code == 404  # outside the metrics networks


async def test_the_listed_hosts_replace_the_defaults(tmp_path: Path) -> None:
    listed = dashboard_settings(tmp_path, dashboard_allowed_hosts="dashboard:8070, OPS.lan:443")
    assert allowed_hosts(listed) == {"dashboard:8070", "ops.lan:443"}
    async with served(listed, auth=("ops", PASSWORD)) as (http, _):
        assert (await http.get("/", headers={"Host": "dashboard:8070"})).status_code == 200
        assert (await http.get("/")).status_code == 421  # 127.0.0.1:8070 is no longer listed


def test_by_default_the_dashboard_answers_its_own_names_at_its_port(tmp_path: Path) -> None:
    settings = dashboard_settings(tmp_path, dashboard_host="0.0.0.0", dashboard_port=9000)
    assert allowed_hosts(settings) == {"0.0.0.0:9000", "127.0.0.1:9000", "localhost:9000"}


def test_basic_credentials_are_compared_exactly() -> None:
    assert is_operator(basic("ops", "s3cret:with:colons"), "ops", "s3cret:with:colons")
    assert is_operator("basic " + basic("ops", "pw").split()[1], "ops", "pw")
    assert not is_operator(None, "ops", "pw")
    assert not is_operator(basic("ops", "pw "), "ops", "pw")


def test_the_dashboard_refuses_to_start_without_a_password(tmp_path: Path) -> None:
    for password in (None, SecretStr("")):
        settings = Settings(_env_file=None, stack_dir=tmp_path, dashboard_password=password)
        with pytest.raises(RuntimeError, match="SHOP_DASHBOARD_PASSWORD"):
            create_app(settings)


def test_the_stacks_probe_asks_by_a_name_the_dashboard_answers(tmp_path: Path) -> None:
    """`make up` and `shopctl status` probe ``/healthz`` at the configured address."""
    settings = Settings(_env_file=None, stack_dir=tmp_path, dashboard_host="0.0.0.0")
    for local in (Settings(_env_file=None, stack_dir=tmp_path), settings):
        [spec] = [spec for spec in SERVICES if spec.name == "dashboard"]
        assert urlsplit(spec.health_url(local)).netloc in allowed_hosts(local)


def test_make_up_adds_the_password_to_an_older_stacks_secrets(tmp_path: Path) -> None:
    path = secrets_file(tmp_path)
    path.write_text("SHOP_GATEWAY_SECRET=kept\n")
    settings = Settings(_env_file=None, stack_dir=tmp_path)
    assert "SHOP_DASHBOARD_PASSWORD" in ensure_secrets(settings)
    values = read_secrets(path)
    assert values["SHOP_GATEWAY_SECRET"] == "kept" and len(values["SHOP_DASHBOARD_PASSWORD"]) >= 32

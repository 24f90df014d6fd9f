"""The storefront as the outside sees it: HTTPS only, at the TLS edge `make up` runs, with
HSTS and security headers; internal endpoints hidden; and the edge, not the client, says who
the client is."""

import asyncio
import random
import ssl
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from config import Settings
from harness.accounts import new_accounts
from harness.early_answer import FILE_PART, MULTIPART, answer_before_body
from ops.proxy import Edge

pytestmark = pytest.mark.engines


@pytest.fixture
def edge(settings: Settings, require_engine: Callable[[str], None]) -> str:
    require_engine("proxy")
    return f"https://{settings.proxy_host}:{settings.proxy_port}"


@pytest.fixture
def ca(settings: Settings) -> ssl.SSLContext:
    """Trusts the stack's own CA, as a client given ``ca.pem`` does."""
    return ssl.create_default_context(cafile=settings.stack_dir / "tls" / "ca.pem")


def client(ca: ssl.SSLContext, source: str = "127.0.0.1") -> httpx.Client:
    return httpx.Client(timeout=10, transport=httpx.HTTPTransport(local_address=source, verify=ca))


def test_the_edge_serves_https_with_hsts_and_security_headers(
    edge: str, ca: ssl.SSLContext
) -> None:
    with client(ca) as https:
        response = https.get(f"{edge}/v1/products/search", params={"term": "phone"})
    assert response.status_code == 200
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["server"] == "nginx", "no version disclosed"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_plain_http_is_sent_to_https_and_old_tls_is_refused(edge: str, settings: Settings) -> None:
    plain = httpx.get(edge.replace("https://", "http://") + "/healthz", timeout=5)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    old = ssl.create_default_context(cafile=settings.stack_dir / "tls" / "ca.pem")
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.minimum_version = ssl.TLSVersion.TLSv1
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{edge}/healthz", verify=old, timeout=5)


def test_the_certificate_names_the_storefront(edge: str, ca: ssl.SSLContext) -> None:
    for host in ("localhost", "127.0.0.1"):
        url = edge.replace("127.0.0.1", host)
        assert httpx.get(f"{url}/healthz", verify=ca, timeout=5).status_code == 200


def test_internal_endpoints_are_not_served_to_the_world(edge: str, ca: ssl.SSLContext) -> None:
    with client(ca) as https:
        assert https.get(f"{edge}/metrics").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/products/%00", 400, "bad_request"),  # nginx refuses it; the API never sees it
        ("GET", "/metrics", 404, "not_found"),
        ("GET", "/media/0000/thumbnail-200.webp", 404, "not_found"),  # the store's XML, replaced
        ("POST", "/media/0000/thumbnail-200.webp", 403, "forbidden"),
        ("GET", "/.edge/400", 404, "not_found"),  # the error pages are internal
    ],
)
def test_the_edges_own_refusals_are_json_errors(
    edge: str, ca: ssl.SSLContext, method: str, path: str, status: int, code: str
) -> None:
    with client(ca) as https:
        response = https.request(method, f"{edge}{path}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_client_cannot_name_its_own_address_through_the_edge(
    edge: str, ca: ssl.SSLContext, settings: Settings
) -> None:
    """Failed logins lock the client address past ten times an account's allowance. Spoofing
    X-Forwarded-For on each attempt changes nothing: the edge replaces it."""
    guesses = settings.login_free_failures * 10 + 1
    attacker_address, bystander_address = (
        f"127.44.{random.randint(0, 255)}.{random.randint(1, 254)}" for _ in range(2)
    )
    with client(ca, source=attacker_address) as attacker:
        for i in range(guesses):
            attacker.post(
                f"{edge}/v1/users/login",
                json={"email": f"nobody-{uuid.uuid4().hex}@x.dev", "password": "guess"},
                headers={"X-Forwarded-For": f"203.0.113.{i % 250}"},
            )
        locked = attacker.post(
            f"{edge}/v1/users/login", json={"email": "someone@x.dev", "password": "guess"}
        )
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "login_locked"
    with client(ca, source=bystander_address) as bystander:
        elsewhere = bystander.post(
            f"{edge}/v1/users/login", json={"email": "someone@x.dev", "password": "guess"}
        )
    assert elsewhere.status_code == 401


def test_the_edge_configuration_replaces_forwarded_headers(tmp_path: Path) -> None:
    conf = Edge(
        "api:8000", "8443", tmp_path / "tls", tmp_path, "objectstore:7070", "media", 10
    ).render()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf


FIVE_MB = 5_000_000


@pytest.fixture(scope="module")
def customer_token(settings: Settings) -> str:
    async def one_customer() -> str:
        async with await psycopg.AsyncConnection.connect(settings.postgres_dsn) as pg:
            [customer] = await new_accounts(pg, settings, 1, "customer")
            await pg.commit()
        return customer.token

    return asyncio.run(one_customer())


@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        (lambda token: {}, 401, "unauthorized"),
        (lambda token: {"Authorization": "Bearer not.a.token"}, 401, "unauthorized"),
        (lambda token: {"Authorization": f"Bearer {token}"}, 403, "forbidden"),
    ],
    ids=["anonymous", "forged-token", "customer"],
)
def test_a_strangers_5mb_upload_is_refused_before_its_body_is_sent(
    edge: str,
    ca: ssl.SSLContext,
    customer_token: str,
    credentials: Callable[[str], dict[str, str]],
    status: int,
    code: str,
) -> None:
    """The edge asks the API who the caller is (headers only) before it reads a byte of an
    upload: it answers with 64 KiB of the 5 MB sent, and never passes the body on."""
    url = f"{edge}/v1/admin/products/any/images"
    headers = {**MULTIPART, **credentials(customer_token)}
    answer = asyncio.run(
        answer_before_body(url, headers, FIVE_MB, FILE_PART + b"x" * 65536, tls=ca)
    )
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    assert f'"code":"{code}"' in answer.body.decode()
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "multipart/form-data"},
        {"Content-Type": "multipart/form-data; boundary=b", "Transfer-Encoding": "chunked"},
        {"Content-Type": "text/plain"},
    ],
    ids=["no-boundary", "chunked", "not-multipart"],
)
def test_a_malformed_anonymous_upload_is_401_not_422(
    edge: str, ca: ssl.SSLContext, headers: dict[str, str]
) -> None:
    with client(ca) as https:
        response = https.post(
            f"{edge}/v1/admin/products/any/images",
            content=iter([b"--b\r\n", b"garbage" * 1000]),
            headers=headers,
        )
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_rate_limited_callers_upload_is_a_json_429_from_the_edge(
    edge: str, ca: ssl.SSLContext, customer_token: str, settings: Settings
) -> None:
    """The access check answering 429 (nginx would make any status but 2xx/401/403 a 500)
    reaches the caller as the API's 429, with Retry-After. From an address of its own, so
    the per-address limit of other runs is not spent."""
    source = f"127.45.{random.randint(0, 255)}.{random.randint(1, 254)}"
    headers = {"Authorization": f"Bearer {customer_token}"}
    upload = f"{edge}/v1/admin/products/any/images"
    with client(ca, source=source) as https:
        for _ in range(3):  # a window may end between spending the limit and the upload
            for _ in range(2 * settings.rate_limit_per_user + 2):
                if https.get(f"{edge}/v1/users/me", headers=headers).status_code == 429:
                    break
            refused = https.post(upload, headers=headers, files={"file": ("p", b"x")})
            if refused.status_code != 403:
                break
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1


def test_the_edge_reads_an_upload_only_after_the_access_check(tmp_path: Path) -> None:
    conf = Edge(
        "api:8000", "8443", tmp_path / "tls", tmp_path, "objectstore:7070", "media", 10
    ).render()
    upload = conf[conf.index("location ~ ^/v1/admin/products/[^/]+/images$") :]
    upload = upload[: upload.index("}")]
    assert "auth_request /.edge/admin-access;" in upload
    assert "proxy_request_buffering off;" in upload
    check = conf[conf.index("location = /.edge/admin-access") :]
    check = check[: check.index("}")]
    assert "proxy_pass_request_body off;" in check
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in check

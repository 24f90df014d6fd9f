"""Schemathesis fuzzes every operation of our OpenAPI against a running storefront process
(started as ``make up`` starts it), signed in as an admin: no input may cause a 5xx, every
status must be documented, every response must match its documented schema.

The process gets its own catalog database and Redis database (fuzzed admin writes and failed
logins stay there) and lifted rate limits; signing out and changing the password are left
out, as they would end the fuzzer's own session (tests/security/test_tokens.py covers them).
"""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from config import Settings
from harness.accounts import new_accounts
from tests.support.processes import running_api

pytestmark = pytest.mark.engines

FUZZ_REDIS_DB = 14
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
LEFT_OUT = ("/v1/users/logout", "/v1/users/me/password")


async def admin_token(settings: Settings) -> str:
    async with await psycopg.AsyncConnection.connect(settings.postgres_dsn, autocommit=True) as pg:
        [admin] = await new_accounts(pg, settings, 1, "admin")
    return admin.token


def test_no_input_makes_a_5xx_and_every_answer_is_documented(
    settings: Settings,
    require_engine: Callable[[str], None],
    tmp_path: Path,
) -> None:
    for engine in ("postgres", "redis", "ferretdb", "elasticsearch"):
        require_engine(engine)
    redis_url = urlsplit(settings.redis_url)._replace(path=f"/{FUZZ_REDIS_DB}").geturl()
    isolated = {
        "SHOP_MONGO_DB": f"fuzz_{uuid.uuid4().hex[:8]}",
        "SHOP_REDIS_URL": redis_url,
        "SHOP_RATE_LIMIT_PER_IP": "1000000000",
        "SHOP_RATE_LIMIT_PER_USER": "1000000000",
    }
    token = asyncio.run(admin_token(settings))
    with running_api(tmp_path, **isolated) as url:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--request-timeout",
                "10",
                "--generation-database",
                "none",
                "--no-color",
                *(option for path in LEFT_OUT for option in ("--exclude-path", path)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]

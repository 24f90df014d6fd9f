"""`make up` runs the storefront as a real uvicorn process next to the engines."""

import os
import re
import signal
import subprocess
import time

import httpx


def test_storefront_serves_openapi_and_json_errors(settings, require_engine):
    require_engine("api")
    base = f"http://{settings.api_host}:{settings.api_port}"
    assert httpx.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
    assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    missing = httpx.get(f"{base}/v1/no-such-route", timeout=5)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def listeners(port: int) -> set[int]:
    """The pids of the processes listening on ``port`` (each with a socket of its own)."""
    shown = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", shown)}


def test_a_storefront_process_killed_is_replaced_while_the_other_serves(settings, require_engine):
    """Each process accepts on its own socket (SO_REUSEPORT): once one has died (connections
    waiting in its own queue at that moment are reset), every new connection is answered by the
    others, and the parent starts a replacement."""
    require_engine("api")
    base = f"http://{settings.api_host}:{settings.api_port}"
    servers = listeners(settings.api_port)
    assert len(servers) == settings.api_workers
    victim = min(servers)
    os.kill(victim, signal.SIGKILL)

    deadline = time.monotonic() + 60
    while victim in (now := listeners(settings.api_port)):
        assert time.monotonic() < deadline, f"{victim} still listens"
        time.sleep(0.05)
    while len(now) < settings.api_workers:
        with httpx.Client(base_url=base, timeout=5) as fresh:  # a new connection each time
            assert fresh.get("/healthz").status_code == 200
        assert time.monotonic() < deadline, f"listening: {now}, before: {servers}"
        time.sleep(0.2)
        now = listeners(settings.api_port)
    assert victim not in now

"""`make up` runs the storefront as a real uvicorn process next to the engines."""

import httpx


def test_storefront_serves_openapi_and_json_errors(settings, require_engine):
    require_engine("api")
    base = f"http://{settings.api_host}:{settings.api_port}"
    assert httpx.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
    assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    missing = httpx.get(f"{base}/v1/no-such-route", timeout=5)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"

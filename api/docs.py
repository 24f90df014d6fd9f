"""The interactive API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) from the app's own
files, so they render on a machine without internet.

FastAPI's default pages load their scripts, styles, favicon and ReDoc's fonts from public
CDNs. This is FastAPI's documented self-hosting recipe, with the files of a pinned PyPI
package (``fastapi-offline``: Swagger UI 5 and ReDoc 2 bundles) mounted at ``ASSETS``.
"""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS, REDOC = "/docs", "/redoc"
ASSETS = "/docs-assets"
PAGES = (DOCS, REDOC)
"""Path prefixes of the docs' pages and files (ASSETS and the OAuth2 redirect start with DOCS)."""
BUNDLED = files("fastapi_offline").joinpath("static")


def install_docs(app: FastAPI) -> None:
    """For an app made with ``docs_url=None, redoc_url=None`` (FastAPI's CDN pages off)."""
    openapi_url = app.openapi_url
    assert openapi_url is not None, "the docs render the app's OpenAPI document"
    favicon = f"{ASSETS}/favicon.png"
    app.mount(ASSETS, StaticFiles(directory=str(BUNDLED)), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        )

    if app.swagger_ui_oauth2_redirect_url:

        @app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
        async def swagger_ui_redirect() -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

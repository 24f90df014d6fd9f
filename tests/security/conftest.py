"""Security tests reuse the storefront's fixtures: the in-process API on the real engines."""

from tests.commerce.conftest import (  # noqa: F401
    api,
    app_settings,
    clients,
    engines,
    gateway_url,
    other_shopper,
    served,
    shopper,
)

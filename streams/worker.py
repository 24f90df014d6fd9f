"""``faust -A streams.worker worker``: the Faust app with the agents of this worker's role.

``SHOP_STREAMS_ROLE`` picks them (``streams.app.ROLE_MODULES``): importing their modules
registers them on the app. Kept apart from ``streams.app`` so that agent modules, the
dead-letter module and tests can import the app without loading every agent.
"""

import importlib

from streams.app import app, modules_of, settings

for module in modules_of(settings.streams_role):
    importlib.import_module(module)

__all__ = ["app"]

"""Use-case handlers: what the storefront and the pipeline do, one unit of work each.

Routers (``api/``), stream agents (``streams/``) and the CLI (``ops/``) call these; they take
a ``Services`` (``services.context``), built once from the engines by ``services.bootstrap``
or from in-memory fakes in tests, ask ``domain/`` what to do and write through ``adapters/``.
"""

"""The ops dashboard: one auto-refreshing page over JSON endpoints, plus Prometheus ``/metrics``.

Everything is served from the sampler's latest results (see ``sampler.py``), so a page load
costs no engine round trip and any number of open pages add no load to the engines (the mail
list reads the local mail sink's files).
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from importlib.resources import files

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapters.connections import open_clients
from api.errors import error_body
from api.metrics import metrics_networks, within
from config import Settings, get_settings
from ops import mailsink
from ops.audit import StockRow
from ops.clock import now_ms
from ops.dashboard.guard import DashboardGuard, login_password
from ops.dashboard.metrics import registry_for
from ops.dashboard.rules import human_bytes, links, slot_level
from ops.dashboard.sampler import Sampler
from ops.dead_letters import KEPT
from ops.lag import PartitionLag, group_lag_seconds

PAGE = files("ops.dashboard").joinpath("page.html")


def triage(rows: Sequence[StockRow], low_stock: int) -> list[StockRow]:
    """Broken first (unconserved or drifted), then low on stock, then by product id."""
    return sorted(
        rows,
        key=lambda r: (r.conserved and not r.drifted, r.available > low_stock, r.product_id),
    )


def drifted_only(rows: Sequence[StockRow]) -> list[StockRow]:
    """The products some copy disagrees on (the dashboard's "drifted only" filter)."""
    return [row for row in rows if row.drifted]


def _lag_order(row: PartitionLag, now: int) -> tuple:
    """Most behind first, then the most recently active: idle leftovers of old runs last."""
    age = row.commit_age_seconds(now)
    return (-row.lag, float("inf") if age is None else age, row.group, row.topic, row.partition)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Refuses (``RuntimeError``) to build without the operator's password (``guard``)."""
    settings = settings or get_settings()
    login_password(settings)
    scrapers = metrics_networks(settings.metrics_networks)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_clients(settings, pool_size=2) as clients:
            sampler = Sampler(settings, clients)
            app.state.sampler = sampler
            app.state.registry = registry_for(sampler)
            task = asyncio.create_task(sampler.run())
            yield
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    app = FastAPI(title="shopstream ops dashboard", lifespan=lifespan)
    app.add_middleware(DashboardGuard, settings=settings)

    def sampler_of(request: Request) -> Sampler:
        return request.app.state.sampler

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        refresh_ms = int(settings.dashboard_sample_seconds * 1000)
        return PAGE.read_text().replace("{{REFRESH_MS}}", str(refresh_ms))

    @app.get("/api/lag")
    def lag(request: Request) -> dict:
        """Per group/topic/partition: offsets, lag, commit age and the lag history."""
        sampler = sampler_of(request)
        now = now_ms()
        partitions = [
            {
                **row.as_json(now),
                "history": list(sampler.history.get((row.group, row.topic, row.partition), ())),
            }
            for row in sorted(sampler.lag, key=lambda r: _lag_order(r, now))
        ]
        return {
            "sampled_at_ms": sampler.lag_at_ms,
            "max_lag": settings.lag_alert_records,
            "partitions": partitions,
            "group_lag_seconds": group_lag_seconds(sampler.lag, now),
            "error": sampler.errors.get("kafka"),
        }

    @app.get("/api/freshness")
    def freshness(request: Request) -> dict:
        """Per CDC topic: the newest change's age and capture latency, and the commit -> topic
        delays of its change records: since the dashboard started (``delays``, as exported),
        and of those that reached the topic within the window (``recent_delays``)."""
        sampler = sampler_of(request)
        now = now_ms()
        return {
            "delay_window_minutes": settings.dashboard_delay_window_minutes,
            "topics": [t.as_json(now) for t in sampler.freshness],
        }

    @app.get("/api/connectors")
    def connectors(request: Request) -> dict:
        """Each Kafka Connect connector and task: state, worker, a failure's first trace line."""
        sampler = sampler_of(request)
        return {
            "sampled_at_ms": sampler.capture_at_ms,
            "units": [unit.as_json() for unit in sampler.connectors],
            "error": sampler.errors.get("connect"),
        }

    @app.get("/api/slots")
    def slots(request: Request) -> dict:
        """The WAL each replication slot holds back, judged against ``slot_wal_alert_bytes``."""
        sampler = sampler_of(request)
        alert = settings.slot_wal_alert_bytes
        return {
            "sampled_at_ms": sampler.capture_at_ms,
            "alert_bytes": alert,
            "alert": human_bytes(alert),
            "slots": [
                {
                    **slot.as_json(),
                    "retained": human_bytes(slot.retained_bytes),
                    "unconfirmed": human_bytes(slot.unconfirmed_bytes),
                    "level": slot_level(slot, alert),
                }
                for slot in sampler.slots
            ],
            "error": sampler.errors.get("postgres"),
        }

    @app.get("/api/dead-letters")
    def dead_letters(request: Request, limit: int = Query(20, ge=1, le=KEPT)) -> dict:
        """Records per dead-letter topic, and the latest parked records, newest first."""
        sampler = sampler_of(request)
        view = sampler.dead_letters
        return {
            "sampled_at_ms": sampler.lag_at_ms,
            "counts": {} if view is None else view.counts,
            "letters": [] if view is None else [d.as_json() for d in view.latest[:limit]],
            "error": sampler.errors.get("kafka"),
        }

    @app.get("/api/mail")
    def mail(limit: int = Query(20, ge=1, le=500)) -> dict:
        """The latest messages of the local mail sink (its files), newest first."""
        directory = mailsink.mail_dir(settings)
        return {
            "directory": str(directory),
            "messages": [m.as_json() for m in mailsink.latest(directory, limit)],
        }

    @app.get("/api/alerts")
    def alerts(request: Request) -> dict:
        """Prometheus' alerts firing or pending, its rule groups' and targets' health."""
        sampler = sampler_of(request)
        view = sampler.prometheus
        return {
            "prometheus": settings.prometheus_url or None,
            "sampled_at_ms": sampler.prometheus_at_ms,
            **({} if view is None else view.as_json()),
            "error": sampler.errors.get("prometheus"),
        }

    @app.get("/api/links")
    def tool_links() -> dict:
        return {"links": links(settings)}

    @app.get("/api/stock")
    def stock(
        request: Request,
        page: int = Query(1, ge=1),
        size: int = Query(25, ge=1, le=500),
        drifted: bool = Query(False, description="Only products a copy disagrees on"),
    ) -> dict:
        """Stock per product across the stores, drifted and low-stock products first."""
        sampler = sampler_of(request)
        report = sampler.stock
        rows = [] if report is None else triage(report.rows, settings.low_stock_threshold)
        if drifted:
            rows = drifted_only(rows)
        start = (page - 1) * size
        return {
            "audited_at_ms": sampler.stock_at_ms,
            "summary": None if report is None else report.summary(),
            "low_stock_threshold": settings.low_stock_threshold,
            "page": page,
            "pages": max(1, -(-len(rows) // size)),
            "rows": [row.as_json() for row in rows[start : start + size]],
            "error": sampler.errors.get("stock"),
        }

    @app.get("/api/money")
    def money(request: Request, limit: int = Query(50, ge=1, le=500)) -> dict:
        """The money audit of the last stock audit's round: counts and the findings."""
        report = sampler_of(request).money
        return {
            "summary": None if report is None else report.summary(),
            "findings": [] if report is None else [f.as_json() for f in report.findings[:limit]],
            "error": sampler_of(request).errors.get("stock"),
        }

    @app.get("/api/low-stock")
    def low_stock(request: Request, limit: int = Query(20, ge=1, le=500)) -> dict:
        report = sampler_of(request).stock
        rows = [] if report is None else report.rows
        low = sorted(
            (r for r in rows if r.available <= settings.low_stock_threshold),
            key=lambda r: (r.available, r.product_id),
        )
        return {
            "threshold": settings.low_stock_threshold,
            "count": len(low),
            "rows": [row.as_json() for row in low[:limit]],
        }

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Only for ``SHOP_METRICS_NETWORKS`` (Prometheus), like the API's; no login."""
        if not within(request.client.host if request.client else "", scrapers):
            return JSONResponse(error_body("not_found", "Not Found"), status_code=404)
        return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)

    return app

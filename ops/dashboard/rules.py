"""Pure rules of the dashboard's newer panels: when a replication slot is a problem, and which
other tools the header links, where."""

from adapters.replication_slots import ReplicationSlot
from config import Settings

ANY_ADDRESS = {"", "0.0.0.0", "::"}
MAIL_VIEWER = "/api/mail"  # the dashboard's own list of the local mail sink's messages
BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def slot_level(slot: ReplicationSlot, alert_bytes: int) -> str:
    """``bad``: an inactive slot holding back more WAL than allowed (nobody will release it:
    the disk fills); ``warn``: either one alone (a slow consumer, or a stopped connector that
    has not retained much yet); ``ok`` otherwise."""
    over = (slot.retained_bytes or 0) > alert_bytes
    if over and not slot.active:
        return "bad"
    return "warn" if over or not slot.active else "ok"


def browser_host(host: str) -> str:
    """A bind address as a browser on the same machine reaches it."""
    return "127.0.0.1" if host in ANY_ADDRESS else host


def links(settings: Settings) -> list[dict[str, str]]:
    """The other tools of the stack, as the page's header links them: only those that run
    (a tool without a URL setting runs nowhere the dashboard knows of)."""
    api_docs = f"http://{browser_host(settings.api_host)}:{settings.api_port}/docs"
    tools = [
        ("API docs", api_docs),
        *prometheus_link(settings),
        ("Kafka UI", settings.kafka_ui_url),
        ("Grafana", settings.grafana_url),
        ("Mail", settings.mail_ui_url or MAIL_VIEWER),
    ]
    return [{"name": name, "url": url} for name, url in tools if url]


def prometheus_link(settings: Settings) -> list[tuple[str, str]]:
    """Its web UI where it has one (compose's); else the alerts it answers as JSON (the local
    stack's is built without the UI); nothing without a Prometheus."""
    if settings.prometheus_ui_url:
        return [("Prometheus", settings.prometheus_ui_url)]
    if settings.prometheus_url:
        return [("Prometheus alerts (JSON)", f"{settings.prometheus_url}/api/v1/alerts")]
    return []


def human_bytes(count: int | None) -> str:
    """``1.5 GiB``: the unit a WAL figure is read in."""
    if count is None:
        return "-"
    size = float(count)
    for unit in BYTE_UNITS[:-1]:
        if abs(size) < 1024:
            return f"{count} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} {BYTE_UNITS[-1]}"

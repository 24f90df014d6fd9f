"""Pure rules of the dashboard's newer panels: when a replication slot is a problem, and where
the links to the other tools point."""

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
    """The other tools of the stack, as the page's header links them."""
    api_docs = f"http://{browser_host(settings.api_host)}:{settings.api_port}/docs"
    return [
        {"name": "API docs", "url": api_docs},
        {"name": "Kafka UI", "url": settings.kafka_ui_url},
        {"name": "Grafana", "url": settings.grafana_url},
        {"name": "Mail", "url": settings.mail_ui_url or MAIL_VIEWER},
    ]


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

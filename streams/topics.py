"""Every Kafka topic of the pipeline, declared once: name, key, partitions, retention.

Debezium names its topics ``<prefix>.<schema>.<table>``; the catalog change feed
uses the Debezium MongoDB connector's ``<prefix>.<db>.<collection>`` so that
production (real connector) and local (our feed) publish to the same topic.
"""

from dataclasses import dataclass
from enum import StrEnum

from config import Settings


class Cleanup(StrEnum):
    COMPACT = "compact"  # latest record per key is enough to rebuild derived state
    DELETE = "delete"  # every change matters (history), kept for the retention period


@dataclass(frozen=True)
class TopicSpec:
    source: str  # "<schema>.<table>" or "<db>.<collection>"; "{mongo_db}" is the catalog db
    partitions: int
    cleanup: Cleanup

    def name(self, settings: Settings) -> str:
        return f"{settings.topic_prefix}.{self.source.format(mongo_db=settings.mongo_db)}"


INVENTORY = TopicSpec("public.inventory", 3, Cleanup.COMPACT)
RESERVATIONS = TopicSpec("public.reservations", 3, Cleanup.DELETE)
ORDERS = TopicSpec("public.orders", 3, Cleanup.DELETE)
PAYMENTS = TopicSpec("public.payments", 3, Cleanup.DELETE)
# Refunds of cancelled paid orders: every payment event is kept, as the payments' are.
REFUNDS = TopicSpec("public.refunds", 3, Cleanup.DELETE)
# A code's latest terms and live redemption count; every redemption and give-back.
DISCOUNT_CODES = TopicSpec("public.discount_codes", 3, Cleanup.COMPACT)
DISCOUNT_REDEMPTIONS = TopicSpec("public.discount_redemptions", 3, Cleanup.DELETE)
# Mail owed to account holders (outbox rows): every one kept, as the order changes are.
ACCOUNT_MAIL = TopicSpec("public.account_mail", 3, Cleanup.DELETE)
# Named after the configured catalog db, as the Debezium MongoDB connector names it.
PRODUCTS = TopicSpec("{mongo_db}.products", 3, Cleanup.COMPACT)

# Records an agent could not decode, with their origin and the error (streams/dead_letters.py).
DEAD_LETTERS = TopicSpec("dead-letters", 1, Cleanup.DELETE)

POSTGRES_TABLES = (
    INVENTORY,
    RESERVATIONS,
    ORDERS,
    PAYMENTS,
    REFUNDS,
    DISCOUNT_CODES,
    DISCOUNT_REDEMPTIONS,
    ACCOUNT_MAIL,
)
ALL_TOPICS = (*POSTGRES_TABLES, PRODUCTS)

# Change events are kept a month; compacted topics keep the latest value per key forever.
RETENTION_MS = 30 * 24 * 3600 * 1000


def heartbeat_topic(settings: Settings) -> str:
    """Debezium's heartbeat topic (default name; ``heartbeat.interval.ms`` in the connector):
    its newest record shows the connector alive while the tables are idle."""
    return f"__debezium-heartbeat.{settings.topic_prefix}"

"""Faust's Kafka transport, with the stack's durable producer settings on every producer.

Faust's aiokafka producer is idempotent only inside exactly-once transactions, so a send it
retried across a leader change could be written twice. This transport's producer always asks for
``DURABLE_PRODUCER`` (acks=all, idempotence), like every other producer of the stack. Faust picks
a transport by the broker URL's scheme, so it is registered as ``SCHEME`` under the
``faust.transports`` entry points (pyproject.toml): the hook Faust offers for a transport.
"""

from collections.abc import Mapping
from typing import Any

import faust
from faust.transport.drivers import aiokafka

from config import DURABLE_PRODUCER, KAFKA_SECURITY, KafkaUser, Settings

SCHEME = "shopstream-kafka"


def credentials(settings: Settings, user: KafkaUser) -> faust.SASLCredentials:
    """Faust's ``broker_credentials`` for ``user``: its consumers, producer and topic creation
    log in with them."""
    return faust.SASLCredentials(
        username=str(user),
        password=settings.kafka_password(user),
        mechanism=KAFKA_SECURITY["sasl_mechanism"],
    )


class DurableProducer(aiokafka.Producer):
    """aiokafka producer of Faust that is idempotent with acks=all, in or out of transactions."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), **DURABLE_PRODUCER}


class Transport(aiokafka.Transport):
    """Faust's aiokafka transport with ``DurableProducer``; consumers are Faust's own."""

    Producer = DurableProducer

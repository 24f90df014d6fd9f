"""A stream worker of the lag test: one agent on the test's own topic, the streams' metrics.

Run as ``faust -A tests.ops.lag_worker worker`` with ``LAG_TEST_APP_ID`` (its consumer group),
``LAG_TEST_TOPIC``, ``LAG_TEST_WEB_PORT`` and ``LAG_TEST_DATA_DIR`` set, so it shares nothing
with the stack's worker and writes nothing into the checkout.
"""

import os

import faust

from config import KafkaUser, get_settings
from streams.kafka_transport import credentials
from streams.metrics import install_metrics

app = faust.App(
    os.environ["LAG_TEST_APP_ID"],
    broker=f"kafka://{get_settings().kafka_bootstrap}",
    broker_credentials=credentials(get_settings(), KafkaUser.ADMIN),  # a group of its own
    store="memory://",
    value_serializer="raw",
    web_host="127.0.0.1",
    web_port=int(os.environ["LAG_TEST_WEB_PORT"]),
    consumer_auto_offset_reset="earliest",
    autodiscover=False,
    datadir=os.environ["LAG_TEST_DATA_DIR"],
)
install_metrics(app)


@app.agent(app.topic(os.environ["LAG_TEST_TOPIC"], value_type=bytes))
async def drain(records):
    async for _ in records:
        pass

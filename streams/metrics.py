"""Agent throughput for Prometheus, served on the worker's web port at ``/metrics``.

A Faust sensor sees every record each agent's stream finishes, so every agent is counted and
timed without a line of metrics code in the agents themselves.
"""

import time

import faust
from faust.types import TP, EventT, StreamT
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from adapters.metric_names import AGENT_EVENT_DURATION, AGENT_EVENTS

EVENTS = Counter(AGENT_EVENTS.name, AGENT_EVENTS.help, AGENT_EVENTS.labels)
DURATION = Histogram(
    AGENT_EVENT_DURATION.name, AGENT_EVENT_DURATION.help, AGENT_EVENT_DURATION.labels
)


def agent_label(stream: StreamT) -> str:
    """An agent's stream carries the agent's dotted name as prefix: keep its last part."""
    return (stream.prefix or stream.shortlabel).rsplit(".", 1)[-1]


class AgentThroughput(faust.Sensor):
    def on_stream_event_in(self, tp: TP, offset: int, stream: StreamT, event: EventT) -> dict:
        return {"started": time.perf_counter()}

    def on_stream_event_out(
        self, tp: TP, offset: int, stream: StreamT, event: EventT, state: dict | None = None
    ) -> None:
        agent = agent_label(stream)
        EVENTS.labels(agent=agent).inc()
        if state is not None:
            DURATION.labels(agent=agent).observe(time.perf_counter() - state["started"])


def install_metrics(app: faust.App) -> None:
    app.sensors.add(AgentThroughput())

    @app.page("/metrics")
    async def metrics(web: View, request: Request) -> Response:
        return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

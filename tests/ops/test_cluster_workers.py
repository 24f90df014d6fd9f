"""The stream workers of the running profile (one per role, or two in the cluster profile):
every worker of a role is a member of its role's consumer group, and each worker and broker
has its own row in `shopctl status`; a process that is down fails the test."""

from collections.abc import Callable

from config import Settings
from harness.kafka_log import worker_members
from ops.polling import wait_until
from ops.stack import stack
from ops.stack.engines.kafka import broker_names
from ops.stack.services import STREAMS_ROLES, stream_workers

REJOINED_WITHIN_SECONDS = 60


def test_every_worker_of_a_role_is_in_its_group(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    for name in [*broker_names(settings), *stream_workers(settings)]:
        require_engine(name)
    for role in STREAMS_ROLES:
        group = settings.streams_group(role)
        wait_until(
            lambda group=group: worker_members(settings, group),
            timeout=REJOINED_WITHIN_SECONDS,
            what=f"{group} stable with {settings.streams_workers} members",
            accept=lambda members: members == settings.streams_workers,
            interval=1,
        )
    shown = {row.name: row for row in stack.status(settings)}
    for name in [*broker_names(settings), *stream_workers(settings)]:
        assert shown[name].healthy and shown[name].pid, name

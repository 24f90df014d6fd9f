"""The cluster profile's stream workers: two per role, one consumer group per role, each
worker and broker its own row in `shopctl status`. Skipped unless the stack runs the cluster
profile (`make up PROFILE=cluster`); there, a process that is down fails the test."""

from collections.abc import Callable

import pytest

from config import Profile, Settings
from harness.kafka_log import worker_members
from ops.polling import wait_until
from ops.stack import stack
from ops.stack.engines.kafka import broker_names
from ops.stack.services import STREAMS_ROLES, stream_workers

REJOINED_WITHIN_SECONDS = 60


def test_both_workers_of_each_role_share_its_group(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    if settings.profile is not Profile.CLUSTER:
        pytest.skip("the stack runs the single profile: `make up PROFILE=cluster` for this")
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

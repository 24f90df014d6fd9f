"""Who may do what on Kafka: every principal's ACLs, derived from the stream topology, created
idempotently (``shopctl kafka-acls``; ``shopctl up`` runs it before it starts Connect).

The brokers' StandardAuthorizer refuses whatever no ACL allows; ``broker`` and ``admin`` are
super users. What matters most is who writes the CDC topics (``<prefix>.public.*``: payments,
orders, inventory): Connect, and nobody else, so a worker, a tool or a stranger cannot forge
a payment's record. Each stream worker role reads the topics its agents consume (from
``streams.topology``), writes what they produce (the dead letters, the catalog feed's topic)
and owns its consumer group and Faust's topics named after it; the ops tools read everything
and write nothing.
"""

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)

from config import (
    CONNECT_GROUP,
    CONNECT_STORAGE_TOPICS,
    KafkaUser,
    Settings,
    StreamsRole,
    streams_kafka_user,
)
from ops.polling import wait_until
from ops.replay import GROUP_PREFIX as REPLAY_GROUPS
from streams.topics import (
    ALL_TOPICS,
    DEAD_LETTERS,
    POSTGRES_TABLES,
    PRODUCTS,
    TopicSpec,
    heartbeat_topic,
)

Op = ACLOperation
TOPIC, GROUP, CLUSTER = ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER
CLUSTER_NAME = "kafka-cluster"
ANY_NAME = "*"
VISIBLE_WITHIN_SECONDS = 30
BOOTSTRAP_TIMEOUT_MS = 5000


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL from any host: ``user`` may ``operation`` the resource ``name`` (every name
    starting with it when ``prefixed``)."""

    user: KafkaUser
    resource: ResourceType
    name: str
    operation: ACLOperation
    prefixed: bool = False

    def acl(self) -> ACL:
        kind = ACLResourcePatternType
        pattern = kind.PREFIXED if self.prefixed else kind.LITERAL
        return ACL(
            principal=f"User:{self.user}",
            host="*",
            operation=self.operation,
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(self.resource, self.name, pattern),
        )

    def line(self) -> str:
        what = f"{self.name}*" if self.prefixed else self.name
        return f"User:{self.user} {self.operation.name} {self.resource.name.lower()} {what}"


def _on(
    user: KafkaUser, resource: ResourceType, names: set[str], *ops: Op, prefixed: bool = False
) -> set[Grant]:
    return {Grant(user, resource, name, op, prefixed) for name in names for op in ops}


def cdc_prefixes(settings: Settings) -> set[str]:
    """Debezium names a table's topic ``<prefix>.<schema>.<table>``: every captured schema's."""
    schemas = {spec.source.split(".")[0] for spec in POSTGRES_TABLES}
    return {f"{settings.topic_prefix}.{schema}." for schema in schemas}


def connect_grants(settings: Settings) -> set[Grant]:
    """Its group and storage topics, and writing (creating) the CDC topics and Debezium's
    heartbeat; the catalog's too where the MongoDB connector captures it (feed off)."""
    user = KafkaUser.CONNECT
    written = {heartbeat_topic(settings)}
    if not settings.catalog_feed_enabled:
        written.add(PRODUCTS.name(settings))
    return (
        _on(user, GROUP, {CONNECT_GROUP}, Op.READ)
        | _on(user, TOPIC, set(CONNECT_STORAGE_TOPICS.values()), Op.ALL)
        | _on(user, TOPIC, cdc_prefixes(settings), Op.WRITE, Op.CREATE, prefixed=True)
        | _on(user, TOPIC, written, Op.WRITE, Op.CREATE)
    )


LABELS = {f"topic:{spec.source}": spec for spec in (*ALL_TOPICS, DEAD_LETTERS)}
"""``streams.topology``'s sink names of the topics an agent produces to."""


def produced(role: StreamsRole, settings: Settings) -> set[TopicSpec]:
    """What a role's agents write: their topic sinks and the dead letters (``typed``); the
    catalog feed's topic only while the feed runs (the MongoDB connector's otherwise)."""
    from streams.topology import worker_specs  # imports every agent module: only when asked

    sinks = {sink for spec in worker_specs()[role] for sink in spec.sinks}
    specs = {LABELS[sink] for sink in sinks if sink.startswith("topic:")} | {DEAD_LETTERS}
    return specs if settings.catalog_feed_enabled else specs - {PRODUCTS}


def consumed(role: StreamsRole) -> set[TopicSpec]:
    from streams.topology import worker_specs

    return {spec.source for spec in worker_specs()[role] if isinstance(spec.source, TopicSpec)}


def worker_grants(settings: Settings, role: StreamsRole) -> set[Grant]:
    """Reading what the role consumes in its group, writing what it produces, creating both
    (Faust declares every topic it uses), and anything on the topics Faust names after the
    group (its partition assignor's, changelogs)."""
    user, group = streams_kafka_user(role), settings.streams_group(role)
    reads = {spec.name(settings) for spec in consumed(role)}
    writes = {spec.name(settings) for spec in produced(role, settings)}
    return (
        _on(user, GROUP, {group}, Op.READ)
        | _on(user, TOPIC, reads, Op.READ)
        | _on(user, TOPIC, writes, Op.WRITE)
        | _on(user, TOPIC, reads | writes, Op.CREATE)
        | _on(user, TOPIC, {f"{group}-"}, Op.ALL, prefixed=True)
    )


def ops_grants() -> set[Grant]:
    """Lag, replay, audit, trace and the dashboard: read and describe every topic (commit times
    from ``__consumer_offsets`` too) and group, and use replay's own groups."""
    user = KafkaUser.OPS
    return (
        _on(user, TOPIC, {ANY_NAME}, Op.READ, Op.DESCRIBE_CONFIGS)
        | _on(user, GROUP, {ANY_NAME}, Op.DESCRIBE)
        | _on(user, GROUP, {REPLAY_GROUPS}, Op.READ, Op.DELETE, prefixed=True)
        | _on(user, CLUSTER, {CLUSTER_NAME}, Op.DESCRIBE, Op.DESCRIBE_CONFIGS)
    )


def grants(settings: Settings) -> set[Grant]:
    """Every ACL the deployment needs."""
    return (
        connect_grants(settings)
        | worker_grants(settings, StreamsRole.ORDERS)
        | worker_grants(settings, StreamsRole.CATALOG)
        | ops_grants()
    )


def granted(admin: KafkaAdminClient) -> set[Grant]:
    """The ALLOW ACLs the cluster holds for our principals."""
    everything = ACLFilter(
        principal=None,
        host=None,
        operation=Op.ANY,
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    acls, _ = admin.describe_acls(everything)
    users = {f"User:{user}": user for user in KafkaUser}
    return {
        Grant(
            users[acl.principal],
            acl.resource_pattern.resource_type,
            acl.resource_pattern.resource_name,
            acl.operation,
            acl.resource_pattern.pattern_type == ACLResourcePatternType.PREFIXED,
        )
        for acl in acls
        if acl.principal in users and acl.host == "*"
    }


def ensure_acls(settings: Settings) -> list[Grant]:
    """Create the missing ACLs of ``grants`` and wait until the cluster lists them; the ones
    created (none on a rerun). ACLs nobody asks for any more are left: remove them by hand."""
    wanted = grants(settings)
    admin = KafkaAdminClient(
        **settings.kafka_client(KafkaUser.ADMIN), bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS
    )
    try:
        missing = sorted(wanted - granted(admin))
        if missing:
            failed = admin.create_acls([grant.acl() for grant in missing])["failed"]
            if failed:
                raise RuntimeError(f"Kafka refused {len(failed)} ACLs: {failed[0]!r}")
            wait_until(
                lambda: wanted <= granted(admin),
                timeout=VISIBLE_WITHIN_SECONDS,
                what="the new ACLs listed",
                interval=0.2,
            )
        return missing
    finally:
        admin.close()

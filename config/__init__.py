"""The one settings object every component reads.

Values come from the environment (prefix ``SHOP_``) or a ``.env`` file, so the
same code runs against the local stack, docker-compose and production.
"""

import logging
import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class StreamsRole(StrEnum):
    """Which agents one stream worker process runs (``streams.app.ROLE_MODULES``).

    ``make up`` and docker-compose run an orders worker and a catalog worker side by side,
    each its own consumer group: a catalog backlog (a 10k-product seed) never delays a
    payment's confirmation. ``all`` runs every agent in one process (tests, small setups).
    """

    ALL = "all"
    ORDERS = "orders"
    CATALOG = "catalog"


class Profile(StrEnum):
    """How much of the stack runs twice or thrice (``shopctl up --cluster``).

    ``single``: one Kafka broker, one worker per stream role, every topic unreplicated.
    ``cluster``: three KRaft brokers, topics replicated 3 times and writable while 2 replicas
    are in sync (one broker may die), two workers per role sharing the role's consumer group.
    """

    SINGLE = "single"
    CLUSTER = "cluster"


CLUSTER_BROKERS = 3
PORT_STEP = 2
"""Broker n of the cluster listens ``PORT_STEP * (n - 1)`` above the first broker's client and
controller ports (9092/9093, 9094/9095, 9096/9097); worker n of a role above the role's web
port (orders 6066, 6068; catalog 6067, 6069)."""


class KafkaUser(StrEnum):
    """Who a Kafka client authenticates as (SASL/PLAIN), each with its own password setting
    (``kafka_<user>_password``); what each may do is ``ops.kafka_acls``."""

    BROKER = "broker"  # the brokers among themselves and to the controllers: a super user
    ADMIN = "admin"  # the operator: setup steps, tests, benches; a super user
    CONNECT = "connect"  # Kafka Connect: its own topics and the CDC topics it writes
    ORDERS = "orders"  # the orders stream worker
    CATALOG = "catalog"  # the catalog stream worker
    OPS = "ops"  # the ops tools and the dashboard: read everything, write nothing


SUPER_USERS = (KafkaUser.BROKER, KafkaUser.ADMIN)
KAFKA_SECURITY: dict[str, str] = {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN"}
"""How every client reaches the brokers: a SASL/PLAIN login on an unencrypted connection
(loopback locally, the compose network there). Keyword arguments of kafka-python and aiokafka."""


class _ChosenPlaintextLogin(logging.Filter):
    """kafka-python and aiokafka warn on every connection that a PLAIN login travels unencrypted:
    a choice made once (docs/ARCHITECTURE.md, "Kafka access"), not news for each log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "in the clear" not in record.getMessage()


for _logger in ("kafka.net.sasl.plain", "aiokafka.conn"):
    logging.getLogger(_logger).addFilter(_ChosenPlaintextLogin())

CONNECT_GROUP = "shopstream-connect"
CONNECT_STORAGE_TOPICS = {
    "config": "connect-configs",
    "offset": "connect-offsets",
    "status": "connect-status",
}
"""Kafka Connect's worker group and the topics it keeps connectors, offsets and states in: the
local worker, docker-compose's and the ACLs name them alike."""


DURABLE_PRODUCER: dict[str, object] = {"acks": "all", "enable_idempotence": True}
"""Keyword arguments of kafka-python's ``KafkaProducer`` and aiokafka's ``AIOKafkaProducer``
(the same names in both): a send succeeds once every in-sync replica has the record, and a
retried send is not written twice. Harmless on one broker, where the leader is all of them."""


class Settings(BaseSettings):
    """Hosts, ports, credentials, topic names and timeouts of the whole system."""

    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file=".env", extra="ignore")

    stack_dir: Path = Field(
        PROJECT_ROOT / ".stack", description="Local engines' binaries, data and logs"
    )

    postgres_host: str = Field("127.0.0.1", description="PostgreSQL host")
    postgres_port: int = Field(5432, description="PostgreSQL port")
    postgres_db: str = Field("shop", description="Database of users, carts, inventory, orders")
    postgres_user: str = Field("shop", description="Application role (also used by Debezium)")
    postgres_password: str = Field("shop", description="Password of the application role")
    postgres_pool_size: int = Field(20, description="Connections per API process")

    mongo_url: str = Field(
        "mongodb://127.0.0.1:27017/", description="MongoDB (FerretDB locally) URL"
    )
    mongo_timeout_ms: int = Field(
        5000, gt=0, description="How long a catalog request waits for an unreachable MongoDB"
    )
    mongo_db: str = Field("catalog", description="Database holding the product catalog")
    ferretdb_postgres_db: str = Field("ferretdb", description="Postgres database backing FerretDB")

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis URL")
    redis_pool_size: int = Field(50, description="Redis connections per API process")

    profile: Profile = Field(
        Profile.SINGLE,
        description="single: one Kafka broker, one worker per role; cluster: three brokers"
        " (replication 3, min ISR 2), two workers per role. `shopctl up --cluster` records it"
        " in `<stack>/profile.env`",
    )
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092",
        description="Kafka bootstrap servers (comma-separated); in the cluster profile one"
        " address stands for the three local brokers on its port and the next even ports",
    )
    kafka_controller_port: int = Field(
        9093, description="KRaft controller port of the first local broker (local stack)"
    )
    kafka_broker_password: SecretStr | None = Field(
        None,
        description="Password of the brokers' own Kafka principal `broker` (a super user);"
        " `make up` generates each `SHOP_KAFKA_*_PASSWORD` into `<stack>/secrets.env`",
    )
    kafka_admin_password: SecretStr | None = Field(
        None,
        description="Password of the operator's Kafka principal `admin` (a super user): setup"
        " steps, tests, benches",
    )
    kafka_connect_password: SecretStr | None = Field(
        None, description="Password of Kafka Connect's principal `connect`: writes the CDC topics"
    )
    kafka_orders_password: SecretStr | None = Field(
        None, description="Password of the orders stream worker's Kafka principal `orders`"
    )
    kafka_catalog_password: SecretStr | None = Field(
        None, description="Password of the catalog stream worker's Kafka principal `catalog`"
    )
    kafka_ops_password: SecretStr | None = Field(
        None,
        description="Password of the ops tools' and the dashboard's Kafka principal `ops`: reads"
        " every topic, writes none",
    )
    connect_url: str = Field("http://127.0.0.1:8083", description="Kafka Connect REST API")
    topic_prefix: str = Field("shop", description="Prefix of every CDC topic")

    streams_app_id: str = Field(
        "shopstream-streams",
        description="Faust app id (consumer group); role workers append -orders / -catalog",
    )
    streams_role: StreamsRole = Field(
        StreamsRole.ALL, description="Agents this worker runs: all, orders or catalog"
    )
    streams_web_port: int = Field(
        6066, description="Web port (health, metrics) of the orders worker, or the all worker"
    )
    streams_web_bind: str = Field(
        "127.0.0.1", description="Address the stream workers' web servers (health, metrics) bind"
    )
    streams_catalog_web_port: int = Field(6067, description="Web port of the catalog worker")
    streams_worker: int = Field(
        1,
        ge=1,
        description="Which of its role's workers this process is (the cluster profile runs 2):"
        " picks its web port and data directory",
    )

    catalog_feed_enabled: bool = Field(
        True,
        description="Run the catalog change feed; false where the Debezium MongoDB connector"
        " captures the catalog (production)",
    )
    catalog_feed_interval_seconds: float = Field(
        0.3, description="How often the catalog change feed polls the products collection"
    )
    catalog_feed_overlap_seconds: float = Field(
        5.0,
        description="How far back each feed poll re-reads: covers slow writers and clock skew",
    )

    objectstore_url: str = Field(
        "http://127.0.0.1:7070",
        description="S3-compatible object store of product images (versitygw locally)",
    )
    objectstore_access_key: str = Field("shopstream", description="Object store access key id")
    objectstore_secret_key: SecretStr | None = Field(
        None,
        description="Object store secret key; `make up` generates one into `<stack>/secrets.env`",
    )
    media_bucket: str = Field("shopstream-media", description="Bucket of originals and variants")
    media_base_url: str = Field(
        "https://127.0.0.1:8443/media",
        description="Public URL prefix of image variants: the CDN (the TLS edge caches them)",
    )
    media_max_upload_bytes: int = Field(
        10_000_000, gt=0, description="Largest image an operator may upload"
    )
    media_lifecycle_interval_seconds: float = Field(
        600.0, gt=0, description="How often the lifecycle job deletes images no product uses"
    )
    media_lifecycle_grace_seconds: float = Field(
        3600.0,
        ge=0,
        description="Unused images younger than this are kept (an upload in flight)",
    )

    elasticsearch_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch URL")
    search_alias: str = Field("products", description="Alias that search reads from")

    api_host: str = Field("127.0.0.1", description="Storefront API bind address")
    api_port: int = Field(8000, description="Storefront API port")
    metrics_networks: str = Field(
        "127.0.0.0/8,::1/128",
        description="Client networks (comma-separated CIDRs) allowed to read the API's /metrics",
    )
    proxy_host: str = Field(
        "127.0.0.1", description="Address the storefront's TLS edge listens on (local stack)"
    )
    proxy_port: int = Field(
        8443, description="HTTPS port of the storefront's TLS edge (nginx) on the local stack"
    )
    api_workers: int = Field(
        2, ge=1, description="Storefront processes, each accepting on the port (SO_REUSEPORT)"
    )
    api_concurrency: int = Field(
        32, ge=1, description="Requests one storefront process works on at once; the rest wait"
    )
    api_max_queue_seconds: float = Field(
        2.0,
        gt=0,
        description="Longest a request waits for its turn; one that would wait longer is"
        " answered 503 with Retry-After at once",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        description="Level of the JSON logs of the API, the stream workers and the dashboard"
        " (INFO: a line per request and per agent action; WARNING: problems only)",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses (comma-separated) of reverse proxies whose X-Forwarded-For the"
        " API believes; empty: the socket peer is the client",
    )
    gateway_url: str = Field("http://127.0.0.1:8090", description="Payment gateway URL")
    smtp_host: str = Field("127.0.0.1", description="SMTP server for notifications")
    smtp_port: int = Field(1025, description="SMTP port")
    mail_sender: str = Field(
        "shopstream <orders@shopstream.local>", description="From address of customer emails"
    )

    jwt_signing_key: SecretStr | None = Field(
        None,
        description="Ed25519 key signing access tokens (base64url of a random 32-byte seed);"
        " `make up` generates one into `<stack>/secrets.env`; no default",
    )
    jwt_retired_keys: str = Field(
        "",
        description="Public keys (base64url, comma-separated) of earlier signing keys whose"
        " tokens are still accepted (`shopctl rotate-jwt-key`)",
    )
    jwt_issuer: str = Field("shopstream", description="JWT issuer claim")
    access_token_ttl_seconds: int = Field(
        900, gt=0, le=900, description="Lifetime of an access token (at most 15 minutes)"
    )
    refresh_token_ttl_seconds: int = Field(
        30 * 24 * 3600, gt=0, description="Lifetime of a sign-in session (its refresh tokens)"
    )
    login_free_failures: int = Field(
        5,
        ge=1,
        description="Failed logins for one account from one address before that pair is"
        " slowed down (x10 from one address over every account); failures from elsewhere"
        " never lock an owner out",
    )
    login_failure_window_seconds: int = Field(
        900, gt=0, description="How long failed logins are remembered"
    )
    login_max_lockout_seconds: int = Field(
        900, gt=0, description="Longest lockout after repeated failed logins"
    )
    discount_lookup_failures: int = Field(
        10,
        ge=1,
        description="Discount codes a shopper may try per window that do not exist for them "
        "(unknown, retired, not started, expired); past them every lookup is 429",
    )
    discount_lookup_window_seconds: int = Field(
        3600, gt=0, description="Window of the failed discount code lookups, from the first"
    )
    password_hash_concurrency: int = Field(
        1, ge=1, description="Password hashes computed at once per API process"
    )
    password_hash_queue: int = Field(
        32, ge=0, description="Password hashes allowed to wait per API process; more get 503"
    )
    reservation_ttl_seconds: int = Field(600, description="How long a checkout holds stock")
    gate_admission_ttl_seconds: float = Field(
        30.0,
        gt=0,
        description="How long the checkout gate counts an admission whose outcome it was not"
        " told or the stock mirror does not show yet (a crashed API's admissions expire)",
    )
    reservation_expiry_interval_seconds: float = Field(
        1.0, description="How often the orders worker releases expired holds"
    )
    reservation_expiry_batch: int = Field(
        100, description="Orders expired per transaction by one expiry sweep"
    )
    payment_reconcile_interval_seconds: float = Field(
        5.0,
        gt=0,
        description="How often the orders worker settles payments and refunds the gateway"
        " has not answered",
    )
    payment_reconcile_after_seconds: float = Field(
        60.0,
        gt=0,
        description="How long a payment or refund may stay unanswered (the gateway timed out,"
        " a process died) before the orders worker asks the gateway what became of it",
    )
    sse_streams_per_user: int = Field(
        3, ge=1, description="Order status streams (SSE) one user may hold open at once"
    )
    sse_max_seconds: float = Field(
        900, gt=0, description="Longest life of one status stream (EventSource reconnects)"
    )
    delivery_transit_days: int = Field(5, description="Default estimated delivery after shipping")

    rate_limit_window_seconds: int = Field(60, description="Fixed window of the rate limiters")
    rate_limit_per_ip: int = Field(1200, description="Requests per window from one client IP")
    rate_limit_per_user: int = Field(300, description="Requests per window from one signed-in user")

    gateway_secret: SecretStr | None = Field(
        None,
        description="Shared secret signing the API's requests to the payment gateway (HMAC);"
        " `make up` generates one into `<stack>/secrets.env`",
    )
    account_token_secret: SecretStr | None = Field(
        None,
        description="Key the tokens mailed to account holders (address confirmation, password"
        " reset) are derived with; the database keeps only their digests. `make up` generates"
        " one into `<stack>/secrets.env`",
    )
    email_verification_ttl_seconds: int = Field(
        86400, gt=0, description="How long a mailed address-confirmation link works"
    )
    password_reset_ttl_seconds: int = Field(
        1800, gt=0, le=3600, description="How long a mailed password-reset link works"
    )
    account_mail_interval_seconds: float = Field(
        60.0,
        ge=0,
        description="Fewest seconds between two mails of one kind to one account (signups"
        " and reset requests by strangers cannot flood an inbox)",
    )
    public_url: str = Field(
        "https://127.0.0.1:8443",
        description="The storefront's public address, for the links in mail",
    )
    carrier_webhook_secret: SecretStr | None = Field(
        None,
        description="Shared secret the carrier signs its tracking webhooks with (HMAC);"
        " `make up` generates one into `<stack>/secrets.env`",
    )
    gateway_timeout_seconds: float = Field(3.0, description="Client timeout of one gateway call")
    gateway_retries: int = Field(
        1, ge=0, description="Replays (same idempotency key) after a gateway timeout or 5xx"
    )
    gateway_slow_charge_seconds: float = Field(
        10.0, description="How long the simulated gateway stalls on its timeout test card"
    )
    engine_start_timeout_seconds: int = Field(180, description="How long `up` waits per engine")

    dashboard_host: str = Field("127.0.0.1", description="Ops dashboard bind address")
    dashboard_port: int = Field(8070, description="Ops dashboard port (page, JSON, /metrics)")
    dashboard_user: str = Field("ops", description="User name of the ops dashboard's login")
    dashboard_password: SecretStr | None = Field(
        None,
        description="Password of the ops dashboard's login (HTTP Basic); `make up` generates"
        " one into `<stack>/secrets.env`; the dashboard refuses to start without one",
    )
    dashboard_allowed_hosts: str = Field(
        "",
        description="Host headers (comma-separated `name:port`) the ops dashboard answers;"
        " others get 421 (DNS rebinding). Empty: its own `SHOP_DASHBOARD_HOST:PORT`,"
        " `127.0.0.1:PORT` and `localhost:PORT`",
    )
    dashboard_sample_seconds: float = Field(
        5.0, description="How often the dashboard samples consumer lag and CDC freshness"
    )
    dashboard_audit_seconds: float = Field(
        300.0,
        description="Pause between the dashboard's stock audits (each reads every store: with"
        " the seeded catalog, seconds of FerretDB and Elasticsearch CPU)",
    )
    dashboard_history_samples: int = Field(
        120, description="Lag samples kept in memory per partition for the trend charts"
    )
    lag_alert_records: int = Field(
        1000, description="Consumer lag above which `shopctl lag` exits non-zero"
    )
    low_stock_threshold: int = Field(
        5, description="Available units at or below which a product counts as low on stock"
    )
    slot_wal_alert_bytes: int = Field(
        1024**3,
        gt=0,
        description="WAL a replication slot may hold back before the dashboard warns (an"
        " inactive Debezium slot retains WAL until the disk fills)",
    )
    dashboard_delay_window_minutes: float = Field(
        15.0,
        gt=0,
        description="The ops dashboard's commit -> topic delay panel counts the change records"
        " that reached their topic within this many minutes",
    )
    prometheus_url: str = Field(
        "http://127.0.0.1:9090",
        description="Prometheus: where the local stack runs it (`make up`), and whose alerts,"
        " rules and targets the ops dashboard shows; empty: the dashboard reads none",
    )
    prometheus_ui_url: str = Field(
        "",
        description="Prometheus' web UI, linked from the ops dashboard (docker-compose sets it);"
        " empty: the alerts JSON of `SHOP_PROMETHEUS_URL` (the local stack's Prometheus is built"
        " without its UI)",
    )
    kafka_ui_url: str = Field(
        "",
        description="Kafka UI, linked from the ops dashboard (docker-compose sets it); empty:"
        " no link (the local stack runs none)",
    )
    grafana_url: str = Field(
        "",
        description="Grafana, linked from the ops dashboard (docker-compose sets it); empty: no"
        " link (the local stack runs none)",
    )
    mail_ui_url: str = Field(
        "",
        description="Web UI of the mail sink, linked from the ops dashboard (Mailpit's, say:"
        " `http://127.0.0.1:8025`); empty: the dashboard lists the local sink's messages itself",
    )

    @model_validator(mode="after")
    def _every_local_broker(self) -> Self:
        """Clients bootstrap from every broker, so a dead first broker does not stop them."""
        if self.profile is Profile.CLUSTER and "," not in self.kafka_bootstrap:
            host, port = self.kafka_bootstrap.rsplit(":", 1)
            self.kafka_bootstrap = ",".join(
                f"{host}:{int(port) + PORT_STEP * n}" for n in range(CLUSTER_BROKERS)
            )
        return self

    @property
    def objectstore_secret(self) -> str:
        """The object store's secret key in clear ("" when none is set)."""
        key = self.objectstore_secret_key
        return key.get_secret_value() if key else ""

    @property
    def account_token_key(self) -> str:
        """The key account tokens are derived with, in clear; refuses to work without one
        (a token derived from an empty key would be anyone's to make)."""
        if self.account_token_secret is None:
            raise RuntimeError("SHOP_ACCOUNT_TOKEN_SECRET is not set (`make up` generates one)")
        return self.account_token_secret.get_secret_value()

    def kafka_password(self, user: KafkaUser) -> str:
        """``user``'s Kafka password in clear ("" when none is set: the login is refused)."""
        secret: SecretStr | None = getattr(self, f"kafka_{user}_password")
        return secret.get_secret_value() if secret else ""

    def kafka_client(self, user: KafkaUser, bootstrap: str | None = None) -> dict[str, object]:
        """Keyword arguments of kafka-python's and aiokafka's clients (the same names in both):
        the bootstrap list (or the one broker given) and ``user``'s login."""
        return {
            "bootstrap_servers": bootstrap or self.kafka_bootstrap,
            **KAFKA_SECURITY,
            "sasl_plain_username": str(user),
            "sasl_plain_password": self.kafka_password(user),
        }

    @property
    def kafka_brokers(self) -> list[str]:
        """``host:port`` of each broker, the first broker's first."""
        return self.kafka_bootstrap.split(",")

    @property
    def kafka_replication_factor(self) -> int:
        """Copies of every topic: one per broker, up to three."""
        return CLUSTER_BROKERS if self.profile is Profile.CLUSTER else 1

    @property
    def kafka_min_insync_replicas(self) -> int:
        """Replicas an ``acks=all`` write waits for: with 3 copies, one broker may be down."""
        return 2 if self.profile is Profile.CLUSTER else 1

    @property
    def streams_workers(self) -> int:
        """Worker processes per role; they split the role's partitions between them."""
        return 2 if self.profile is Profile.CLUSTER else 1

    @property
    def streams_data_dir(self) -> Path:
        """Faust's own files (memory store: little), in the stack rather than the working dir."""
        return self.stack_dir / "faust"

    @property
    def postgres_dsn(self) -> str:
        return self.dsn_for(self.postgres_db)

    def dsn_for(self, database: str) -> str:
        return (
            f"postgresql://{self.postgres_user}:{self.postgres_password}"
            f"@{self.postgres_host}:{self.postgres_port}/{database}"
        )

    def streams_group(self, role: StreamsRole) -> str:
        """The Faust app id, i.e. the consumer group, of a worker running ``role``."""
        return self.streams_app_id if role is StreamsRole.ALL else f"{self.streams_app_id}-{role}"

    def streams_port(self, role: StreamsRole, worker: int = 1) -> int:
        first = (
            self.streams_catalog_web_port if role is StreamsRole.CATALOG else self.streams_web_port
        )
        return first + PORT_STEP * (worker - 1)

    def streams_datadir(self, role: StreamsRole, worker: int = 1) -> Path:
        """Faust's directory for one worker: two workers of a role share a group, not files."""
        group = self.streams_group(role)
        return self.streams_data_dir / (
            f"{group}-data" if worker == 1 else f"{group}-{worker}-data"
        )


def streams_kafka_user(role: StreamsRole) -> KafkaUser:
    """A stream worker's Kafka principal: its role's, whose ACLs name its group and topics; the
    all-in-one worker (tests and benches, under consumer groups of their own) is the operator."""
    return {StreamsRole.ORDERS: KafkaUser.ORDERS, StreamsRole.CATALOG: KafkaUser.CATALOG}.get(
        role, KafkaUser.ADMIN
    )


def streams_service(role: StreamsRole, worker: int = 1) -> str:
    """A stream worker's process name in the stack, its logs and docker-compose."""
    return f"streams-{role}" if worker == 1 else f"streams-{role}-{worker}"


def profile_file(stack_dir: Path) -> Path:
    """Where ``shopctl up --cluster``/``--single`` records the profile every later command
    (down, status, reset, tests, benches) reads."""
    return stack_dir / "profile.env"


def secrets_file(stack_dir: Path) -> Path:
    """Where ``make up`` keeps the local stack's generated secrets (``ops.secrets``)."""
    return stack_dir / "secrets.env"


@lru_cache
def get_settings() -> Settings:
    """First found wins: the environment, the stack's generated ``secrets.env``, ``.env``,
    and the profile the stack was last brought up with (``profile.env``)."""
    stack_dir = Path(os.environ.get("SHOP_STACK_DIR", PROJECT_ROOT / ".stack"))
    return Settings(_env_file=(profile_file(stack_dir), ".env", secrets_file(stack_dir)))

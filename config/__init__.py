"""The one settings object every component reads.

Values come from the environment (prefix ``SHOP_``) or a ``.env`` file, so the
same code runs against the local stack, docker-compose and production.
"""

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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

    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers")
    kafka_controller_port: int = Field(9093, description="KRaft controller port (local stack)")
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
    api_workers: int = Field(2, ge=1, description="Storefront worker processes")
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
        5, ge=1, description="Failed logins per account before lockouts begin (x10 per address)"
    )
    login_failure_window_seconds: int = Field(
        900, gt=0, description="How long failed logins are remembered"
    )
    login_max_lockout_seconds: int = Field(
        900, gt=0, description="Longest lockout after repeated failed logins"
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
    dashboard_sample_seconds: float = Field(
        5.0, description="How often the dashboard samples consumer lag and CDC freshness"
    )
    dashboard_audit_seconds: float = Field(
        60.0, description="Pause between the dashboard's stock audits (each reads every store)"
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
    kafka_ui_url: str = Field(
        "http://127.0.0.1:8080", description="Kafka UI, linked from the ops dashboard"
    )
    grafana_url: str = Field(
        "http://127.0.0.1:3000", description="Grafana, linked from the ops dashboard"
    )
    mail_ui_url: str = Field(
        "",
        description="Web UI of the mail sink, linked from the ops dashboard (Mailpit's, say:"
        " `http://127.0.0.1:8025`); empty: the dashboard lists the local sink's messages itself",
    )

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

    def streams_port(self, role: StreamsRole) -> int:
        if role is StreamsRole.CATALOG:
            return self.streams_catalog_web_port
        return self.streams_web_port


def secrets_file(stack_dir: Path) -> Path:
    """Where ``make up`` keeps the local stack's generated secrets (``ops.secrets``)."""
    return stack_dir / "secrets.env"


@lru_cache
def get_settings() -> Settings:
    """The environment, then ``.env``, then the stack's generated ``secrets.env``."""
    stack_dir = Path(os.environ.get("SHOP_STACK_DIR", PROJECT_ROOT / ".stack"))
    return Settings(_env_file=(".env", secrets_file(stack_dir)))

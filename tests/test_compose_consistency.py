"""docker-compose.yml cannot run here (no Docker engine), so this keeps it honest against Settings.

Pure: validates the files against the Compose Specification, parses them with pyyaml and
compares them with the Settings field defaults, which are what the local stack and every
host-side tool use, and with the commands and health URLs `make up` runs the same processes
with (ops/stack/services.py, ops/setup_steps.py).
"""

import json
import re
import subprocess
import sys
from fnmatch import fnmatch
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from config import (
    CLUSTER_BROKERS,
    CONNECT_GROUP,
    CONNECT_STORAGE_TOPICS,
    PROJECT_ROOT,
    KafkaUser,
    Profile,
    Settings,
    StreamsRole,
    streams_kafka_user,
    streams_service,
)
from ops.connectors import MONGODB, POSTGRES, SECRET, connector_files, render
from ops.dashboard.guard import allowed_hosts
from ops.dashboard.rules import links
from ops.secrets import compose_secrets, kafka_password_variable
from ops.setup_steps import STEPS
from ops.stack.engines.connect import Connect, secret_properties
from ops.stack.engines.kafka import broker_name, broker_properties
from ops.stack.engines.sasl import CLIENT_LISTENER, PROTOCOL, broker_security
from ops.stack.prometheus import local_config, streams_jobs_file
from ops.stack.prometheus_build import PROMETHEUS_RELEASE
from ops.stack.services import SERVICES as LOCAL_SERVICES
from ops.stack.services import STREAMS_ROLES, specs, stream_workers

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DEV = yaml.safe_load((PROJECT_ROOT / "docker-compose.dev.yml").read_text())["services"]
"""What `-f docker-compose.dev.yml` adds: published ports only."""
ENV_PREFIX = Settings.model_config["env_prefix"]


class Link(NamedTuple):
    """How clients find a service: the Settings fields holding its address and its port."""

    address: str | None  # None: nothing inside compose connects to it
    port: str  # a URL/bootstrap field's port, or an int field


# The one table tying compose services to Settings.
LINKS: dict[str, Link] = {
    "postgres": Link("postgres_host", "postgres_port"),
    "redis": Link("redis_url", "redis_url"),
    "kafka": Link("kafka_bootstrap", "kafka_bootstrap"),
    "connect": Link("connect_url", "connect_url"),
    "elasticsearch": Link("elasticsearch_url", "elasticsearch_url"),
    "mongo": Link("mongo_url", "mongo_url"),
    "smtp": Link("smtp_host", "smtp_port"),
    "gateway": Link("gateway_url", "gateway_url"),
    "api": Link(None, "api_port"),
    "dashboard": Link(None, "dashboard_port"),
    "proxy": Link(None, "proxy_port"),
}
# What each app process connects to (and so must find in its env and wait for).
NEEDS: dict[str, set[str]] = {
    "api": {"postgres", "mongo", "redis", "elasticsearch", "kafka", "gateway"},
    **{
        worker: {"postgres", "mongo", "redis", "elasticsearch", "kafka", "connect", "smtp"}
        for worker in ("streams-orders", "streams-catalog")
    },
    "gateway": set(),
    "dashboard": {"postgres", "mongo", "redis", "elasticsearch", "kafka"},
    "kafka-acls": {"kafka"},
    "init": {"postgres", "mongo", "kafka", "connect"},
}
AFTER_INIT = {"api", "streams-orders", "streams-catalog", "dashboard"}
"""The apps that start only once `init` has migrated, prepared and registered."""
# Processes serving Prometheus /metrics: the Settings field of the port they serve it on.
SCRAPED = {
    "api": "api_port",
    "streams-orders": "streams_web_port",
    "streams-catalog": "streams_catalog_web_port",
    "dashboard": "dashboard_port",
}
ONE_SHOTS = {"mongo-init", "kafka-acls", "init", "edge-init"}
PUBLIC = {"proxy"}
"""The only services the base file publishes."""
PROMETHEUS_CONFIG = PROJECT_ROOT / "ops" / "prometheus" / "prometheus.yml"
LOOPBACK = ("127.0.0.1", "localhost")


def default(field: str) -> Any:
    return Settings.model_fields[field].get_default(call_default_factory=True)


def split(value: object) -> tuple[str | None, int | None]:
    """Host and port of a URL, a `host:port` bootstrap, a bare host, or a bare port."""
    if isinstance(value, int):
        return None, value
    text = re.sub(r"\$\{[^}]*\}", "secret", str(value))  # compose variables, e.g. a password
    parts = urlsplit(text if "://" in text else f"//{text}")
    return parts.hostname, parts.port


def env_of(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def port_pairs(service: str) -> list[tuple[int, int]]:
    """(host, container) pairs of the short `ports:` syntax, `[IP:]HOST:CONTAINER[/proto]`,
    of the base file and the dev override together."""
    pairs = []
    published = [*SERVICES[service].get("ports", []), *DEV.get(service, {}).get("ports", [])]
    for entry in published:
        *_, host, container = str(entry).split("/")[0].split(":")
        pairs.append((int(host), int(container)))
    return pairs


def listening_ports(service: str) -> set[int]:
    """Ports other containers may use: published container ports plus `expose:`."""
    exposed = {int(str(p).split("/")[0]) for p in SERVICES[service].get("expose", [])}
    return {container for _, container in port_pairs(service)} | exposed


def settings_of(service: str) -> Settings:
    """The Settings the service's process reads: its SHOP_* env, compose variables filled."""
    values = {
        name[len(ENV_PREFIX) :].lower(): re.sub(r"\$\{[^}]*\}", "secret", value)
        for name, value in env_of(service).items()
        if name.startswith(ENV_PREFIX)
    }
    return Settings(_env_file=None, **values)


def users_of(target: str) -> list[str]:
    return [app for app, needs in NEEDS.items() if target in needs]


def setting_in(env: dict[str, str], field: str) -> Any:
    return env.get(f"{ENV_PREFIX}{field.upper()}", default(field))


def test_required_services_exist() -> None:
    assert set(LINKS) | set(NEEDS) | ONE_SHOTS <= set(SERVICES)


def test_the_files_follow_the_compose_specification() -> None:
    """check-jsonschema's bundled copy of the Compose Specification's JSON schema."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(PROJECT_ROOT / "docker-compose.yml"),
            str(PROJECT_ROOT / "docker-compose.dev.yml"),
            str(PROJECT_ROOT / "docker-compose.cluster.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", sorted(LINKS))
def test_published_port_equals_settings_default(service: str) -> None:
    _, port = split(default(LINKS[service].port))
    assert (port, port) in port_pairs(service), f"{service} must publish {port}:{port}"


def test_postgres_logical_wal_and_credentials() -> None:
    postgres = SERVICES["postgres"]
    assert "wal_level=logical" in postgres["command"]
    env = env_of("postgres")
    assert env["POSTGRES_DB"] == default("postgres_db")
    assert env["POSTGRES_USER"] == default("postgres_user")
    assert env["POSTGRES_PASSWORD"].startswith("${SHOP_POSTGRES_PASSWORD:?")


def test_only_the_tls_edge_is_published_by_default() -> None:
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == PUBLIC
    for service in DEV.values():
        assert set(service) == {"ports"}, "the dev override only publishes"
        assert all(str(p).startswith("127.0.0.1:") for p in service["ports"])


SECRET_WORDS = ("PASSWORD", "SECRET", "SIGNING_KEY", "REDIS_URL", "REDISCLI_AUTH", "JAAS")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_credential_is_written_in_the_file(service: str) -> None:
    """Every secret comes from the environment, and a missing one stops compose (``:?``)."""
    for name, value in env_of(service).items():
        if any(word in name for word in SECRET_WORDS):
            assert "${" in value and ":?" in value, f"{service}: {name} is not from the env"


def test_the_api_believes_only_the_edges_forwarded_headers() -> None:
    [address] = [n["ipv4_address"] for n in SERVICES["proxy"]["networks"].values()]
    assert env_of("api")["SHOP_TRUSTED_PROXIES"] == address


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_shop_env_vars_name_settings_fields(service: str) -> None:
    fields = set(Settings.model_fields)
    unknown = [
        name
        for name in env_of(service)
        if name.upper().startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() not in fields
    ]
    assert not unknown, f"{service}: no Settings field for {unknown}"


@pytest.mark.parametrize("app", sorted(NEEDS))
def test_app_env_reaches_what_it_needs(app: str) -> None:
    env = env_of(app)
    for target in NEEDS[app]:
        link = LINKS[target]
        assert link.address, f"{target} has no address setting"
        assert f"{ENV_PREFIX}{link.address.upper()}" in env, f"{app} lacks {target} address"
        host, _ = split(setting_in(env, link.address))
        _, port = split(setting_in(env, link.port))
        assert host == target, f"{app} reaches {target} at {host}, not its service name"
        assert port in listening_ports(target), f"{app} uses {target}:{port}, not a listener"


@pytest.mark.parametrize("app", sorted(NEEDS))
def test_app_waits_for_healthy_dependencies(app: str) -> None:
    depends = SERVICES[app].get("depends_on", {})
    for target in NEEDS[app]:
        assert depends.get(target, {}).get("condition") == "service_healthy", (app, target)
    if app in AFTER_INIT:
        assert depends["init"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", sorted(set(SERVICES) - ONE_SHOTS))
def test_long_running_services_have_healthchecks(service: str) -> None:
    assert SERVICES[service].get("healthcheck", {}).get("test"), service


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_images_are_pinned(service: str) -> None:
    image = SERVICES[service].get("image")
    assert image or "build" in SERVICES[service], f"{service} has neither image nor build"
    if image:
        name, _, tag = image.rpartition(":")
        assert name and "/" not in tag and tag not in ("", "latest"), f"{service}: {image}"


def test_kafka_advertises_container_and_host_listeners() -> None:
    advertised = env_of("kafka")["KAFKA_ADVERTISED_LISTENERS"]
    app_bootstrap = {env_of(app)[f"{ENV_PREFIX}KAFKA_BOOTSTRAP"] for app in users_of("kafka")}
    assert len(app_bootstrap) == 1, app_bootstrap
    (bootstrap,) = app_bootstrap
    assert f"://{bootstrap}" in advertised
    assert f"://localhost:{split(default('kafka_bootstrap'))[1]}" in advertised
    assert env_of("connect")["BOOTSTRAP_SERVERS"] == bootstrap


def test_mongo_replica_set_matches_app_url() -> None:
    command = SERVICES["mongo"]["command"]
    replica_set = command[command.index("--replSet") + 1]
    for app in users_of("mongo"):
        query = parse_qs(urlsplit(env_of(app)[f"{ENV_PREFIX}MONGO_URL"]).query)
        assert query.get("replicaSet") == [replica_set], app
    init_script = " ".join(SERVICES["mongo-init"]["command"])
    assert "rs.initiate" in init_script and f'"{replica_set}"' in init_script


def test_dockerfile_installs_the_runtime_lock() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "-r requirements.runtime.lock" in dockerfile
    assert "-r requirements.lock" not in dockerfile  # the dev lock: test tools


def docker_ignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of the build context (a pattern naming a
    folder excludes all inside it; the file has no ``!`` exceptions)."""
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns)
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def test_the_build_context_has_what_the_image_runs_and_no_local_state() -> None:
    runtime = ("config", "domain", "adapters", "services", "api", "streams", "ops")
    needed = [
        "pyproject.toml",
        "requirements.runtime.lock",
        "connectors/postgres.json",
        "ops/dashboard/page.html",
        *(f"{package}/__init__.py" for package in runtime),
    ]
    assert not [path for path in needed if docker_ignored(path)]
    private = [".stack/secrets.env", "compose.env", ".env", ".venv/bin/python", ".git/HEAD"]
    left_out = ["tests/conftest.py", "bench/lanes.py", "docs/topology.md", "README.md"]
    assert [path for path in private + left_out if not docker_ignored(path)] == []


def test_prometheus_runs_the_release_promtool_checks_the_rules_with() -> None:
    assert SERVICES["prometheus"]["image"] == f"prom/prometheus:v{PROMETHEUS_RELEASE}"


def test_prometheus_finds_its_rule_files_beside_its_config() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in SERVICES["prometheus"]["volumes"])
    container_config = next(c for c in SERVICES["prometheus"]["command"] if "--config.file" in c)
    config_dir = container_config.split("=", 1)[1].rsplit("/", 1)[0]
    assert (
        mounts[f"./{PROMETHEUS_CONFIG.relative_to(PROJECT_ROOT)}"] == f"{config_dir}/prometheus.yml"
    )
    for rule_file in [*config["rule_files"], *config["scrape_config_files"]]:
        source = f"./{(PROMETHEUS_CONFIG.parent / rule_file).relative_to(PROJECT_ROOT)}"
        assert mounts.get(source) == f"{config_dir}/{rule_file}", f"{rule_file} is not mounted"


def scrape_targets(streams_file: str = "streams.yml") -> set[str]:
    """Every target of prometheus.yml and of the workers' job file it includes."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    streams = yaml.safe_load((PROMETHEUS_CONFIG.parent / streams_file).read_text())
    return {
        target
        for job in [*config["scrape_configs"], *streams["scrape_configs"]]
        for static in job["static_configs"]
        for target in static["targets"]
    }


def test_prometheus_scrapes_every_metrics_port() -> None:
    targets = scrape_targets()
    expected = {f"{service}:{default(port)}" for service, port in SCRAPED.items()}
    assert targets == expected
    for service, port in SCRAPED.items():
        assert default(port) in listening_ports(service), f"{service} does not listen on {port}"


def test_the_dashboard_answers_the_names_it_is_asked_by() -> None:
    """Its Host check (DNS rebinding) lets in its healthcheck, Prometheus and a browser on the
    host (the dev file's port)."""
    hosts = allowed_hosts(settings_of("dashboard"))
    probed = urlsplit(SERVICES["dashboard"]["healthcheck"]["test"][-1]).netloc
    scraped = {target for target in scrape_targets() if target.startswith("dashboard:")}
    browsed = {f"{name}:{host}" for host, _ in port_pairs("dashboard") for name in LOOPBACK}
    assert {probed, *scraped, *browsed} <= hosts


@pytest.mark.parametrize("profile", list(Profile))
def test_make_up_scrapes_what_compose_scrapes_at_the_local_addresses(profile: Profile) -> None:
    """The local Prometheus reads compose's configuration: the same jobs, intervals and rule
    file, each target at the address the local stack serves that process on."""
    local = Settings(_env_file=None, profile=profile)
    streams_file = streams_jobs_file(profile).name
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    ours = local_config(local)
    assert ours["global"] == config["global"]
    assert ours["rule_files"] == [str(PROMETHEUS_CONFIG.parent / f) for f in config["rule_files"]]
    local_targets = {
        target
        for job in ours["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    compose_ports = {int(target.rsplit(":", 1)[1]) for target in scrape_targets(streams_file)}
    assert {split(target) for target in local_targets} == {
        ("127.0.0.1", port) for port in compose_ports
    }
    assert {job["job_name"] for job in ours["scrape_configs"]} == {"api", "dashboard", "streams"}


def test_the_dashboard_reads_prometheus_and_links_only_published_tools() -> None:
    dashboard = settings_of("dashboard")
    host, port = split(dashboard.prometheus_url)
    assert host == "prometheus" and port in listening_ports("prometheus")
    assert "prometheus" not in SERVICES["dashboard"]["depends_on"]  # it scrapes the dashboard
    published = {host for service in SERVICES for host, _ in port_pairs(service)}
    shown = [urlsplit(link["url"]) for link in links(dashboard)]
    outside = [link for link in shown if link.netloc]
    assert {link.geturl() for link in outside} >= {
        dashboard.prometheus_ui_url,
        dashboard.kafka_ui_url,
        dashboard.grafana_url,
        dashboard.mail_ui_url,
    }
    for link in outside:
        assert link.hostname in LOOPBACK and link.port in published, link.geturl()


def test_prometheus_and_grafana_mount_files_of_the_repo() -> None:
    for service in ("prometheus", "grafana"):
        for volume in SERVICES[service]["volumes"]:
            source = volume.split(":")[0]
            assert (PROJECT_ROOT / source).exists(), f"{service} mounts missing {source}"


@pytest.mark.parametrize("role", [StreamsRole.ORDERS, StreamsRole.CATALOG])
def test_each_stream_worker_runs_its_role_on_its_port(role: StreamsRole) -> None:
    """Faust binds its web server on every interface of the container (`--web-bind`) at the
    role's port, and advertises the service name (`--web-host`)."""
    service = f"streams-{role}"
    settings = settings_of(service)
    assert settings.streams_role is role
    command = SERVICES[service]["command"]
    options = dict(zip(command[-6::2], command[-5::2], strict=True))
    assert options == {
        "--web-bind": "0.0.0.0",
        "--web-port": str(settings.streams_port(role)),
        "--web-host": service,
    }
    assert settings.streams_port(role) in listening_ports(service)


LOCAL_SPECS = {spec.name: spec for spec in LOCAL_SERVICES if spec.name in SERVICES}


def test_the_apps_of_make_up_are_all_here() -> None:
    """The local mail sink is Mailpit (`smtp`) here; every other process runs in both."""
    assert set(LOCAL_SPECS) == {spec.name for spec in LOCAL_SERVICES} - {"mailsink"}


@pytest.mark.parametrize("service", sorted(LOCAL_SPECS))
def test_apps_run_the_command_make_up_runs(service: str) -> None:
    local = LOCAL_SPECS[service].argv(settings_of(service))
    assert local[0] == sys.executable
    command = SERVICES[service]["command"]
    assert command[: len(local)] == ["python", *local[1:]], "the image's python, same args"


@pytest.mark.parametrize("service", sorted(LOCAL_SPECS))
def test_healthchecks_ask_the_health_endpoint_make_up_waits_on(service: str) -> None:
    local = urlsplit(LOCAL_SPECS[service].health_url(settings_of(service)))
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[:-1] == ["CMD", "python", "-m", "ops.probe"]
    probed = urlsplit(test[-1])
    assert (probed.scheme, probed.path) == (local.scheme, local.path)
    assert (probed.hostname, probed.port) == (service, local.port)
    assert probed.port in listening_ports(service)


def one_shot_commands(service: str) -> list[str]:
    """The shopctl commands a one-shot runs, stopping at the first failure (`sh -e`, `&&`)."""
    shell, flags, script = SERVICES[service]["command"]
    assert (shell, flags) == ("sh", "-ec")
    assert SERVICES[service]["restart"] == "no"
    assert "build" in SERVICES[service]
    assert SERVICES[service]["image"] == SERVICES["api"]["image"]
    return [part.strip() for part in script.split("&&")]


def test_the_one_shots_run_the_setup_steps_of_shopctl_up() -> None:
    """`shopctl up` runs ops.setup_steps.STEPS, those Connect needs before it starts Connect;
    kafka-acls runs the shopctl command of each of those, init of the others, in order, and
    Connect waits for kafka-acls, init for Connect."""
    early = [f"shopctl {s.command}" for s in STEPS if s.before_connect]
    later = [f"shopctl {s.command}" for s in STEPS if not s.before_connect]
    assert early and one_shot_commands("kafka-acls") == early
    assert one_shot_commands("init") == later
    assert [s.command for s in STEPS] == [c.split()[1] for c in early + later]
    waits = SERVICES["connect"]["depends_on"]["kafka-acls"]["condition"]
    assert waits == "service_completed_successfully"
    assert SERVICES["init"]["depends_on"]["connect"]["condition"] == "service_healthy"


def test_debezium_captures_the_catalog_and_the_feed_is_off() -> None:
    """MongoDB here is a replica set with change streams: init registers the MongoDB connector
    too, and no stream worker polls the catalog, so the catalog topic has one producer."""
    assert connector_files(settings_of("init")) == (POSTGRES, MONGODB)
    assert not any(settings_of(app).catalog_feed_enabled for app in NEEDS)


def variable(value: str) -> str:
    """The compose variable a value is taken from (``${NAME:?...}``)."""
    found = re.fullmatch(r"\$\{(\w+)(:\?[^}]*)?\}", value)
    assert found, f"{value!r} is not a compose variable"
    return found.group(1)


def resolved(config: dict[str, str], env: dict[str, str]) -> dict[str, str]:
    """A connector config as Connect's env config provider resolves it against ``env``."""
    return {key: SECRET.sub(lambda m: env[m.group(1)], value) for key, value in config.items()}


def test_the_registered_connectors_reach_compose_services() -> None:
    """Connect reads what init renders, its secrets from its own environment: the service
    names, not the host's loopback, and the apps' password."""
    connect = env_of("connect")
    _, postgres = render(POSTGRES, settings_of("init"))
    assert postgres["database.hostname"] == "postgres"
    assert int(postgres["database.port"]) in listening_ports("postgres")
    password = resolved(postgres, connect)["database.password"]
    assert variable(password) == variable(env_of("postgres")["POSTGRES_PASSWORD"])
    assert variable(password) == variable(env_of("init")["SHOP_POSTGRES_PASSWORD"])
    _, mongo = render(MONGODB, settings_of("init"))
    url = resolved(mongo, connect)["mongodb.connection.string"]
    assert url == env_of("init")["SHOP_MONGO_URL"]
    host, port = split(url)
    assert (host, port) == ("mongo", default_port("mongo"))
    assert port in listening_ports("mongo")


def default_port(service: str) -> int | None:
    return split(default(LINKS[service].port))[1]


def test_kafka_ui_shows_the_apps_kafka_and_connect() -> None:
    env, apps = env_of("kafka-ui"), env_of("api")
    assert env["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == apps[f"{ENV_PREFIX}KAFKA_BOOTSTRAP"]
    assert (
        env["KAFKA_CLUSTERS_0_KAFKACONNECT_0_ADDRESS"] == env_of("init")[f"{ENV_PREFIX}CONNECT_URL"]
    )
    assert env["KAFKA_CLUSTERS_0_KAFKACONNECT_0_NAME"]
    assert port_pairs("kafka-ui") == [(8080, 8080)]
    assert SERVICES["kafka-ui"]["depends_on"]["connect"]["condition"] == "service_healthy"


def test_grafana_links_open_ports_the_stack_publishes() -> None:
    dashboard = json.loads((PROJECT_ROOT / "ops" / "grafana" / "shopstream.json").read_text())
    published = {host for service in SERVICES for host, _ in port_pairs(service)}
    links = [urlsplit(link["url"]) for link in dashboard["links"]]
    assert len(links) >= 4
    for link in links:
        assert link.hostname == "localhost" and link.port in published, link.geturl()


def test_compose_secrets_cover_every_variable_the_file_requires() -> None:
    """`shopctl compose-secrets` prints a value for each `${NAME:?...}` of the compose file."""
    required = set(re.findall(r"\$\{(\w+):\?", (PROJECT_ROOT / "docker-compose.yml").read_text()))
    assert required == set(compose_secrets())


# Kafka's logins and ACLs, Connect's secrets, Kafka UI's login, where Connect answers.
JAAS_ENTRY = re.compile(r'(\w+)="([^"]*)"')
KAFKA_USERS = {
    "kafka-acls": KafkaUser.ADMIN,
    "init": KafkaUser.ADMIN,
    "dashboard": KafkaUser.OPS,
    **{f"streams-{role}": streams_kafka_user(role) for role in STREAMS_ROLES},
    "kafka": KafkaUser.BROKER,  # its healthcheck's login
}
"""Whose Kafka password each container holds: the principal its code logs in as."""


def jaas(value: str) -> tuple[str, dict[str, str]]:
    """A PLAIN login's module and its ``key="value"`` entries."""
    return value.split()[0], dict(JAAS_ENTRY.findall(value))


def logs_in_as(value: str, user: KafkaUser) -> bool:
    """A client's ``sasl.jaas.config``: ``user``, with its password from the env file."""
    _, entries = jaas(value)
    password = variable(entries["password"])
    return entries.keys() == {"username", "password"} and (entries["username"], password) == (
        user,
        kafka_password_variable(user),
    )


def broker_env(key: str) -> str:
    return f"KAFKA_{key.replace('.', '_').upper()}"


def connect_env(key: str) -> str:
    return f"CONNECT_{key.replace('.', '_').upper()}"


def test_brokers_want_the_logins_and_acls_the_local_brokers_want() -> None:
    """Every listener SASL/PLAIN, accepting the users the local brokers accept (the client
    listeners every principal, the controller listener the brokers), each password from the
    env file; the StandardAuthorizer with the same super users."""
    local, env = broker_security(CLUSTER), env_of("kafka")
    listeners = [listener.split("://")[0] for listener in env["KAFKA_LISTENERS"].split(",")]
    protocols = dict(
        pair.split(":") for pair in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    assert protocols == dict.fromkeys(listeners, PROTOCOL)
    for key in (
        "sasl.enabled.mechanisms",
        "sasl.mechanism.inter.broker.protocol",
        "sasl.mechanism.controller.protocol",
        "authorizer.class.name",
        "super.users",
    ):
        assert env[broker_env(key)] == local[key], key
    client_jaas = f"listener.name.{CLIENT_LISTENER.lower()}.plain.sasl.jaas.config"
    for listener in listeners:
        key = f"listener.name.{listener.lower()}.plain.sasl.jaas.config"
        module, entries = jaas(env[broker_env(key)])
        local_module, local_entries = jaas(local.get(key, local[client_jaas]))
        assert (module, entries.keys()) == (local_module, local_entries.keys()), listener
        assert entries["username"] == KafkaUser.BROKER
        for name, value in entries.items():
            if name.startswith("user_") or name == "password":
                user = KafkaUser(name.removeprefix("user_") if name != "password" else "broker")
                assert variable(value) == kafka_password_variable(user), (listener, name)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_container_holds_only_its_own_kafka_password(service: str) -> None:
    held = {name for name in env_of(service) if re.fullmatch(r"SHOP_KAFKA_\w+_PASSWORD", name)}
    user = KAFKA_USERS.get(service)
    assert held == ({kafka_password_variable(user)} if user else set())
    if service.startswith("streams-"):
        assert streams_kafka_user(settings_of(service).streams_role) is user


def test_connect_logs_in_and_reads_its_secrets_as_the_local_worker_does() -> None:
    """Its Kafka login for the worker, its producers and consumers; the env config provider
    reading only the variables the connectors name, which it is given; the local worker's
    group and storage topics, which its ACLs name."""
    local, env = Connect(CLUSTER).worker_properties(), env_of("connect")
    logins = [key for key in local if key.endswith("sasl.jaas.config")]
    assert len(logins) == 3
    for key in logins:
        assert logs_in_as(env[connect_env(key)], KafkaUser.CONNECT), key
        prefix = key.removesuffix("sasl.jaas.config")
        for setting in ("security.protocol", "sasl.mechanism"):
            assert env[connect_env(prefix + setting)] == local[prefix + setting]
    for key, value in secret_properties().items():
        assert env[connect_env(key)] == value, key
    for name in str(local["config.providers.env.param.allowlist.pattern"]).split("|"):
        assert env[name] == env_of("init")[name] or variable(env[name]) == variable(
            env_of("init")[name]
        )
    assert env["GROUP_ID"] == CONNECT_GROUP
    for store, topic in CONNECT_STORAGE_TOPICS.items():
        assert env[f"{store.upper()}_STORAGE_TOPIC"] == topic


def test_kafka_ui_asks_for_a_login_and_reads_kafka_as_the_ops_principal() -> None:
    env = env_of("kafka-ui")
    assert env["AUTH_TYPE"] == "LOGIN_FORM"
    assert env["SPRING_SECURITY_USER_NAME"]
    assert variable(env["SPRING_SECURITY_USER_PASSWORD"]) == "SHOP_KAFKA_UI_PASSWORD"
    assert env["KAFKA_CLUSTERS_0_PROPERTIES_SECURITY_PROTOCOL"] == PROTOCOL
    assert env["KAFKA_CLUSTERS_0_PROPERTIES_SASL_MECHANISM"] == "PLAIN"
    assert logs_in_as(env["KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG"], KafkaUser.OPS)
    assert "/actuator/health" in SERVICES["kafka-ui"]["healthcheck"]["test"][-1]


def networks_of(service: str, services: dict[str, dict[str, Any]] = SERVICES) -> set[str]:
    return set(services[service].get("networks", ["default"]))


CONNECT_NEIGHBOURS = {"kafka", "postgres", "mongo", "init", "dashboard", "kafka-ui"}
"""What Connect captures or writes to, and what calls its REST API."""


def test_connects_rest_api_is_on_an_internal_network_only() -> None:
    """Unpublished (the dev file publishes it on 127.0.0.1), and on a network the edge and the
    api are not on; what registers connectors and reads their states is."""
    assert networks_of("connect") == {"cdc"}
    beside = {name for name in SERVICES if "cdc" in networks_of(name)} - {"connect"}
    assert beside == CONNECT_NEIGHBOURS
    assert not beside & (PUBLIC | {"api"})
    assert "ports" not in SERVICES["connect"]
    assert [str(p) for p in DEV["connect"]["ports"]] == ["127.0.0.1:8083:8083"]
    for app in ("init", "dashboard"):
        assert split(settings_of(app).connect_url)[0] == "connect"
    for broker in BROKERS:
        assert networks_of(broker, CLUSTER_SERVICES) == {"default", "cdc"}


def test_connect_reassigns_lost_work_as_the_local_worker_does() -> None:
    local = Connect(Settings()).worker_properties()["scheduled.rebalance.max.delay.ms"]
    assert env_of("connect")["CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS"] == str(local)


# The cluster profile: docker-compose.cluster.yml over this file, as `docker compose -f ... -f`
# merges them (mappings merged key by key, `volumes` by container path, `expose` joined,
# anything else replaced; `extends` starts from the named service of the base file).
OVERRIDE = yaml.safe_load((PROJECT_ROOT / "docker-compose.cluster.yml").read_text())
CLUSTER = Settings(_env_file=None, profile=Profile.CLUSTER)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        elif key == "volumes" and key in merged:
            by_target = {v.split(":")[1]: v for v in [*merged[key], *value]}
            merged[key] = list(by_target.values())
        elif key == "expose" and key in merged:
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        else:
            merged[key] = value
    return merged


def cluster_services() -> dict[str, dict[str, Any]]:
    services = dict(SERVICES)
    for name, override in OVERRIDE["services"].items():
        extends = override.get("extends")
        if extends:
            assert extends["file"] == "docker-compose.yml"
        base = SERVICES[extends["service"]] if extends else SERVICES[name]
        services[name] = merge(base, {k: v for k, v in override.items() if k != "extends"})
    return services


CLUSTER_SERVICES = cluster_services()
BROKERS = [broker_name(node) for node in range(1, CLUSTER_BROKERS + 1)]


def cluster_env(service: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in CLUSTER_SERVICES[service]["environment"].items()}


def cluster_settings(service: str) -> Settings:
    values = {
        name[len(ENV_PREFIX) :].lower(): re.sub(r"\$\{[^}]*\}", "secret", value)
        for name, value in cluster_env(service).items()
        if name.startswith(ENV_PREFIX)
    }
    return Settings(_env_file=None, **values)


def exposed(service: str) -> set[int]:
    return {int(str(p)) for p in CLUSTER_SERVICES[service].get("expose", [])}


def test_the_cluster_runs_the_processes_of_make_up_profile_cluster() -> None:
    local = {spec.name for spec in specs(CLUSTER)} - {"mailsink"}
    assert local | set(BROKERS) <= set(CLUSTER_SERVICES)
    added = set(CLUSTER_SERVICES) - set(SERVICES)
    assert added == {*BROKERS, *stream_workers(CLUSTER)} - set(SERVICES)


def test_every_broker_is_a_voter_of_one_quorum() -> None:
    voters = ",".join(f"{node}@{name}:9093" for node, name in enumerate(BROKERS, start=1))
    for node, name in enumerate(BROKERS, start=1):
        env = cluster_env(name)
        assert env["KAFKA_NODE_ID"] == str(node)
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, name
        assert env["CLUSTER_ID"] == env_of("kafka")["CLUSTER_ID"]
        assert f"BROKER://{name}:19092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
        assert 19092 in exposed(name)
    stores = {tuple(CLUSTER_SERVICES[name]["volumes"]) for name in BROKERS}
    assert len(stores) == len(BROKERS), "each broker keeps its own data"


@pytest.mark.parametrize("broker", BROKERS)
def test_brokers_replicate_as_the_local_cluster_does(broker: str) -> None:
    local = broker_properties(CLUSTER, 1, PROJECT_ROOT)
    env = cluster_env(broker)
    for key in (
        "default.replication.factor",
        "min.insync.replicas",
        "offsets.topic.replication.factor",
        "offsets.topic.min.isr",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "unclean.leader.election.enable",
    ):
        assert env[f"KAFKA_{key.replace('.', '_').upper()}"] == str(local[key]), key


def test_every_app_of_the_cluster_reads_the_cluster_profile() -> None:
    bootstrap = {cluster_env(app)[f"{ENV_PREFIX}KAFKA_BOOTSTRAP"] for app in NEEDS}
    assert len(bootstrap) == 1, bootstrap
    (servers,) = bootstrap
    assert [split(server)[0] for server in servers.split(",")] == BROKERS
    for app in [*NEEDS, *stream_workers(CLUSTER)]:
        settings = cluster_settings(app)
        assert settings.profile is Profile.CLUSTER, app
        assert settings.kafka_bootstrap == servers, app
        assert settings.kafka_replication_factor == CLUSTER.kafka_replication_factor
    assert cluster_env("connect")["BOOTSTRAP_SERVERS"] == servers
    assert cluster_env("kafka-ui")["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == servers


def test_connect_replicates_its_own_topics() -> None:
    env = cluster_env("connect")
    local = Connect(CLUSTER).worker_properties()
    for store in ("config", "offset", "status"):
        key = f"{store}.storage.replication.factor"
        assert env[f"CONNECT_{key.replace('.', '_').upper()}"] == str(local[key])
    depends = CLUSTER_SERVICES["connect"]["depends_on"]
    assert all(depends[b]["condition"] == "service_healthy" for b in BROKERS)


@pytest.mark.parametrize("role", [StreamsRole.ORDERS, StreamsRole.CATALOG])
def test_the_second_worker_of_a_role_joins_its_group_on_its_own_port(role: StreamsRole) -> None:
    service = streams_service(role, 2)
    settings = cluster_settings(service)
    assert (settings.streams_role, settings.streams_worker) == (role, 2)
    assert settings.streams_group(role) == cluster_settings(f"streams-{role}").streams_group(role)
    port = settings.streams_port(role, 2)
    command = CLUSTER_SERVICES[service]["command"]
    options = dict(zip(command[-6::2], command[-5::2], strict=True))
    assert options == {"--web-bind": "0.0.0.0", "--web-port": str(port), "--web-host": service}
    assert port in exposed(service)
    assert CLUSTER_SERVICES[service]["healthcheck"]["test"][-1] == f"http://{service}:{port}/"
    depends = CLUSTER_SERVICES[service]["depends_on"]
    assert all(depends[b]["condition"] == "service_healthy" for b in BROKERS)


def test_prometheus_scrapes_every_worker_of_the_cluster() -> None:
    mounts = dict(v.rsplit(":", 2)[:2] for v in CLUSTER_SERVICES["prometheus"]["volumes"])
    [source] = [s for s, target in mounts.items() if target.endswith("/streams.yml")]
    workers = {
        f"{streams_service(role, n)}:{CLUSTER.streams_port(role, n)}"
        for role in STREAMS_ROLES
        for n in range(1, CLUSTER.streams_workers + 1)
    }
    assert {t for t in scrape_targets(source.rsplit("/", 1)[1]) if t.startswith("streams")} == (
        workers
    )

"""The Java side of the SASL/PLAIN logins: the brokers' user lists and the properties of Java
clients (Connect's worker, Kafka's command-line tools).

PLAIN, not SCRAM: a KRaft controller listener cannot use SCRAM (its credentials live in the
metadata the controllers serve), and SCRAM users would have to be written into the metadata
before Connect first starts (``kafka-storage format --add-scram``, which the apache/kafka
image's launch does not pass and existing broker data cannot take without a reset). A PLAIN
broker reads its users from its own configuration at every start. docs/ARCHITECTURE.md
("Kafka access") has the whole trade.
"""

from config import KAFKA_SECURITY, SUPER_USERS, KafkaUser, Settings

MECHANISM = KAFKA_SECURITY["sasl_mechanism"]
PROTOCOL = KAFKA_SECURITY["security_protocol"]
LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
CLIENT_LISTENER = "BROKER"
CONTROLLER_LISTENER = "CONTROLLER"


def login(user: str, password: str, users: dict[str, str] | None = None) -> str:
    """A ``sasl.jaas.config`` value: who this side is, and on a broker every user it accepts."""
    accepted = "".join(f' user_{name}="{secret}"' for name, secret in (users or {}).items())
    return f'{LOGIN_MODULE} required username="{user}" password="{password}"{accepted};'


def client_properties(settings: Settings, user: KafkaUser, prefix: str = "") -> dict[str, str]:
    """A Java client's login as ``user``; ``prefix`` as in Connect's ``producer.``."""
    return {
        f"{prefix}security.protocol": PROTOCOL,
        f"{prefix}sasl.mechanism": MECHANISM,
        f"{prefix}sasl.jaas.config": login(user, settings.kafka_password(user)),
    }


def broker_security(settings: Settings) -> dict[str, str]:
    """A broker's listeners accept every principal's login (the controller listener only the
    brokers'), and the StandardAuthorizer allows only what an ACL names; ``broker`` and
    ``admin`` are super users."""
    broker = settings.kafka_password(KafkaUser.BROKER)
    everyone = {user.value: settings.kafka_password(user) for user in KafkaUser}
    listeners = (CONTROLLER_LISTENER, CLIENT_LISTENER)
    return {
        "listener.security.protocol.map": ",".join(f"{name}:{PROTOCOL}" for name in listeners),
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "sasl.mechanism.controller.protocol": MECHANISM,
        f"listener.name.{CLIENT_LISTENER.lower()}.plain.sasl.jaas.config": login(
            KafkaUser.BROKER, broker, everyone
        ),
        f"listener.name.{CONTROLLER_LISTENER.lower()}.plain.sasl.jaas.config": login(
            KafkaUser.BROKER, broker, {KafkaUser.BROKER.value: broker}
        ),
        "authorizer.class.name": AUTHORIZER,
        "super.users": ";".join(f"User:{user}" for user in SUPER_USERS),
    }

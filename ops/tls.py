"""The storefront's TLS material: a local certificate authority and a server certificate.

``make up`` (and the compose ``edge-init`` service) make them once into a directory: the CA
(``ca.pem``, the file clients trust: ``curl --cacert``) and the server's certificate and key
(``server.pem``, ``server.key``) for the names the storefront answers to. The server
certificate is renewed when it is missing, when it lacks a wanted name, or within
``RENEW_BEFORE`` of expiring; the CA is kept, so clients keep trusting it.
"""

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 397  # what browsers accept for a server certificate
RENEW_BEFORE = dt.timedelta(days=30)
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def _alt_names(names: Sequence[str]) -> list[x509.GeneralName]:
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    return alt


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    signer: ec.EllipticCurvePrivateKey,
    days: int,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())


def _ensure_ca(tls_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = tls_dir / "ca.pem", tls_dir / "ca.key"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name("shopstream local CA")
    ca = _certificate(
        subject,
        subject,
        key.public_key(),
        key,
        CA_DAYS,
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
        ],
    )
    _write_key(key_path, key)
    cert_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ca, key


def _server_current(cert_path: Path, names: Sequence[str]) -> bool:
    if not cert_path.exists():
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) < RENEW_BEFORE:
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(_alt_names(names)) <= set(san)


def ensure_certificates(tls_dir: Path, names: Sequence[str] = DEFAULT_NAMES) -> bool:
    """Make what is missing or due; True when the server certificate was (re)made."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _ensure_ca(tls_dir)
    cert_path, key_path = tls_dir / "server.pem", tls_dir / "server.key"
    if _server_current(cert_path, names) and key_path.exists():
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(
        _name(names[0]),
        ca.subject,
        key.public_key(),
        ca_key,
        SERVER_DAYS,
        [
            (x509.SubjectAlternativeName(_alt_names(names)), False),
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        ],
    )
    _write_key(key_path, key)
    cert_path.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    return True

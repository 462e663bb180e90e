"""The lab CA and the HTTPS server certificates of the simulated hosts.

On first start the lab generates an RSA 2048 CA (``<state>/ca.pem``, public; its key ``<state>/tls/ca-key.pem``, mode
0600) and, per HTTPS host, a server certificate whose subjectAltName holds the host FQDN, ``localhost`` and the IP
127.0.0.1 (``<state>/tls/<host>.pem`` and ``<state>/tls/<host>-key.pem``, mode 0600). Later starts reuse them, and
re-issue a server certificate only when it is missing, expires within 30 days, names other hosts or was not signed by
the current CA.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ipaddress
import os
import pathlib
import ssl

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lab.topology import HostSpec

CA_FILE = "ca.pem"
TLS_DIR = "tls"
CA_KEY_FILE = "ca-key.pem"
CA_LIFETIME = datetime.timedelta(days=3650)
SERVER_LIFETIME = datetime.timedelta(days=825)
RENEW_BEFORE = datetime.timedelta(days=30)
KEY_SIZE = 2048


@dataclasses.dataclass(frozen=True)
class LabCA:
    """The lab certificate authority."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    cert_path: pathlib.Path


@dataclasses.dataclass(frozen=True)
class ServerCertificate:
    """Certificate and key files of one HTTPS listener."""

    cert_path: pathlib.Path
    key_path: pathlib.Path
    der: bytes

    def ssl_context(self) -> ssl.SSLContext:
        """A server-side TLS context (TLS 1.2 or later) presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certfile=str(self.cert_path), keyfile=str(self.key_path))
        return context

    def channel_binding_hash(self) -> bytes:
        """The tls-server-end-point hash of the certificate (RFC 5929 4.1: its signature hash, SHA-256 for MD5/SHA-1)."""
        cert = x509.load_der_x509_certificate(self.der)
        algorithm = cert.signature_hash_algorithm
        name = algorithm.name if algorithm is not None and algorithm.name not in ("md5", "sha1") else "sha256"
        return hashlib.new(name, self.der).digest()


def ensure_ca(state_dir: pathlib.Path) -> LabCA:
    """Load the lab CA from the state dir, or create it (and forget server certificates issued by an older CA)."""
    tls_dir = _tls_dir(state_dir)
    cert_path = state_dir / CA_FILE
    key_path = tls_dir / CA_KEY_FILE
    loaded = _load_pair(cert_path, key_path)
    if loaded is not None:
        cert, key = loaded
        if _usable(cert) and _is_ca(cert):
            return LabCA(cert=cert, key=key, cert_path=cert_path)
    key = _new_key()
    now = _now()
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ucops.skype_exchange lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, "ucops lab CA"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_file(key_path, _key_pem(key), 0o600)
    write_file(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return LabCA(cert=cert, key=key, cert_path=cert_path)


def ensure_server_certificate(ca: LabCA, state_dir: pathlib.Path, host: HostSpec) -> ServerCertificate:
    """The server certificate of ``host`` signed by ``ca``; issued when missing or no longer right."""
    tls_dir = _tls_dir(state_dir)
    cert_path = tls_dir / f"{host.name}.pem"
    key_path = tls_dir / f"{host.name}-key.pem"
    names = _subject_alt_names(host)
    loaded = _load_pair(cert_path, key_path)
    if loaded is not None:
        cert, _key = loaded
        if _usable(cert) and _signed_by(cert, ca.cert) and _alt_names(cert) == names:
            return ServerCertificate(cert_path=cert_path, key_path=key_path, der=cert.public_bytes(serialization.Encoding.DER))
    key = _new_key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host.fqdn)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(min(now + SERVER_LIFETIME, ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    write_file(key_path, _key_pem(key), 0o600)
    write_file(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o600)
    return ServerCertificate(cert_path=cert_path, key_path=key_path, der=cert.public_bytes(serialization.Encoding.DER))


def _subject_alt_names(host: HostSpec) -> frozenset[str]:
    return frozenset({f"DNS:{host.fqdn}", "DNS:localhost", "IP:127.0.0.1"})


def _general_names(names: frozenset[str]) -> list[x509.GeneralName]:
    result: list[x509.GeneralName] = []
    for name in sorted(names):
        kind, value = name.split(":", 1)
        result.append(x509.IPAddress(ipaddress.ip_address(value)) if kind == "IP" else x509.DNSName(value))
    return result


def _alt_names(cert: x509.Certificate) -> frozenset[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return frozenset()
    names = {f"DNS:{value}" for value in san.get_values_for_type(x509.DNSName)}
    names.update(f"IP:{value}" for value in san.get_values_for_type(x509.IPAddress))
    return frozenset(names)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject or cert.signature_hash_algorithm is None:
        return False
    public_key = issuer.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    except InvalidSignature:
        return False
    return True


def _usable(cert: x509.Certificate) -> bool:
    now = _now()
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _load_pair(cert_path: pathlib.Path, key_path: pathlib.Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
    """Certificate and key from PEM files, or None when either is missing, unreadable or they do not match."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or key.public_key().public_numbers() != cert.public_key().public_numbers():
        return None
    return cert, key


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _tls_dir(state_dir: pathlib.Path) -> pathlib.Path:
    tls_dir = state_dir / TLS_DIR
    tls_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return tls_dir


def write_file(path: pathlib.Path, data: bytes, mode: int) -> None:
    """Write ``data`` atomically; the file never exists with wider permissions than ``mode``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(data)
    os.replace(tmp, path)

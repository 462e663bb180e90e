"""Authentication, WinRM message encryption and TLS of the lab listeners, with pywinrm as the client."""

from __future__ import annotations

import base64
import logging
import os
import pathlib
import stat

import pytest
import requests
import spnego
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from spnego.channel_bindings import GssChannelBindings
from winrm.exceptions import InvalidCredentialsError, WinRMTransportError

from wsman_support import PASSWORD, TOPOLOGY_DATA, StubEngine, make_protocol, run
from lab.auth import (
    ConnectionAuth,
    HostAuthenticator,
    MessageEncryptionError,
    ntlm_user_lines,
    unwrap_message,
    wrap_message,
)
from lab.server import LabServer
from lab.tls import ensure_ca, ensure_server_certificate
from lab.topology import Topology, parse_topology

# ---------------------------------------------------------------------------------------------------------------------
# NTLM and message encryption


@pytest.mark.parametrize("encryption", ["always", "auto"])
def test_ntlm_over_http_uses_message_encryption(lab: LabServer, engine: StubEngine, encryption: str) -> None:
    """HTTP + NTLM: pywinrm wraps every message (multipart/encrypted); the lab decrypts, runs and encrypts the reply."""
    protocol = make_protocol(lab, "http_ntlm", "ntlm", message_encryption=encryption)
    stdout, _stderr, code = run(protocol, [b"secret ", b"payload"])
    assert (stdout, code) == (b"secret payload", 0)
    call = engine.last_call()
    assert (call["username"], call["auth_method"], call["host"]) == ("CONTOSO\\labadmin", "ntlm", "http_ntlm")


def test_ntlm_over_http_without_encryption_is_refused(lab: LabServer) -> None:
    """allow_unencrypted false: a plain NTLM message over HTTP gets HTTP 500, like WinRM with AllowUnencrypted=false."""
    protocol = make_protocol(lab, "http_ntlm", "ntlm", message_encryption="never")
    with pytest.raises(WinRMTransportError) as error:
        protocol.open_shell(codepage=65001)
    assert error.value.code == 500


def test_ntlm_over_http_without_encryption_when_allowed(lab: LabServer, engine: StubEngine) -> None:
    """allow_unencrypted true: plain NTLM over HTTP works (WinRM AllowUnencrypted=true)."""
    protocol = make_protocol(lab, "http_open", "ntlm", message_encryption="never")
    assert run(protocol, [b"plain"])[0] == b"plain"
    assert engine.last_call()["auth_method"] == "ntlm"


@pytest.mark.parametrize("options", [{}, {"message_encryption": "always"}, {"send_cbt": False}])
def test_ntlm_over_https(lab: LabServer, options: dict[str, object]) -> None:
    """HTTPS + NTLM with channel binding (default), with encryption inside TLS, and without CBT (Relaxed hardening)."""
    protocol = make_protocol(lab, "tls_both", "ntlm", **options)
    assert run(protocol, [b"tls"])[0] == b"tls"


@pytest.mark.parametrize("username", ["labadmin@contoso.local", "contoso.local\\labadmin", "contoso\\LabAdmin"])
def test_ntlm_user_name_forms(lab: LabServer, engine: StubEngine, username: str) -> None:
    """UPN, DNS domain and case variants log on; the engine always sees CONTOSO\\labadmin."""
    protocol = make_protocol(lab, "http_ntlm", "ntlm", username=username)
    run(protocol, [b""])
    assert engine.last_call()["username"] == "CONTOSO\\labadmin"


@pytest.mark.parametrize("host, username, password", [
    ("http_ntlm", "CONTOSO\\labadmin", "wrong-password"),
    ("tls_both", "CONTOSO\\labadmin", "wrong-password"),
    ("tls_both", "OTHER\\labadmin", PASSWORD),
    ("tls_both", "CONTOSO\\nobody", PASSWORD),
])
def test_ntlm_bad_credentials(lab: LabServer, host: str, username: str, password: str) -> None:
    """Wrong password, wrong domain or unknown user: HTTP 401, which pywinrm raises as InvalidCredentialsError."""
    protocol = make_protocol(lab, host, "ntlm", username=username, password=password)
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell(codepage=65001)


# ---------------------------------------------------------------------------------------------------------------------
# Basic


def test_basic_over_https(lab: LabServer, engine: StubEngine) -> None:
    """Basic over HTTPS; the user name reaches the engine as sent."""
    protocol = make_protocol(lab, "tls_both", "basic", username="LabAdmin")
    assert run(protocol, [b"b"])[0] == b"b"
    assert (engine.last_call()["username"], engine.last_call()["auth_method"]) == ("LabAdmin", "basic")


@pytest.mark.parametrize("username, password", [("labadmin", "wrong"), ("CONTOSO\\labadmin", PASSWORD), ("nobody", PASSWORD)])
def test_basic_bad_credentials(lab: LabServer, username: str, password: str) -> None:
    """Wrong password, a domain account (WinRM Basic is for local accounts) or an unknown user: 401."""
    protocol = make_protocol(lab, "tls_both", "basic", username=username, password=password)
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell(codepage=65001)


def test_basic_over_http_is_refused(lab: LabServer) -> None:
    """Basic over HTTP without allow_unencrypted: 401, and the 401 does not offer Basic."""
    protocol = make_protocol(lab, "http_ntlm", "basic")
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell(codepage=65001)
    reply = requests.post(lab.endpoint("http_ntlm"), data=b"<x/>", timeout=10)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == "Negotiate"


def test_basic_over_http_when_allowed(lab: LabServer) -> None:
    """allow_unencrypted true: Basic over HTTP works, and the 401 offers both schemes."""
    protocol = make_protocol(lab, "http_open", "basic")
    assert run(protocol, [b"open"])[0] == b"open"
    reply = requests.post(lab.endpoint("http_open"), data=b"<x/>", timeout=10)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == 'Negotiate, Basic realm="WSMAN"'


def test_wrong_path_is_404(lab: LabServer) -> None:
    """Only /wsman is served."""
    protocol = make_protocol(lab, "tls_both", "basic")
    protocol.transport.endpoint = lab.endpoint("tls_both").replace("/wsman", "/other")
    with pytest.raises(WinRMTransportError) as error:
        protocol.open_shell(codepage=65001)
    assert error.value.code == 404


def test_passwords_never_logged(lab: LabServer, caplog: pytest.LogCaptureFixture) -> None:
    """Failed and successful logons leave no password in the server log."""
    with caplog.at_level(logging.DEBUG, logger="lab"):
        for transport, password in (("basic", "Wrong-Secret1"), ("ntlm", "Wrong-Secret1"), ("basic", PASSWORD), ("ntlm", PASSWORD)):
            protocol = make_protocol(lab, "tls_both", transport, password=password)
            try:
                run(protocol, [b""])
            except InvalidCredentialsError:
                pass
    assert "401" in caplog.text and "200" in caplog.text
    assert PASSWORD not in caplog.text and "Wrong-Secret1" not in caplog.text


# ---------------------------------------------------------------------------------------------------------------------
# TLS


def test_untrusted_ca_fails(lab: LabServer, tmp_path: pathlib.Path) -> None:
    """Validation against another CA, or the system store, fails with an SSL error."""
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    for trust in (str(other), None):
        protocol = make_protocol(lab, "tls_both", "basic", ca_trust_path=trust)
        with pytest.raises(requests.exceptions.SSLError):
            protocol.open_shell(codepage=65001)
    # The lab listener survives failed handshakes.
    assert run(make_protocol(lab, "tls_both", "basic"), [b"ok"])[0] == b"ok"


def test_certificate_names_host(lab: LabServer) -> None:
    """The server certificate is RSA 2048 with SAN = FQDN, localhost, 127.0.0.1; 'localhost' validates."""
    cert = x509.load_pem_x509_certificate((lab.state_dir / "tls" / "tls_both.pem").read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(san.get_values_for_type(x509.DNSName)) == ["ex16.contoso.local", "localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    protocol = make_protocol(lab, "tls_both", "basic")
    protocol.transport.endpoint = lab.endpoint("tls_both").replace("127.0.0.1", "localhost")
    protocol.close_shell(protocol.open_shell(codepage=65001))


def test_state_files_and_modes(lab: LabServer, topology: Topology) -> None:
    """ca.pem is public; keys, server certificates and the NTLM user file are 0600; NTLM_USER_FILE points at it."""
    assert stat.S_IMODE(lab.ca_path.stat().st_mode) == 0o644
    for name in ("ca-key.pem", "tls_both.pem", "tls_both-key.pem"):
        assert stat.S_IMODE((lab.state_dir / "tls" / name).stat().st_mode) == 0o600, name
    user_file = lab.state_dir / "ntlm-users"
    assert stat.S_IMODE(user_file.stat().st_mode) == 0o600
    assert os.environ["NTLM_USER_FILE"] == str(user_file)
    assert user_file.read_text(encoding="utf-8") == ntlm_user_lines(topology)
    assert f"CONTOSO:labadmin:{PASSWORD}" in ntlm_user_lines(topology).splitlines()


def test_certificates_are_reused_and_reissued(tmp_path: pathlib.Path, topology: Topology) -> None:
    """A second start reuses CA and server certificate; a renamed host gets a new certificate from the same CA."""
    ca = ensure_ca(tmp_path)
    host = topology.host("tls_both")
    first = ensure_server_certificate(ca, tmp_path, host)
    assert ensure_ca(tmp_path).cert == ca.cert
    assert ensure_server_certificate(ensure_ca(tmp_path), tmp_path, host).der == first.der
    data = dict(TOPOLOGY_DATA, hosts=[dict(TOPOLOGY_DATA["hosts"][0], computer_name="EXNEW")])
    renamed = parse_topology(data).host("tls_both")
    second = ensure_server_certificate(ca, tmp_path, renamed)
    assert second.der != first.der
    assert x509.load_der_x509_certificate(second.der).issuer == ca.cert.subject


# ---------------------------------------------------------------------------------------------------------------------
# Units: channel bindings and the encrypted envelope


def _handshake(authenticator: HostAuthenticator, client: spnego.ContextProxy, conn: ConnectionAuth) -> object:
    negotiate = base64.b64encode(client.step() or b"").decode()
    decision = authenticator.authenticate(f"Negotiate {negotiate}", conn)
    assert decision.identity is None
    challenge = base64.b64decode(dict(decision.headers)["WWW-Authenticate"].split(" ", 1)[1])
    authenticate = base64.b64encode(client.step(challenge) or b"").decode()
    return authenticator.authenticate(f"Negotiate {authenticate}", conn)


def test_channel_bindings_checked(topology: Topology, lab: LabServer) -> None:
    """With HTTPS the acceptor checks tls-server-end-point bindings: right or absent pass, wrong ones fail."""
    del lab  # the fixture sets NTLM_USER_FILE
    good_hash = b"\x01" * 32
    authenticator = HostAuthenticator(topology, topology.host("tls_both"), good_hash)
    cases = {
        "right": GssChannelBindings(application_data=b"tls-server-end-point:" + good_hash),
        "absent": None,
        "wrong": GssChannelBindings(application_data=b"tls-server-end-point:" + b"\x02" * 32),
    }
    outcome = {}
    for name, bindings in cases.items():
        client = spnego.client("CONTOSO\\labadmin", PASSWORD, protocol="ntlm", channel_bindings=bindings,
                               options=spnego.NegotiateOptions.use_ntlm)
        decision = _handshake(authenticator, client, ConnectionAuth())
        outcome[name] = getattr(decision, "identity") is not None
    assert outcome == {"right": True, "absent": True, "wrong": False}


def test_message_encryption_round_trip_and_tampering(topology: Topology, lab: LabServer) -> None:
    """wrap_message/unwrap_message interoperate with pyspnego's client; a flipped byte is rejected."""
    del lab
    authenticator = HostAuthenticator(topology, topology.host("http_ntlm"))
    client = spnego.client("CONTOSO\\labadmin", PASSWORD, protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
    conn = ConnectionAuth()
    assert getattr(_handshake(authenticator, client, conn), "identity") is not None
    server_ctx = conn.context
    assert server_ctx is not None
    content_type, body = wrap_message(server_ctx, b"<reply/>")
    assert content_type.startswith("multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\"")
    # The client wrote that layout in reverse: its messages unwrap on the server.
    client_wrap = client.wrap_winrm(b"<request/>")
    request = (b"--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"
               b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=10\r\n--Encrypted Boundary\r\n"
               b"\tContent-Type: application/octet-stream\r\n" + len(client_wrap.header).to_bytes(4, "little")
               + client_wrap.header + client_wrap.data + b"--Encrypted Boundary--\r\n")
    assert unwrap_message(server_ctx, content_type, request) == b"<request/>"
    assert b"<reply/>" not in body
    tampered_wrap = client.wrap_winrm(b"<second/>")
    data = bytearray(tampered_wrap.data)
    data[0] ^= 0xFF
    tampered = request.replace(client_wrap.header + client_wrap.data, tampered_wrap.header + bytes(data)).replace(b"Length=10", b"Length=9")
    with pytest.raises(MessageEncryptionError):
        unwrap_message(server_ctx, content_type, tampered)
    with pytest.raises(MessageEncryptionError):
        unwrap_message(server_ctx, content_type, b"garbage")

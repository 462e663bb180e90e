"""HTTP authentication of the lab listeners (Basic and NTLM) and WinRM message encryption.

NTLM is accepted through pyspnego acting as the acceptor (``spnego.server(protocol='ntlm')``); it reads the lab
accounts from the file named by the environment variable ``NTLM_USER_FILE`` (lines ``DOMAIN:USER:PASSWORD``), which
:func:`write_ntlm_user_file` creates. NTLM authenticates a TCP connection, not a request, so the state lives in a
:class:`ConnectionAuth` owned by the connection. Messages on an NTLM connection may be wrapped in the
``multipart/encrypted`` WinRM envelope (MS-WSMV 2.2.9.1.1); :func:`unwrap_message` and :func:`wrap_message` handle it.

Nothing in this module logs or returns a password.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import pathlib
import re
import struct

import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import BadBindingsError, SpnegoError

from lab.tls import write_file
from lab.topology import HostSpec, Topology

NTLM_USER_FILE_ENV = "NTLM_USER_FILE"
ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
DEFAULT_BOUNDARY = "Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="{DEFAULT_BOUNDARY}"'
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
NTLM_SIGNATURE = b"NTLMSSP\x00"
_NTLM_NEGOTIATE = 1
_NTLM_AUTHENTICATE = 3
_BOUNDARY_PARAM = re.compile(r'boundary\s*=\s*"?([^";]+)"?', re.IGNORECASE)
_PROTOCOL_PARAM = re.compile(r'protocol\s*=\s*"?([^";]+)"?', re.IGNORECASE)
_LENGTH = re.compile(rb"Length=(\d+)")


class MessageEncryptionError(Exception):
    """An encrypted request body is malformed or does not decrypt (bad signature, wrong length)."""


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who sent a request: ``username`` (``CONTOSO\\labadmin`` for NTLM, as sent for Basic) and ``method``."""

    username: str
    method: str  # "basic" or "ntlm"


@dataclasses.dataclass
class ConnectionAuth:
    """NTLM state of one TCP connection: the acceptor context while the handshake runs, then the logged-on identity."""

    context: spnego.ContextProxy | None = None
    scheme: str = "Negotiate"
    identity: Identity | None = None

    def reset(self) -> None:
        """Forget any handshake or logon of this connection."""
        self.context = None
        self.identity = None

    @property
    def can_encrypt(self) -> bool:
        """True when the connection completed NTLM, so WinRM message encryption can be used."""
        return self.identity is not None and self.context is not None and self.context.complete


@dataclasses.dataclass(frozen=True)
class AuthDecision:
    """Outcome of checking a request's Authorization header.

    ``identity`` is set when the request may proceed; otherwise the server answers 401 with ``headers``.
    ``reason`` says why, for the server log (never holds a credential).
    """

    identity: Identity | None
    headers: tuple[tuple[str, str], ...] = ()
    reason: str = ""


def ntlm_user_lines(topology: Topology) -> str:
    """Content of the NTLM user file: every lab user under the NetBIOS domain, the DNS domain and as a UPN."""
    lines = []
    for user in topology.users:
        lines.append(f"{topology.netbios_domain}:{user.username}:{user.password}")
        lines.append(f"{topology.domain}:{user.username}:{user.password}")
        lines.append(f":{user.username}@{topology.domain}:{user.password}")
    return "\n".join(lines) + "\n"


def write_ntlm_user_file(topology: Topology, path: pathlib.Path) -> None:
    """Write the NTLM user file (mode 0600) and point ``NTLM_USER_FILE`` of this process at it.

    pyspnego reads the variable whenever an acceptor context is created (spnego/_ntlm.py ``_get_credential_file``),
    so it must be set in the process that serves the listeners.
    """
    write_file(path, ntlm_user_lines(topology).encode("utf-8"), 0o600)
    os.environ[NTLM_USER_FILE_ENV] = str(path)


class HostAuthenticator:
    """Checks the Authorization header of requests to one simulated host against its topology entry."""

    def __init__(self, topology: Topology, host: HostSpec, channel_binding_hash: bytes | None = None) -> None:
        self._topology = topology
        self._host = host
        self._bindings = None
        if channel_binding_hash is not None:
            # RFC 5929 tls-server-end-point, as requests_ntlm computes it (requests_ntlm.py _get_server_cert).
            self._bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + channel_binding_hash)
        challenges = []
        if host.accepts_ntlm:
            challenges.append(("WWW-Authenticate", "Negotiate"))
        if host.accepts_basic:
            # WinRM advertises Basic with realm WSMAN. No source: inferred from captures of WinRM 401 replies.
            challenges.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        self._challenges = tuple(challenges)

    @property
    def challenges(self) -> tuple[tuple[str, str], ...]:
        """The WWW-Authenticate headers of a plain 401 reply."""
        return self._challenges

    def authenticate(self, authorization: str | None, conn: ConnectionAuth) -> AuthDecision:
        """Decide on one request. An NTLM connection that already logged on needs no header."""
        if not authorization:
            if conn.identity is not None:
                return AuthDecision(identity=conn.identity)
            return self._deny("no Authorization header")
        scheme, _sep, token = authorization.strip().partition(" ")
        scheme_lower = scheme.lower()
        if scheme_lower == "basic":
            conn.reset()
            return self._basic(token.strip())
        if scheme_lower in ("negotiate", "ntlm"):
            return self._ntlm(scheme, token.strip(), conn)
        conn.reset()
        return self._deny(f"unsupported authentication scheme {scheme!r}")

    def _deny(self, reason: str) -> AuthDecision:
        return AuthDecision(identity=None, headers=self._challenges, reason=reason)

    def _basic(self, token: str) -> AuthDecision:
        if "basic" not in self._host.auth:
            return self._deny("Basic is not enabled on this listener")
        if not self._host.accepts_basic:
            # WinRM refuses Basic over HTTP unless AllowUnencrypted is true and answers 401 (pywinrm issue #154 comments,
            # WinRM docs "Installation and configuration for Windows Remote Management": AllowUnencrypted).
            return self._deny("Basic over HTTP refused: allow_unencrypted is false")
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return self._deny("malformed Basic credentials")
        username, sep, password = decoded.partition(":")
        if not sep:
            return self._deny("malformed Basic credentials")
        # WinRM Basic authenticates local accounts only, by plain user name (pywinrm issue #154: "Basic auth only works
        # with local credentials"); a DOMAIN\user form is therefore refused here.
        user = self._topology.user(username)
        if user is None or user.password != password:
            return self._deny(f"Basic logon failed for user {username!r}")
        return AuthDecision(identity=Identity(username=username, method="basic"))

    def _ntlm(self, scheme: str, token: str, conn: ConnectionAuth) -> AuthDecision:
        if not self._host.accepts_ntlm:
            conn.reset()
            return self._deny("NTLM is not enabled on this listener")
        try:
            raw = base64.b64decode(token, validate=True)
        except binascii.Error:
            conn.reset()
            return self._deny("malformed Negotiate token")
        if len(raw) < 12 or not raw.startswith(NTLM_SIGNATURE):
            # A SPNEGO or Kerberos token: the lab speaks raw NTLM inside Negotiate, as pywinrm/requests_ntlm sends it.
            conn.reset()
            return self._deny("Negotiate token is not NTLM (Kerberos and SPNEGO are not simulated)")
        message_type = struct.unpack("<I", raw[8:12])[0]
        if message_type == _NTLM_NEGOTIATE:
            conn.reset()
            conn.scheme = scheme
            try:
                conn.context = spnego.server(hostname=self._host.fqdn, service="http", protocol="ntlm",
                                             options=spnego.NegotiateOptions.use_ntlm)
                challenge = conn.context.step(raw) or b""
            except SpnegoError as error:
                conn.reset()
                return self._deny(f"NTLM negotiate failed: {error}")
            header = f"{scheme} {base64.b64encode(challenge).decode('ascii')}"
            return AuthDecision(identity=None, headers=(("WWW-Authenticate", header),), reason="NTLM challenge sent")
        if message_type == _NTLM_AUTHENTICATE:
            context = conn.context
            if context is None or context.complete:
                conn.reset()
                return self._deny("NTLM authenticate message without a negotiate on this connection")
            try:
                self._step_authenticate(context, raw)
            except SpnegoError as error:
                conn.reset()
                return self._deny(f"NTLM logon failed: {error}")
            conn.identity = Identity(username=self._canonical(context.client_principal or ""), method="ntlm")
            return AuthDecision(identity=conn.identity)
        conn.reset()
        return self._deny(f"unexpected NTLM message type {message_type}")

    def _step_authenticate(self, context: spnego.ContextProxy, raw: bytes) -> None:
        if self._bindings is None:
            context.step(raw)
            return
        try:
            context.step(raw, channel_bindings=self._bindings)
        except BadBindingsError as error:
            # CbtHardeningLevel defaults to Relaxed: bindings are checked when the client sends them, and a client that
            # sends none is accepted (WinRM docs, winrm/config/service/auth CbtHardeningLevel). Wrong bindings still fail.
            if "not present" not in str(error):
                raise
            context.step(raw)

    def _canonical(self, principal: str) -> str:
        """``NETBIOS\\user`` with the topology's spelling, whatever form (DOMAIN\\user, DNS domain, UPN) was sent."""
        user_part = principal.rpartition("\\")[2].partition("@")[0]
        user = self._topology.user(user_part)
        if user is None:
            return principal
        return f"{self._topology.netbios_domain}\\{user.username}"


def is_encrypted(content_type: str | None) -> bool:
    """True when a Content-Type announces a WinRM encrypted body (MS-WSMV 2.2.9.1)."""
    return bool(content_type) and content_type.lower().lstrip().startswith(("multipart/encrypted", "multipart/x-multi-encrypted"))


def unwrap_message(context: spnego.ContextProxy, content_type: str, body: bytes) -> bytes:
    """Decrypt a ``multipart/encrypted`` request body (MS-WSMV 2.2.9.1.1; layout as built by pywinrm winrm/encryption.py)."""
    if not content_type.lower().lstrip().startswith("multipart/encrypted"):
        raise MessageEncryptionError(f"unsupported encrypted content type {content_type.split(';')[0]!r} (only NTLM/SPNEGO is simulated)")
    protocol = _PROTOCOL_PARAM.search(content_type)
    if protocol is None or protocol.group(1).strip().lower() != ENCRYPTED_PROTOCOL.lower():
        raise MessageEncryptionError("multipart/encrypted body without protocol application/HTTP-SPNEGO-session-encrypted")
    match = _BOUNDARY_PARAM.search(content_type)
    boundary = b"--" + (match.group(1).strip() if match else DEFAULT_BOUNDARY).encode("ascii")
    start = boundary + b"\r\n"
    if not body.startswith(start):
        raise MessageEncryptionError("encrypted body does not start with the MIME boundary")
    header_end = body.find(start, len(start))
    if header_end < 0:
        raise MessageEncryptionError("encrypted body has no second MIME part")
    header = body[len(start):header_end]
    if ENCRYPTED_PROTOCOL.lower().encode("ascii") not in header.lower():
        raise MessageEncryptionError("first MIME part is not application/HTTP-SPNEGO-session-encrypted")
    length_match = _LENGTH.search(header)
    if length_match is None:
        raise MessageEncryptionError("OriginalContent has no Length")
    length = int(length_match.group(1))
    rest = body[header_end + len(start):]
    octet_header = b"\tContent-Type: application/octet-stream\r\n"
    if not rest.startswith(octet_header):
        raise MessageEncryptionError("second MIME part is not application/octet-stream")
    payload = rest[len(octet_header):]
    if len(payload) < 4:
        raise MessageEncryptionError("encrypted payload is truncated")
    signature_length = struct.unpack("<I", payload[:4])[0]
    signature = payload[4:4 + signature_length]
    # NTLM sealing is RC4, a stream cipher: the sealed data is exactly as long as the original message.
    sealed = payload[4 + signature_length:4 + signature_length + length]
    trailer = payload[4 + signature_length + length:]
    if len(signature) != signature_length or len(sealed) != length or trailer != boundary + b"--\r\n":
        raise MessageEncryptionError("encrypted payload length does not match OriginalContent Length")
    try:
        message = context.unwrap_winrm(signature, sealed)
    except SpnegoError as error:
        raise MessageEncryptionError(f"cannot decrypt message: {error}") from None
    if len(message) != length:
        raise MessageEncryptionError("decrypted length does not match OriginalContent Length")
    return message


def wrap_message(context: spnego.ContextProxy, payload: bytes) -> tuple[str, bytes]:
    """Encrypt a reply; returns (Content-Type, body). Layout: MS-WSMV 2.2.9.1.1, as parsed by pywinrm winrm/encryption.py."""
    wrapped = context.wrap_winrm(payload)
    boundary = b"--" + DEFAULT_BOUNDARY.encode("ascii")
    body = b"".join((
        boundary, b"\r\n",
        b"\tContent-Type: ", ENCRYPTED_PROTOCOL.encode("ascii"), b"\r\n",
        b"\tOriginalContent: type=", SOAP_CONTENT_TYPE.encode("ascii"), b";Length=", str(len(payload)).encode("ascii"), b"\r\n",
        boundary, b"\r\n",
        b"\tContent-Type: application/octet-stream\r\n",
        struct.pack("<I", len(wrapped.header)), wrapped.header, wrapped.data,
        boundary, b"--\r\n",
    ))
    return ENCRYPTED_CONTENT_TYPE, body

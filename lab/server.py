"""The lab server: one HTTP or HTTPS WS-Management listener per simulated host on 127.0.0.1.

:class:`LabServer` owns everything that runs: the listeners (one accept thread each, one thread per TCP connection,
since NTLM authenticates connections), the WinRS services and the engine. ``start()`` also writes the files clients
need into the state dir: ``ca.pem``, ``inventory.yml`` (mode 0600, it holds the lab password) and the NTLM user file.
"""

from __future__ import annotations

import dataclasses
import errno
import http.server
import logging
import os
import pathlib
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import yaml

from lab.auth import (
    SOAP_CONTENT_TYPE,
    ConnectionAuth,
    HostAuthenticator,
    MessageEncryptionError,
    is_encrypted,
    unwrap_message,
    wrap_message,
    write_ntlm_user_file,
)
from lab.tls import CA_FILE, ensure_ca, ensure_server_certificate, write_file
from lab.topology import HostSpec, Topology
from lab.wsman import RequestInfo, ShellLimits, WinRSService

LOG = logging.getLogger("lab.server")

BIND_ADDRESS = "127.0.0.1"
INVENTORY_FILE = "inventory.yml"
# Touching this file (in the state directory) kills every WinRS shell created before, as a server-side close would.
KILL_SHELLS_FILE = "kill-shells"
NTLM_USER_FILE = "ntlm-users"
WSMAN_PATH = "/wsman"
# WinRM MaxEnvelopeSizekb defaults to 500; larger requests get HTTP 413 (ansible.windows issue #391, masterzen/winrm #156).
MAX_ENVELOPE_BYTES = 500 * 1024
# Room for the multipart/encrypted framing around an envelope (MS-WSMV 2.2.9.1.1). No source: inferred.
MAX_REQUEST_BYTES = MAX_ENVELOPE_BYTES + 4096
# Bodies up to this size are read and dropped before a 413 reply; larger ones close the connection. No source: inferred.
MAX_DRAIN_BYTES = 16 * 1024 * 1024
# HTTP.sys closes idle keep-alive connections after IdleConnectionTimeout, default 120 s (Microsoft docs, Http.sys registry settings).
IDLE_CONNECTION_TIMEOUT = 120.0
JOIN_TIMEOUT = 10.0


@dataclasses.dataclass(frozen=True)
class Fault:
    """What a test's fault hook makes a listener do instead of its normal reply (see ``LabServer.set_fault_hook``).

    ``drop``: close the TCP connection without any reply, the way a connection cut by the network, a restarting server or a
    load balancer's idle timer looks to the client. Otherwise reply with ``status``, ``body`` and ``content_type`` (for
    example an HTTP 500 error page that is not UTF-8, as a proxy or an HTTP.sys error page in a legacy code page may send).
    No source: these stand in for failures of the network and of what sits in front of WinRM; WinRM itself does not
    produce them on purpose.
    """

    drop: bool = False
    status: int = 500
    body: bytes = b""
    content_type: str | None = None


# hook(action, status) -> Fault | None, called after the WS-Management request was processed (its effects, such as a command
# started by the last Send, have happened), before the reply is sent. None: the normal reply.
FaultHook = Callable[[str, int], "Fault | None"]


class LabError(RuntimeError):
    """The lab cannot start (busy port, missing engine, unusable state dir); the message says what to do."""


class Redactor:
    """Replaces every lab password in a text by ``********``."""

    def __init__(self, passwords: tuple[str, ...]) -> None:
        self._passwords = tuple(sorted({p for p in passwords if p}, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for password in self._passwords:
            text = text.replace(password, "********")
        return text


class RedactingFilter(logging.Filter):
    """Logging filter that removes lab passwords from every record (message and traceback)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = self._redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    """One TCP connection. Keep-alive (HTTP/1.1) matters: NTLM logs on the connection, not the request."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK (~40 ms
    # per response on Linux loopback, measured for issue 10). HTTP.sys sends a response without that stall.
    disable_nagle_algorithm = True
    # WinRM replies come from HTTP.sys (winrm4j issue #144 shows "Server: Microsoft-HTTPAPI/2.0").
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = IDLE_CONNECTION_TIMEOUT
    server: _HTTPServer
    conn_auth: ConnectionAuth

    def setup(self) -> None:
        super().setup()
        self.conn_auth = ConnectionAuth()

    def handle(self) -> None:
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError) as error:
                LOG.info("host=%s client=%s TLS handshake failed: %s", self.server.listener.host.name, self.client_address[0], error)
                self.close_connection = True
                return
        super().handle()

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        """All WS-Management traffic is POST."""
        self.server.listener.handle_post(self)

    def _not_allowed(self) -> None:
        # WinRM only answers POST on its URL. No source for the exact status: inferred (405).
        self.server.listener.reply(self, 405, headers=(("Allow", "POST"),))

    do_GET = do_PUT = do_DELETE = do_HEAD = do_PATCH = _not_allowed

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The listener logs each request itself (with host, user and action)."""

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        LOG.debug("host=%s client=%s %s", self.server.listener.host.name, self.client_address[0], format % args)


class _HTTPServer(http.server.HTTPServer):
    """HTTP(S) server bound to one port; each connection gets its own tracked thread."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, listener: Listener, address: tuple[str, int]) -> None:
        self.listener = listener
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # TCPServer.server_bind only: HTTPServer's version does a reverse DNS lookup the lab does not need.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.listener.host.fqdn
        self.server_port = self.socket.getsockname()[1]

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        if self.listener.ssl_context is not None:
            # The TLS handshake runs in the connection thread (_Handler.handle), never in the accept loop.
            sock = self.listener.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._serve_connection, args=(request, client_address), daemon=True,
                                  name=f"lab-conn-{self.listener.host.name}")
        self.listener.track(thread, request)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # pylint: disable=broad-exception-caught
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.listener.untrack(threading.current_thread(), request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.listener.stopping:
            return
        LOG.exception("host=%s client=%s: error while serving a connection", self.listener.host.name, client_address[0])


class Listener:  # pylint: disable=too-many-instance-attributes
    """The WS-Management listener of one simulated host."""

    def __init__(self, host: HostSpec, service: WinRSService, authenticator: HostAuthenticator,
                 ssl_context: ssl.SSLContext | None) -> None:
        self.host = host
        self.service = service
        self.authenticator = authenticator
        self.ssl_context = ssl_context
        self.stopping = False
        self.fault_hook: FaultHook | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: dict[threading.Thread, Any] = {}

    @property
    def port(self) -> int:
        """The bound port (the topology's, or the one the system picked for port 0)."""
        if self._httpd is None:
            raise RuntimeError("listener is not bound")
        return self._httpd.server_port

    @property
    def url(self) -> str:
        """The endpoint URL clients use."""
        return f"{self.host.scheme}://{BIND_ADDRESS}:{self.port}{WSMAN_PATH}"

    def bind(self) -> None:
        """Bind the port; LabError names the host and port when it is taken."""
        try:
            self._httpd = _HTTPServer(self, (BIND_ADDRESS, self.host.port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise LabError(f"port {self.host.port} on {BIND_ADDRESS} for host {self.host.name} is busy (another program "
                               "or another lab is listening there): stop it or change the port in the topology") from None
            raise LabError(f"cannot listen on {BIND_ADDRESS}:{self.host.port} for host {self.host.name}: {error.strerror or error}") from None

    def start(self) -> None:
        """Start the accept loop thread."""
        if self._httpd is None:
            self.bind()
        httpd = self._httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True,  # type: ignore[union-attr]
                                        name=f"lab-listen-{self.host.name}")
        self._thread.start()

    def stop_accepting(self) -> None:
        """Stop the accept loop and close the listening socket."""
        self.stopping = True
        if self._httpd is None:
            return
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(JOIN_TIMEOUT)
        self._httpd.server_close()

    def close_connections(self) -> None:
        """Shut down every open connection: wakes threads blocked reading an idle keep-alive connection."""
        with self._lock:
            connections = list(self._connections.values())
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def join_connections(self, deadline: float) -> None:
        """Wait for the connection threads until ``deadline`` (monotonic)."""
        with self._lock:
            threads = list(self._connections)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def track(self, thread: threading.Thread, sock: Any) -> None:
        """Remember a connection thread and its socket."""
        with self._lock:
            self._connections[thread] = sock

    def untrack(self, thread: threading.Thread, sock: Any) -> None:
        """Forget a finished connection."""
        del sock
        with self._lock:
            self._connections.pop(thread, None)

    # ----------------------------------------------------------------------------------------------------------------

    def reply(self, handler: _Handler, status: int, body: bytes = b"", content_type: str | None = None,
              headers: tuple[tuple[str, str], ...] = (), close: bool = False) -> None:
        """Send one HTTP response (Content-Length always set, so the connection stays usable)."""
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        if content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        if close:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if body:
            handler.wfile.write(body)

    def handle_post(self, handler: _Handler) -> None:  # pylint: disable=too-many-return-statements
        """Authenticate, decrypt, run the WS-Management request and reply (encrypted when the request was)."""
        client = handler.client_address[0]
        if handler.headers.get("Transfer-Encoding"):
            # No source: inferred (pywinrm/requests always send Content-Length).
            self._log(handler, 411, "chunked request body not supported")
            self.reply(handler, 411, close=True)
            return
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._log(handler, 400, "bad Content-Length")
            self.reply(handler, 400, close=True)
            return
        if length > MAX_REQUEST_BYTES:
            self._log(handler, 413, f"request of {length} bytes exceeds MaxEnvelopeSizekb 500")
            # Read (and drop) a moderately large body first, so that the client sees the 413 instead of a reset.
            drained = self._drain(handler, length) if length <= MAX_DRAIN_BYTES else False
            self.reply(handler, 413, close=not drained)
            return
        body = handler.rfile.read(length) if length else b""
        if len(body) != length:
            handler.close_connection = True
            return
        if urlsplit(handler.path).path.rstrip("/").lower() != WSMAN_PATH:
            # WinRM listens on /wsman only (URLPrefix); HTTP.sys answers 404 elsewhere. No source for the lab's exact reply: inferred.
            self._log(handler, 404, f"path {handler.path!r} is not {WSMAN_PATH}")
            self.reply(handler, 404)
            return
        decision = self.authenticator.authenticate(handler.headers.get("Authorization"), handler.conn_auth)
        if decision.identity is None:
            self._log(handler, 401, decision.reason)
            self.reply(handler, 401, headers=decision.headers)
            return
        identity = decision.identity
        content_type = handler.headers.get("Content-Type", "")
        encrypted = is_encrypted(content_type)
        context = handler.conn_auth.context
        if encrypted:
            if identity.method != "ntlm" or context is None or not handler.conn_auth.can_encrypt:
                # No source: inferred (encryption needs the NTLM session of this connection).
                self._log(handler, 400, "encrypted body without an NTLM session on this connection", identity.username)
                self.reply(handler, 400)
                return
            try:
                envelope = unwrap_message(context, content_type, body)
            except MessageEncryptionError as error:
                # No source: inferred (a body that does not decrypt is rejected as a bad request).
                self._log(handler, 400, str(error), identity.username)
                self.reply(handler, 400)
                return
        else:
            envelope = body
            if envelope and identity.method == "ntlm" and self.host.scheme == "http" and not self.host.allow_unencrypted:
                # WinRM with AllowUnencrypted=false answers an unencrypted NTLM/Kerberos message over HTTP with HTTP 500 and
                # no body (pywinrm issues #129 and #208).
                self._log(handler, 500, "unencrypted message over HTTP refused: allow_unencrypted is false", identity.username)
                self.reply(handler, 500)
                return
        if not envelope:
            # pywinrm sends an empty POST to set up the NTLM context before encrypting (transport.py setup_encryption);
            # WinRM accepts it with a 2xx. No source for the exact status: inferred (200, empty).
            self._log(handler, 200, "empty body (authentication only)", identity.username, identity.method)
            self.reply(handler, 200)
            return
        if len(envelope) > MAX_ENVELOPE_BYTES:
            self._log(handler, 413, f"envelope of {len(envelope)} bytes exceeds MaxEnvelopeSizekb 500", identity.username)
            self.reply(handler, 413)
            return
        scheme_host = handler.headers.get("Host") or f"{BIND_ADDRESS}:{self.port}"
        info = RequestInfo(username=identity.username, auth_method=identity.method, client_address=client,
                           endpoint=f"{self.host.scheme}://{scheme_host}{WSMAN_PATH}")
        status, reply, action = self.service.handle(envelope, info)
        hook = self.fault_hook
        fault = hook(action, status) if hook is not None else None
        if fault is not None:
            if fault.drop:
                self._log(handler, 0, f"{action}: connection dropped by a test fault hook", identity.username, identity.method, encrypted)
                handler.close_connection = True
                try:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self._log(handler, fault.status, f"{action}: reply replaced by a test fault hook", identity.username, identity.method)
            self.reply(handler, fault.status, fault.body, fault.content_type)
            return
        if encrypted and context is not None:
            reply_type, reply = wrap_message(context, reply)
        else:
            reply_type = SOAP_CONTENT_TYPE
        self._log(handler, status, action, identity.username, identity.method, encrypted)
        self.reply(handler, status, reply, reply_type)

    @staticmethod
    def _drain(handler: _Handler, length: int) -> bool:
        """Read and discard ``length`` body bytes; False when the connection ended first."""
        while length > 0:
            chunk = handler.rfile.read(min(length, 65536))
            if not chunk:
                handler.close_connection = True
                return False
            length -= len(chunk)
        return True

    def _log(self, handler: _Handler, status: int, note: str, user: str = "-", method: str = "-", encrypted: bool = False) -> None:
        LOG.info('host=%s client=%s "%s %s" %d user=%s auth=%s encrypted=%s %s', self.host.name, handler.client_address[0],
                 handler.command, handler.path, status, user, method, "yes" if encrypted else "no", note)


class LabServer:
    """All listeners of a topology, their WinRS services and the engine behind them."""

    def __init__(self, topology: Topology, state_dir: pathlib.Path, engine: Any = None, limits: ShellLimits | None = None) -> None:
        """``engine`` defaults to ``lab.engine.Engine(topology, state_dir)``, imported when the server starts."""
        self.topology = topology
        self.state_dir = pathlib.Path(state_dir).resolve()
        self.redactor = Redactor(topology.passwords)
        self._engine = engine
        self._limits = limits or ShellLimits()
        self._listeners: dict[str, Listener] = {}
        self._started = False
        self.dns: Any = None  # lab.dns.DnsServer while started

    @property
    def inventory_path(self) -> pathlib.Path:
        """Where ``start()`` writes the Ansible inventory."""
        return self.state_dir / INVENTORY_FILE

    @property
    def ca_path(self) -> pathlib.Path:
        """The lab CA certificate (PEM) that HTTPS clients trust."""
        return self.state_dir / CA_FILE

    @property
    def ports(self) -> dict[str, int]:
        """Host name -> bound port."""
        return {name: listener.port for name, listener in self._listeners.items()}

    def endpoint(self, name: str) -> str:
        """The WS-Management URL of host ``name``."""
        return self._listeners[name].url

    def service(self, name: str) -> WinRSService:
        """The WinRS service of host ``name`` (tests inspect it)."""
        return self._listeners[name].service

    def set_fault_hook(self, name: str, hook: FaultHook | None) -> None:
        """Make host ``name`` misbehave on the wire (tests only; see :class:`Fault`); None restores normal replies."""
        self._listeners[name].fault_hook = hook

    def start(self) -> None:
        """Create state files, bind every port, start the listeners and write the inventory."""
        if self._started:
            raise LabError("the lab server is already started")
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_ntlm_user_file(self.topology, self.state_dir / NTLM_USER_FILE)
        engine = self._engine
        if engine is None:
            try:
                from lab.engine import Engine  # pylint: disable=import-outside-toplevel
            except ImportError as error:
                raise LabError(f"lab.engine is not available ({error}); the lab cannot simulate products without it") from None
            engine = self._engine = Engine(self.topology, self.state_dir)
        ca = ensure_ca(self.state_dir) if any(h.scheme == "https" for h in self.topology.hosts) else None
        listeners: dict[str, Listener] = {}
        try:
            for host in self.topology.hosts:
                context = None
                binding_hash = None
                if host.scheme == "https" and ca is not None:
                    certificate = ensure_server_certificate(ca, self.state_dir, host)
                    context = certificate.ssl_context()
                    binding_hash = certificate.channel_binding_hash()
                # session reuse: LOOP_PS1 processes (engine.start_loop); tests kill every open shell by touching KILL_SHELLS_FILE
                service = WinRSService(host, engine.run_command, self._limits, self.redactor, start_loop=getattr(engine, 'start_loop', None),
                                       kill_marker=self.state_dir / KILL_SHELLS_FILE)
                listener = Listener(host, service, HostAuthenticator(self.topology, host, binding_hash), context)
                listener.bind()
                listeners[host.name] = listener
        except BaseException:
            for listener in listeners.values():
                listener.stop_accepting()
            raise
        self._listeners = listeners
        for listener in listeners.values():
            listener.start()
            LOG.info("host=%s listening on %s (auth %s%s)", listener.host.name, listener.url, "+".join(listener.host.auth),
                     ", allow_unencrypted" if listener.host.allow_unencrypted else "")
        # The DNS server answers from the zone data of the lab state (lab/dns.py), on a free port of 127.0.0.1
        from lab.dns import DnsServer, state_source  # pylint: disable=import-outside-toplevel
        try:
            self.dns = DnsServer(state_source(self.topology, self.state_dir)).start()
        except OSError as error:
            for listener in listeners.values():
                listener.stop_accepting()
            raise LabError(f"cannot start the lab DNS server on {BIND_ADDRESS}: {error.strerror or error}") from None
        self._started = True
        write_inventory(self.topology, self.ports, self.ca_path, self.inventory_path, dns_server=self.dns.endpoint)

    def stop(self) -> None:
        """Close listeners, wake held requests, wait for engine calls and connection threads (each wait bounded)."""
        listeners = list(self._listeners.values())
        for listener in listeners:
            listener.stop_accepting()
        # One deadline for everything, so that stopping stays within `python -m lab stop`'s wait however many hosts there are.
        for listener in listeners:
            listener.service.close(deadline=time.monotonic())  # wake every held Receive first, without waiting
        deadline = time.monotonic() + JOIN_TIMEOUT
        for listener in listeners:
            listener.service.close(deadline)
        for listener in listeners:
            listener.close_connections()
        for listener in listeners:
            listener.join_connections(deadline + JOIN_TIMEOUT)
        if self.dns is not None:
            self.dns.stop()
            self.dns = None
        self._started = False
        LOG.info("lab server stopped")

    def runtime_info(self) -> dict[str, Any]:
        """What ``python -m lab status`` shows: per host its URL and settings."""
        return {
            "pid": os.getpid(),
            "state_dir": str(self.state_dir),
            "topology": self.topology.source,
            "inventory": str(self.inventory_path),
            "ca": str(self.ca_path),
            "dns": self.dns.endpoint if self.dns is not None else None,
            "hosts": {
                name: {"url": listener.url, "port": listener.port, "product": listener.host.product,
                       "version": listener.host.version, "fqdn": listener.host.fqdn, "auth": list(listener.host.auth)}
                for name, listener in self._listeners.items()
            },
        }


def build_inventory(topology: Topology, ports: dict[str, int], ca_path: pathlib.Path, dns_server: str | None = None) -> dict[str, Any]:
    """The Ansible YAML inventory of the lab: groups by product and by product_version, winrm connection vars;
    ``dns_server`` (``127.0.0.1:<port>`` of the lab DNS server) goes to ``all: vars: ucops_lab_dns_server``."""
    user = topology.users[0]
    hosts: dict[str, Any] = {}
    groups: dict[str, list[str]] = {}
    for host in topology.hosts:
        transport = "ntlm" if host.accepts_ntlm else "basic"
        variables: dict[str, Any] = {
            "ansible_host": BIND_ADDRESS,
            "ansible_port": ports[host.name],
            "ansible_connection": "winrm",
            "ansible_user": f"{topology.netbios_domain}\\{user.username}" if transport == "ntlm" else user.username,
            "ansible_password": user.password,
            "ansible_winrm_transport": transport,
            "ansible_winrm_scheme": host.scheme,
            "ansible_winrm_server_cert_validation": "validate",
        }
        if host.scheme == "https":
            variables["ansible_winrm_ca_trust_path"] = str(ca_path.resolve())
        if transport == "basic":
            # WinRM Basic takes only local accounts, and the product sessions need a domain account (Kerberos refuses
            # local accounts; RBAC roles are AD groups): a separate domain credential for them (README, second hop)
            variables["ucops_product_username"] = f"{topology.netbios_domain}\\{user.username}"
            variables["ucops_product_password"] = user.password
        variables.update({
            "ansible_winrm_message_encryption": "auto",
            "ucops_lab_fqdn": host.fqdn,
            "ucops_lab_product": host.product,
            "ucops_lab_version": host.version,
            "ucops_lab_computer_name": host.computer_name,
            "ucops_lab_sip_domain": topology.sip_domain,
        })
        hosts[host.name] = variables
        groups.setdefault(host.product, []).append(host.name)
        groups.setdefault(f"{host.product}_{host.version}", []).append(host.name)
        if host.product == "windows":
            # the DNS servers (domain controllers with the DNS Server role) for windows_dns_record
            groups.setdefault("dns_servers", []).append(host.name)
    children = {group: {"hosts": {name: None for name in members}} for group, members in sorted(groups.items())}
    inventory: dict[str, Any] = {"all": {"hosts": hosts, "children": children}}
    if topology.inventory_vars:
        inventory["all"]["vars"] = dict(topology.inventory_vars)
    if dns_server:
        inventory["all"].setdefault("vars", {})["ucops_lab_dns_server"] = dns_server
    return inventory


def write_inventory(topology: Topology, ports: dict[str, int], ca_path: pathlib.Path, path: pathlib.Path,
                    dns_server: str | None = None) -> None:
    """Write the inventory with mode 0600: it holds the lab password."""
    header = ("# Ansible inventory of the ucops lab, written by `python -m lab start` (ports change between starts).\n"
              "# It holds the lab password: keep it private (mode 0600).\n")
    text = header + yaml.safe_dump(build_inventory(topology, ports, ca_path, dns_server), sort_keys=False, default_flow_style=False)
    write_file(path, text.encode("utf-8"), 0o600)

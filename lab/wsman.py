"""WS-Management / WinRS (Windows Remote Shell) protocol handling of one simulated host.

:class:`WinRSService` takes the decrypted SOAP envelope of one request and returns the HTTP status and SOAP reply.
It implements what pywinrm 0.5.0 (``winrm/protocol.py``) uses: Create and Delete of a ``cmd`` shell, Command, Send
(stdin in base64 chunks, ``End="true"`` on the last), Receive (stdout/stderr in base64, ``CommandState`` Running or
Done with ``ExitCode``) and Signal. The product behaviour is one call, ``run_command(host, username, auth_method,
command, arguments, stdin) -> (stdout, stderr, exit_code)``, made in a worker thread once stdin has ended.

Message layouts follow MS-WSMV (the WinRS messages, as pywinrm builds and parses them) and the WS-Management fault
format of DSP0226; where the lab picks a
behaviour that no source describes, the comment says "no source: inferred".
"""

from __future__ import annotations

import base64
import binascii
import codecs
import collections
import dataclasses
import logging
import pathlib
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lab.topology import HostSpec

LOG = logging.getLogger("lab.wsman")

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
SHELL_NS = NS["rsp"]
RESOURCE_CMD = f"{SHELL_NS}/cmd"
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = f"{SHELL_NS}/Command"
ACTION_SEND = f"{SHELL_NS}/Send"
ACTION_RECEIVE = f"{SHELL_NS}/Receive"
ACTION_SIGNAL = f"{SHELL_NS}/Signal"
ACTION_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
SIGNAL_TERMINATE = f"{SHELL_NS}/signal/terminate"
SIGNAL_CTRL_C = f"{SHELL_NS}/signal/ctrl_c"
SIGNAL_CTRL_BREAK = f"{SHELL_NS}/signal/ctrl_break"
STATE_DONE = f"{SHELL_NS}/CommandState/Done"
STATE_RUNNING = f"{SHELL_NS}/CommandState/Running"

# WSManFault codes.
# MS-WSMV Receive processing: no output before wsman:OperationTimeout -> WSManFault Code 2150858793 (the spec text is quoted in
# xebialabs/overthere PR #23); pywinrm protocol.py turns it into WinRMOperationTimeoutError and retries.
FAULT_OPERATION_TIMEOUT = 2150858793
# Shell not found (pypsrp issue #22 shows the text; WinRb/WinRM lib/winrm/shells/base.rb FAULTS_FOR_RESET lists the code).
FAULT_SHELL_NOT_FOUND = 2150858843
# ERROR_WSMAN_INSUFFCIENT_SELECTORS (Windows SDK wsmerror.h value, as listed in public constant tables).
FAULT_INSUFFICIENT_SELECTORS = 2150858842
# ERROR_INVALID_PARAMETER; WinRM answers "The parameter is incorrect." with subcode w:InvalidParameter (masterzen/winrm issue #80).
FAULT_INVALID_PARAMETER = 87
# STATUS_CONTROL_C_EXIT, the exit code of a console process ended by Ctrl+C. No source: inferred for the ctrl_c signal.
EXIT_CTRL_C = -1073741510

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$")
_DEFAULT_MAX_ENVELOPE = 153600  # pywinrm's w:MaxEnvelopeSize (protocol.py DEFAULT_MAX_ENV_SIZE)
_SERVICE_MAX_ENVELOPE = 512000  # WinRM MaxEnvelopeSizekb default 500 (azure-pipelines-tasks PR #1897; ansible.windows issue #391)
_ENVELOPE_OVERHEAD = 4096

RunCommand = Callable[[HostSpec, str, str, str, list[str], bytes], tuple[bytes, bytes, int]]


@dataclasses.dataclass(frozen=True)
class ShellLimits:
    """Timing and size limits of the WinRS service; every wait is bounded by one of them."""

    # How long a Receive is held while the command still waits for stdin. pywinrm sends requests one at a time, so
    # stdin cannot arrive while it waits: hold briefly, then answer OperationTimeout (the client retries).
    input_wait: float = 1.0
    # Upper bound of a Receive hold while the command runs (the request's OperationTimeout is used when shorter).
    max_hold: float = 60.0
    # Shells idle longer than this are removed. WinRS IdleTimeout default is 7200000 ms (WinRM docs, winrm/config/winrs).
    idle_timeout: float = 7200.0
    # Largest stdin accepted for one command. No source: inferred (bounds memory; WinRM bounds it by MaxMemoryPerShellMB).
    max_stdin: int = 64 * 1024 * 1024
    # How long close() waits for running engine calls when the caller gives no deadline.
    join_timeout: float = 10.0


@dataclasses.dataclass
class RequestInfo:
    """Who sent a request and where: filled in by the HTTP layer."""

    username: str
    auth_method: str
    client_address: str
    endpoint: str


class WSManFault(Exception):
    """A SOAP fault reply (HTTP 500, as WinRM sends faults; see pywinrm issue #208 and masterzen/winrm issue #80)."""

    def __init__(self, subcode: str, reason: str, wsman_code: int | None = None, sender: bool = True) -> None:
        super().__init__(reason)
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.sender = sender


class Command:  # pylint: disable=too-many-instance-attributes
    """One command of a shell: its stdin buffer, state and output."""

    AWAITING_INPUT = "awaiting_input"
    RUNNING = "running"
    DONE = "done"
    TERMINATED = "terminated"

    def __init__(self, command_id: str, command: str, arguments: list[str], skip_cmd_shell: bool,
                 console_mode_stdin: bool) -> None:
        self.command_id = command_id
        self.command = command
        self.arguments = arguments
        self.skip_cmd_shell = skip_cmd_shell
        self.console_mode_stdin = console_mode_stdin
        self.cond = threading.Condition()
        self.state = Command.AWAITING_INPUT
        self.input_seen = False
        self.stdin = bytearray()
        self.stdout = b""
        self.stderr = b""
        self.stdout_sent = 0
        self.stderr_sent = 0
        self.exit_code = 0
        # a LOOP_PS1 process (session reuse; lab/engine.py _Loop): runs while its stdin arrives, output per request
        self.loop: Any = None
        self.feed_lock = threading.Lock()

    def finish(self, stdout: bytes, stderr: bytes, exit_code: int) -> None:
        """Store the result and wake every held Receive. Caller holds ``cond``."""
        self.stdout, self.stderr, self.exit_code = stdout, stderr, exit_code
        self.state = Command.DONE
        self.cond.notify_all()


@dataclasses.dataclass
class Shell:  # pylint: disable=too-many-instance-attributes
    """A WinRS shell as created by Create."""

    shell_id: str
    owner: str
    auth_method: str
    client_address: str
    codepage: int
    noprofile: bool
    input_streams: tuple[str, ...]
    output_streams: tuple[str, ...]
    environment: dict[str, str]
    working_directory: str | None
    idle_timeout: float
    created: float
    last_used: float
    commands: dict[str, Command] = dataclasses.field(default_factory=dict)
    created_wall: float = dataclasses.field(default_factory=time.time)


@dataclasses.dataclass
class _Request:
    """The parsed header of a WS-Management request."""

    action: str
    message_id: str
    resource_uri: str
    shell_id: str | None
    options: dict[str, str]
    operation_timeout: float
    max_envelope: int
    body: ET.Element


class WinRSService:
    """The WinRS shells of one simulated host."""

    def __init__(self, host: HostSpec, run_command: RunCommand, limits: ShellLimits | None = None,
                 redact: Callable[[str], str] | None = None, start_loop: Callable[..., Any] | None = None,
                 kill_marker: pathlib.Path | None = None) -> None:
        """``start_loop(host, user, auth_method, program, arguments, shell_id)`` returns a long-lived process fed per Send
        (lab/engine.py _Loop) or None. ``kill_marker``: a file whose modification kills every shell created before it
        (tests: a session killed on the server between two tasks)."""
        self.host = host
        self._start_loop = start_loop
        self._kill_marker = kill_marker
        self.limits = limits or ShellLimits()
        self._run_command = run_command
        self._redact = redact or (lambda text: text)
        self._lock = threading.Lock()
        self._shells: dict[str, Shell] = {}
        self._workers: set[threading.Thread] = set()
        self._closing = False
        # The most recent shells as Create opened them (options such as WINRS_NOPROFILE), for tests and debugging.
        self.created_shells: collections.deque[Shell] = collections.deque(maxlen=64)

    # ----------------------------------------------------------------------------------------------------------------
    # Entry points

    def handle(self, envelope: bytes, info: RequestInfo) -> tuple[int, bytes, str]:
        """Process one SOAP request; returns (HTTP status, reply XML, action name for the log)."""
        message_id = ""
        action_name = "?"
        try:
            request = self._parse(envelope)
            message_id = request.message_id
            action_name = request.action.rsplit("/", 1)[-1]
            body = self._dispatch(request, info)
            return 200, body, action_name
        except WSManFault as fault:
            LOG.info("host=%s fault action=%s subcode=%s code=%s: %s", self.host.name, action_name, fault.subcode,
                     fault.wsman_code, fault.reason)
            return 500, self._fault_envelope(fault, message_id), action_name

    def close(self, deadline: float | None = None) -> None:
        """Stop accepting work, wake held Receives and wait for running engine calls until ``deadline`` (monotonic)."""
        with self._lock:
            self._closing = True
            shells = list(self._shells.values())
            self._shells.clear()
            workers = list(self._workers)
        for shell in shells:
            for command in shell.commands.values():
                with command.cond:
                    command.cond.notify_all()
        if deadline is None:
            deadline = time.monotonic() + self.limits.join_timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def shell_count(self) -> int:
        """Number of open shells (for status and tests)."""
        with self._lock:
            return len(self._shells)

    # ----------------------------------------------------------------------------------------------------------------
    # Parsing

    def _parse(self, envelope: bytes) -> _Request:
        if b"<!DOCTYPE" in envelope or b"<!ENTITY" in envelope:
            # SOAP 1.2 forbids a DTD in a message (SOAP 1.2 part 1, 5). The fault subcode is no source: inferred.
            raise WSManFault("w:SchemaValidationError", "The SOAP message must not contain a document type declaration.")
        try:
            root = ET.fromstring(envelope)
        except ET.ParseError as error:
            # No source: inferred (the lab answers malformed XML with a fault rather than HTTP 400).
            raise WSManFault("w:SchemaValidationError", f"The SOAP message is not well-formed XML: {error}.") from None
        if root.tag != f"{{{NS['s']}}}Envelope":
            raise WSManFault("w:SchemaValidationError", "The message is not a SOAP 1.2 envelope.")
        header = root.find("s:Header", NS)
        body = root.find("s:Body", NS)
        if header is None or body is None:
            raise WSManFault("w:SchemaValidationError", "The SOAP envelope needs a Header and a Body.")
        action = _text(header.find("a:Action", NS))
        message_id = _text(header.find("a:MessageID", NS))
        if not action or not message_id:
            # DSP0226 requires wsa:Action and wsa:MessageID; the subcode is WS-Addressing's. No source for WinRM's exact reply.
            raise WSManFault("a:InvalidMessageInformationHeader", "The request needs wsa:Action and wsa:MessageID headers.")
        shell_id = None
        for selector in header.findall("w:SelectorSet/w:Selector", NS):
            if selector.get("Name") == "ShellId":
                shell_id = (selector.text or "").strip()
        options = {}
        for option in header.findall("w:OptionSet/w:Option", NS):
            if option.get("Name"):
                options[option.get("Name", "")] = (option.text or "").strip()
        timeout = _duration(_text(header.find("w:OperationTimeout", NS))) or 60.0
        try:
            max_envelope = int(_text(header.find("w:MaxEnvelopeSize", NS)) or _DEFAULT_MAX_ENVELOPE)
        except ValueError:
            max_envelope = _DEFAULT_MAX_ENVELOPE
        return _Request(action=action, message_id=message_id, resource_uri=_text(header.find("w:ResourceURI", NS)),
                        shell_id=shell_id, options=options, operation_timeout=timeout,
                        max_envelope=max(8192, min(max_envelope, _SERVICE_MAX_ENVELOPE)), body=body)

    def _dispatch(self, request: _Request, info: RequestInfo) -> bytes:
        handlers: dict[str, Callable[[_Request, RequestInfo], bytes]] = {
            ACTION_CREATE: self._create,
            ACTION_DELETE: self._delete,
            ACTION_COMMAND: self._command,
            ACTION_SEND: self._send,
            ACTION_RECEIVE: self._receive,
            ACTION_SIGNAL: self._signal,
        }
        handler = handlers.get(request.action)
        if handler is None:
            # WS-Addressing fault for an unknown action (DSP0226 / WS-Addressing SOAP binding).
            raise WSManFault("a:ActionNotSupported", f"The action {request.action} is not supported by the lab's WS-Management service.")
        if request.resource_uri != RESOURCE_CMD:
            # DSP0226 wsman:DestinationUnreachable for an unknown ResourceURI; the lab simulates only the cmd shell
            # (not PowerShell remoting/PSRP). No source for WinRM's exact text: inferred.
            raise WSManFault("w:DestinationUnreachable", f"The resource URI {request.resource_uri or '(none)'} is not supported: "
                             f"the lab simulates only {RESOURCE_CMD}.")
        return handler(request, info)

    # ----------------------------------------------------------------------------------------------------------------
    # Actions

    def _create(self, request: _Request, info: RequestInfo) -> bytes:
        shell_el = request.body.find("rsp:Shell", NS)
        if shell_el is None:
            raise _invalid_parameter("Create needs an rsp:Shell body.")
        # Without WINRS_CODEPAGE the console uses the OEM code page, 437 on en-US Windows. No source: inferred.
        codepage_text = request.options.get("WINRS_CODEPAGE", "437")
        try:
            codepage = int(codepage_text)
            if codepage != 65001:
                codecs.lookup(f"cp{codepage}")
        except (ValueError, LookupError):
            # No source: inferred (WinRS rejects a code page the system does not have).
            raise _invalid_parameter(f"WINRS_CODEPAGE {codepage_text!r} is not a code page the lab knows.") from None
        input_streams = tuple((_text(shell_el.find("rsp:InputStreams", NS)) or "stdin").split())
        output_streams = tuple((_text(shell_el.find("rsp:OutputStreams", NS)) or "stdout stderr").split())
        environment = {var.get("Name", ""): var.text or "" for var in shell_el.findall("rsp:Environment/rsp:Variable", NS)}
        idle = _duration(_text(shell_el.find("rsp:IdleTimeOut", NS)))
        idle_timeout = min(idle, self.limits.idle_timeout) if idle else self.limits.idle_timeout
        now = time.monotonic()
        shell = Shell(shell_id=str(uuid.uuid4()).upper(), owner=info.username, auth_method=info.auth_method,
                      client_address=info.client_address, codepage=codepage,
                      noprofile=request.options.get("WINRS_NOPROFILE", "FALSE").upper() == "TRUE",
                      input_streams=input_streams, output_streams=output_streams, environment=environment,
                      working_directory=_text(shell_el.find("rsp:WorkingDirectory", NS)) or None,
                      idle_timeout=idle_timeout, created=now, last_used=now)
        with self._lock:
            if self._closing:
                raise _shutting_down()
            self._reap_idle(now)
            self._shells[shell.shell_id] = shell
            self.created_shells.append(shell)
        LOG.info("host=%s shell created id=%s owner=%s codepage=%d noprofile=%s", self.host.name, shell.shell_id, shell.owner,
                 codepage, shell.noprofile)
        body = (
            "<x:ResourceCreated>"
            f"<a:Address>{escape(info.endpoint)}</a:Address>"
            "<a:ReferenceParameters>"
            f"<w:ResourceURI>{RESOURCE_CMD}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell.shell_id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters>"
            "</x:ResourceCreated>"
            f'<rsp:Shell xmlns:rsp="{SHELL_NS}">'
            f"<rsp:ShellId>{shell.shell_id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{RESOURCE_CMD}</rsp:ResourceUri>"
            f"<rsp:Owner>{escape(shell.owner)}</rsp:Owner>"
            f"<rsp:ClientIP>{escape(shell.client_address)}</rsp:ClientIP>"
            f"<rsp:IdleTimeOut>PT{idle_timeout:.3f}S</rsp:IdleTimeOut>"
            f"<rsp:InputStreams>{escape(' '.join(input_streams))}</rsp:InputStreams>"
            f"<rsp:OutputStreams>{escape(' '.join(output_streams))}</rsp:OutputStreams>"
            "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
            "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>"
            "</rsp:Shell>"
        )
        return self._envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", request.message_id, body)

    def _delete(self, request: _Request, info: RequestInfo) -> bytes:
        shell = self._shell(request, info)
        with self._lock:
            self._shells.pop(shell.shell_id, None)
        for command in list(shell.commands.values()):
            self._terminate(command)
        LOG.info("host=%s shell deleted id=%s", self.host.name, shell.shell_id)
        return self._envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", request.message_id, "")

    def _command(self, request: _Request, info: RequestInfo) -> bytes:
        shell = self._shell(request, info)
        line = request.body.find("rsp:CommandLine", NS)
        if line is None:
            raise _invalid_parameter("Command needs an rsp:CommandLine body.")
        program = _text(line.find("rsp:Command", NS))
        if not program:
            raise _invalid_parameter("rsp:Command is empty.")
        arguments = [arg.text or "" for arg in line.findall("rsp:Arguments", NS)]
        # WinRS starts "<Command> <Arguments...>" as one command line (MS-WSMV CommandLine: Command plus Arguments); the program then
        # splits it with the Windows rules. pywinrm joins its argument list with spaces (protocol.py run_command).
        argv = split_command_line(" ".join([program] + arguments))
        skip_cmd_shell = request.options.get("WINRS_SKIP_CMD_SHELL", "FALSE").upper() == "TRUE"
        console_mode_stdin = request.options.get("WINRS_CONSOLEMODE_STDIN", "TRUE").upper() == "TRUE"
        if not skip_cmd_shell:
            # Without WINRS_SKIP_CMD_SHELL the command line runs through "cmd.exe /c" (MS-WSMV option WINRS_SKIP_CMD_SHELL).
            argv = ["cmd.exe", "/c"] + argv
        command_id = line.get("CommandId") or str(uuid.uuid4()).upper()
        command = Command(command_id, argv[0], argv[1:], skip_cmd_shell, console_mode_stdin)
        loop = self._start_loop(self.host, shell.owner, shell.auth_method, argv[0], argv[1:], shell.shell_id) if self._start_loop else None
        if loop is not None:
            # the process starts at once and reads its stdin line by line (LOOP_PS1); output appears as it answers
            command.loop = loop
            command.state = Command.RUNNING
            self._loop_output(shell, command, *loop.start())
        with self._lock:
            if command_id.upper() in shell.commands:
                raise _invalid_parameter(f"The CommandId {command_id} is already in use in this shell.")
            shell.commands[command_id.upper()] = command
        LOG.info("host=%s command id=%s shell=%s program=%s args=%d skip_cmd_shell=%s console_mode_stdin=%s", self.host.name,
                 command_id, shell.shell_id, argv[0], len(argv) - 1, skip_cmd_shell, console_mode_stdin)
        body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
        return self._envelope(f"{SHELL_NS}/CommandResponse", request.message_id, body)

    def _send(self, request: _Request, info: RequestInfo) -> bytes:
        shell = self._shell(request, info)
        send = request.body.find("rsp:Send", NS)
        if send is None:
            raise _invalid_parameter("Send needs an rsp:Send body.")
        for stream in send.findall("rsp:Stream", NS):
            name = stream.get("Name", "")
            if name not in shell.input_streams:
                raise _invalid_parameter(f"The stream {name!r} is not an input stream of this shell.")
            command = self._command_of(shell, stream.get("CommandId"))
            try:
                data = base64.b64decode((stream.text or "").strip(), validate=True)
            except binascii.Error:
                raise _invalid_parameter("The stdin stream is not valid base64.") from None
            end = stream.get("End", "false").lower() == "true"
            if command.loop is not None:
                self._feed_loop(shell, command, data, end)
                continue
            with command.cond:
                if command.state != Command.AWAITING_INPUT:
                    # No source: inferred (the process's stdin pipe is already closed).
                    raise _invalid_parameter(f"The input stream of command {command.command_id} is already closed.")
                if len(command.stdin) + len(data) > self.limits.max_stdin:
                    # DSP0226 wsman:QuotaLimit; the limit itself is the lab's. No source: inferred.
                    raise WSManFault("w:QuotaLimit", f"The command's input exceeds the lab limit of {self.limits.max_stdin} bytes.")
                command.input_seen = True
                command.stdin.extend(data)
                if end:
                    command.state = Command.RUNNING
            if end:
                self._start(shell, command)
        return self._envelope(f"{SHELL_NS}/SendResponse", request.message_id, "<rsp:SendResponse/>")

    def _feed_loop(self, shell: Shell, command: Command, data: bytes, end: bool) -> None:
        """Stdin of a LOOP_PS1 process: the lab answers each complete request line during the Send (no source: a
        simplification; as on WinRS, the client reads the answer with Receive)."""
        with command.feed_lock:
            with command.cond:
                if command.state != Command.RUNNING:
                    # No source: inferred (the process's stdin pipe is closed once it has ended).
                    raise _invalid_parameter(f"The input stream of command {command.command_id} is already closed.")
            self._loop_output(shell, command, *command.loop.feed(data, end))

    def _loop_output(self, shell: Shell, command: Command, stdout: bytes, stderr: bytes, exit_code: int | None) -> None:
        stdout, stderr = _to_codepage(stdout, shell.codepage), _to_codepage(stderr, shell.codepage)
        with command.cond:
            if command.state != Command.RUNNING:
                return
            command.stdout += stdout
            command.stderr += stderr
            if exit_code is not None:
                command.exit_code = exit_code
                command.state = Command.DONE
            command.cond.notify_all()

    def _receive(self, request: _Request, info: RequestInfo) -> bytes:
        shell = self._shell(request, info)
        desired = request.body.find("rsp:Receive/rsp:DesiredStream", NS)
        if desired is None or not desired.get("CommandId"):
            # A shell-level Receive (no CommandId) is PowerShell remoting; not simulated. No source: inferred.
            raise _invalid_parameter("Receive needs rsp:DesiredStream with a CommandId.")
        command = self._command_of(shell, desired.get("CommandId"))
        streams = [name for name in (desired.text or "stdout stderr").split() if name in shell.output_streams]
        start_now = False
        with command.cond:
            if command.state == Command.AWAITING_INPUT and command.console_mode_stdin and not command.input_seen:
                # WINRS_CONSOLEMODE_STDIN=TRUE and nothing sent: the process reads a console, not a pipe that the client
                # will close, so it starts without input (what pywinrm's run_cmd and ansible-core's raw/win_shell rely
                # on: they send no stdin and set console mode). No source: inferred from the option's name in MS-WSMV.
                command.state = Command.RUNNING
                start_now = True
        if start_now:
            self._start(shell, command)
        with command.cond:
            if command.state == Command.AWAITING_INPUT:
                hold = min(request.operation_timeout, self.limits.input_wait)
            else:
                hold = min(request.operation_timeout, self.limits.max_hold)
            if command.state not in (Command.DONE, Command.TERMINATED):
                LOG.debug("host=%s Receive held up to %.1f s: command %s is %s", self.host.name, hold, command.command_id, command.state)

            def pending() -> bool:
                # a running loop's output is returned as it comes (CommandState Running), like any running command's on WinRS
                return command.loop is not None and (command.stdout_sent < len(command.stdout) or command.stderr_sent < len(command.stderr))
            command.cond.wait_for(lambda: command.state in (Command.DONE, Command.TERMINATED) or self._closing or pending(), timeout=hold)
            if command.state == Command.TERMINATED:
                raise _unknown_command(command.command_id)
            if command.state != Command.DONE and not pending():
                raise WSManFault("w:TimedOut", "The WS-Management service cannot complete the operation within the time specified "
                                 "in OperationTimeout.", wsman_code=FAULT_OPERATION_TIMEOUT, sender=False)
            body = _receive_body(command, streams, request.max_envelope)
        return self._envelope(f"{SHELL_NS}/ReceiveResponse", request.message_id, body)

    def _signal(self, request: _Request, info: RequestInfo) -> bytes:
        shell = self._shell(request, info)
        signal_el = request.body.find("rsp:Signal", NS)
        if signal_el is None or not signal_el.get("CommandId"):
            raise _invalid_parameter("Signal needs rsp:Signal with a CommandId.")
        command = self._command_of(shell, signal_el.get("CommandId"))
        code = _text(signal_el.find("rsp:Code", NS))
        if code == SIGNAL_TERMINATE:
            with self._lock:
                shell.commands.pop(command.command_id.upper(), None)
            self._terminate(command)
        elif code in (SIGNAL_CTRL_C, SIGNAL_CTRL_BREAK):
            with command.cond:
                if command.state in (Command.AWAITING_INPUT, Command.RUNNING):
                    command.finish(b"", b"", EXIT_CTRL_C)
        else:
            raise _invalid_parameter(f"The signal code {code!r} is not supported.")
        LOG.info("host=%s signal %s command=%s", self.host.name, code.rsplit("/", 1)[-1], command.command_id)
        return self._envelope(f"{SHELL_NS}/SignalResponse", request.message_id, "<rsp:SignalResponse/>")

    # ----------------------------------------------------------------------------------------------------------------
    # Helpers

    def _shell(self, request: _Request, info: RequestInfo) -> Shell:
        if not request.shell_id:
            # Missing ShellId selector (openwsman issue #83 shows WinRM's w:InvalidSelectors reply).
            raise WSManFault("w:InvalidSelectors", "The Windows Remote Shell cannot process the request because it requires the "
                             "following selector: ShellId. Retry with the correct selector.", wsman_code=FAULT_INSUFFICIENT_SELECTORS)
        with self._lock:
            if self._closing:
                raise _shutting_down()
            shell = self._shells.get(request.shell_id.upper())
            if shell is not None and self._gone(shell):
                self._remove(shell)
                shell = None
            # Shells belong to the user who created them. No source: inferred (another user's shell is reported as not found).
            if shell is None or shell.owner.lower() != info.username.lower():
                raise WSManFault("w:InvalidSelectors", f"The request for the Windows Remote Shell with ShellId {request.shell_id} failed "
                                 "because the shell was not found on the server. Possible causes are: the specified ShellId is "
                                 "incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a "
                                 "new shell and retry the operation.", wsman_code=FAULT_SHELL_NOT_FOUND)
            shell.last_used = time.monotonic()
            return shell

    def _command_of(self, shell: Shell, command_id: str | None) -> Command:
        with self._lock:
            command = shell.commands.get((command_id or "").upper())
        if command is None:
            raise _unknown_command(command_id or "(none)")
        return command

    def _gone(self, shell: Shell) -> bool:
        """Whether a shell passed its IdleTimeOut (WinRS deletes it then: winrm/config/winrs IdleTimeout) or was killed by
        a test (the kill marker changed after the shell was created). Caller holds ``_lock``."""
        if time.monotonic() - shell.last_used > shell.idle_timeout:
            return True
        if self._kill_marker is not None:
            try:
                return self._kill_marker.stat().st_mtime >= shell.created_wall
            except OSError:
                return False
        return False

    def _remove(self, shell: Shell) -> None:
        """Drop a shell and end its commands. Caller holds ``_lock``."""
        self._shells.pop(shell.shell_id, None)
        LOG.info("host=%s shell %s removed (idle or killed)", self.host.name, shell.shell_id)
        for command in shell.commands.values():
            with command.cond:
                command.state = Command.TERMINATED
                command.cond.notify_all()

    def _reap_idle(self, now: float) -> None:
        """Drop shells idle longer than their IdleTimeOut. Caller holds ``_lock``."""
        for shell_id in [sid for sid, shell in self._shells.items() if now - shell.last_used > shell.idle_timeout]:
            shell = self._shells.pop(shell_id)
            LOG.info("host=%s shell %s removed after %.0f s idle", self.host.name, shell_id, now - shell.last_used)
            for command in shell.commands.values():
                with command.cond:
                    command.state = Command.TERMINATED
                    command.cond.notify_all()

    def _terminate(self, command: Command) -> None:
        with command.cond:
            command.state = Command.TERMINATED
            command.stdin = bytearray()
            command.cond.notify_all()

    def _start(self, shell: Shell, command: Command) -> None:
        worker = threading.Thread(target=self._work, args=(shell, command), name=f"lab-run-{self.host.name}-{command.command_id[:8]}",
                                  daemon=True)
        with self._lock:
            if self._closing:
                raise _shutting_down()
            self._workers.add(worker)
        worker.start()

    def _work(self, shell: Shell, command: Command) -> None:
        """Worker thread: one engine call, then store the result (unless the command was ended meanwhile)."""
        try:
            with command.cond:
                stdin = bytes(command.stdin)
            try:
                result = self._run_command(self.host, shell.owner, shell.auth_method, command.command, list(command.arguments), stdin)
                stdout, stderr, exit_code = _check_result(result)
            except Exception as error:  # pylint: disable=broad-exception-caught
                # An engine failure is a lab bug: report it like a crashed process (stderr + exit code 1) and log it.
                message = self._redact(f"{type(error).__name__}: {error}")
                LOG.exception("host=%s command=%s: lab engine failed: %s", self.host.name, command.command_id, message)
                stdout, stderr, exit_code = b"", f"ucops lab: internal error in lab.engine: {message}\r\n".encode("utf-8"), 1
            stdout, stderr = _to_codepage(stdout, shell.codepage), _to_codepage(stderr, shell.codepage)
            if stdout and shell.codepage == 65001 and self.host.settings.get("utf8_bom"):
                # Topology setting utf8_bom: the stdout stream starts with a UTF-8 byte-order mark (EF BB BF), as WinRM
                # clients see under code page 65001 on some servers (ansible/ansible#14077; WinRb/WinRM#159).
                stdout = codecs.BOM_UTF8 + stdout
            with command.cond:
                command.stdin = bytearray()
                if command.state == Command.RUNNING:
                    command.finish(stdout, stderr, exit_code)
            LOG.info("host=%s command=%s finished exit_code=%d stdout=%d stderr=%d bytes", self.host.name,
                     command.command_id, exit_code, len(stdout), len(stderr))
        finally:
            with self._lock:
                self._workers.discard(threading.current_thread())

    def _envelope(self, action: str, relates_to: str, body: str) -> bytes:
        """A reply envelope; a:RelatesTo carries the request's MessageID (pywinrm asserts it for Signal and Delete)."""
        return (
            '<s:Envelope xml:lang="en-US"'
            f' xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:x="{NS["x"]}" xmlns:w="{NS["w"]}"'
            f' xmlns:rsp="{NS["rsp"]}" xmlns:p="{NS["p"]}">'
            "<s:Header>"
            f"<a:Action>{action}</a:Action>"
            f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
            f"<a:To>{ANONYMOUS}</a:To>"
            f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>"
            "</s:Header>"
            f"<s:Body>{body}</s:Body>"
            "</s:Envelope>"
        ).encode("utf-8")

    def _fault_envelope(self, fault: WSManFault, relates_to: str) -> bytes:
        """SOAP 1.2 fault with a WSManFault detail (layout as in masterzen/winrm issue #80; parsed by pywinrm protocol.py)."""
        code_attr = f" Code={quoteattr(str(fault.wsman_code))}" if fault.wsman_code is not None else ""
        body = (
            "<s:Fault>"
            f"<s:Code><s:Value>{'s:Sender' if fault.sender else 's:Receiver'}</s:Value>"
            f"<s:Subcode><s:Value>{escape(fault.subcode)}</s:Value></s:Subcode></s:Code>"
            f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
            "<s:Detail>"
            f'<f:WSManFault xmlns:f="{NS["f"]}"{code_attr} Machine={quoteattr(self.host.fqdn)}>'
            f"<f:Message>{escape(fault.reason)}</f:Message>"
            "</f:WSManFault>"
            "</s:Detail>"
            "</s:Fault>"
        )
        return self._envelope(ACTION_FAULT, relates_to or f"uuid:{uuid.UUID(int=0)}", body)


# --------------------------------------------------------------------------------------------------------------------
# Module helpers


def split_command_line(line: str) -> list[str]:
    """Split a Windows command line into argv the way CommandLineToArgvW / the MS C runtime do.

    The first token (the program) ends at the first space or tab unless quoted, without backslash processing; in the
    others, 2n backslashes before a quote give n backslashes and toggle quoting, 2n+1 give n backslashes and a literal
    quote, and "" inside quotes is a literal quote (Microsoft docs "Parsing C++ command-line arguments").
    """
    argv: list[str] = []
    i, n = 0, len(line)
    while i < n and line[i] in " \t":
        i += 1
    if i >= n:
        return [""]
    if line[i] == '"':
        end = line.find('"', i + 1)
        end = n if end < 0 else end
        argv.append(line[i + 1:end])
        i = end + 1
    else:
        start = i
        while i < n and line[i] not in " \t":
            i += 1
        argv.append(line[start:i])
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return argv
        current: list[str] = []
        quoted = False
        while i < n and (quoted or line[i] not in " \t"):
            char = line[i]
            if char == "\\":
                start = i
                while i < n and line[i] == "\\":
                    i += 1
                count = i - start
                if i < n and line[i] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        i += 1
                else:
                    current.append("\\" * count)
                continue
            if char == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    current.append('"')
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            current.append(char)
            i += 1
        argv.append("".join(current))


def _receive_body(command: Command, streams: list[str], max_envelope: int) -> str:
    """Next output chunk; the reply stays within the request's MaxEnvelopeSize (MS-WSMV). Caller holds ``cond``."""
    budget = max(3, (max_envelope - _ENVELOPE_OVERHEAD) // 4 * 3)
    parts = []
    finished = True
    # a running command (a LOOP_PS1 process) returns what it wrote so far, its streams not ended
    running = command.state != Command.DONE
    cid = command.command_id
    for name in ("stdout", "stderr"):
        if name not in streams:
            continue
        data, sent = (command.stdout, command.stdout_sent) if name == "stdout" else (command.stderr, command.stderr_sent)
        chunk = data[sent:sent + budget]
        budget -= len(chunk)
        sent += len(chunk)
        if name == "stdout":
            command.stdout_sent = sent
        else:
            command.stderr_sent = sent
        if chunk:
            parts.append(f'<rsp:Stream Name="{name}" CommandId="{cid}">{base64.b64encode(chunk).decode("ascii")}</rsp:Stream>')
        if sent < len(data) or running:
            finished = False
        else:
            parts.append(f'<rsp:Stream Name="{name}" CommandId="{cid}" End="true"></rsp:Stream>')
    if finished:
        parts.append(f'<rsp:CommandState CommandId="{cid}" State="{STATE_DONE}">'
                     f"<rsp:ExitCode>{command.exit_code}</rsp:ExitCode></rsp:CommandState>")
    else:
        parts.append(f'<rsp:CommandState CommandId="{cid}" State="{STATE_RUNNING}"/>')
    return "<rsp:ReceiveResponse>" + "".join(parts) + "</rsp:ReceiveResponse>"


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _duration(text: str) -> float | None:
    """Seconds of an xs:duration such as PT20S or PT20.000S (days, hours, minutes, seconds); None if absent or invalid."""
    match = _DURATION.match(text.strip()) if text else None
    if match is None:
        return None
    days, hours, minutes, seconds = (float(value) if value else 0.0 for value in match.groups())
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    return total if total > 0 else None


def _check_result(result: Any) -> tuple[bytes, bytes, int]:
    if (not isinstance(result, tuple) or len(result) != 3 or not isinstance(result[0], bytes)
            or not isinstance(result[1], bytes) or not isinstance(result[2], int)):
        raise TypeError(f"run_command must return (bytes, bytes, int), got {type(result).__name__}")
    return result[0], result[1], result[2]


def _to_codepage(data: bytes, codepage: int) -> bytes:
    """Output as the shell's console code page would carry it (MS-WSMV option WINRS_CODEPAGE): the engine writes UTF-8."""
    if codepage == 65001 or not data:
        return data
    return data.decode("utf-8", "replace").encode(f"cp{codepage}", "replace")


def _invalid_parameter(reason: str) -> WSManFault:
    return WSManFault("w:InvalidParameter", f"The parameter is incorrect. {reason}", wsman_code=FAULT_INVALID_PARAMETER)


def _unknown_command(command_id: str) -> WSManFault:
    # No source for the exact reply to an unknown CommandId: inferred as w:InvalidParameter / 87.
    return _invalid_parameter(f"The CommandId {command_id} does not name a command of this shell.")


def _shutting_down() -> WSManFault:
    # No source: inferred (the lab is stopping; WinRM would be unreachable instead).
    return WSManFault("w:InternalError", "The lab WS-Management service is shutting down.", sender=False)

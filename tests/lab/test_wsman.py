"""WinRS over WS-Management as pywinrm 0.5.0 sees it, the inventory, the topology and the CLI."""

from __future__ import annotations

import base64
import importlib.util
import logging
import os
import pathlib
import socket
import stat
import subprocess
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests
import xmltodict
import yaml
from winrm.exceptions import WinRMOperationTimeoutError, WinRMTransportError, WSManFaultError

from wsman_support import PASSWORD, POWERSHELL_ARGS, ROOT, TOPOLOGY_DATA, StubEngine, make_protocol, run
from lab.server import LabError, LabServer
from lab.topology import TopologyError, load_topology, parse_topology
from lab.wsman import FAULT_INVALID_PARAMETER, FAULT_OPERATION_TIMEOUT, FAULT_SHELL_NOT_FOUND, ShellLimits, split_command_line

RESOURCE_CMD = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"


def _stdin_payload(size: int) -> bytes:
    """ASCII like the runner's stdin (script + NULs + base64), deterministic."""
    block = base64.b64encode(bytes(range(256)) * 3)
    return (b"RUNNER\0\0\0\0" + block * (size // len(block) + 1))[:size]


# ---------------------------------------------------------------------------------------------------------------------
# Round trips


def test_https_basic_round_trip(lab: LabServer, engine: StubEngine) -> None:
    """HTTPS + Basic, certificate validated against the lab CA: stdin reaches the engine, output comes back."""
    protocol = make_protocol(lab, "tls_both", "basic")
    stdout, stderr, code = run(protocol, [b"hello ", b"world"])
    assert (stdout, code) == (b"hello world", 0)
    assert stderr == b"tls_both|labadmin|basic|powershell.exe"
    call = engine.last_call()
    assert call["command"] == "powershell.exe"
    assert call["arguments"] == POWERSHELL_ARGS
    assert call["username"] == "labadmin" and call["auth_method"] == "basic"


def test_large_stdin_in_chunks_arrives_intact(lab: LabServer, engine: StubEngine) -> None:
    """More than 400 KB of stdin in 200 000-byte chunks over encrypted HTTP; the echo spans several Receives."""
    payload = _stdin_payload(450_003)
    chunks = [payload[i:i + 200_000] for i in range(0, len(payload), 200_000)]
    assert len(chunks) == 3
    protocol = make_protocol(lab, "http_ntlm", "ntlm", message_encryption="always")
    receives = []
    original = protocol.get_command_output_raw

    def counting(shell_id: str, command_id: str) -> tuple[bytes, bytes, int, bool]:
        result = original(shell_id, command_id)
        receives.append(result[3])
        return result

    protocol.get_command_output_raw = counting  # type: ignore[method-assign]
    stdout, _stderr, code = run(protocol, chunks)
    assert engine.last_call()["stdin"] == payload
    assert stdout == payload and code == 0
    # pywinrm's MaxEnvelopeSize is 153600, so the 450 KB echo needs several Receive replies, only the last one Done.
    assert len(receives) >= 4 and receives[-1] is True and not any(receives[:-1])


def test_exit_code_and_empty_stdin(lab: LabServer) -> None:
    """The engine's exit code is the command's; a single empty End=true Send is fine."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    stdout, _stderr, code = run(protocol, [b""], command="exit", arguments=["7"])
    assert (stdout, code) == (b"", 7)


def test_engine_failure_is_a_failed_process_without_password(lab: LabServer, caplog: pytest.LogCaptureFixture) -> None:
    """An exception in the engine becomes exit code 1 with an explanation on stderr; the password is redacted."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    with caplog.at_level(logging.INFO, logger="lab"):
        _stdout, stderr, code = run(protocol, [b"x"], command="fail", arguments=[])
    assert code == 1
    assert b"internal error in lab.engine: RuntimeError: boom with ******** inside" in stderr
    assert PASSWORD.encode() not in stderr


def test_command_line_split_like_windows(lab: LabServer, engine: StubEngine) -> None:
    """rsp:Command + rsp:Arguments form one command line, split with the Windows rules."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    run(protocol, [b""], command='"C:\\Program Files\\x.exe"', arguments=['-a "b c"', 'd\\\\"e f"'])
    call = engine.last_call()
    assert call["command"] == "C:\\Program Files\\x.exe"
    assert call["arguments"] == ["-a", "b c", "d\\e f"]


@pytest.mark.parametrize("line, expected", [
    ("powershell.exe -NoProfile -EncodedCommand QQA=", ["powershell.exe", "-NoProfile", "-EncodedCommand", "QQA="]),
    ('"C:\\a b\\p.exe" x', ["C:\\a b\\p.exe", "x"]),
    ('p a\\\\\\"b "c d" e""f', ["p", 'a\\"b', "c d", "ef"]),
    ('p "a""b" c\\d', ["p", 'a"b', "c\\d"]),
    ("p  \t x  ", ["p", "x"]),
])
def test_split_command_line(line: str, expected: list[str]) -> None:
    """CommandLineToArgvW rules."""
    assert split_command_line(line) == expected


def test_without_skip_cmd_shell_runs_through_cmd(lab: LabServer, engine: StubEngine) -> None:
    """WINRS_SKIP_CMD_SHELL=FALSE: the command line runs as cmd.exe /c ..."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    run(protocol, [b""], skip_cmd_shell=False)
    call = engine.last_call()
    assert call["command"] == "cmd.exe"
    assert call["arguments"] == ["/c", "powershell.exe"] + POWERSHELL_ARGS


def test_codepage_is_honoured(lab: LabServer) -> None:
    """Output is carried in the shell's code page: UTF-8 for 65001, OEM 437 when the shell asks for it."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    text = "caf\u00e9"
    assert run(protocol, [text.encode("utf-8")], codepage=65001)[0] == text.encode("utf-8")
    assert run(protocol, [text.encode("utf-8")], codepage=437)[0] == text.encode("cp437")
    with pytest.raises(WSManFaultError) as fault:
        protocol.open_shell(codepage=99999)
    assert fault.value.wsman_fault_code == FAULT_INVALID_PARAMETER


# ---------------------------------------------------------------------------------------------------------------------
# Receive holds and OperationTimeout


def test_receive_before_stdin_end_is_an_operation_timeout(lab: LabServer, engine: StubEngine) -> None:
    """A Receive while stdin is still open is held briefly, then answered with the OperationTimeout fault."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    calls_before = len(engine.calls)
    protocol.send_command_input(shell_id, command_id, b"part one, ", end=False)
    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell_id, command_id)
    assert len(engine.calls) == calls_before  # nothing ran yet
    protocol.send_command_input(shell_id, command_id, b"part two", end=True)
    stdout, _stderr, code = protocol.get_command_output(shell_id, command_id)
    assert (stdout, code) == (b"part one, part two", 0)
    protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id)


def test_console_mode_command_without_stdin_runs(lab: LabServer, engine: StubEngine) -> None:
    """WINRS_CONSOLEMODE_STDIN=TRUE (pywinrm's default) and no Send at all: the command runs with empty stdin."""
    protocol = make_protocol(lab, "http_ntlm", "ntlm")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "exit", ["3"], skip_cmd_shell=True)
    assert protocol.get_command_output(shell_id, command_id) == (b"", b"http_ntlm|CONTOSO\\labadmin|ntlm|exit", 3)
    assert engine.last_call()["stdin"] == b""
    protocol.close_shell(shell_id)


def test_pipe_mode_command_without_stdin_waits(lab: LabServer, engine: StubEngine) -> None:
    """WINRS_CONSOLEMODE_STDIN=FALSE: stdin is a pipe, nothing runs before End=true, Receive times out."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    calls_before = len(engine.calls)
    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell_id, command_id)
    assert len(engine.calls) == calls_before
    protocol.send_command_input(shell_id, command_id, b"", end=True)
    assert protocol.get_command_output(shell_id, command_id)[2] == 0
    protocol.close_shell(shell_id)


def test_operation_timeout_retry_while_engine_runs(lab: LabServer, engine: StubEngine) -> None:
    """While the engine works, Receive answers OperationTimeout; pywinrm retries until the output is there."""
    faults = threading.Semaphore(0)

    class FaultWatcher(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "w:TimedOut" in record.getMessage():
                faults.release()

    watcher = FaultWatcher()
    logger = logging.getLogger("lab.wsman")
    logger.addHandler(watcher)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    engine.gate.clear()
    engine.entered.clear()
    result: dict[str, Any] = {}
    protocol = make_protocol(lab, "http_ntlm", "ntlm", operation_timeout_sec=1, read_timeout_sec=10)
    shell_id = protocol.open_shell(codepage=65001)
    try:
        command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
        protocol.send_command_input(shell_id, command_id, b"slow", end=True)
        assert engine.entered.wait(10)

        def receive() -> None:
            try:
                result["output"] = protocol.get_command_output(shell_id, command_id)
            except Exception as error:  # pylint: disable=broad-exception-caught
                result["error"] = error

        receiver = threading.Thread(target=receive)
        receiver.start()
        # Two OperationTimeout faults prove that the client retried at least once while the engine was busy.
        assert faults.acquire(timeout=20) and faults.acquire(timeout=20)
        engine.gate.set()
        receiver.join(30)
        assert not receiver.is_alive()
        assert "error" not in result, result.get("error")
        assert result["output"] == (b"slow", b"http_ntlm|CONTOSO\\labadmin|ntlm|powershell.exe", 0)
        protocol.cleanup_command(shell_id, command_id)
    finally:
        engine.gate.set()
        logger.removeHandler(watcher)
        logger.setLevel(previous_level)
        protocol.close_shell(shell_id)


def test_operation_timeout_fault_shape(lab: LabServer, engine: StubEngine) -> None:
    """The raw fault carries WSManFault Code 2150858793 (MS-WSMV Receive) as pywinrm looks for it."""
    engine.gate.clear()
    protocol = make_protocol(lab, "tls_both", "basic", operation_timeout_sec=1, read_timeout_sec=10)
    shell_id = protocol.open_shell(codepage=65001)
    try:
        command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
        protocol.send_command_input(shell_id, command_id, b"x", end=True)
        request = _receive_request(protocol, shell_id, command_id)
        with pytest.raises(WinRMTransportError) as error:
            protocol.transport.send_message(xmltodict.unparse(request))
        assert error.value.code == 500
        root = ET.fromstring(error.value.response_text)
        ns = {"s": "http://www.w3.org/2003/05/soap-envelope", "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"}
        detail = root.find("s:Body/s:Fault/s:Detail/f:WSManFault", ns)
        assert detail is not None and detail.get("Code") == str(FAULT_OPERATION_TIMEOUT)
        assert root.find("s:Body/s:Fault/s:Code/s:Subcode/s:Value", ns).text == "w:TimedOut"  # type: ignore[union-attr]
        engine.gate.set()
        assert protocol.get_command_output(shell_id, command_id)[0] == b"x"
    finally:
        engine.gate.set()
        protocol.close_shell(shell_id)


def _receive_request(protocol: Any, shell_id: str, command_id: str) -> dict[str, Any]:
    request = {"env:Envelope": protocol.build_wsman_header(
        resource_uri=RESOURCE_CMD, action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive", shell_id=shell_id)}
    stream = request["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Receive", {}).setdefault("rsp:DesiredStream", {})
    stream["@CommandId"] = command_id
    stream["#text"] = "stdout stderr"
    return request


def test_concurrent_clients_are_independent(lab: LabServer) -> None:
    """Several clients at once, on every host: each gets its own output back."""
    results: dict[int, Any] = {}

    def client(index: int) -> None:
        host, transport = [("tls_both", "ntlm"), ("tls_both", "basic"), ("http_ntlm", "ntlm"), ("http_open", "basic")][index % 4]
        try:
            results[index] = run(make_protocol(lab, host, transport), [f"client {index} ".encode() * 1000])[0]
        except Exception as error:  # pylint: disable=broad-exception-caught
            results[index] = error

    threads = [threading.Thread(target=client, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {index: f"client {index} ".encode() * 1000 for index in range(8)}


def test_stop_wakes_held_receive(topology: Any, tmp_path: pathlib.Path) -> None:
    """Stopping the server ends a Receive that is being held, and stop() returns."""
    server = LabServer(topology, tmp_path, engine=StubEngine(), limits=ShellLimits(input_wait=60))
    saved = os.environ.get("NTLM_USER_FILE")
    held = threading.Semaphore(0)

    class HoldWatcher(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "Receive held" in record.getMessage():
                held.release()

    watcher = HoldWatcher()
    logger = logging.getLogger("lab.wsman")
    previous_level = logger.level
    logger.addHandler(watcher)
    logger.setLevel(logging.DEBUG)
    outcome: dict[str, Any] = {}
    try:
        server.start()
        protocol = make_protocol(server, "tls_both", "basic")
        shell_id = protocol.open_shell(codepage=65001)
        command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
        protocol.send_command_input(shell_id, command_id, b"partial", end=False)

        def receive() -> None:
            try:
                protocol.get_command_output_raw(shell_id, command_id)
                outcome["result"] = "returned"
            except Exception as error:  # pylint: disable=broad-exception-caught
                outcome["result"] = error

        receiver = threading.Thread(target=receive)
        receiver.start()
        assert held.acquire(timeout=30)
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(60)
        receiver.join(60)
        assert not stopper.is_alive() and not receiver.is_alive()
        assert isinstance(outcome["result"], (WinRMOperationTimeoutError, WSManFaultError, requests.exceptions.ConnectionError))
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(previous_level)
        server.stop()
        if saved is not None:
            os.environ["NTLM_USER_FILE"] = saved


# ---------------------------------------------------------------------------------------------------------------------
# Signal, Delete, faults


def test_signal_and_delete_reply_relates_to_request(lab: LabServer) -> None:
    """pywinrm asserts RelatesTo on Signal and Delete; check the raw replies too."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    message_id = uuid.uuid4()
    request = {"env:Envelope": protocol.build_wsman_header(
        resource_uri=RESOURCE_CMD, action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal",
        shell_id=shell_id, message_id=message_id)}
    signal_el = request["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Signal", {})
    signal_el["@CommandId"] = command_id
    signal_el["rsp:Code"] = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
    reply = ET.fromstring(protocol.send_message(xmltodict.unparse(request)))
    relates = reply.find("{http://www.w3.org/2003/05/soap-envelope}Header/{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo")
    assert relates is not None and relates.text == f"uuid:{message_id}"
    # The command is gone after terminate.
    with pytest.raises(WSManFaultError) as fault:
        protocol.get_command_output_raw(shell_id, command_id)
    assert fault.value.wsman_fault_code == FAULT_INVALID_PARAMETER
    # pywinrm's own Signal/Delete (they assert RelatesTo == their MessageID).
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id)
    assert lab.service("tls_both").shell_count() == 0


def test_unknown_shell_and_command_are_faults(lab: LabServer) -> None:
    """Unknown ShellId -> WSManFault 2150858843; unknown CommandId -> w:InvalidParameter; deleted shell is unknown."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    with pytest.raises(WSManFaultError) as fault:
        protocol.get_command_output_raw(str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper())
    assert fault.value.wsman_fault_code == FAULT_SHELL_NOT_FOUND
    assert "shell was not found" in fault.value.reason
    assert fault.value.code == 500
    shell_id = protocol.open_shell(codepage=65001)
    with pytest.raises(WSManFaultError) as fault:
        protocol.send_command_input(shell_id, str(uuid.uuid4()), b"x", end=True)
    assert fault.value.wsman_fault_code == FAULT_INVALID_PARAMETER
    assert fault.value.fault_subcode == "w:InvalidParameter"
    protocol.close_shell(shell_id)
    with pytest.raises(WSManFaultError) as fault:
        protocol.close_shell(shell_id)
    assert fault.value.wsman_fault_code == FAULT_SHELL_NOT_FOUND


def test_shell_of_another_user_is_not_found(lab: LabServer) -> None:
    """Shells belong to their creator: the same ShellId sent by another logon is unknown."""
    ntlm = make_protocol(lab, "tls_both", "ntlm")
    basic = make_protocol(lab, "tls_both", "basic", username="LABADMIN")
    shell_id = ntlm.open_shell(codepage=65001)
    try:
        # Same account, other spelling and transport: Basic reports "LABADMIN", NTLM "CONTOSO\labadmin".
        with pytest.raises(WSManFaultError) as fault:
            basic.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS)
        assert fault.value.wsman_fault_code == FAULT_SHELL_NOT_FOUND
    finally:
        ntlm.close_shell(shell_id)


def test_send_after_end_and_unsupported_action(lab: LabServer) -> None:
    """stdin cannot be written after End=true; an unknown action is an a:ActionNotSupported fault."""
    protocol = make_protocol(lab, "tls_both", "ntlm")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    protocol.send_command_input(shell_id, command_id, b"a", end=True)
    with pytest.raises(WSManFaultError) as fault:
        protocol.send_command_input(shell_id, command_id, b"b", end=True)
    assert fault.value.wsman_fault_code == FAULT_INVALID_PARAMETER
    get_action = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
    request = {"env:Envelope": protocol.build_wsman_header(resource_uri=RESOURCE_CMD, action=get_action)}
    request["env:Envelope"].setdefault("env:Body", {})
    with pytest.raises(WSManFaultError) as fault:
        protocol.send_message(xmltodict.unparse(request))
    assert fault.value.fault_subcode == "a:ActionNotSupported"
    protocol.get_command_output(shell_id, command_id)
    protocol.close_shell(shell_id)


def test_oversized_envelope_is_http_413(lab: LabServer) -> None:
    """A request above WinRM's default MaxEnvelopeSizekb (500) gets HTTP 413."""
    protocol = make_protocol(lab, "tls_both", "basic")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(shell_id, "powershell.exe", POWERSHELL_ARGS, console_mode_stdin=False, skip_cmd_shell=True)
    with pytest.raises(WinRMTransportError) as error:
        protocol.send_command_input(shell_id, command_id, b"x" * 400_000, end=True)
    assert error.value.code == 413
    protocol.close_shell(shell_id)


# ---------------------------------------------------------------------------------------------------------------------
# Server lifecycle and files


def test_busy_port_is_reported(tmp_path: pathlib.Path, engine: StubEngine) -> None:
    """A port that is taken fails the start with a message naming host and port; nothing stays bound."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        data = {**TOPOLOGY_DATA, "hosts": [dict(TOPOLOGY_DATA["hosts"][1]), dict(TOPOLOGY_DATA["hosts"][2], port=port)]}
        server = LabServer(parse_topology(data), tmp_path, engine=engine)
        saved = os.environ.get("NTLM_USER_FILE")
        try:
            with pytest.raises(LabError, match=f"port {port} on 127.0.0.1 for host http_open is busy"):
                server.start()
        finally:
            if saved is not None:
                os.environ["NTLM_USER_FILE"] = saved


def test_inventory(lab: LabServer, topology: Any) -> None:
    """inventory.yml: product and version groups, winrm vars, CA path for https, mode 0600, valid for Ansible."""
    path = lab.inventory_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    inventory = yaml.safe_load(path.read_text(encoding="utf-8"))
    hosts = inventory["all"]["hosts"]
    children = inventory["all"]["children"]
    assert set(children) == {"exchange", "skype", "exchange_2016", "exchange_2019", "skype_2015"}
    # the test topology has no inventory_vars: only the lab's DNS server is there
    assert inventory["all"]["vars"] == {"ucops_lab_dns_server": lab.dns.endpoint}
    assert set(children["exchange"]["hosts"]) == {"tls_both", "http_ntlm"}
    assert set(children["skype_2015"]["hosts"]) == {"http_open"}
    tls = hosts["tls_both"]
    assert tls == {
        "ansible_host": "127.0.0.1",
        "ansible_port": lab.ports["tls_both"],
        "ansible_connection": "winrm",
        "ansible_user": "CONTOSO\\labadmin",
        "ansible_password": PASSWORD,
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "https",
        "ansible_winrm_server_cert_validation": "validate",
        "ansible_winrm_ca_trust_path": str(lab.ca_path),
        "ansible_winrm_message_encryption": "auto",
        "ucops_lab_fqdn": "ex16.contoso.local",
        "ucops_lab_product": "exchange",
        "ucops_lab_version": "2016",
        "ucops_lab_computer_name": "EX16",
        "ucops_lab_sip_domain": "contoso.com",
    }
    assert pathlib.Path(tls["ansible_winrm_ca_trust_path"]).is_absolute() and lab.ca_path.is_file()
    assert "ansible_winrm_ca_trust_path" not in hosts["http_ntlm"]
    assert hosts["http_ntlm"]["ansible_winrm_scheme"] == "http"
    assert topology.host("http_ntlm").port == 0 and hosts["http_ntlm"]["ansible_port"] == lab.ports["http_ntlm"] > 0
    ansible_inventory = pathlib.Path(sys.executable).with_name("ansible-inventory")
    if ansible_inventory.exists():
        listed = subprocess.run([str(ansible_inventory), "-i", str(path), "--host", "tls_both"], check=True, capture_output=True,
                                text=True, timeout=120, env={**os.environ, "ANSIBLE_LOCAL_TEMP": str(path.parent / "ansible-tmp")})
        assert '"ucops_lab_fqdn": "ex16.contoso.local"' in listed.stdout


def test_basic_only_host_uses_basic_in_inventory(tmp_path: pathlib.Path) -> None:
    """A host without NTLM gets transport basic and the plain user name."""
    from lab.server import build_inventory  # pylint: disable=import-outside-toplevel
    topology = load_topology()
    inventory = build_inventory(topology, {host.name: 5986 for host in topology.hosts}, tmp_path / "ca.pem")
    assert inventory["all"]["vars"] == dict(topology.inventory_vars)
    assert inventory["all"]["vars"]["skype_exchange_autodiscover_fqdn"] == "autodiscover.contoso.com"
    ex2016 = inventory["all"]["hosts"]["ex2016"]
    assert (ex2016["ansible_winrm_transport"], ex2016["ansible_user"]) == ("basic", "labadmin")
    assert inventory["all"]["hosts"]["ex2019"]["ansible_winrm_transport"] == "ntlm"


# ---------------------------------------------------------------------------------------------------------------------
# Topology


def test_default_topology() -> None:
    """lab/topology.yml: every supported product version, the Subscription Editions, and an Enterprise pool whose
    Central Management store is on another server (the second hop)."""
    topology = load_topology()
    summary = {h.name: (h.product, h.version, h.computer_name, h.scheme, h.auth) for h in topology.hosts}
    assert summary == {
        "ex2013": ("exchange", "2013", "EX13", "https", ("ntlm", "basic")),
        "ex2016": ("exchange", "2016", "EX16", "https", ("basic",)),
        "ex2019": ("exchange", "2019", "EX19", "http", ("ntlm",)),
        "exse": ("exchange", "se", "EXSE", "https", ("ntlm",)),
        "lync2013": ("skype", "2013", "LYNC13", "https", ("ntlm",)),
        "sfb2015": ("skype", "2015", "SFB15", "https", ("ntlm",)),
        "sfb2019": ("skype", "2019", "SFB19", "https", ("ntlm", "basic")),
        "sfbse1": ("skype", "se", "SFBSE1", "https", ("ntlm",)),
        "sfbse2": ("skype", "se", "SFBSE2", "https", ("ntlm",)),
        # the Windows DNS server (a domain controller) of windows_dns_record
        "dc01": ("windows", "2019", "DC01", "https", ("ntlm",)),
    }
    assert topology.host("ex2013").fqdn == "ex13.contoso.local"
    pool = [h for h in topology.hosts if h.settings.get("edition") == "Enterprise"]
    assert {h.name for h in pool} == {"sfbse1", "sfbse2"}
    assert {h.settings["cms_server"] for h in pool} == {"sql01.contoso.local"}
    assert all(h.settings == {} for h in topology.hosts if h.product == "exchange")
    assert all(h.port == 0 and not h.allow_unencrypted for h in topology.hosts)
    assert "Lab-Passw0rd!" not in repr(topology)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["hosts"][0].update(scheme="ftp"), "hosts[0] (tls_both).scheme: must be one of 'https', 'http' (got 'ftp')"),
    (lambda d: d["hosts"][0].update(colour="red"), "hosts[0] (tls_both).colour: unknown key"),
    (lambda d: d["hosts"][1].pop("auth"), "hosts[1] (http_ntlm).auth: required key is missing"),
    (lambda d: d["hosts"][0].update(version="2015"), "hosts[0] (tls_both).version: must be one of '2013', '2016', '2019'"),
    (lambda d: d["hosts"][2].update(computer_name="EX16"), "hosts: two entries have the same computer_name ('EX16')"),
    (lambda d: d["users"][0].update(password="a:b"), "users[0].password: must not contain ':'"),
    (lambda d: d.pop("sip_domain"), "sip_domain: required key is missing"),
    (lambda d: d["hosts"][1].update(auth=["basic"]), "hosts[1] (http_ntlm).auth: only basic over http"),
    (lambda d: d["hosts"][0].update(port=70000), "hosts[0] (tls_both).port: must be an integer from 0 to 65535"),
    (lambda d: d.update(inventory_vars={"ansible_user": "x"}), "inventory_vars.ansible_user: connection variables are generated"),
    (lambda d: d.update(inventory_vars=["x"]), "inventory_vars: must be a mapping"),
])
def test_topology_errors_name_the_key(change: Any, message: str) -> None:
    """Every validation error names the offending key."""
    data = yaml.safe_load(yaml.safe_dump(TOPOLOGY_DATA))
    change(data)
    with pytest.raises(TopologyError) as error:
        parse_topology(data)
    assert message in str(error.value)


def test_topology_file_errors(tmp_path: pathlib.Path) -> None:
    """Missing file and invalid YAML are reported with the path."""
    with pytest.raises(TopologyError, match="cannot read topology file"):
        load_topology(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("hosts: [\n", encoding="utf-8")
    with pytest.raises(TopologyError, match="bad.yml: not valid YAML"):
        load_topology(bad)


# ---------------------------------------------------------------------------------------------------------------------
# CLI (needs the real lab.engine)


HAVE_ENGINE = importlib.util.find_spec("lab.engine") is not None


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lab", *args], cwd=str(ROOT), capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.mark.skipif(not HAVE_ENGINE, reason="lab.engine does not exist yet: python -m lab start needs the real engine")
def test_cli_start_status_stop(tmp_path: pathlib.Path) -> None:
    """python -m lab start/status/stop as subprocesses with --state-dir in a temporary directory."""
    state = tmp_path / "state"
    topology_file = tmp_path / "topology.yml"
    data = yaml.safe_load(yaml.safe_dump(TOPOLOGY_DATA))
    data["users"][0]["password"] = "Cli-Passw0rd!"
    topology_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    started = _cli("start", "--topology", str(topology_file), "--state-dir", str(state))
    try:
        assert started.returncode == 0, started.stderr + started.stdout
        inventory_path = pathlib.Path(started.stdout.strip().splitlines()[-1])
        assert inventory_path == state / "inventory.yml" and inventory_path.is_file()
        pid = int((state / "server.pid").read_text(encoding="ascii"))
        assert (state / "server.log").is_file()
        assert stat.S_IMODE((state / "ntlm-users").stat().st_mode) == 0o600
        again = _cli("start", "--topology", str(topology_file), "--state-dir", str(state))
        assert again.returncode == 1 and "already running" in again.stderr
        status = _cli("status", "--state-dir", str(state))
        assert status.returncode == 0 and f"pid {pid}" in status.stdout and "tls_both" in status.stdout
        refused = _cli("reset", "--state-dir", str(state))
        assert refused.returncode == 1 and "stop it first" in refused.stderr
        # The listener answers pywinrm like a Windows server: a shell can be opened and closed over HTTPS + NTLM.
        inventory = yaml.safe_load(inventory_path.read_text(encoding="utf-8"))["all"]["hosts"]["tls_both"]
        from winrm.protocol import Protocol  # pylint: disable=import-outside-toplevel
        protocol = Protocol(endpoint=f"https://127.0.0.1:{inventory['ansible_port']}/wsman", transport="ntlm",
                            username=inventory["ansible_user"], password=inventory["ansible_password"],
                            server_cert_validation="validate", ca_trust_path=inventory["ansible_winrm_ca_trust_path"], proxy=None)
        protocol.close_shell(protocol.open_shell(codepage=65001))
        assert "Cli-Passw0rd!" not in (state / "server.log").read_text(encoding="utf-8")
    finally:
        stopped = _cli("stop", "--state-dir", str(state))
    assert stopped.returncode == 0 and "lab stopped" in stopped.stdout, stopped.stderr
    assert not (state / "server.pid").exists()
    status = _cli("status", env={"UCOPS_LAB_STATE_DIR": str(state)})
    assert status.returncode == 3 and "not running" in status.stdout
    again = _cli("stop", "--state-dir", str(state))
    assert again.returncode == 0 and "not running" in again.stdout
    reset = _cli("reset", "--topology", str(topology_file), "--state-dir", str(state))
    assert reset.returncode == 0 and "reset" in reset.stdout, reset.stderr


@pytest.mark.skipif(not HAVE_ENGINE, reason="lab.engine does not exist yet: python -m lab start needs the real engine")
def test_cli_start_fails_on_busy_port(tmp_path: pathlib.Path) -> None:
    """start exits 1 naming the busy port, and leaves no server behind."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        data = yaml.safe_load(yaml.safe_dump(TOPOLOGY_DATA))
        data["hosts"][0]["port"] = port
        topology_file = tmp_path / "topology.yml"
        topology_file.write_text(yaml.safe_dump(data), encoding="utf-8")
        result = _cli("start", "--topology", str(topology_file), "--state-dir", str(tmp_path / "state"))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 for host tls_both is busy" in result.stderr
    assert not (tmp_path / "state" / "server.pid").exists()


def test_cli_without_server(tmp_path: pathlib.Path) -> None:
    """stop and status when nothing runs; bad topology is a clear error."""
    stopped = _cli("stop", "--state-dir", str(tmp_path))
    assert stopped.returncode == 0 and "not running" in stopped.stdout
    status = _cli("status", "--state-dir", str(tmp_path))
    assert status.returncode == 3
    bad = tmp_path / "topology.yml"
    bad.write_text("domain: contoso.local\n", encoding="utf-8")
    started = _cli("start", "--topology", str(bad), "--state-dir", str(tmp_path))
    assert started.returncode == 1 and "netbios_domain: required key is missing" in started.stderr

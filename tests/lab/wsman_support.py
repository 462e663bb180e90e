"""Shared helpers of the WS-Management tests (tests/lab/test_wsman.py, test_auth.py): test topology, stub engine, clients.

A plain module rather than conftest.py, so that ``from wsman_support import ...`` cannot pick up another directory's conftest.
"""

from __future__ import annotations

import pathlib
import sys
import threading
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# pylint: disable=wrong-import-position
from winrm.protocol import Protocol  # noqa: E402

from lab.server import LabServer  # noqa: E402
from lab.topology import HostSpec  # noqa: E402

PASSWORD = "Test-Passw0rd!x"
TOPOLOGY_DATA: dict[str, Any] = {
    "domain": "contoso.local",
    "netbios_domain": "CONTOSO",
    "sip_domain": "contoso.com",
    "users": [{"username": "labadmin", "password": PASSWORD}],
    "hosts": [
        {"name": "tls_both", "product": "exchange", "version": "2016", "computer_name": "EX16", "port": 0,
         "scheme": "https", "auth": ["ntlm", "basic"], "allow_unencrypted": False, "settings": {}},
        {"name": "http_ntlm", "product": "exchange", "version": "2019", "computer_name": "EX19", "port": 0,
         "scheme": "http", "auth": ["ntlm", "basic"], "allow_unencrypted": False, "settings": {}},
        {"name": "http_open", "product": "skype", "version": "2015", "computer_name": "SFB15", "port": 0,
         "scheme": "http", "auth": ["ntlm", "basic"], "allow_unencrypted": True, "settings": {}},
    ],
}
POWERSHELL_ARGS = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", "QQBCAEMA"]


class StubEngine:
    """Stands in for lab.engine.Engine: echoes stdin on stdout and describes the call on stderr.

    ``exit <n>`` returns exit code n; ``fail`` raises; while ``gate`` is cleared the call blocks (bounded).
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self._lock = threading.Lock()

    def run_command(self, host: HostSpec, username: str, auth_method: str, command: str, arguments: list[str],
                    stdin: bytes) -> tuple[bytes, bytes, int]:
        """Record the call and echo."""
        with self._lock:
            self.calls.append({"host": host.name, "username": username, "auth_method": auth_method, "command": command,
                               "arguments": list(arguments), "stdin": stdin})
        self.entered.set()
        if not self.gate.wait(timeout=30):
            raise TimeoutError("test gate never opened")
        if command == "fail":
            raise RuntimeError(f"boom with {PASSWORD} inside")
        exit_code = int(arguments[0]) if command == "exit" and arguments else 0
        stderr = f"{host.name}|{username}|{auth_method}|{command}".encode("utf-8")
        return stdin, stderr, exit_code

    def last_call(self) -> dict[str, Any]:
        """The most recent call."""
        with self._lock:
            return self.calls[-1]


def make_protocol(lab_server: LabServer, host: str, transport: str = "ntlm", username: str | None = None,
                  password: str = PASSWORD, **kwargs: Any) -> Protocol:
    """A pywinrm Protocol for ``host`` of the lab, validating TLS against the lab CA."""
    if username is None:
        username = "CONTOSO\\labadmin" if transport == "ntlm" else "labadmin"
    options: dict[str, Any] = {
        "server_cert_validation": "validate",
        "ca_trust_path": str(lab_server.ca_path),
        "read_timeout_sec": 30,
        "operation_timeout_sec": 20,
        "proxy": None,
    }
    options.update(kwargs)
    return Protocol(endpoint=lab_server.endpoint(host), transport=transport, username=username, password=password, **options)


def run(protocol: Protocol, stdin_chunks: list[bytes], command: str = "powershell.exe", arguments: list[str] | None = None,
        codepage: int = 65001, skip_cmd_shell: bool = True) -> tuple[bytes, bytes, int]:
    """What the collection's transport does: one shell, one command, stdin in chunks, output, Signal, Delete."""
    shell_id = protocol.open_shell(codepage=codepage, noprofile=True)
    try:
        command_id = protocol.run_command(shell_id, command, POWERSHELL_ARGS if arguments is None else arguments,
                                          console_mode_stdin=False, skip_cmd_shell=skip_cmd_shell)
        for index, chunk in enumerate(stdin_chunks):
            protocol.send_command_input(shell_id, command_id, chunk, end=index == len(stdin_chunks) - 1)
        result = protocol.get_command_output(shell_id, command_id)
        protocol.cleanup_command(shell_id, command_id)
    finally:
        protocol.close_shell(shell_id)
    return result

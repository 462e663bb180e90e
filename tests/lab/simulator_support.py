# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers for the engine and binder tests: stand-ins for lab.topology, and real runner payloads (docs/design.md section 1).

Not a conftest: tests/lab/conftest.py belongs to the WS-Management tests.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib.util
import json
import pathlib
import sys
from typing import Any

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from lab.engine import Engine  # noqa: E402  pylint: disable=wrong-import-position

PASSWORD = 'Sup3r$ecret"Pa55'


def load_scripts() -> tuple[str, str]:
    """BOOTSTRAP_PS1 and RUNNER_PS1 as the controller ships them."""
    spec = importlib.util.spec_from_file_location('tests_lab_scripts', REPO_ROOT / 'plugins' / 'module_utils' / 'powershell' / '_scripts.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BOOTSTRAP_PS1, module.RUNNER_PS1


BOOTSTRAP_PS1, RUNNER_PS1 = load_scripts()
ARGUMENTS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand',
             base64.b64encode(BOOTSTRAP_PS1.encode('utf-16-le')).decode('ascii')]


@dataclasses.dataclass
class HostSpec:
    """Stand-in for lab.topology.HostSpec."""

    name: str
    product: str
    version: str
    computer_name: str
    fqdn: str
    settings: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class User:
    """A lab user as the topology lists it."""

    username: str
    password: str


@dataclasses.dataclass
class Topology:
    """Stand-in for the lab topology."""

    domain: str
    netbios_domain: str
    sip_domain: str
    hosts: list
    users: list


def make_topology() -> Topology:
    """Exchange 2013/2016/2019 and Lync 2013 / SfB 2015/2019 hosts."""
    hosts = [
        HostSpec('ex2013', 'exchange', '2013', 'EX13', 'ex13.contoso.local'),
        HostSpec('ex2016', 'exchange', '2016', 'EX16', 'ex16.contoso.local'),
        HostSpec('ex2019', 'exchange', '2019', 'ex19', 'ex19.contoso.local',
                 {'servers': [{'name': 'EX16B', 'version': '2016', 'auto_discover_service_internal_uri': None}]}),
        HostSpec('lync2013', 'skype', '2013', 'LYNC13', 'lync13.contoso.local'),
        HostSpec('sfb2015', 'skype', '2015', 'SFB15', 'sfb15.contoso.local', {'site': 'Redmond'}),
        HostSpec('sfb2019', 'skype', '2019', 'SFB19', 'sfb19.contoso.local'),
    ]
    return Topology('contoso.local', 'CONTOSO', 'contoso.com', hosts, [User('admin', PASSWORD)])


def build_stdin(payload: Any, runner: str = RUNNER_PS1) -> bytes:
    """RUNNER_PS1 + four NULs + base64(UTF-8 JSON request), as the controller sends it (a str is sent as the base64 part)."""
    if isinstance(payload, (bytes, str)):
        encoded = payload if isinstance(payload, str) else base64.b64encode(payload).decode('ascii')
    else:
        encoded = base64.b64encode(json.dumps(payload).encode('utf-8')).decode('ascii')
    return (runner + '\0\0\0\0' + encoded).encode('ascii')


def decode_stdout(stdout: bytes) -> dict:
    """The response of the single UCOPS-RESULT line."""
    lines = [line for line in stdout.decode('ascii').split('\r\n') if line.startswith('UCOPS-RESULT:')]
    assert len(lines) == 1, stdout
    return json.loads(base64.b64decode(lines[0][len('UCOPS-RESULT:'):]).decode('utf-8'))


class Simulator:
    """An engine plus helpers to run requests against a named host."""

    def __init__(self, state_dir: pathlib.Path) -> None:
        self.state_dir = state_dir
        self.topology = make_topology()
        self.engine = Engine(self.topology, state_dir)

    def host(self, name: str) -> HostSpec:
        """A host by inventory name."""
        return next(host for host in self.topology.hosts if host.name == name)

    def raw(self, host: str, payload: Any, auth_method: str | None = None) -> tuple[bytes, bytes, int]:
        """Run one request, returning stdout, stderr and exit code.

        The WinRM logon is NTLM, except for snap-in requests, which model a delegating (CredSSP) logon unless told
        otherwise: without delegation every snap-in call fails (the second hop has tests of its own).
        """
        if auth_method is None:
            shell = payload.get('shell') if isinstance(payload, dict) else None
            auth_method = 'credssp' if isinstance(shell, dict) and shell.get('type') == 'exchange_snapin' else 'ntlm'
        return self.engine.run_command(self.host(host), 'CONTOSO\\winrm', auth_method, 'powershell.exe', ARGUMENTS, build_stdin(payload))

    def run(self, host: str, payload: Any, auth_method: str | None = None) -> dict:
        """Run one request that must produce a response with exit code 0."""
        stdout, stderr, code = self.raw(host, payload, auth_method)
        assert code == 0, (stdout, stderr)
        return decode_stdout(stdout)


def request(mode: str, shell: Any, *invocations: dict) -> dict:
    """A version 1 request."""
    return {'version': 1, 'mode': mode, 'shell': shell, 'invocations': list(invocations)}


def invocation(cmdlet: str, parameters: dict | None = None, properties: list | None = None, alternatives: list | None = None,
               ident: str = 'x') -> dict:
    """One invocation of a request."""
    return {'id': ident, 'cmdlet': cmdlet, 'alternatives': alternatives or [], 'parameters': parameters or {},
            'properties': properties if properties is not None else []}


SNAPIN = {'type': 'exchange_snapin'}
SKYPE = {'type': 'skype'}
REMOTE = {'type': 'exchange_remote', 'connection_uri': None, 'authentication': 'Kerberos',
          'credential': {'username': 'CONTOSO\\admin', 'password': PASSWORD}}

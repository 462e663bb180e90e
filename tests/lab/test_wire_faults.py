"""Faults found on the wire, end to end: the collection's transport and runner through pywinrm against an in-process lab.

Each test makes the lab behave the way a real server (or what sits in front of it) was seen to behave, and checks what
the controller makes of it. Needs the collection importable (PYTHONPATH with ansible_collections, as tools/test.sh sets).
"""

from __future__ import annotations

import base64
import json
import pathlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# pylint: disable=wrong-import-position
from wsman_support import PASSWORD, make_protocol, run  # noqa: E402

from lab.server import Fault, LabServer  # noqa: E402
from lab.topology import parse_topology  # noqa: E402
from lab.wsman import ShellLimits  # noqa: E402

pytest.importorskip('ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm')

# pylint: disable=wrong-import-order
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (  # noqa: E402
    ConnectionLost,
    TLSFailure,
    TransportFailure,
    failure_result,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import BOOTSTRAP_PS1  # noqa: E402
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, Runner, encode_stdin  # noqa: E402
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm import WinRMClient, resolve_options  # noqa: E402

TOPOLOGY = {
    "domain": "contoso.local",
    "netbios_domain": "CONTOSO",
    "sip_domain": "contoso.com",
    "users": [{"username": "labadmin", "password": PASSWORD}],
    "hosts": [
        # utf8_bom: stdout starts with EF BB BF (ansible/ansible#14077; WinRb/WinRM#159)
        {"name": "bom", "product": "skype", "version": "2015", "computer_name": "SFB15", "port": 0, "scheme": "https",
         "auth": ["ntlm", "basic"], "allow_unencrypted": False, "settings": {"utf8_bom": True}},
        {"name": "plain", "product": "skype", "version": "2019", "computer_name": "SFB19", "port": 0, "scheme": "https",
         "auth": ["ntlm", "basic"], "allow_unencrypted": False, "settings": {}},
        {"name": "http", "product": "skype", "version": "2019", "computer_name": "SFB19B", "port": 0, "scheme": "http",
         "auth": ["ntlm"], "allow_unencrypted": False, "settings": {}},
    ],
}
SKYPE = {'type': 'skype'}
READ = [Invocation('oauth', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=['Realm'])]


@pytest.fixture(scope="module")
def wire_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """An in-process lab with the real engine (lab.engine) and the hosts above."""
    server = LabServer(parse_topology(TOPOLOGY), tmp_path_factory.mktemp("wire-state"), limits=ShellLimits(input_wait=0.2))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_fault(wire_lab: LabServer) -> Iterator[None]:
    yield
    for name in ("bom", "plain", "http"):
        wire_lab.set_fault_hook(name, None)


def client(lab: LabServer, name: str, **overrides: Any) -> WinRMClient:
    """The collection's WinRM client for a lab host, validating TLS against the lab CA."""
    host = lab.topology.host(name)
    options = {'server': '127.0.0.1', 'port': lab.ports[name], 'scheme': host.scheme, 'transport': 'ntlm',
               'username': 'CONTOSO\\labadmin', 'password': PASSWORD, 'validate_certs': True, 'ca_trust_path': str(lab.ca_path),
               'message_encryption': 'auto', 'operation_timeout': 20, 'read_timeout': 30, 'command_timeout': 60,
               # these faults hit the one-shell-per-run path (tests/lab/test_session_loop.py covers session reuse)
               'session_reuse': False}
    options.update(overrides)
    return WinRMClient(resolve_options(options))


def invocations(lab: LabServer) -> list[dict[str, Any]]:
    path = lab.state_dir / 'invocations.jsonl'
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()]


# Item: UTF-8 byte-order mark before the result line --------------------------------------------------------------------


def test_lab_host_with_utf8_bom_starts_stdout_with_the_bom(wire_lab: LabServer) -> None:
    stdin = encode_stdin({'version': 1, 'mode': 'read', 'shell': SKYPE, 'invocations': [i.to_json() for i in READ]})
    arguments = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand',
                 base64.b64encode(BOOTSTRAP_PS1.encode('utf-16-le')).decode('ascii')]
    stdout, _stderr, code = run(make_protocol(wire_lab, "bom"), [stdin], arguments=arguments)
    assert code == 0
    assert stdout.startswith(b'\xef\xbb\xbfUCOPS-RESULT:'), stdout[:40]
    stdout, _stderr, code = run(make_protocol(wire_lab, "plain"), [stdin], arguments=arguments)
    assert stdout.startswith(b'UCOPS-RESULT:'), stdout[:40]


def test_the_runner_reads_a_result_that_follows_a_bom(wire_lab: LabServer) -> None:
    response = Runner(client(wire_lab, "bom"), 'bom').read(SKYPE, READ)
    assert response.error is None
    assert response.host['computer_name'] == 'SFB15'


# Item: the user profile stays loaded ---------------------------------------------------------------------------------


def test_the_shell_is_opened_with_the_user_profile_loaded(wire_lab: LabServer) -> None:
    Runner(client(wire_lab, "plain"), 'plain').read(SKYPE, READ)
    shell = wire_lab.service("plain").created_shells[-1]
    assert shell.noprofile is False  # WINRS_NOPROFILE=FALSE, as pywinrm and ansible-core send it
    assert shell.codepage == 65001


# Item: HTTP 500 whose body is not UTF-8 ------------------------------------------------------------------------------


def test_an_http_500_with_a_body_that_is_not_utf8_names_host_and_status(wire_lab: LabServer) -> None:
    page = '<html><body>Erreur interne du serveur \u2013 r\u00e9essayez</body></html>'.encode('cp1252')
    wire_lab.set_fault_hook("plain", lambda action, status: Fault(status=500, body=page, content_type='text/html; charset=windows-1252')
                            if action == 'Create' else None)
    with pytest.raises(TransportFailure) as raised:
        Runner(client(wire_lab, "plain"), '127.0.0.1').read(SKYPE, READ)
    result = failure_result(raised.value)
    assert result['msg'].startswith('WinRM error from 127.0.0.1: HTTP 500 from https://127.0.0.1:%d/wsman with a body that is not UTF-8'
                                    % wire_lab.ports["plain"]), result['msg']


# Item: connection lost after a write request was delivered ------------------------------------------------------------


def test_a_connection_lost_after_the_write_was_delivered_reports_possible_changes(wire_lab: LabServer) -> None:
    dropped = []

    def drop_first_receive(action: str, status: int) -> Fault | None:
        if action == 'Receive' and not dropped:
            dropped.append(action)
            return Fault(drop=True)
        return None

    wire_lab.set_fault_hook("plain", drop_first_receive)
    before = len(invocations(wire_lab))
    description = 'Set-CsOAuthConfiguration -Identity Global (Realm)'
    writes = [Invocation('set', 'Set-CsOAuthConfiguration', parameters={'Identity': 'Global', 'Realm': 'lost.contoso.com'},
                         description=description),
              Invocation('after', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=['Realm'])]
    with pytest.raises(ConnectionLost) as raised:
        Runner(client(wire_lab, "plain"), '127.0.0.1').write(SKYPE, writes)
    assert dropped == ['Receive']
    result = failure_result(raised.value)
    assert result['changed'] is True and result['possible_changes'] == [description]
    assert result['msg'].startswith('Connection lost to 127.0.0.1: '), result['msg']
    assert ('The write request was delivered before the connection was lost; these changes may have been applied: %s'
            % description) in result['msg']
    # and the server did apply it
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not [i for i in invocations(wire_lab)[before:] if i['cmdlet'] == 'Set-CsOAuthConfiguration']:
        time.sleep(0.05)
    sets = [i for i in invocations(wire_lab)[before:] if i['cmdlet'] == 'Set-CsOAuthConfiguration']
    assert sets and sets[0]['status'] == 'ok', invocations(wire_lab)[before:]


def test_a_connection_lost_before_the_write_was_delivered_is_a_plain_connection_failure(wire_lab: LabServer) -> None:
    wire_lab.set_fault_hook("plain", lambda action, status: Fault(drop=True) if action == 'Command' else None)
    before = len(invocations(wire_lab))
    with pytest.raises(Exception) as raised:
        invocation = Invocation('set', 'Set-CsOAuthConfiguration', parameters={'Identity': 'Global', 'Realm': 'x'})
        Runner(client(wire_lab, "plain"), '127.0.0.1').write(SKYPE, [invocation])
    assert not isinstance(raised.value, ConnectionLost)
    assert failure_result(raised.value)['error_kind'] == 'connection'
    assert invocations(wire_lab)[before:] == []


# Item: HTTPS against a port that speaks HTTP -------------------------------------------------------------------------


def test_https_against_the_http_listener_says_the_port_speaks_http(wire_lab: LabServer) -> None:
    with pytest.raises(TLSFailure) as raised:
        Runner(client(wire_lab, "http", scheme='https'), '127.0.0.1').read(SKYPE, READ)
    message = failure_result(raised.value)['msg']
    assert 'Port %d of 127.0.0.1 speaks plain HTTP, not HTTPS: use scheme=http' % wire_lab.ports["http"] in message, message

"""Session reuse end to end (docs/design.md section 8): the collection's runner and WinRM client through pywinrm against an
in-process lab whose engine models LOOP_PS1 (one PowerShell process, one product-shell load, many requests).

Loads are counted in the lab's events.jsonl (lab/log.py): a ``shell_load`` per product-shell load, a ``powershell_run``
per PowerShell process and a ``session_request`` per later request that a live loop served.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# pylint: disable=wrong-import-position
from wsman_support import PASSWORD  # noqa: E402

from lab.server import KILL_SHELLS_FILE, LabServer  # noqa: E402
from lab.topology import parse_topology  # noqa: E402
from lab.wsman import ShellLimits  # noqa: E402

pytest.importorskip('ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm')

# pylint: disable=wrong-import-order
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import RequestRefused  # noqa: E402
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import LOOP_PS1, RUNNER_PS1  # noqa: E402
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import (  # noqa: E402
    Invocation,
    Runner,
    encode_request,
    parse_output,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm import (  # noqa: E402
    FAULT_SHELL_NOT_FOUND,
    WinRMClient,
    resolve_options,
)

from winrm.exceptions import WSManFaultError  # noqa: E402  pylint: disable=wrong-import-order

OTHER_PASSWORD = 'Other-Passw0rd!y'
TOPOLOGY = {
    "domain": "contoso.local",
    "netbios_domain": "CONTOSO",
    "sip_domain": "contoso.com",
    "users": [{"username": "labadmin", "password": PASSWORD}, {"username": "labother", "password": OTHER_PASSWORD}],
    "hosts": [
        {"name": "sfb", "product": "skype", "version": "2019", "computer_name": "SFB19", "port": 0, "scheme": "http",
         "auth": ["ntlm"], "allow_unencrypted": False, "settings": {}},
        {"name": "ex", "product": "exchange", "version": "2019", "computer_name": "EX19", "port": 0, "scheme": "http",
         "auth": ["ntlm"], "allow_unencrypted": False, "settings": {}},
    ],
}
SKYPE = {'type': 'skype'}
READ = [Invocation('oauth', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=['Realm'])]
WRITE = [Invocation('set', 'Set-CsOAuthConfiguration', parameters={'Identity': 'Global', 'Realm': 'contoso.com'})]


def start_lab(tmp_path_factory: pytest.TempPathFactory, **limits: Any) -> LabServer:
    server = LabServer(parse_topology(TOPOLOGY), tmp_path_factory.mktemp("session-state"), limits=ShellLimits(input_wait=0.2, **limits))
    server.start()
    return server


@pytest.fixture()
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = start_lab(tmp_path_factory)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def registry(tmp_path: pathlib.Path) -> str:
    return str(tmp_path / 'sessions')


def client(lab: LabServer, registry: str, user: str = 'CONTOSO\\labadmin', password: str = PASSWORD, host: str = 'sfb',
           **overrides: Any) -> WinRMClient:
    """A new client, as each Ansible task makes one in its own worker process; the registry directory is shared."""
    options = {'server': '127.0.0.1', 'port': lab.ports[host], 'scheme': 'http', 'transport': 'ntlm', 'username': user,
               'password': password, 'operation_timeout': 5, 'read_timeout': 10, 'command_timeout': 60,
               'session_directory': registry}
    options.update(overrides)
    return WinRMClient(resolve_options(options))


def events(lab: LabServer, name: str | None = None) -> list[dict[str, Any]]:
    path = lab.state_dir / 'events.jsonl'
    found = [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()] if path.exists() else []
    return [event for event in found if name is None or event['event'] == name]


def invocations(lab: LabServer) -> list[dict[str, Any]]:
    path = lab.state_dir / 'invocations.jsonl'
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()] if path.exists() else []


def test_two_tasks_share_one_powershell_process_and_one_shell_load(lab: LabServer, registry: str) -> None:
    first, second = client(lab, registry), client(lab, registry)
    assert Runner(first, 'sfb').read(SKYPE, READ).output('oauth')
    assert Runner(second, 'sfb').read(SKYPE, READ).output('oauth')
    assert first.session['shell_id'] == second.session['shell_id']
    assert (first.session['reused'], second.session['reused']) == (False, True)
    assert len(events(lab, 'shell_load')) == 1
    assert len(events(lab, 'powershell_run')) == 1
    assert [event['session'] for event in events(lab, 'session_request')] == [first.session['shell_id']]
    # the registry holds no secret and is private to the user
    for path in pathlib.Path(registry).iterdir():
        assert PASSWORD not in path.read_text(encoding='utf-8')
        assert path.stat().st_mode & 0o777 == 0o600
    assert pathlib.Path(registry).stat().st_mode & 0o777 == 0o700


def test_reuse_off_loads_the_shell_once_per_run(lab: LabServer, registry: str) -> None:
    for _attempt in range(2):
        Runner(client(lab, registry, session_reuse=False), 'sfb').read(SKYPE, READ)
    assert len(events(lab, 'shell_load')) == 2
    assert len(events(lab, 'powershell_run')) == 2
    assert not events(lab, 'session_request')
    assert not pathlib.Path(registry).exists()


def test_a_session_killed_between_two_tasks_is_replaced(lab: LabServer, registry: str) -> None:
    first = client(lab, registry)
    Runner(first, 'sfb').read(SKYPE, READ)
    (lab.state_dir / KILL_SHELLS_FILE).touch()
    second = client(lab, registry)
    assert Runner(second, 'sfb').read(SKYPE, READ).output('oauth')
    assert second.session['shell_id'] != first.session['shell_id']
    assert second.session['replaced'] and FAULT_SHELL_NOT_FOUND in second.session['replaced']
    assert len(events(lab, 'shell_load')) == 2
    # and the replacement is reused in turn
    third = client(lab, registry)
    Runner(third, 'sfb').read(SKYPE, READ)
    assert third.session == {'shell_id': second.session['shell_id'], 'reused': True, 'replaced': None}


def test_a_shell_the_server_expired_is_replaced(tmp_path_factory: pytest.TempPathFactory, registry: str) -> None:
    server = start_lab(tmp_path_factory, idle_timeout=0.5)
    try:
        first = client(server, registry)
        Runner(first, 'sfb').read(SKYPE, READ)
        time.sleep(1.0)
        second = client(server, registry)
        Runner(second, 'sfb').read(SKYPE, READ)
        assert second.session['shell_id'] != first.session['shell_id'] and second.session['replaced']
        assert len(events(server, 'shell_load')) == 2
    finally:
        server.stop()


def test_two_identities_never_share_a_session(lab: LabServer, registry: str) -> None:
    admin, other = client(lab, registry), client(lab, registry, user='CONTOSO\\labother', password=OTHER_PASSWORD)
    Runner(admin, 'sfb').read(SKYPE, READ)
    Runner(other, 'sfb').read(SKYPE, READ)
    assert admin.session['shell_id'] != other.session['shell_id']
    assert sorted(event['identity'] for event in events(lab, 'shell_load')) == ['CONTOSO\\labadmin', 'CONTOSO\\labother']
    # and the server refuses another user's shell (as not found) even with the right ShellId
    protocol = other._protocol()  # pylint: disable=protected-access
    with pytest.raises(WSManFaultError) as caught:
        protocol.send_command_input(admin.session['shell_id'], 'ABC', b'x', end=False)
    assert str(caught.value.wsman_fault_code) == FAULT_SHELL_NOT_FOUND


def test_check_mode_sends_no_write_through_a_reused_session(lab: LabServer, registry: str) -> None:
    Runner(client(lab, registry), 'sfb').read(SKYPE, READ)
    checked = client(lab, registry)
    with pytest.raises(RequestRefused):
        Runner(checked, 'sfb', check_mode=True).write(SKYPE, WRITE)
    # the PowerShell side checks every request of the loop too: a read request naming a write cmdlet is refused
    request = {'version': 1, 'mode': 'read', 'shell': SKYPE, 'invocations': [i.to_json() for i in WRITE]}
    rc, stdout, stderr = checked.run_in_session(LOOP_PS1, RUNNER_PS1, encode_request(request), SKYPE, 'read')
    assert checked.session['reused']
    response = parse_output(rc, stdout, stderr, 'sfb')
    assert response['error']['stage'] == 'request' and 'Set-CsOAuthConfiguration' in response['error']['message']
    assert not [entry for entry in invocations(lab) if entry['write'] and entry['status'] != 'refused']
    assert len(events(lab, 'shell_load')) == 1


def test_a_write_then_a_read_in_one_session(lab: LabServer, registry: str) -> None:
    task = client(lab, registry)
    runner = Runner(task, 'sfb')
    runner.read(SKYPE, READ)
    runner.write(SKYPE, WRITE + READ)
    assert task.session['reused']
    assert [entry['cmdlet'] for entry in invocations(lab) if entry['write']] == ['Set-CsOAuthConfiguration']
    assert len(events(lab, 'shell_load')) == 1


def test_an_exchange_remote_session_is_opened_once_and_imports_only_new_cmdlets(lab: LabServer, registry: str) -> None:
    shell = {'type': 'exchange_remote', 'connection_uri': None, 'authentication': 'Kerberos',
             'credential': {'username': 'CONTOSO\\labadmin', 'password': PASSWORD}}
    servers = [Invocation('servers', 'Get-ExchangeServer', properties=['Name', 'AdminDisplayVersion'])]
    cas = [Invocation('cas', 'Get-ClientAccessService', alternatives=['Get-ClientAccessServer'], properties=['Name'])]
    first, second = client(lab, registry, host='ex'), client(lab, registry, host='ex')
    assert Runner(first, 'ex').read(shell, servers).output('servers')
    assert Runner(second, 'ex').read(shell, cas).output('cas')
    assert second.session['reused']
    assert [(event['host'], event['shell']) for event in events(lab, 'shell_load')] == [('ex', 'exchange_remote')]
    # the product credential's password is sent in each request, never kept in the registry
    assert all(PASSWORD not in path.read_text(encoding='utf-8') for path in pathlib.Path(registry).iterdir())

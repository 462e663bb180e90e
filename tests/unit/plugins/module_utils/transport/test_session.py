# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Session reuse on the controller (docs/design.md section 8): framing, the private registry, replacement rules."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import ConnectionLost, OptionError, TransportFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, Runner
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm as transport
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm import (
    SessionRegistry,
    WinRMClient,
    find_response,
    frame_request,
    resolve_options,
    session_directory,
)
from winrm.exceptions import WinRMTransportError, WSManFaultError

NONCE = 'a' * 32
OTHER = 'b' * 32
RESULT = 'UCOPS-RESULT:eyJ2ZXJzaW9uIjogMX0='  # {"version": 1}
READ = [Invocation('oauth', 'Get-CsOAuthConfiguration')]
WRITE = [Invocation('set', 'Set-CsOAuthConfiguration', parameters={'Realm': 'x'})]


def options(tmp_path, **overrides):
    values = {'server': 'sfb.contoso.local', 'scheme': 'http', 'transport': 'ntlm', 'username': 'CONTOSO\\admin',
              'password': 'Secret-1', 'session_directory': str(tmp_path / 'sessions')}
    values.update(overrides)
    return resolve_options(values)


def test_frame_and_find_response_ignore_another_requests_half_read_answer():
    assert frame_request(NONCE, b'QUJD') == ('%s QUJD\r\n' % NONCE).encode('ascii')
    text = 'UCOPS-BEGIN:%s\r\nUCOPS-RESULT:old\r\nUCOPS-BEGIN:%s\r\n%s\r\nUCOPS-END:%s\r\n' % (OTHER, NONCE, RESULT, NONCE)
    found, segment = find_response(text, NONCE)
    assert found and 'old' not in segment and RESULT in segment
    assert find_response('UCOPS-BEGIN:%s\r\n%s\r\n' % (NONCE, RESULT), NONCE) == (False, '')
    assert find_response('UCOPS-END:%s\r\n' % OTHER, NONCE) == (False, '')


def test_options_default_to_reuse_and_check_the_idle_time(tmp_path):
    resolved = options(tmp_path)
    assert resolved['session_reuse'] is True and resolved['session_idle_timeout'] == 300
    assert options(tmp_path, session_reuse=False)['session_reuse'] is False
    with pytest.raises(OptionError, match='session_idle_timeout'):
        options(tmp_path, session_idle_timeout=5)


def test_registry_is_private_and_holds_no_secret(tmp_path):
    client = WinRMClient(options(tmp_path))
    directory = session_directory(str(tmp_path / 'sessions'))
    key = client.session_key({'type': 'skype_remote', 'credential': {'username': 'CONTOSO\\p', 'password': 'Product-2'}})
    with SessionRegistry(directory, key) as registry:
        registry.save({'identity': key, 'shell_id': 'S', 'command_id': 'C', 'last_used': 1})
        assert registry.load()['shell_id'] == 'S'
    assert os.stat(directory).st_mode & 0o777 == 0o700
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        assert os.stat(path).st_mode & 0o777 == 0o600
        with open(path, encoding='utf-8') as stream:
            text = stream.read()
        assert 'Secret-1' not in text and 'Product-2' not in text
    # another identity is another record
    other = client.session_key({'type': 'skype_remote', 'credential': {'username': 'CONTOSO\\q'}})
    with SessionRegistry(directory, other) as registry:
        assert registry.load() is None


def test_a_directory_with_loose_permissions_is_made_private(tmp_path):
    path = tmp_path / 'loose'
    path.mkdir(mode=0o755)
    os.chmod(path, 0o755)
    session_directory(str(path))
    assert path.stat().st_mode & 0o777 == 0o700


class FakeProtocol:
    """Shells and loop commands in memory: each request line is answered, or the scripted fault is raised."""

    def __init__(self, fail=None):
        self.shells = {}
        self.fail = fail or {}
        self.sent = []
        self.closed = []
        self.opened = 0

    def open_shell(self, **kwargs):
        self.opened += 1
        shell_id = 'SHELL%d' % self.opened
        self.shells[shell_id] = {'out': b'', 'idle': kwargs.get('idle_timeout')}
        return shell_id

    def run_command(self, shell_id, *args, **kwargs):
        return 'CMD-' + shell_id

    def send_command_input(self, shell_id, command_id, data, end=False):
        if self.fail.pop(('send400', shell_id), None):
            raise WinRMTransportError('http', 400, '')
        if self.fail.pop(('send', shell_id), None) or shell_id not in self.shells:
            raise WSManFaultError(500, 'fault', '', 'shell not found', wsman_fault_code=2150858843)
        self.sent.append((shell_id, data))
        line = data.decode('ascii').rstrip('\r\n').rsplit('\n', 1)[-1]
        nonce = line.split(' ')[0]
        self.shells[shell_id]['out'] += ('UCOPS-BEGIN:%s\r\n%s\r\nUCOPS-END:%s\r\n' % (nonce, RESULT, nonce)).encode('ascii')

    def get_command_output_raw(self, shell_id, command_id):
        if self.fail.pop(('receive', shell_id), None):
            raise WSManFaultError(500, 'fault', '', 'shell not found', wsman_fault_code=2150858843)
        out, self.shells[shell_id]['out'] = self.shells[shell_id]['out'], b''
        return out, b'', 0, False

    def cleanup_command(self, shell_id, command_id):
        pass

    def close_shell(self, shell_id, close_session=True):
        self.closed.append(shell_id)
        self.shells.pop(shell_id, None)


def runner(tmp_path, protocol, check_mode=False):
    client = WinRMClient(options(tmp_path))
    client._protocol = lambda: protocol  # pylint: disable=protected-access
    return Runner(client, 'sfb', check_mode=check_mode), client


def test_second_task_reuses_the_shell_and_an_idle_session_is_replaced(tmp_path):
    protocol = FakeProtocol()
    first, client = runner(tmp_path, protocol)
    first.read({'type': 'skype'}, READ)
    assert client.session == {'shell_id': 'SHELL1', 'reused': False, 'replaced': None}
    assert protocol.shells['SHELL1']['idle'] == 'PT300S'
    second, client = runner(tmp_path, protocol)
    second.read({'type': 'skype'}, READ)
    assert client.session['reused'] and client.session['shell_id'] == 'SHELL1'
    # the runner and the idle line travel only with the first request of a shell
    assert len(protocol.sent[1][1].splitlines()) == 1
    # a session idle longer than its timeout is closed and replaced without being tried
    directory = str(tmp_path / 'sessions')
    (name,) = [n for n in os.listdir(directory) if n.endswith('.json')]
    with open(os.path.join(directory, name), encoding='utf-8') as stream:
        entry = json.load(stream)
    entry['last_used'] = time.time() - 3600
    with open(os.path.join(directory, name), 'w', encoding='utf-8') as stream:
        json.dump(entry, stream)
    third, client = runner(tmp_path, protocol)
    third.read({'type': 'skype'}, READ)
    assert client.session == {'shell_id': 'SHELL2', 'reused': False, 'replaced': 'expired'}
    assert protocol.closed == ['SHELL1']


def test_a_gone_shell_is_replaced_once_and_a_failing_replacement_fails_clearly(tmp_path):
    protocol = FakeProtocol()
    runner(tmp_path, protocol)[0].read({'type': 'skype'}, READ)
    protocol.fail[('send', 'SHELL1')] = True
    task, client = runner(tmp_path, protocol)
    task.read({'type': 'skype'}, READ)
    assert client.session['shell_id'] == 'SHELL2' and '2150858843' in client.session['replaced']
    protocol.fail[('send', 'SHELL2')] = True
    protocol.fail[('receive', 'SHELL3')] = True
    with pytest.raises(TransportFailure, match='replacement failed too'):
        runner(tmp_path, protocol)[0].read({'type': 'skype'}, READ)


def test_a_write_the_shell_received_before_it_died_is_not_sent_again(tmp_path):
    protocol = FakeProtocol()
    runner(tmp_path, protocol)[0].read({'type': 'skype'}, READ)
    protocol.fail[('receive', 'SHELL1')] = True
    task, _client = runner(tmp_path, protocol)
    with pytest.raises(ConnectionLost):
        task.write({'type': 'skype'}, WRITE)
    # sent once (the first task's read, then this write), and the dead shell is not used again
    assert len(protocol.sent) == 2 and protocol.shells == {}


def test_check_mode_refuses_a_write_before_the_session_is_touched(tmp_path):
    protocol = FakeProtocol()
    task, _client = runner(tmp_path, protocol, check_mode=True)
    with pytest.raises(Exception, match='check mode'):
        task.write({'type': 'skype'}, WRITE)
    assert protocol.sent == [] and protocol.shells == {}


def test_without_fcntl_reuse_is_off(tmp_path, monkeypatch):
    monkeypatch.setattr(transport, 'fcntl', None)
    assert options(tmp_path)['session_reuse'] is False


def test_http_400_for_an_idle_shell_is_a_gone_session(tmp_path):
    protocol = FakeProtocol()
    runner(tmp_path, protocol)[0].read({'type': 'skype'}, READ)
    protocol.fail[('send400', 'SHELL1')] = True
    task, client = runner(tmp_path, protocol)
    task.read({'type': 'skype'}, READ)
    assert client.session['shell_id'] == 'SHELL2' and 'HTTP 400' in client.session['replaced']

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runner with what real wires deliver: a byte-order mark before the result, a connection lost after a write was delivered."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    ConnectionFailure,
    ConnectionLost,
    failure_result,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, Runner, parse_output


def frame(data):
    return 'UCOPS-RESULT:' + base64.b64encode(json.dumps(data).encode('utf-8')).decode('ascii')


@pytest.mark.parametrize('stdout', [
    '\ufeff' + frame({'version': 1}) + '\r\n',
    '\ufeff\r\n' + frame({'version': 1}),
    ' \ufeff' + frame({'version': 1}),
    # how the transport decodes EF BB BF at the start of stdout
    (b'\xef\xbb\xbf' + frame({'version': 1}).encode('ascii') + b'\r\n').decode('utf-8', 'replace'),
])
def test_a_utf8_byte_order_mark_before_the_result_line_is_ignored(stdout):
    assert parse_output(0, stdout, '', 'ex01') == {'version': 1}


class LostAfter:
    """A transport double: fails the way WinRMClient does, with ``delivered`` set."""

    def __init__(self, delivered):
        self.delivered = delivered
        self.sent = 0

    def run_powershell(self, bootstrap, stdin):
        self.sent += 1
        error = ConnectionFailure("cannot reach https://ex01:5986/wsman: Remote end closed connection without response", host='ex01')
        error.delivered = self.delivered
        raise error


WRITES = [Invocation('set', 'Set-ClientAccessService', description='Set-ClientAccessService -Identity EX01 (AutoDiscoverServiceInternalUri)'),
          Invocation('after', 'Get-ClientAccessService')]


def test_a_write_delivered_before_the_connection_was_lost_reports_possible_changes():
    runner = Runner(LostAfter(delivered=True), 'ex01')
    with pytest.raises(ConnectionLost) as raised:
        runner.write({'type': 'none'}, WRITES)
    assert raised.value.possible_changes == ['Set-ClientAccessService -Identity EX01 (AutoDiscoverServiceInternalUri)']
    result = failure_result(raised.value)
    assert result['changed'] is True
    assert result['error_kind'] == 'connection_lost'
    assert result['possible_changes'] == ['Set-ClientAccessService -Identity EX01 (AutoDiscoverServiceInternalUri)']
    assert result['msg'].startswith('Connection lost to ex01: cannot reach'), result['msg']
    assert ('The write request was delivered before the connection was lost; these changes may have been applied: '
            'Set-ClientAccessService -Identity EX01 (AutoDiscoverServiceInternalUri)') in result['msg']
    assert 'Cannot connect' not in result['msg']


@pytest.mark.parametrize('mode, delivered', [('write', False), ('read', True), ('read', False)])
def test_reads_and_undelivered_writes_stay_connection_failures(mode, delivered):
    runner = Runner(LostAfter(delivered=delivered), 'ex01')
    invocations = WRITES if mode == 'write' else [Invocation('get', 'Get-ClientAccessService')]
    with pytest.raises(ConnectionFailure) as raised:
        getattr(runner, mode)({'type': 'none'}, invocations)
    result = failure_result(raised.value)
    assert result['error_kind'] == 'connection' and 'changed' not in result and 'possible_changes' not in result

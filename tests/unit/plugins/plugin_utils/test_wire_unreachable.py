# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection failures of a module become an unreachable task result, as ansible-core's winrm connection makes them."""

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.plugin_utils._controller_action import mark_unreachable


@pytest.mark.parametrize('kind', ['connection', 'tls', 'authentication'])
def test_connection_tls_and_credential_failures_are_unreachable(kind):
    result = mark_unreachable({'failed': True, 'msg': 'Cannot connect to ex01: Connection refused', 'error_kind': kind, 'changed': False})
    assert result.get('unreachable') is True
    assert 'failed' not in result  # the strategy checks failed before unreachable
    assert result['msg'] == 'Cannot connect to ex01: Connection refused'


@pytest.mark.parametrize('result', [
    {'failed': True, 'msg': 'm', 'error_kind': 'cmdlet'},
    {'failed': True, 'msg': 'm', 'error_kind': 'option'},
    {'failed': True, 'msg': 'm', 'error_kind': 'transport'},
    {'failed': True, 'msg': 'm', 'error_kind': 'connection_lost', 'changed': True, 'possible_changes': ['Set-X']},
    {'failed': True, 'msg': 'm', 'error_kind': 'connection', 'changed': True, 'possible_changes': ['Set-X']},
    {'changed': True, 'error_kind': 'connection'},
])
def test_other_failures_and_possible_changes_stay_failed(result):
    marked = mark_unreachable(dict(result))
    assert 'unreachable' not in marked and marked.get('failed') == result.get('failed')

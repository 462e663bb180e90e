# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    AuthenticationFailure,
    CmdletFailure,
    OptionError,
    failure_result,
    redact,
)


def test_redact_reaches_nested_values_and_keys():
    data = {'msg': 'pw=S3cret!', 'list': ['x S3cret! y'], 'S3cret!': 1, 'n': 5}
    assert redact(data, ['S3cret!', None]) == {'msg': 'pw=********', 'list': ['x ******** y'], '********': 1, 'n': 5}


def test_failure_result_names_host_and_cause_without_the_password():
    result = failure_result(AuthenticationFailure('user admin with S3cret! rejected', host='ex01'), ['S3cret!'])
    assert result['msg'] == 'Authentication failed for ex01: user admin with ******** rejected'
    assert result['error_kind'] == 'authentication'


def test_failure_result_of_a_cmdlet_failure_reports_changes_already_made():
    error = CmdletFailure('boom', host='ex01', details={'cmdlet': 'Set-ClientAccessService'},
                          changes_made=['Set-ClientAccessService -Identity EX01'])
    result = failure_result(error)
    assert result['changed'] is True
    assert result['changes_made'] == ['Set-ClientAccessService -Identity EX01']
    assert result['msg'].startswith('Set-ClientAccessService failed on ex01: boom')
    assert 'changes already made before the failure: Set-ClientAccessService -Identity EX01' in result['msg']


def test_option_error_message_is_passed_through():
    assert failure_result(OptionError('server is required'))['msg'] == 'server is required'


def test_unexpected_error_is_labelled():
    assert failure_result(RuntimeError('x'))['msg'] == 'Unexpected error: RuntimeError: x'

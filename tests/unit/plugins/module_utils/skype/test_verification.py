# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import verification


def params(**extra):
    return dict({'sip_addresses': ['kenmyer@contoso.com'], 'tests': None, 'delete_item': True, 'binding': None,
                 'storage_service_host': None}, **extra)


def test_plan_adds_sip_prefix_deduplicates_and_always_sends_delete_item():
    planned = verification.plan(params(sip_addresses=['kenmyer@contoso.com', 'SIP:kenmyer@contoso.com'],
                                       tests=['conversation_history', 'archiving', 'notification']))
    assert [(sip, test, inv.cmdlet) for sip, test, inv in planned] == [
        ('sip:kenmyer@contoso.com', 'conversation_history', 'Test-CsExStorageConnectivity'),
        ('sip:kenmyer@contoso.com', 'archiving', 'Test-CsExStorageConnectivity'),
        ('sip:kenmyer@contoso.com', 'notification', 'Test-CsExStorageNotification')]
    assert planned[0][2].parameters == {'SipUri': 'sip:kenmyer@contoso.com', 'DeleteItem': verification.SWITCH}
    assert planned[1][2].parameters['Folder'] == 'Dumpster'
    assert len({inv.key for _sip, _test, inv in planned}) == 3


def test_delete_item_opt_out_and_nettcp_host():
    [(_sip, _test, inv)] = verification.plan(params(delete_item=False, binding='NetTCP', storage_service_host='fe01.contoso.local'))
    assert inv.parameters == {'SipUri': 'sip:kenmyer@contoso.com', 'Binding': 'NetTCP', 'HostNameStorageService': 'fe01.contoso.local'}


@pytest.mark.parametrize('extra, option', [
    ({'sip_addresses': ['kenmyer']}, 'sip_addresses'),
    ({'sip_addresses': []}, 'sip_addresses'),
    ({'binding': 'NetTCP'}, 'storage_service_host'),
    ({'tests': ['mailbox']}, 'tests'),
])
def test_bad_input_is_refused_naming_the_option(extra, option):
    with pytest.raises(OptionError, match=option):
        verification.plan(params(**extra))


@pytest.mark.parametrize('rows, passed', [
    (['Test Passed'], True),  # Microsoft's onpremdiag mock
    (['Test passed.'], True),
    (['Test failed: could not reach Exchange'], False),
    ([], False),  # onpremdiag: no output is not passed
    ([{'Result': 'Success', 'Error': None}], True),
    ([{'Result': 'Failure', 'Error': '10060, A connection attempt failed'}], False),
])
def test_judge_output(rows, passed):
    assert verification.judge_output(rows)[0] is passed


def test_failure_object_message_is_its_error():
    assert verification.judge_output([{'Result': 'Failure', 'Error': 'boom', 'TargetFqdn': 'fe'}]) == (False, 'boom')


@pytest.mark.parametrize('test, message, diagnosis', [
    ('conversation_history', 'The request failed with HTTP status 401: Unauthorized.', 'exchange_rejects_oauth'),
    ('archiving', 'Access Denied.', 'caller_lacks_rtc_role'),
    ('archiving', 'The user is not enabled', 'archiving_not_enabled_or_unknown'),
    ('notification', 'whatever', 'notification_failed'),
    ('conversation_history', 'whatever', 'unknown'),
])
def test_diagnosis(test, message, diagnosis):
    found = verification.diagnose(test, message)
    assert found['id'] == diagnosis and found['fix'] and found['source']


def test_result_of_error_and_failure_message():
    [(sip, test, inv)] = verification.plan(params())
    failed = verification.result_of(sip, test, inv, error={'message': 'HTTP status 401', 'fully_qualified_error_id': 'X,Test'})
    assert (failed['passed'], failed['diagnosis']['id'], failed['item_deleted'], failed['proves']) == (False, 'exchange_rejects_oauth', True, None)
    passed = verification.result_of(sip, test, inv, rows=['Test Passed'])
    assert passed['passed'] and passed['diagnosis'] is None and passed['proves']
    assert verification.failure_message([passed]) is None
    assert verification.failure_message([passed, failed]).startswith('1 of 2 Exchange storage tests failed')


def test_notification_reads_the_result_properties_and_connectivity_its_text():
    planned = verification.plan(params(tests=['conversation_history', 'notification']))
    assert [inv.properties for _sip, _test, inv in planned] == [[], ['TargetFqdn', 'Result', 'Latency', 'Error', 'Diagnosis']]

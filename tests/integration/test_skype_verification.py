# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_exchange_storage_test through ansible and pywinrm against the lab, on every Skype version."""

from __future__ import annotations

import pytest

HOSTS = ['lync2013', 'sfb2015', 'sfb2019', 'sfbse1']
MODULE = 'skype_exchange_storage_test'
KEN = 'sip:kenmyer@contoso.com'
EXCHANGE_METADATA = 'https://ex19.contoso.local/autodiscover/metadata/json/1'
AUTODISCOVER = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'


def _tests_run(lab, since, host):
    return [entry for entry in lab.invocations()[since:] if entry['host'] == host and entry['cmdlet'].startswith('Test-')]


@pytest.mark.parametrize('host', HOSTS)
def test_fails_as_a_result_with_diagnosis_then_passes_once_integrated(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'sip_addresses': ['kenmyer@contoso.com']}, '--check')
    assert rc == 0, output
    result = results[host]
    assert (result['changed'], result['all_passed']) == (False, False)
    [entry] = result['results']
    assert (entry['passed'], entry['diagnosis']['id'], entry['sip_address']) == (False, 'exchange_rejects_oauth', KEN)
    assert '401' in entry['message']
    # nothing but reads reached the lab, and -DeleteItem was sent
    assert not [entry for entry in lab.invocations()[before:] if entry['write']]
    [test] = _tests_run(lab, before, host)
    assert test['cmdlet'] == 'Test-CsExStorageConnectivity' and 'DeleteItem' in test['parameters']
    # the documented Skype side: Exchange partner application and autodiscover URL
    rc, results, output = lab.module(host, 'skype_partner_application', {'metadata_url': EXCHANGE_METADATA})
    assert rc == 0, output
    rc, results, output = lab.module(host, 'skype_oauth_configuration', {'exchange_autodiscover_url': AUTODISCOVER})
    assert rc == 0, output
    rc, results, output = lab.module(host, MODULE, {'sip_addresses': [KEN], 'tests': ['conversation_history', 'notification']})
    assert rc == 0, output
    assert results[host]['all_passed'] is True and results[host]['changed'] is False
    assert [(e['test'], e['passed']) for e in results[host]['results']] == [('conversation_history', True), ('notification', True)]


def test_fail_on_failure_and_a_failing_test_does_not_stop_the_others(lab):
    host = 'sfb2019'
    for module, args in (('skype_partner_application', {'metadata_url': EXCHANGE_METADATA}),
                         ('skype_oauth_configuration', {'exchange_autodiscover_url': AUTODISCOVER})):
        rc, results, output = lab.module(host, module, args)
        assert rc == 0, output
    rc, results, output = lab.module(host, MODULE, {'sip_addresses': [KEN, 'sip:nomailbox@contoso.com'], 'tests': ['conversation_history', 'archiving'],
                                                    'fail_on_failure': True})
    assert rc != 0
    result = results[host]
    # only kenmyer's Conversation History test passes (no archiving for him, no mailbox for the other)
    assert result['msg'].startswith('3 of 4 Exchange storage tests failed')
    assert [(e['sip_address'], e['test'], e['passed']) for e in result['results']] == [
        (KEN, 'conversation_history', True), (KEN, 'archiving', False),
        ('sip:nomailbox@contoso.com', 'conversation_history', False), ('sip:nomailbox@contoso.com', 'archiving', False)]


def test_bad_sip_address_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2015', MODULE, {'sip_addresses': ['kenmyer']})
    assert rc != 0 and 'sip_addresses' in results['sfb2015']['msg']
    assert lab.invocations()[before:] == []

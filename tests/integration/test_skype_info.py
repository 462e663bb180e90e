# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_info's complete read through ansible and pywinrm against the lab, on every Skype version."""

from __future__ import annotations

import pytest

HOSTS = ['lync2013', 'sfb2015', 'sfb2019', 'sfbse1']


@pytest.mark.parametrize('host', HOSTS)
def test_one_request_returns_every_section(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, 'skype_info', {}, '--check')
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is False
    # one request, reads only
    calls = [entry for entry in lab.invocations()[before:] if entry['host'] == host]
    assert calls and not [entry for entry in calls if entry['write']]
    # one request: each key appears once (a second request would repeat them)
    assert [entry['id'] for entry in calls].count('version') == 1
    for key in ('version', 'product', 'support_status', 'pools', 'sites', 'front_ends', 'registrars', 'oauth_configuration',
                'oauth_servers', 'partner_applications', 'trusted_application_pools', 'trusted_applications', 'exchange_online',
                'conversation_history', 'findings'):
        assert key in result, key
    assert result['conversation_history']['available'] is (host != 'lync2013')
    assert result['front_ends'] and result['registrars']
    assert 'oauth_autodiscover_url_missing' in [f['id'] for f in result['findings']]


def test_enterprise_pool_front_ends_and_the_setting_seen_through_the_other_front_end(lab):
    rc, results, output = lab.module('sfbse1', 'skype_oauth_configuration',
                                     {'exchange_autodiscover_url': 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'})
    assert rc == 0, output
    rc, results, output = lab.module('sfbse2', 'skype_info', {})
    assert rc == 0, output
    result = results['sfbse2']
    assert [fe['fqdn'] for fe in result['front_ends']] == ['sfbse1.contoso.local', 'sfbse2.contoso.local']
    assert 'oauth_autodiscover_url_missing' not in [f['id'] for f in result['findings']]

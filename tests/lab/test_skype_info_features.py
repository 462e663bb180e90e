# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_info's one request (plugins/module_utils/skype/info.py) against the lab, and the lab features it reads that no
other feature models: Get-CsOAuthServer (oauth_servers.py), Get-CsConversationHistoryConfiguration and Get-CsClientPolicy
(conversation_history.py)."""

from __future__ import annotations

import pathlib

import pytest

from simulator_support import SKYPE, Simulator, invocation, request
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import info


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def skype_info(sim, host):
    invocations, aliases = info.plan_reads()
    data = sim.run(host, request('read', SKYPE, *[item.to_json() for item in invocations]))
    assert data.get('error') is None, data['error']
    return info.collect(Response(data), aliases)


def set_settings(sim, host, **settings):
    """Host settings (read-only requests persist no state, so the features build theirs from these at each request)."""
    sim.host(host).settings.update(settings)


@pytest.mark.parametrize('host, version, available', [('lync2013', '2013', False), ('sfb2015', '2015', True), ('sfb2019', '2019', True)])
def test_one_request_reads_every_section(sim, host, version, available):
    result = skype_info(sim, host)
    assert (result['version'], result['skype_version']) == (version, version)
    fqdn = sim.host(host).fqdn
    assert result['front_ends'] == [{'fqdn': fqdn, 'pool': fqdn, 'site': result['pools'][0]['site']}]
    assert [(r['identity'], r['director']) for r in result['registrars']] == [('Registrar:%s' % fqdn, False)]
    assert result['oauth_configuration']['service_name'] == '00000004-0000-0ff1-ce00-000000000000'
    assert result['oauth_servers'] == []
    # Lync Server 2013 has no Get-CsConversationHistoryConfiguration: recorded, the one request still completes
    history = result['conversation_history']
    assert history['available'] is available
    assert history['enable_server_conversation_history'] is (False if available else None)
    assert [p['identity'] for p in history['client_policies']] == ['Global']
    assert history['client_policies'][0]['enable_server_conversation_history'] is (False if available else None)
    for key in ('partner_applications', 'trusted_application_pools', 'trusted_applications', 'exchange_online'):
        assert key in result
    ids = [finding['id'] for finding in result['findings']]
    assert 'oauth_autodiscover_url_missing' in ids


@pytest.mark.parametrize('metadata_tenant, expected', [('other', ['oauth_server_metadata_url']), (None, [])])
def test_microsoft_sts_metadata_url_is_checked_as_onpremdiag_does(sim, metadata_tenant, expected):
    tenant = 'eb7a032f-4ef2-4837-a1e8-df024977c231'
    sts = {'identity': 'microsoft.sts', 'realm': tenant, 'issuer_identifier': '00000001-0000-0000-c000-000000000000', 'type': 'Acs',
           'metadata_url': 'https://accounts.accesscontrol.windows.net/%s/metadata/json/1' % (metadata_tenant or tenant)}
    set_settings(sim, 'sfb2019', oauth_servers=[sts])
    result = skype_info(sim, 'sfb2019')
    assert result['oauth_servers'][0]['realm'] == tenant and result['oauth_servers'][0]['type'] == 'Acs'
    assert [f['id'] for f in result['findings'] if f['feature'] == 'oauth_servers'] == expected


def test_conversation_history_enabled_without_client_policy_is_an_info_finding(sim):
    set_settings(sim, 'sfb2015', conversation_history={'enable_server_conversation_history': True})
    result = skype_info(sim, 'sfb2015')
    assert result['conversation_history']['enable_server_conversation_history'] is True
    assert [f['severity'] for f in result['findings'] if f['id'] == 'conversation_history_no_client_policy'] == ['info']


def test_conversation_history_read_error_other_than_missing_cmdlet_is_an_error():
    class Failing:
        host = {'computer_name': 'SFB19'}

        @staticmethod
        def item_errors(key):
            return [{'item': 'Global', 'message': 'Access is denied.', 'fully_qualified_error_id': 'AccessDenied',
                     'category': 'PermissionDenied', 'exception_type': 'System.UnauthorizedAccessException'}]

    with pytest.raises(CmdletFailure, match='Access is denied'):
        info.ConversationHistory.info(Failing())


def test_lab_oauth_server_and_client_policy_reads(sim):
    response = sim.run('lync2013', request('read', SKYPE, invocation('Get-CsOAuthServer', {'Identity': 'microsoft.sts'}, ['Identity'])))
    assert response['error']['fully_qualified_error_id'].startswith('IdentityNotFound')
    response = sim.run('lync2013', request('read', SKYPE, invocation('Get-CsConversationHistoryConfiguration', {}, ['Identity'])))
    assert response['error']['exception_type'] == 'System.Management.Automation.CommandNotFoundException'
    response = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsClientPolicy', {'Identity': 'Global'}, ['Identity', 'EnableIMAutoArchiving'])))
    assert response['results'][0]['output'] == [{'Identity': 'Global', 'EnableIMAutoArchiving': None}]

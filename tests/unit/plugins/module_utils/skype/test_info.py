# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import info, oauth


class FakeResponse:
    def __init__(self, outputs, errors=None):
        self.outputs = outputs
        self.errors = errors or {}
        self.host = {'computer_name': 'FE01', 'ps_version': '5.1'}
        self.shell = {'type': 'skype', 'module': 'SkypeForBusiness'}

    def output(self, key):
        return list(self.outputs.get(key, []))

    def item_errors(self, key):
        return list(self.errors.get(key, []))


def test_plan_reads_runs_each_call_once_and_tolerates_the_cmdlet_lync_2013_lacks():
    invocations, aliases = info.plan_reads()
    oauth_calls = [i for i in invocations if i.cmdlet == 'Get-CsOAuthConfiguration']
    assert [i.key for i in oauth_calls] == ['oauth']
    history = next(i for i in invocations if i.cmdlet == 'Get-CsConversationHistoryConfiguration')
    # it tolerates the missing cmdlet of Lync Server 2013
    assert history.foreach is None and history.tolerate_errors
    assert all(i.cmdlet.split('-')[0] in ('Get', 'Test') for i in invocations)
    assert len({i.key for i in invocations}) == len(invocations)


def test_front_ends_registrars_and_directors_from_pool_services():
    pools = [{'Identity': 'pool01.contoso.com', 'Fqdn': 'pool01.contoso.com', 'Site': 'Site:Redmond',
              'Services': ['Registrar:pool01.contoso.com', 'UserServer:pool01.contoso.com'], 'Computers': ['fe1.contoso.com', 'fe2.contoso.com']},
             {'Identity': 'dir01.contoso.com', 'Fqdn': 'dir01.contoso.com', 'Site': 'Site:Redmond',
              'Services': ['Registrar:dir01.contoso.com'], 'Computers': ['dir1.contoso.com']},
             {'Identity': 'sql01.contoso.com', 'Fqdn': 'sql01.contoso.com', 'Site': 'Site:Redmond',
              'Services': ['UserDatabase:sql01.contoso.com'], 'Computers': ['sql01.contoso.com']}]
    section = info.Deployment.info(FakeResponse({'version': ['Skype for Business Server 2015 (6.0.9319.0): Volume license key installed.'],
                                                 'pools': pools, 'sites': []}))
    assert [fe['fqdn'] for fe in section['front_ends']] == ['fe1.contoso.com', 'fe2.contoso.com']
    assert [(r['identity'], r['director']) for r in section['registrars']] == [
        ('Registrar:pool01.contoso.com', False), ('Registrar:dir01.contoso.com', True)]
    assert (section['version'], section['build'], section['support_status']) == ('2015', '6.0.9319', 'out_of_support')
    assert [f['id'] for f in info.Deployment.info_findings(section)] == ['version_out_of_support']


def test_bare_7x_version_is_an_ambiguity_warning():
    section = info.Deployment.info(FakeResponse({'version': ['7.0.2046.0'], 'pools': [], 'sites': []}))
    assert 'version_ambiguous' in [f['id'] for f in info.Deployment.info_findings(section)]


@pytest.mark.parametrize('url, expected', [
    (None, ['oauth_autodiscover_url_missing']),
    ('https://autodiscover.contoso.com/autodiscover/autodiscover.xml', ['oauth_autodiscover_url_invalid']),
    ('https://autodiscover.contoso.com/autodiscover/autodiscover.svc', []),
])
def test_oauth_findings(url, expected):
    section = oauth.report({'Identity': 'Global', 'ExchangeAutodiscoverUrl': url})
    assert [f['id'] for f in oauth.info_findings(section)] == expected


def test_missing_global_oauth_configuration_is_a_read_error():
    with pytest.raises(OptionError, match='returned nothing'):
        oauth.info(FakeResponse({}))


def test_conversation_history_missing_cmdlet_means_not_available():
    missing = {'item': 'Global', 'message': "The term 'Get-CsConversationHistoryConfiguration' is not recognized",
               'fully_qualified_error_id': 'CommandNotFoundException', 'category': 'ObjectNotFound',
               'exception_type': 'System.Management.Automation.CommandNotFoundException'}
    section = info.ConversationHistory.info(FakeResponse({'client_policies': [{'Identity': 'Global'}]}, {'conversation_history': [missing]}))
    assert (section['available'], section['enable_server_conversation_history']) == (False, None)
    assert info.ConversationHistory.info_findings(section) == []

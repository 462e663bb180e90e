# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import client_access, info, virtual_directories
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, Response, output_of

APP_ID = '6a7c32b5-1f7d-4c4a-9d5e-0f3c2b1a0e9d'
SVC = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'


# the providers of this file's features (the Auth certificate, partner application and OWA ones have their own tests)
MINE = tuple((section, provider) for section, provider in info.PROVIDERS
             if provider in (info.Organization, client_access, virtual_directories, info.AuthServers, info.HybridApplication))


def collect(**outputs):
    """exchange_info's result from a runner response holding every key MINE read, with the given outputs (others empty)."""
    invocations, aliases = info.plan_reads(MINE)
    outputs = dict((aliases.get(key, key), rows) for key, rows in outputs.items())
    response = Response({'host': {'computer_name': 'EX01', 'ps_version': '5.1.17763.1'},
                         'results': [{'id': invocation.key, 'output': outputs.get(invocation.key, []), 'item_errors': []}
                                     for invocation in invocations]})
    return info.collect(response, aliases, MINE)


SERVER_ROWS = [
    {'Name': 'EX01', 'Fqdn': 'ex01.contoso.local', 'AdminDisplayVersion': 'Version 15.2 (Build 2562.17)', 'ServerRole': 'Mailbox',
     'Edition': 'Enterprise', 'Site': 'contoso.local/Configuration/Sites/HQ'},
    {'Name': 'EX13', 'Fqdn': 'ex13.contoso.local', 'AdminDisplayVersion': 'Version 15.0 (Build 1497.2)', 'ServerRole': 'Mailbox, ClientAccess',
     'Edition': 'Standard', 'Site': None},
]


def test_one_request_holds_every_read_once_with_the_servers_first():
    invocations, aliases = info.plan_reads()
    keys = [invocation.key for invocation in invocations]
    assert keys[0] == 'servers' and len(keys) == len(set(keys))
    # reads that other features make too run once, under the first key
    assert aliases == {'auth_servers': 'servers', 'hybrid_auth_servers': 'auth_auth_servers', 'hybrid_configuration': 'auth_hybrid',
                       'hybrid_partner_applications': 'partner_apps', 'hybrid_setting_overrides': 'owa_setting_overrides'}
    assert invocations[0].properties == ['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole', 'Edition', 'Site']
    # the shared constant is not changed by the merge
    assert SERVERS.properties == ['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole']
    for key in ('cas', 'vdir_autodiscover', 'vdir_web_services', 'auth_config', 'partner_apps', 'owa_virtual_directories'):
        assert key in keys
    calls = [(invocation.cmdlet, repr(invocation.parameters), invocation.foreach) for invocation in invocations]
    assert len(calls) == len(set(calls))
    assert all(invocation.cmdlet.startswith('Get-') for invocation in invocations)
    # a foreach read comes after the read it iterates over
    for index, invocation in enumerate(invocations):
        if invocation.foreach:
            assert invocation.foreach[0] in keys[:index]


class _Provider:
    def __init__(self, *reads):
        self.reads = reads
        self.seen = None

    def info_reads(self):
        return list(self.reads)

    def info(self, response):
        self.seen = {read.key: response.output(read.key) for read in self.reads}
        return self.seen


def test_the_same_call_under_two_keys_runs_once_and_both_see_its_rows():
    first = _Provider(Invocation('auth_servers', 'Get-AuthServer', properties=['Name', 'Enabled']))
    second = _Provider(Invocation('hybrid_auth_servers', 'Get-AuthServer', properties=['name', 'Type']))
    invocations, aliases = info.plan_reads([('a', first), ('b', second)])
    assert [(invocation.key, invocation.properties) for invocation in invocations] == [('auth_servers', ['Name', 'Enabled', 'Type'])]
    assert aliases == {'hybrid_auth_servers': 'auth_servers'}
    rows = [{'Name': 'evoSTS', 'Enabled': True, 'Type': 'AzureAD'}]
    result = info.collect(Response({'results': [{'id': 'auth_servers', 'output': rows}]}), aliases, [('a', first), ('b', second)])
    assert result['b'] == {'hybrid_auth_servers': rows} and result['a'] == {'auth_servers': rows}


def test_calls_that_differ_are_not_merged_and_a_key_conflict_is_refused():
    one = _Provider(Invocation('x', 'Get-AuthServer', parameters={'Identity': 'a'}, properties=['Name']))
    two = _Provider(Invocation('y', 'Get-AuthServer', properties=['Name']))
    invocations, aliases = info.plan_reads([('a', one), ('b', two)])
    assert [invocation.key for invocation in invocations] == ['x', 'y'] and aliases == {}
    with pytest.raises(ValueError, match="'x'"):
        info.plan_reads([('a', one), ('b', _Provider(Invocation('x', 'Get-PartnerApplication', properties=['Name'])))])


def test_organization_keeps_the_old_keys_and_adds_build_roles_and_edition():
    result = collect(servers=SERVER_ROWS)
    assert (result['version'], result['exchange_version'], result['product'], result['build'], result['support_status']) == (
        'se', 'se', 'Exchange Server Subscription Edition', '15.2.2562.17', 'supported')
    assert (result['computer_name'], result['powershell_version'], result['end_of_support']) == ('EX01', '5.1.17763.1', None)
    assert result['servers'][1] == {'name': 'EX13', 'fqdn': 'ex13.contoso.local', 'admin_display_version': 'Version 15.0 (Build 1497.2)',
                                    'version': '2013', 'build': '15.0.1497.2', 'server_role': 'Mailbox, ClientAccess',
                                    'roles': ['Mailbox', 'ClientAccess'], 'edition': 'Standard', 'site': None}
    assert result['findings'] == [] and info.warnings(result) == []


def test_an_out_of_support_or_unknown_connected_server_is_a_warned_finding():
    rows = [dict(SERVER_ROWS[1], Name='EX01')]
    result = collect(servers=rows)
    assert result['support_status'] == 'out_of_support'
    assert [finding['id'] for finding in result['findings']] == ['version_out_of_support']
    assert info.warnings(result) == [result['findings'][0]['message']]
    assert 'Exchange Server 2013 left Microsoft support on 2023-04-11' in info.warnings(result)[0]
    result = collect(servers=SERVER_ROWS[1:])
    assert (result['version'], result['build'], result['support_status']) == (None, None, 'unknown')
    assert "Get-ExchangeServer listed no server named EX01" in info.warnings(result)[0]


def test_scp_findings_warn_about_autodiscover_svc_and_report_a_blank_one():
    cas = [{'Name': 'EX01', 'Fqdn': 'ex01.contoso.local', 'AutoDiscoverServiceInternalUri': SVC, 'AutoDiscoverSiteScope': ['HQ']},
           {'Name': 'EX02', 'Fqdn': 'ex02.contoso.local', 'AutoDiscoverServiceInternalUri': None, 'AutoDiscoverSiteScope': None},
           {'Name': 'EX03', 'Fqdn': 'ex03.contoso.local', 'AutoDiscoverServiceInternalUri': 'https://mail.contoso.com/Autodiscover/Autodiscover.xml',
            'AutoDiscoverSiteScope': []}]
    result = collect(servers=SERVER_ROWS, cas=cas)
    assert result['client_access_servers'][0] == {'name': 'EX01', 'fqdn': 'ex01.contoso.local', 'autodiscover_internal_uri': SVC,
                                                  'autodiscover_site_scope': ['HQ']}
    assert [(finding['id'], finding['server']) for finding in result['findings']] == [('scp_autodiscover_svc', 'EX01'), ('scp_blank', 'EX02')]
    warned = info.warnings(result)
    assert len(warned) == 1
    assert 'Set it to https://autodiscover.contoso.com/autodiscover/Autodiscover.xml' in warned[0]


@pytest.mark.parametrize('uri', ['HTTPS://Mail.Contoso.com/AutoDiscover/AUTODISCOVER.SVC', SVC + '/', SVC + '?x=1'])
def test_autodiscover_svc_is_recognised_in_any_case_and_form(uri):
    found = client_access.info_findings([{'name': 'EX01', 'autodiscover_internal_uri': uri}])
    assert [finding['id'] for finding in found] == ['scp_autodiscover_svc']


def test_an_xml_scp_is_fine():
    assert client_access.info_findings([{'name': 'EX01', 'autodiscover_internal_uri': 'https://a.contoso.com/autodiscover/autodiscover.xml'}]) == []


def _auth(type_='AzureAD', enabled=True, app_id=APP_ID, name='EvoSts - tenant'):
    return {'Name': name, 'Type': type_, 'Enabled': enabled, 'ApplicationIdentifier': app_id, 'Realm': 'tenant-id', 'DomainName': ['contoso.com'],
            'AuthMetadataUrl': 'https://login.windows.net/contoso.com/federationmetadata/2007-06/federationmetadata.xml'}


OVERRIDE = {'Name': 'EnableExchangeHybridApp', 'ComponentName': 'Global', 'SectionName': 'ExchangeOnpremAsThirdPartyAppId',
            'Parameters': ['Enabled=true'], 'Reason': 'Created by ConfigureExchangeHybridApplication.ps1', 'Server': None}
EXO = {'Name': 'Exchange Online', 'ApplicationIdentifier': '00000002-0000-0ff1-ce00-000000000000', 'Enabled': True}


@pytest.mark.parametrize('auth, overrides, partners, status, configured, oauth, finding', [
    # HealthChecker: one override and an enabled AzureAD AuthServer whose ApplicationIdentifier matches a GUID
    ([_auth()], [OVERRIDE], [EXO], 'configured', True, True, None),
    ([_auth()], [], [EXO], 'not_configured', False, True, ('hybrid_application_not_configured', 'warning')),
    ([_auth()], [OVERRIDE, dict(OVERRIDE, Name='second')], [EXO], 'multiple_setting_overrides', None, True,
     ('hybrid_application_multiple_setting_overrides', 'error')),
    # the AuthServer HCW creates without the dedicated app has no GUID application identifier
    ([_auth(app_id=None)], [OVERRIDE], [EXO], 'no_valid_auth_server', False, True, ('hybrid_application_no_valid_auth_server', 'error')),
    ([_auth(enabled=False)], [OVERRIDE], [EXO], 'no_valid_auth_server', False, False, None),
    ([_auth(type_='MicrosoftACS')], [OVERRIDE], [EXO], 'no_valid_auth_server', False, True, ('hybrid_application_no_valid_auth_server', 'error')),
    # component and section compare as PowerShell -eq does (case-insensitive)
    ([_auth()], [dict(OVERRIDE, ComponentName='global', SectionName='exchangeonpremasthirdpartyappid')], [EXO], 'configured', True, True, None),
    ([_auth()], [dict(OVERRIDE, SectionName='IMSettings')], [EXO], 'not_configured', False, True, ('hybrid_application_not_configured', 'warning')),
    # no OAuth with Exchange Online (no enabled 00000002 partner application): status reported, nothing flagged
    ([_auth()], [], [dict(EXO, Enabled=False)], 'not_configured', False, False, None),
    ([], [], [], 'not_configured', False, False, None),
])
def test_hybrid_application_as_healthchecker_decides(auth, overrides, partners, status, configured, oauth, finding):
    result = collect(servers=SERVER_ROWS, hybrid_auth_servers=auth, hybrid_setting_overrides=overrides, hybrid_partner_applications=partners)
    section = result['hybrid_application']
    assert (section['status'], section['configured'], section['oauth_with_exchange_online']) == (status, configured, oauth)
    hybrid = [(item['id'], item['severity']) for item in result['findings'] if item['feature'] == 'hybrid_application']
    assert hybrid == ([finding] if finding else [])


def test_hybrid_section_lists_the_matching_objects():
    section = collect(servers=SERVER_ROWS, hybrid_auth_servers=[_auth(), _auth(type_='MicrosoftACS', name='ACS')],
                      hybrid_setting_overrides=[OVERRIDE], hybrid_partner_applications=[EXO])['hybrid_application']
    assert section['auth_servers'] == [{'name': 'EvoSts - tenant', 'application_identifier': APP_ID, 'realm': 'tenant-id', 'domain_name': ['contoso.com']}]
    assert section['setting_overrides'] == [{'name': 'EnableExchangeHybridApp', 'component': 'Global', 'section': 'ExchangeOnpremAsThirdPartyAppId',
                                             'parameters': ['Enabled=true'], 'reason': 'Created by ConfigureExchangeHybridApplication.ps1', 'server': []}]


def test_a_hybrid_configuration_alone_makes_the_organization_hybrid():
    # HealthChecker: Get-HybridConfiguration returning an object is the other hybrid signal
    result = collect(servers=SERVER_ROWS, hybrid_configuration=[{'Name': 'Hybrid Configuration'}])
    section = result['hybrid_application']
    assert (section['hybrid_detected'], section['hybrid_configuration'], section['oauth_with_exchange_online']) == (True, True, False)
    assert [item['id'] for item in result['findings']] == ['hybrid_application_not_configured']
    all_servers = collect(servers=SERVER_ROWS, hybrid_auth_servers=[_auth(enabled=False)])['auth_servers']
    assert [(item['name'], item['type'], item['enabled']) for item in all_servers] == [('EvoSts - tenant', 'AzureAD', False)]


def test_a_key_read_again_after_it_was_merged_stays_merged():
    first = _Provider(Invocation('a_servers', 'Get-AuthServer', properties=['Name']))
    second = _Provider(Invocation('b_servers', 'Get-AuthServer', properties=['Type']))
    third = _Provider(Invocation('b_servers', 'Get-AuthServer', properties=['Realm']))
    invocations, aliases = info.plan_reads([('a', first), ('b', second), ('c', third)])
    assert [(invocation.key, invocation.properties) for invocation in invocations] == [('a_servers', ['Name', 'Type', 'Realm'])]
    assert aliases == {'b_servers': 'a_servers'}


def test_foreach_and_output_of_follow_a_merged_key():
    first = _Provider(Invocation('servers', 'Get-ExchangeServer', properties=['Name']))
    second = _Provider(Invocation('b_servers', 'Get-ExchangeServer', properties=['Fqdn']),
                       Invocation('b_certs', 'Get-ExchangeCertificate', parameters={'Thumbprint': output_of('b_servers', 'Name')},
                                  properties=['Thumbprint'], foreach=('b_servers', 'Name', 'Server'), tolerate_errors=True))
    invocations, aliases = info.plan_reads([('a', first), ('b', second)])
    assert aliases == {'b_servers': 'servers'}
    request = invocations[1].to_json()
    assert request['each'] == {'id': 'servers', 'property': 'Name', 'parameter': 'Server'}
    assert request['parameters'] == {'Thumbprint': {'__ucops_type': 'ref', 'id': 'servers', 'property': 'Name'}}
    # the provider's own invocation is not changed
    assert second.reads[1].foreach == ('b_servers', 'Name', 'Server')

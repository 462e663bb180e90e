# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import virtual_directories
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response


def directory(server, name='EWS (Default Web Site)', **changes):
    row = {'Name': name, 'Identity': '%s\\%s' % (server, name), 'Server': server, 'InternalUrl': 'https://%s/EWS/Exchange.asmx' % server.lower(),
           'ExternalUrl': None, 'InternalAuthenticationMethods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
           'ExternalAuthenticationMethods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'], 'BasicAuthentication': False,
           'DigestAuthentication': False, 'WindowsAuthentication': True, 'OAuthAuthentication': True, 'WSSecurityAuthentication': True,
           '__item': server}
    row.update(changes)
    return row


def response(autodiscover=(), web_services=(), errors=()):
    return Response({'host': {'computer_name': 'EX01'}, 'results': [
        {'id': 'servers', 'output': [{'Name': 'EX01'}, {'Name': 'EX02'}]},
        {'id': 'vdir_autodiscover', 'output': list(autodiscover), 'item_errors': []},
        {'id': 'vdir_web_services', 'output': list(web_services), 'item_errors': list(errors)},
    ]})


def test_reads_each_kind_once_per_server_with_errors_tolerated():
    reads = virtual_directories.info_reads()
    assert reads[0].key == 'servers'
    each = [invocation.to_json() for invocation in reads[1:]]
    assert [(item['id'], item['cmdlet'], item['each'], item['tolerate_errors']) for item in each] == [
        ('vdir_autodiscover', 'Get-AutodiscoverVirtualDirectory', {'id': 'servers', 'property': 'Name', 'parameter': 'Server'}, True),
        ('vdir_web_services', 'Get-WebServicesVirtualDirectory', {'id': 'servers', 'property': 'Name', 'parameter': 'Server'}, True)]
    assert all('OAuthAuthentication' in item['properties'] and item['parameters'] == {} for item in each)


def test_section_is_sorted_by_server_and_keeps_read_errors_as_data():
    error = {'item': 'EX03', 'message': 'metabase unreachable', 'fully_qualified_error_id': 'X,Get'}
    section = virtual_directories.info(response(
        autodiscover=[directory('EX02', 'Autodiscover (Default Web Site)'), directory('ex01', 'Autodiscover (Default Web Site)')],
        web_services=[directory('EX01')], errors=[error]))
    assert [item['server'] for item in section['autodiscover']] == ['ex01', 'EX02']
    assert section['web_services'][0] == {
        'server': 'EX01', 'name': 'EWS (Default Web Site)', 'identity': 'EX01\\EWS (Default Web Site)',
        'internal_url': 'https://ex01/EWS/Exchange.asmx', 'external_url': None,
        'internal_authentication_methods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'external_authentication_methods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'basic_authentication': False, 'digest_authentication': False, 'windows_authentication': True, 'oauth_authentication': True,
        'ws_security_authentication': True}
    assert section['errors'] == [{'kind': 'web_services', 'cmdlet': 'Get-WebServicesVirtualDirectory', 'server': 'EX03',
                                  'message': 'metabase unreachable', 'fully_qualified_error_id': 'X,Get'}]
    found = virtual_directories.info_findings(section)
    assert [(item['id'], item['severity'], item['server']) for item in found] == [('virtual_directory_read_failed', 'error', 'EX03')]
    assert 'Get-WebServicesVirtualDirectory -Server EX03 failed: metabase unreachable' == found[0]['message']


def test_default_directories_raise_no_finding():
    section = virtual_directories.info(response([directory('EX01', 'Autodiscover (Default Web Site)')], [directory('EX01')]))
    assert virtual_directories.info_findings(section) == []


def test_what_freebusychecker_flags():
    section = virtual_directories.info(response(
        autodiscover=[directory('EX01', 'Autodiscover (Default Web Site)', OAuthAuthentication=False, WindowsAuthentication=False,
                                InternalAuthenticationMethods=['Ntlm', 'WindowsIntegrated', 'WSSecurity'])],
        web_services=[directory('EX01', InternalAuthenticationMethods=['Ntlm'], WSSecurityAuthentication=False),
                      # Exchange 2010 has no OAuthAuthentication: null is not "off"
                      directory('EX14', OAuthAuthentication=None, InternalAuthenticationMethods=['Ntlm'])]))
    found = virtual_directories.info_findings(section)
    assert [(item['id'], item['severity'], item['server']) for item in found] == [
        ('autodiscover_oauth_disabled', 'error', 'EX01'), ('autodiscover_windows_authentication_disabled', 'warning', 'EX01'),
        ('web_services_oauth_not_internal', 'warning', 'EX01'), ('web_services_ws_security_disabled', 'warning', 'EX01')]
    assert 'Set-AutodiscoverVirtualDirectory -OAuthAuthentication $true' in found[0]['message']
    assert 'EX01\\Autodiscover (Default Web Site)' in found[0]['message']
    assert all(item['source'].startswith('CSS-Exchange FreeBusyChecker') for item in found)

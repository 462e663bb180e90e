# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""windows_dns_resolution_info: Resolve-DnsName's rows and errors read into verify's answer shape, and the comparison."""

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, build_request
from ansible_collections.ucops.skype_exchange.plugins.modules import windows_dns_resolution_info as mod

NAME = 'autodiscover.contoso.com'
NXDOMAIN = {'item': None, 'message': 'autodiscover.contoso.com : DNS name does not exist',
            'fully_qualified_error_id': 'DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName',
            'category': 'ResourceUnavailable', 'exception_type': 'System.ComponentModel.Win32Exception'}


def cname(owner, target, ttl=3600):
    return {'Name': owner, 'Type': 'CNAME', 'TTL': ttl, 'Section': 'Answer', 'NameHost': target, 'IPAddress': None}


def a(owner, address, rtype='A'):
    return {'Name': owner, 'Type': rtype, 'TTL': 3600, 'Section': 'Answer', 'NameHost': None, 'IPAddress': address}


SOA = {'Name': 'contoso.local', 'Type': 'SOA', 'TTL': 3600, 'Section': 'Authority', 'NameHost': None, 'IPAddress': None}


class FakeRunner:
    def __init__(self, results):
        self.results, self.requests = results, []

    def read(self, shell, invocations):
        self.requests.append((shell, invocations))
        return Response({'host': {'computer_name': 'SFB19'}, 'results': self.results})


class FakeModule:
    host = 'sfb19.contoso.local'

    def __init__(self, results, **params):
        self.params = dict({'name': NAME, 'expected_target': None, 'expected_addresses': [], 'record_types': ['A'],
                            'fail_on_mismatch': True}, **params)
        self.runner = FakeRunner(results)

    def shell(self):
        return {'type': 'none'}


def result(key, rows=(), errors=()):
    return {'id': key, 'cmdlet': 'Resolve-DnsName', 'status': 'ok', 'output': list(rows), 'item_errors': list(errors)}


def test_the_request_is_read_only_local_and_tolerates_errors():
    invocations = mod.reads(NAME, ['A', 'AAAA'])
    request = build_request('read', {'type': 'none'}, invocations)  # RequestRefused if Resolve were not a read verb
    sent = request['invocations']
    assert [(i['cmdlet'], i['parameters']['Type'], i.get('local'), i.get('tolerate_errors')) for i in sent] == [
        ('Resolve-DnsName', 'A', True, True), ('Resolve-DnsName', 'AAAA', True, True)]
    assert sent[0]['parameters']['Name'] == NAME and sent[0]['parameters']['DnsOnly'] == {'__ucops_type': 'switch', 'value': True}


def test_a_cname_chain_is_followed_to_the_canonical_names_addresses():
    rows = [cname(NAME, 'ex13.contoso.local'), a('ex13.contoso.local', '10.0.0.13'), a('other.contoso.local', '10.9.9.9')]
    answer = mod.answer_of(NAME, 'A', rows, [])
    assert answer['status'] == 'ok' and answer['addresses'] == ['10.0.0.13']
    assert answer['chain'] == [{'name': NAME, 'type': 'CNAME', 'target': 'ex13.contoso.local', 'ttl': 3600}]
    assert answer['canonical_name'] == 'ex13.contoso.local'


def test_the_soa_of_a_name_without_the_type_is_nodata():
    assert mod.answer_of('ex13.contoso.local', 'AAAA', [SOA], [])['status'] == 'nodata'


@pytest.mark.parametrize('error_id, status', [
    ('DNS_ERROR_RCODE_NAME_ERROR', 'nxdomain'), ('DNS_ERROR_RCODE_SERVER_FAILURE', 'servfail'), ('DNS_ERROR_RCODE_REFUSED', 'refused'),
    ('DNS_INFO_NO_RECORDS', 'nodata'), ('ERROR_TIMEOUT', 'timeout'), ('WIN32 1234', 'error')])
def test_errors_map_to_statuses_by_their_id(error_id, status):
    error = dict(NXDOMAIN, fully_qualified_error_id=error_id + ',Microsoft.DnsClient.Commands.ResolveDnsName', message='m')
    answer = mod.answer_of(NAME, 'A', [], [error])
    assert (answer['status'], answer['error']) == (status, 'm')


def test_ok_when_the_host_resolves_to_the_expected_target():
    module = FakeModule([result('A', [cname(NAME, 'EX13.contoso.local.'), a('ex13.contoso.local', '10.0.0.13')])],
                        expected_target='ex13.contoso.local')
    got = mod.run(module)
    assert got['ok'] is True and got['findings'] == [] and got['changed'] is False
    view = got['resolvers'][0]
    assert (view['resolver'], view['status'], view['addresses']) == ('SFB19', 'ok', ['10.0.0.13'])
    assert len(module.runner.requests) == 1


def test_a_wrong_target_is_a_finding_naming_the_host():
    module = FakeModule([result('A', [cname(NAME, 'ex16.contoso.local'), a('ex16.contoso.local', '10.0.0.16')])],
                        expected_target='ex13.contoso.local')
    got = mod.run(module)
    assert got['ok'] is False and got['resolvers'][0]['status'] == 'wrong_target'
    assert [(f['id'], f['server']) for f in got['findings']] == [('dns_resolution_wrong_target', 'SFB19')]
    assert 'not to ex13.contoso.local' in got['msg']


def test_expected_addresses_are_compared_per_family():
    module = FakeModule([result('A', [a(NAME, '10.0.0.1')]), result('AAAA', [a(NAME, '2001:db8::1', 'AAAA')])],
                        record_types=['A', 'AAAA'], expected_addresses=['10.0.0.2'])
    got = mod.run(module)
    assert got['resolvers'][0]['status'] == 'wrong_target' and got['resolvers'][0]['addresses'] == ['10.0.0.1', '2001:db8::1']


def test_a_missing_name_is_nxdomain_not_a_failed_request():
    got = mod.run(FakeModule([result('A', errors=[NXDOMAIN])], expected_target='ex13.contoso.local'))
    view = got['resolvers'][0]
    assert (view['status'], view['rcode'], view['error']) == ('nxdomain', 'NXDOMAIN', NXDOMAIN['message'])
    assert got['findings'][0]['id'] == 'dns_resolution_nxdomain' and 'NXDOMAIN' in got['msg']


@pytest.mark.parametrize('params', [{'record_types': []}, {'expected_addresses': ['not-an-ip']}, {'name': 'bad..name'}])
def test_bad_input_fails_before_anything_is_sent(params):
    module = FakeModule([], **params)
    with pytest.raises(OptionError):
        mod.run(module)
    assert module.runner.requests == []

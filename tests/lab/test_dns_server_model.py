# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's DnsServer cmdlets on the Windows DNS server dc01 (lab/products/dns_server.py): records they add are in the zones
the lab DNS server answers from; the errors of a missing zone, a missing name, an existing record and a CNAME collision;
TimeToLive as a TimeSpan; binding against lab/reference/dnsserver.json; other hosts do not have the cmdlets."""

from __future__ import annotations

import pathlib

import dns.resolver
import pytest

from lab.dns import DnsServer, state_source
from simulator_support import SKYPE, SNAPIN, HostSpec, Simulator, invocation, request

NONE = {'type': 'none'}
FORCE = {'__ucops_type': 'switch', 'value': True}
PROPERTIES = ['HostName', 'RecordType', 'TimeToLive.TotalSeconds', 'RecordData.IPv4Address.IPAddressToString', 'RecordData.HostNameAlias']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    sim = Simulator(tmp_path / 'state')
    sim.topology.hosts.append(HostSpec('dc01', 'windows', '2019', 'DC01', 'dc01.contoso.local'))
    return sim


def one(sim, mode, cmdlet, parameters=None, properties=None, host='dc01'):
    return sim.run(host, request(mode, NONE, invocation(cmdlet, parameters, properties)))


def records(sim, name, zone='contoso.com'):
    return one(sim, 'read', 'Get-DnsServerResourceRecord', {'ZoneName': zone, 'Name': name, 'Node': FORCE}, PROPERTIES)


def test_an_a_record_added_resolves_through_the_lab_dns_server(sim, tmp_path):
    added = one(sim, 'write', 'Add-DnsServerResourceRecordA',
                {'ZoneName': 'contoso.com', 'Name': 'mail', 'IPv4Address': ['192.0.2.10', '192.0.2.11'], 'TimeToLive': '00:05:00'})
    assert added['error'] is None
    rows = records(sim, 'mail')['results'][0]['output']
    assert sorted(row['RecordData.IPv4Address.IPAddressToString'] for row in rows) == ['192.0.2.10', '192.0.2.11']
    assert {row['TimeToLive.TotalSeconds'] for row in rows} == {300}
    with DnsServer(state_source(sim.topology, tmp_path / 'state')).start() as server:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = ['127.0.0.1'], server.port
        answer = resolver.resolve('mail.contoso.com', 'A')
        assert sorted(r.address for r in answer) == ['192.0.2.10', '192.0.2.11'] and answer.rrset.ttl == 300


def test_adding_an_existing_record_fails_as_the_dns_server_does(sim):
    again = one(sim, 'write', 'Add-DnsServerResourceRecordA', {'ZoneName': 'contoso.local', 'Name': 'ex13', 'IPv4Address': '127.0.0.1'})
    assert again['error']['fully_qualified_error_id'] == 'WIN32 9711,Add-DnsServerResourceRecordA'
    assert again['error']['message'] == 'Failed to create resource record ex13 in zone contoso.local on server DC01.'
    assert again['error']['category'] == 'ResourceExists'


def test_cname_collisions_in_both_directions(sim):
    # the initial zones hold autodiscover.contoso.com as a CNAME (lab/dns.py initial_zones)
    a_next_to_cname = one(sim, 'write', 'Add-DnsServerResourceRecordA', {'ZoneName': 'contoso.com', 'Name': 'autodiscover', 'IPv4Address': '192.0.2.1'})
    assert a_next_to_cname['error']['fully_qualified_error_id'] == 'WIN32 9708,Add-DnsServerResourceRecordA'
    cname_next_to_a = one(sim, 'write', 'Add-DnsServerResourceRecordCName', {'ZoneName': 'contoso.local', 'Name': 'ex13', 'HostNameAlias': 'x.contoso.local'})
    assert cname_next_to_a['error']['fully_qualified_error_id'] == 'WIN32 9709,Add-DnsServerResourceRecordCName'


def test_missing_zone_and_missing_name(sim):
    zone = one(sim, 'read', 'Get-DnsServerZone', {'Name': 'fabrikam.com'}, ['ZoneName'])
    assert zone['error']['fully_qualified_error_id'] == 'WIN32 9601,Get-DnsServerZone'
    assert zone['error']['message'] == 'The zone fabrikam.com was not found on server DC01.'
    name = records(sim, 'nothere')
    assert name['error']['fully_qualified_error_id'] == 'WIN32 9714,Get-DnsServerResourceRecord'
    assert name['error']['category'] == 'ObjectNotFound'
    zones = one(sim, 'read', 'Get-DnsServerZone', {'Name': 'contoso.com'}, ['ZoneName', 'IsDsIntegrated'])
    assert zones['results'][0]['output'] == [{'ZoneName': 'contoso.com', 'IsDsIntegrated': True}]


def test_node_limits_the_answer_to_the_name(sim):
    one(sim, 'write', 'Add-DnsServerResourceRecordA', {'ZoneName': 'contoso.com', 'Name': 'a.mail', 'IPv4Address': '192.0.2.5'})
    one(sim, 'write', 'Add-DnsServerResourceRecordA', {'ZoneName': 'contoso.com', 'Name': 'mail', 'IPv4Address': '192.0.2.6'})
    wide = one(sim, 'read', 'Get-DnsServerResourceRecord', {'ZoneName': 'contoso.com', 'Name': 'mail'}, ['HostName'])
    assert sorted(row['HostName'] for row in wide['results'][0]['output']) == ['a.mail', 'mail']
    assert [row['HostName'] for row in records(sim, 'mail')['results'][0]['output']] == ['mail']


def test_remove_the_whole_set_or_one_value_and_an_integer_ttl_is_ticks(sim):
    one(sim, 'write', 'Add-DnsServerResourceRecordA',
        {'ZoneName': 'contoso.com', 'Name': 'web', 'IPv4Address': ['192.0.2.1', '192.0.2.2'], 'TimeToLive': 3600})
    # an integer converts to a TimeSpan of that many ticks: 3600 ticks are 0 seconds
    assert {row['TimeToLive.TotalSeconds'] for row in records(sim, 'web')['results'][0]['output']} == {0}
    removed = one(sim, 'write', 'Remove-DnsServerResourceRecord', {'ZoneName': 'contoso.com', 'Name': 'web', 'RRType': 'A',
                                                                   'RecordData': '192.0.2.1', 'Force': FORCE})
    assert removed['error'] is None
    assert [row['RecordData.IPv4Address.IPAddressToString'] for row in records(sim, 'web')['results'][0]['output']] == ['192.0.2.2']
    assert one(sim, 'write', 'Remove-DnsServerResourceRecord', {'ZoneName': 'contoso.com', 'Name': 'web', 'RRType': 'A', 'Force': FORCE})['error'] is None
    assert records(sim, 'web')['error']['fully_qualified_error_id'].startswith('WIN32 9714,')
    bad = one(sim, 'write', 'Remove-DnsServerResourceRecord', {'ZoneName': 'contoso.com', 'Name': 'web', 'RRType': 'Bogus', 'Force': FORCE})
    assert bad['error']['fully_qualified_error_id'] == 'ParameterArgumentValidationError,Remove-DnsServerResourceRecord'


def test_set_record_exists_but_is_not_modelled_and_other_hosts_lack_the_module(sim):
    missing = one(sim, 'write', 'Set-DnsServerResourceRecord', {'ZoneName': 'contoso.com', 'OldInputObject': 'x', 'NewInputObject': 'y'})
    assert missing['error']['exception_type'] == 'UcopsLab.NotImplementedException'
    elsewhere = one(sim, 'read', 'Get-DnsServerZone', {'Name': 'contoso.com'}, ['ZoneName'], host='ex2019')
    assert elsewhere['error']['fully_qualified_error_id'] == 'CommandNotFoundException'


def test_unknown_parameter_is_refused_by_the_binder(sim):
    bad = one(sim, 'write', 'Add-DnsServerResourceRecordA', {'ZoneName': 'contoso.com', 'Name': 'x', 'IPv4Address': '192.0.2.1', 'Ttl': '01:00:00'})
    assert bad['error']['fully_qualified_error_id'] == 'NamedParameterNotFound,Add-DnsServerResourceRecordA'


def test_no_product_shell_loads_on_the_dns_server(sim):
    snapin = sim.run('dc01', request('read', SNAPIN, invocation('Get-ExchangeServer', None, ['Name'])))
    assert snapin['error']['stage'] == 'shell' and 'snap-in' in snapin['error']['message']
    skype = sim.run('dc01', request('read', SKYPE, invocation('Get-CsPool', None, ['Identity'])))
    assert skype['error']['stage'] == 'shell' and 'was not loaded' in skype['error']['message']

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Resolve-DnsName on a lab host (lab/products/windows.py): answers from the lab's zones (lab/dns.py), the product's
errors for a name that does not resolve, and a read-only request may run it."""

from __future__ import annotations

import pathlib

import pytest

from lab import dns as lab_dns
from simulator_support import Simulator, invocation, request

NONE = {'type': 'none'}
PROPERTIES = ['Name', 'Type', 'TTL', 'Section', 'NameHost', 'IPAddress']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def resolve(sim, host, name, rtype='A', tolerate=False, **extra):
    item = dict(invocation('Resolve-DnsName', dict({'Name': name, 'Type': rtype}, **extra), PROPERTIES, ident='a'), local=True)
    if tolerate:
        item['tolerate_errors'] = True
    return sim.run(host, request('read', NONE, item))


@pytest.mark.parametrize('host', ['sfb2019', 'ex2019', 'lync2013'])
def test_a_cname_is_followed_to_the_address_of_the_canonical_name(sim, host):
    response = resolve(sim, host, 'autodiscover.contoso.com', DnsOnly={'__ucops_type': 'switch', 'value': True})
    assert response['error'] is None
    rows = response['results'][0]['output']
    # the lab's autodiscover record: a CNAME to the first Exchange host (lab/dns.py initial_zones)
    assert [(r['Name'], r['Type'], r['Section'], r['NameHost'], r['IPAddress']) for r in rows] == [
        ('autodiscover.contoso.com', 'CNAME', 'Answer', 'ex13.contoso.local', None),
        ('ex13.contoso.local', 'A', 'Answer', None, '127.0.0.1')]
    assert all(r['TTL'] == 3600 for r in rows)


def test_a_name_without_the_type_returns_the_zone_soa_in_the_authority_section(sim):
    rows = resolve(sim, 'sfb2019', 'ex19.contoso.local', 'AAAA')['results'][0]['output']
    assert [(r['Name'], r['Type'], r['Section']) for r in rows] == [('contoso.local', 'SOA', 'Authority')]


def test_a_missing_name_fails_as_the_product_does(sim):
    response = resolve(sim, 'sfb2019', 'nothere.contoso.com')
    assert response['error']['message'] == 'nothere.contoso.com : DNS name does not exist'
    assert response['error']['fully_qualified_error_id'] == 'DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName'
    assert response['error']['category'] == 'ResourceUnavailable'


def test_tolerated_errors_and_faults_of_the_lab_server(sim):
    errors = resolve(sim, 'ex2019', 'nothere.contoso.com', tolerate=True)['results'][0]['item_errors']
    assert [e['fully_qualified_error_id'].split(',')[0] for e in errors] == ['DNS_ERROR_RCODE_NAME_ERROR']
    lab_dns.set_fault(sim.state_dir, 'autodiscover.contoso.com', 'timeout')
    errors = resolve(sim, 'ex2019', 'autodiscover.contoso.com', tolerate=True)['results'][0]['item_errors']
    assert [e['fully_qualified_error_id'].split(',')[0] for e in errors] == ['ERROR_TIMEOUT']


def test_records_edited_in_the_zones_are_what_the_host_resolves(sim):
    # a record changed through the DNS server's data (as windows_dns_record's cmdlets do) is seen at once
    state = sim.engine.store.load()
    zones = lab_dns.ensure_zones(state, sim.topology)
    records = zones['contoso.com']['records']
    records[:] = [r for r in records if r['name'] != 'autodiscover'] + [
        {'name': 'autodiscover', 'type': 'CNAME', 'ttl': 300, 'data': 'ex19.contoso.local.'}]
    sim.engine.store.save(state)
    rows = resolve(sim, 'sfb2019', 'autodiscover.contoso.com')['results'][0]['output']
    assert [(r['Type'], r['NameHost'] or r['IPAddress'], r['TTL']) for r in rows] == [('CNAME', 'ex19.contoso.local', 300), ('A', '127.0.0.1', 3600)]


def test_unmodelled_parameters_and_types_fail_loudly(sim):
    assert 'not implemented' in resolve(sim, 'sfb2019', 'autodiscover.contoso.com', Server=['10.0.0.1'])['error']['message'].lower()
    assert 'not implemented' in resolve(sim, 'sfb2019', 'autodiscover.contoso.com', 'MX')['error']['message'].lower()
    # the binder checks -Type against the RecordType enum
    assert resolve(sim, 'sfb2019', 'autodiscover.contoso.com', 'BOGUS')['error']['fully_qualified_error_id'].startswith('CannotConvertArgument')


def test_a_read_only_request_may_run_resolve_but_no_other_non_read_verb(sim):
    item = dict(invocation('Resolve-DnsName', {'Name': 'autodiscover.contoso.com', 'Type': 'A'}, ['Name'], alternatives=['Restart-Service']),
                local=True)
    response = sim.run('sfb2019', request('read', NONE, item))
    assert response['error']['message'] == 'ucops: a read-only request may not run Restart-Service'

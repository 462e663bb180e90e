# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""autodiscover_dns_info through ansible against the lab's DNS server (real DNS over UDP/TCP on loopback).

The module speaks no WinRM: run against localhost, and against a lab Windows host to show that the task still runs on
the controller and sends nothing to the host.
"""

from __future__ import annotations

import pytest

from lab.dns import DnsServer, free_udp_port, initial_zones, set_fault, static_source
from lab.topology import load_topology

MODULE = 'autodiscover_dns_info'
NAME = 'autodiscover.contoso.com'
TARGET = 'ex13.contoso.local'  # the first Exchange host of lab/topology.yml


@pytest.fixture(scope='module')
def resolver(lab):
    """The lab DNS server as the inventory names it."""
    return lab.inventory['all']['vars']['ucops_lab_dns_server']


@pytest.fixture()
def external_view():
    """A second resolver with another view (split DNS): autodiscover.contoso.com is an A record to a public address."""
    zones = initial_zones(load_topology())
    records = zones['contoso.com']['records']
    records[:] = [r for r in records if r['name'] != 'autodiscover'] + [{'name': 'autodiscover', 'type': 'A', 'ttl': 300, 'data': '203.0.113.25'}]
    with DnsServer(static_source(zones)) as server:
        yield server.endpoint


def test_ok_through_the_lab_resolver(lab, resolver):
    before = len(lab.invocations())
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'Contoso.com', 'resolvers': [resolver], 'expected_target': TARGET,
                                                           'expected_addresses': ['127.0.0.1']})
    assert rc == 0, output
    result = results['localhost']
    assert (result['changed'], result['ok'], result['agreed'], result['name'], result['findings']) == (False, True, True, NAME, [])
    [view] = result['resolvers']
    assert (view['resolver'], view['status'], view['rcode']) == (resolver, 'ok', 'NOERROR')
    assert view['chain'] == [{'name': NAME, 'type': 'CNAME', 'target': TARGET, 'ttl': 3600}]
    assert (view['canonical_name'], view['addresses']) == (TARGET, ['127.0.0.1'])
    assert [(a['type'], a['status']) for a in view['answers']] == [('A', 'ok'), ('AAAA', 'nodata')]
    assert len(lab.invocations()) == before


def test_runs_on_the_controller_for_a_windows_host_in_check_mode(lab, resolver):
    before = len(lab.invocations())
    rc, results, output = lab.module('ex2019', MODULE, {'name': NAME, 'resolvers': [resolver], 'expected_target': TARGET}, '--check')
    assert rc == 0, output
    assert results['ex2019']['ok'] is True and results['ex2019']['changed'] is False
    # no WinRM command reached the host
    assert len(lab.invocations()) == before


def test_wrong_target_fails_and_says_what_was_found(lab, resolver):
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': [resolver], 'expected_target': 'ex19.contoso.local'})
    assert rc != 0, output
    result = results['localhost']
    assert 'localhost | FAILED! =>' in output and result['resolvers'][0]['status'] == 'wrong_target'
    assert result['msg'] == ('%s: resolves to autodiscover.contoso.com CNAME ex13.contoso.local -> 127.0.0.1, not to ex19.contoso.local' % resolver)
    assert [f['id'] for f in result['findings']] == ['autodiscover_dns_wrong_target']


def test_nxdomain_fails_unless_fail_on_mismatch_is_false(lab, resolver):
    args = {'name': 'autodiscover.fabrikam.contoso.com', 'resolvers': [resolver], 'record_types': ['A']}
    rc, results, output = lab.module('localhost', MODULE, args)
    assert rc != 0, output
    assert results['localhost']['resolvers'][0]['status'] == 'nxdomain'
    assert results['localhost']['msg'] == '%s: autodiscover.fabrikam.contoso.com answered NXDOMAIN' % resolver
    rc, results, output = lab.module('localhost', MODULE, dict(args, fail_on_mismatch=False))
    assert rc == 0, output
    result = results['localhost']
    assert (result['ok'], result.get('failed', False)) == (False, False)
    assert result['findings'][0]['id'] == 'autodiscover_dns_nxdomain' and result['findings'][0]['server'] == resolver


def test_record_created_in_the_state_zones_resolves(lab, resolver):
    """The responder answers from state.json's zones: what the Windows DNS model writes there is resolvable at once."""
    from lab.dns import ensure_zones  # pylint: disable=import-outside-toplevel
    from lab.state import StateStore  # pylint: disable=import-outside-toplevel
    store = StateStore(lab.state_dir)
    state = store.load()
    ensure_zones(state, load_topology())['contoso.com']['records'].append(
        {'name': 'autodiscover.sales', 'type': 'CNAME', 'ttl': 600, 'data': 'ex19.contoso.local.'})
    store.save(state)
    rc, results, output = lab.module('localhost', MODULE, {'name': 'autodiscover.sales.contoso.com', 'resolvers': [resolver],
                                                           'expected_target': 'EX19.contoso.local.'})
    assert rc == 0, output
    assert results['localhost']['resolvers'][0]['chain'][0]['target'] == 'ex19.contoso.local'


def test_split_dns_disagreement_names_each_resolver(lab, resolver, external_view):
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': [resolver, external_view], 'record_types': ['A']})
    assert rc != 0, output
    result = results['localhost']
    assert result['agreed'] is False
    assert [v['status'] for v in result['resolvers']] == ['ok', 'ok']
    assert ('the resolvers disagree about autodiscover.contoso.com (split DNS?): %s answered autodiscover.contoso.com CNAME '
            'ex13.contoso.local -> 127.0.0.1; %s answered autodiscover.contoso.com -> 203.0.113.25' % (resolver, external_view)) in result['msg']
    # with the expected target, the external view is also the wrong target
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': [resolver, external_view],
                                                           'expected_target': TARGET, 'fail_on_mismatch': False})
    assert rc == 0, output
    assert [v['status'] for v in results['localhost']['resolvers']] == ['ok', 'wrong_target']


def test_timeout_against_a_closed_port_and_servfail(lab, resolver):
    closed = '127.0.0.1:%d' % free_udp_port()
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': [closed], 'timeout': 0.5, 'record_types': ['A']})
    assert rc != 0, output
    view = results['localhost']['resolvers'][0]
    assert (view['resolver'], view['status'], view['rcode']) == (closed, 'timeout', None)
    set_fault(lab.state_dir, NAME, 'servfail')
    try:
        rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': [resolver]})
    finally:
        set_fault(lab.state_dir, NAME, None)
    assert rc != 0, output
    assert results['localhost']['resolvers'][0]['status'] == 'servfail'
    assert results['localhost']['findings'][0]['id'] == 'autodiscover_dns_servfail'


def test_bad_options_fail_before_any_query(lab):
    rc, results, output = lab.module('localhost', MODULE, {'domain': 'contoso.com', 'resolvers': ['dns.contoso.com']})
    assert rc != 0, output
    assert results['localhost']['error_kind'] == 'option'
    assert "resolvers: 'dns.contoso.com' is not an IP address" in results['localhost']['msg']
    rc, results, output = lab.module('localhost', MODULE, {'resolvers': ['127.0.0.1']})
    assert rc != 0 and 'one of the following is required: name, domain' in results['localhost']['msg'], output

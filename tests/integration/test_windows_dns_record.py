# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""windows_dns_record through ansible and pywinrm against the lab's Windows DNS server dc01 (Windows Server 2019, the
DnsServer cmdlets), and the record it creates resolved with dnspython through the lab DNS server (real DNS on loopback)."""

from __future__ import annotations

import json

import dns.resolver
import pytest

MODULE = 'windows_dns_record'
HOST = 'dc01'  # the only Windows DNS server of lab/topology.yml (group dns_servers)


@pytest.fixture(scope='module')
def resolver(lab):
    address, port = lab.inventory['all']['vars']['ucops_lab_dns_server'].rsplit(':', 1)
    found = dns.resolver.Resolver(configure=False)
    found.nameservers, found.port, found.lifetime = [address], int(port), 5
    return found


def writes(lab, before):
    return [entry for entry in lab.invocations()[before:] if entry['write']]


def run(lab, args, *extra):
    rc, results, output = lab.module(HOST, MODULE, args, *extra)
    assert HOST in results, output
    return rc, results[HOST], output


PLAYBOOK = """- hosts: dc01
  gather_facts: false
  tasks:
    - name: the module
      ucops.skype_exchange.windows_dns_record: %s
      register: outcome
      run_once: true
    - name: save its result
      ansible.builtin.copy:
        content: "{{ outcome | to_json }}"
        dest: %s
      delegate_to: localhost
      check_mode: false
      diff: false
"""


def play(lab, tmp_path, args, *flags):
    """The module in a playbook (the oneline callback drops ``diff``): its registered result."""
    dest = tmp_path / 'result.json'
    path = tmp_path / 'play.yml'
    path.write_text(PLAYBOOK % (json.dumps(args), dest))
    rc, output = lab.playbook(path, *flags)
    assert rc == 0, output
    return json.loads(dest.read_text())


def test_dc01_is_in_the_dns_servers_group(lab):
    assert HOST in lab.inventory['all']['children']['dns_servers']['hosts']


def test_create_a_record_check_mode_then_idempotent_and_resolvable(lab, resolver, tmp_path):
    args = {'zone': 'contoso.com', 'name': 'mail', 'type': 'A', 'value': ['192.0.2.10', '192.0.2.11'], 'ttl': 300}
    before = len(lab.invocations())
    result = play(lab, tmp_path, args, '--check', '--diff')
    assert result['changed'] is True and writes(lab, before) == []
    assert result['diff']['before'] == {'records': []}
    assert result['diff']['after'] == {'records': [{'name': 'mail.contoso.com.', 'type': 'A', 'value': ['192.0.2.10', '192.0.2.11'], 'ttl': 300}]}
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve('mail.contoso.com', 'A')
    rc, result, output = run(lab, args)
    assert rc == 0, output
    assert result['changed'] is True
    assert result['records'] == [{'name': 'mail.contoso.com.', 'type': 'A', 'value': ['192.0.2.10', '192.0.2.11'], 'ttl': 300}]
    assert [e['cmdlet'] for e in writes(lab, before)] == ['Add-DnsServerResourceRecordA']
    answer = resolver.resolve('mail.contoso.com', 'A')
    assert sorted(r.address for r in answer) == ['192.0.2.10', '192.0.2.11'] and answer.rrset.ttl == 300
    before = len(lab.invocations())
    rc, result, output = run(lab, args)
    assert rc == 0 and result['changed'] is False and writes(lab, before) == [], output


def test_replace_the_autodiscover_cname_only_when_allowed_then_resolve(lab, resolver, tmp_path):
    # the lab's initial zones hold autodiscover.contoso.com as a CNAME to ex13.contoso.local (lab/dns.py)
    args = {'zone': 'contoso.com', 'name': 'autodiscover', 'type': 'A', 'value': ['192.0.2.25']}
    before = len(lab.invocations())
    rc, result, output = run(lab, args)
    assert rc != 0 and 'replace_other_type' in result['msg'] and writes(lab, before) == [], output
    result = play(lab, tmp_path, dict(args, replace_other_type=True), '--diff')
    assert result['changed'] is True
    assert result['diff']['before']['records'][0]['type'] == 'CNAME'
    assert [(e['cmdlet'], e['status']) for e in writes(lab, before)] == [('Remove-DnsServerResourceRecord', 'ok'),
                                                                         ('Add-DnsServerResourceRecordA', 'ok')]
    answer = resolver.resolve('autodiscover.contoso.com', 'A')
    assert [r.address for r in answer] == ['192.0.2.25'] and answer.rrset.ttl == 3600
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve('autodiscover.contoso.com', 'CNAME')


def test_cname_ttl_change_and_removal(lab, resolver):
    args = {'zone': 'contoso.com', 'name': 'owa.contoso.com', 'type': 'CNAME', 'value': ['EX19.contoso.local']}
    rc, result, output = run(lab, args)
    assert rc == 0 and result['changed'] is True, output
    assert resolver.resolve('owa.contoso.com', 'CNAME')[0].target.to_text() == 'ex19.contoso.local.'
    rc, result, output = run(lab, dict(args, ttl=120))
    assert rc == 0 and result['changed'] is True and result['records'][0]['ttl'] == 120, output
    assert resolver.resolve('owa.contoso.com', 'CNAME').rrset.ttl == 120
    rc, result, output = run(lab, {'zone': 'contoso.com', 'name': 'owa', 'type': 'CNAME', 'state': 'absent'})
    assert rc == 0 and result['changed'] is True and result['records'] == [], output
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve('owa.contoso.com', 'CNAME')
    rc, result, output = run(lab, {'zone': 'contoso.com', 'name': 'owa', 'type': 'CNAME', 'state': 'absent'})
    assert rc == 0 and result['changed'] is False, output


def test_missing_zone_fails_and_bad_input_sends_nothing(lab):
    rc, result, output = run(lab, {'zone': 'fabrikam.com', 'name': 'autodiscover', 'type': 'A', 'value': ['192.0.2.1']})
    assert rc != 0 and 'The zone fabrikam.com was not found on server DC01.' in result['msg'], output
    before = len(lab.invocations())
    rc, result, output = run(lab, {'zone': 'contoso.com', 'name': 'x', 'type': 'A', 'value': ['mail.contoso.com']})
    assert rc != 0 and 'not an IPv4 address' in result['msg'] and len(lab.invocations()) == before, output

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_exchange_online through ansible and pywinrm against the lab, on every Skype version (Lync Server 2013 to SE)."""

from __future__ import annotations

import pytest

from integration_support import started_lab

HOSTS = ['lync2013', 'sfb2015', 'sfb2019', 'sfbse1']
WRITES = ('Set-', 'New-', 'Remove-')


def writes_since(lab, before, host=None):
    return [(i['host'], i['cmdlet'], i['parameters']) for i in lab.invocations()[before:]
            if i['cmdlet'].startswith(WRITES) and (host is None or i['host'] == host)]


def test_diff_mode_shows_before_and_after(lab, tmp_path):
    # the oneline callback of lab.module drops the diff: a playbook with the default callback prints it
    playbook = tmp_path / 'exo.yml'
    playbook.write_text('- hosts: lync2013\n  gather_facts: false\n  tasks:\n'
                        '    - ucops.skype_exchange.skype_exchange_online:\n      run_once: true\n')
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook, '--check', '--diff')
    assert rc == 0, output
    lines = [' '.join(line.split()) for line in output.splitlines()]
    assert '- "allow_federated_users": false,' in lines, output
    assert '+ "allow_federated_users": true,' in lines, output
    assert '- "exists": false,' in lines and '+ "exists": true,' in lines, output
    assert '+ "proxy_fqdn": "exap.um.outlook.com",' in lines, output
    assert writes_since(lab, before) == []


@pytest.mark.parametrize('host', HOSTS)
def test_check_apply_idempotent_recreate_and_remove(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, 'skype_exchange_online', {}, '--check')
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is True and len(result['changes']) == 2
    assert result['hosting_provider']['exists'] is True and result['hosting_provider']['proxy_fqdn'] == 'exap.um.outlook.com'
    assert writes_since(lab, before) == [], 'check mode sent a write'

    rc, results, output = lab.module(host, 'skype_exchange_online', {})
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is True
    assert [(cmdlet, parameters) for _h, cmdlet, parameters in writes_since(lab, before, host)] == [
        ('Set-CsAccessEdgeConfiguration', {'Identity': 'Global', 'AllowFederatedUsers': True}),
        ('New-CsHostingProvider', {'Identity': 'Exchange Online', 'Enabled': True, 'EnabledSharedAddressSpace': True, 'HostsOCSUsers': False,
                                   'IsLocal': False, 'ProxyFqdn': 'exap.um.outlook.com', 'VerificationLevel': 'UseSourceVerification'})]
    assert result['hosting_provider'] == {
        'identity': 'Exchange Online', 'exists': True, 'proxy_fqdn': 'exap.um.outlook.com', 'cloud': 'worldwide', 'enabled': True,
        'enabled_shared_address_space': True, 'hosts_ocs_users': False, 'is_local': False, 'verification_level': 'UseSourceVerification'}
    assert result['access_edge'] == {'identity': 'Global', 'allow_federated_users': True}
    assert result['replication'] and all(replica['up_to_date'] is True for replica in result['replication'])
    found = [item['id'] for item in result['findings']]
    assert 'no_edge_server' in found and 'manual_step' in found
    assert result['oauth_values'] == ([] if host == 'lync2013' else [dict(result['oauth_values'][0], value='00000004-0000-0ff1-ce00-000000000000')])

    middle = len(lab.invocations())
    rc, results, output = lab.module(host, 'skype_exchange_online', {})
    assert rc == 0 and results[host]['changed'] is False, output
    assert writes_since(lab, middle) == []

    # another cloud: ProxyFqdn cannot be modified, so the provider is removed and created again
    rc, results, output = lab.module(host, 'skype_exchange_online', {'cloud': 'gcc_high'})
    assert rc == 0, output
    assert [cmdlet for _h, cmdlet, _p in writes_since(lab, middle)] == ['Remove-CsHostingProvider', 'New-CsHostingProvider']
    assert results[host]['hosting_provider']['proxy_fqdn'] == 'exap.um.office365.us'

    rc, results, output = lab.module(host, 'skype_exchange_online', {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is True, output
    assert results[host]['hosting_provider']['exists'] is False
    assert results[host]['access_edge']['allow_federated_users'] is True
    rc, results, output = lab.module(host, 'skype_exchange_online', {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is False, output


def test_a_global_setting_written_through_one_front_end_is_seen_through_the_other(lab):
    before = len(lab.invocations())
    for host, changed in (('sfbse1', True), ('sfbse2', False)):
        rc, results, output = lab.module(host, 'skype_exchange_online', {'cloud': '21vianet'})
        assert rc == 0, output
        assert results[host]['changed'] is changed
        assert results[host]['hosting_provider']['proxy_fqdn'] == 'exap.um.partner.outlook.cn'
    assert {h for h, _c, _p in writes_since(lab, before)} == {'sfbse1'}
    assert [r['replica_fqdn'] for r in results['sfbse2']['replication']] == ['sfbse1.contoso.local', 'sfbse2.contoso.local']
    rc, results, output = lab.module('sfbse2', 'skype_exchange_online', {'state': 'absent'})
    assert rc == 0 and results['sfbse2']['changed'] is True, output


def test_skype_for_business_online_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2019', 'skype_exchange_online', {'cloud': 'skype_for_business_online'})
    assert rc != 0
    assert 'Skype for Business Online was retired on 2021-07-31' in results['sfb2019']['msg']
    assert 'Teams' in results['sfb2019']['msg']
    assert lab.invocations()[before:] == []


@pytest.fixture(scope='module', name='edge_lab')
def edge_lab_fixture(tmp_path_factory):
    """sfb2019 with an Edge Server whose replica is stale, and the Skype for Business Online hybrid provider."""
    yield from started_lab(tmp_path_factory, {'sfb2019': {
        'pools': [{'fqdn': 'edge01.contoso.local', 'services': ['EdgeServer:edge01.contoso.local']}],
        'stale_replicas': ['edge01.contoso.local'],
        'hosting_providers': [{'Identity': 'Office365', 'ProxyFqdn': 'sipfed.online.lync.com', 'Enabled': True,
                               'EnabledSharedAddressSpace': True, 'HostsOCSUsers': True, 'VerificationLevel': 'UseSourceVerification'}]}})


def test_stale_edge_replica_is_a_finding_and_the_skype_online_provider_is_left_alone(edge_lab):
    lab = edge_lab
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2019', 'skype_exchange_online', {'hosting_provider_identity': 'Office365'})
    assert rc != 0 and 'it is the Skype for Business Online (hybrid) provider' in results['sfb2019']['msg'], output
    assert writes_since(lab, before) == []

    rc, results, output = lab.module('sfb2019', 'skype_exchange_online', {}, '--check')
    assert rc == 0, output
    findings = dict((item['id'], item) for item in results['sfb2019']['findings'])
    assert 'no_edge_server' not in findings
    assert findings['replica_not_up_to_date']['server'] == 'edge01.contoso.local'
    assert findings['replica_not_up_to_date']['severity'] == 'warning'
    assert 'skype_online_hosting_provider' in findings
    assert 'Replica edge01.contoso.local of the Central Management store is not up to date' in output
    assert writes_since(lab, before) == []

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_trusted_application through ansible and pywinrm against the lab, on every Skype for Business / Lync version."""

from __future__ import annotations

import json

import pytest

MODULE = 'skype_trusted_application'
# host -> (deployment key, Registrar pool FQDN) of the lab topology (lab/topology.yml)
HOSTS = {'lync2013': ('lync2013', 'lync13.contoso.local'), 'sfb2015': ('sfb2015', 'sfb15.contoso.local'),
         'sfb2019': ('sfb2019', 'sfb19.contoso.local'), 'sfbse1': ('sfbse', 'sfbpool.contoso.local')}
VERSIONS = {'lync2013': '2013', 'sfb2015': '2015', 'sfb2019': '2019', 'sfbse1': 'se'}


def writes(lab, since, host=None):
    return [entry['cmdlet'] for entry in lab.invocations()[since:] if entry['write'] and (host is None or entry['host'] == host)]


def deployment(lab, key, change=None):
    """The lab's deployment state of ``key``; ``change(deployment)`` edits it."""
    path = lab.state_dir / 'state.json'
    state = json.loads(path.read_text(encoding='utf-8'))
    found = state['skype'][key]
    if change is not None:
        change(found)
        path.write_text(json.dumps(state), encoding='utf-8')
    return found


@pytest.mark.parametrize('host', list(HOSTS))
def test_check_mode_then_create_then_idempotent_then_port_then_absent(lab, host):
    key, registrar = HOSTS[host]
    owa = 'owa-%s.contoso.com' % host
    args = {'pool_fqdn': owa, 'registrar': registrar}

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, args, '--check', '--diff')
    assert rc == 0, output
    result = results[host]
    assert (result['changed'], result['topology_enabled'], result['skype_version']) == (True, True, VERSIONS[host]), output
    assert result['changes'] == [
        'New-CsTrustedApplicationPool -Identity %s -Registrar %s -Site 1 -RequiresReplication $false' % (owa, registrar),
        'New-CsTrustedApplication -ApplicationId OutlookWebApp -TrustedApplicationPoolFqdn %s -Port 5199' % owa]
    assert writes(lab, before) == []

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, args)
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before) == ['New-CsTrustedApplicationPool', 'New-CsTrustedApplication', 'Enable-CsTopology']
    pool = results[host]['trusted_application_pool']
    assert (pool['identity'], pool['site'], pool['registrar'], pool['requires_replication'], pool['throttle_as_server'],
            pool['treat_as_authenticated']) == ('TrustedApplicationPool:' + owa, 'Site:Site1', 'Registrar:' + registrar, False, True, True)
    assert results[host]['trusted_application'] == {'identity': owa + '/urn:application:OutlookWebApp',
                                                    'application_id': 'urn:application:OutlookWebApp', 'port': 5199}
    published = deployment(lab, key)['topology_publication']
    assert published['pending'] is False and published['enabled'] >= 1

    # idempotent: nothing written, Enable-CsTopology not run
    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, dict(args, site='Site1', application_id='outlookwebapp'))
    assert rc == 0 and results[host]['changed'] is False and results[host]['topology_enabled'] is False, output
    assert writes(lab, before) == []

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, dict(args, application_port=5200))
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before) == ['Set-CsTrustedApplication', 'Enable-CsTopology']
    assert results[host]['trusted_application']['port'] == 5200

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'pool_fqdn': owa, 'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before) == ['Remove-CsTrustedApplicationPool', 'Enable-CsTopology']
    assert results[host]['trusted_application_pool'] is None
    assert not [p for p in deployment(lab, key)['trusted_application_pools'] if p['fqdn'] == owa]
    rc, results, output = lab.module(host, MODULE, {'pool_fqdn': owa, 'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is False, output


def test_diff_mode_shows_before_and_after(lab, tmp_path):
    args = {'pool_fqdn': 'owa-diff.contoso.com', 'registrar': 'sfb19.contoso.local'}
    rc, results, output = lab.module('sfb2019', MODULE, args)
    assert rc == 0, output
    playbook = tmp_path / 'diff.yml'
    playbook.write_text('- hosts: sfb2019\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.%s:\n'
                        '        pool_fqdn: owa-diff.contoso.com\n        registrar: sfb19.contoso.local\n'
                        '        application_port: 5300\n        requires_replication: true\n' % MODULE)
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook, '--check', '--diff')
    assert rc == 0, output
    lines = [' '.join(line.split()) for line in output.splitlines()]
    assert '- "port": 5199' in lines and '+ "port": 5300' in lines, output
    assert '- "requires_replication": false,' in lines and '+ "requires_replication": true,' in lines, output
    assert writes(lab, before) == []


def test_the_other_front_end_of_the_deployment_sees_the_pool(lab):
    args = {'pool_fqdn': 'owa-shared.contoso.com', 'registrar': 'sfbpool.contoso.local'}
    rc, results, output = lab.module('sfbse1', MODULE, args)
    assert rc == 0 and results['sfbse1']['changed'] is True, output
    before = len(lab.invocations())
    rc, results, output = lab.module('sfbse2', MODULE, args)
    assert rc == 0 and results['sfbse2']['changed'] is False, output
    assert writes(lab, before) == []


def test_bad_input_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2019', MODULE, {'pool_fqdn': 'owa.contoso.com', 'application_id': 'Outlook Web App'})
    assert rc != 0 and 'application_id must be one word without spaces' in results['sfb2019']['msg'], output
    assert lab.invocations()[before:] == []
    # found wrong by the read: refused before any write
    for args, fragment in (({'registrar': 'nowhere.contoso.local'}, 'is not a Registrar pool of this topology'),
                           ({'registrar': 'sfb19.contoso.local', 'site': 'Paris'}, 'site Paris is not a site of this topology'),
                           ({}, 'registrar is required to create')):
        before = len(lab.invocations())
        rc, results, output = lab.module('sfb2019', MODULE, dict(args, pool_fqdn='owa.contoso.com'))
        assert rc != 0 and fragment in results['sfb2019']['msg'], output
        assert lab.invocations()[before:] and writes(lab, before) == []


def test_a_new_site_recreates_the_pool_and_its_application(lab):
    args = {'pool_fqdn': 'owa-move.contoso.com', 'registrar': 'sfb15.contoso.local'}
    rc, results, output = lab.module('sfb2015', MODULE, args)
    assert rc == 0 and results['sfb2015']['trusted_application_pool']['site'] == 'Site:Site1', output
    # a second site in the deployment the first run created
    deployment(lab, 'sfb2015', lambda found: found['sites'].append({'name': 'Dublin', 'site_id': 2}))
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2015', MODULE, dict(args, site='Dublin'))
    assert rc == 0 and results['sfb2015']['changed'] is True, output
    assert writes(lab, before) == ['Remove-CsTrustedApplicationPool', 'New-CsTrustedApplicationPool', 'New-CsTrustedApplication',
                                   'Enable-CsTopology']
    new = [entry for entry in lab.invocations()[before:] if entry['cmdlet'] == 'New-CsTrustedApplicationPool'][0]
    assert new['parameters']['Site'] == '2'
    assert results['sfb2015']['trusted_application_pool']['site'] == 'Site:Dublin'
    assert results['sfb2015']['trusted_application']['port'] == 5199


def test_other_applications_of_the_pool_are_kept_and_their_ports_refused(lab, tmp_path):
    owa = 'owa-busy.contoso.com'
    args = {'pool_fqdn': owa, 'registrar': 'sfb19.contoso.local'}
    rc, results, output = lab.module('sfb2019', MODULE, args)
    assert rc == 0, output
    deployment(lab, 'sfb2019', lambda found: found['trusted_applications'].append({'pool': owa, 'application_id': 'Other', 'port': 6000}))
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2019', MODULE, dict(args, application_port=6000))
    assert rc != 0 and 'application_port 6000 is already used by %s/urn:application:Other' % owa in results['sfb2019']['msg'], output
    assert writes(lab, before) == []
    # a playbook: the default callback prints the warnings (the oneline one does not)
    playbook = tmp_path / 'absent.yml'
    playbook.write_text('- hosts: sfb2019\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.%s:\n'
                        '        pool_fqdn: %s\n        state: absent\n' % (MODULE, owa))
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook)
    assert rc == 0, output
    assert writes(lab, before) == ['Remove-CsTrustedApplication', 'Enable-CsTopology']
    assert [p['fqdn'] for p in deployment(lab, 'sfb2019')['trusted_application_pools'] if p['fqdn'] == owa] == [owa]
    assert [a['application_id'] for a in deployment(lab, 'sfb2019')['trusted_applications'] if a['pool'] == owa] == ['Other']
    assert 'Trusted application pool %s is kept: it still holds %s/urn:application:Other.' % (owa, owa) in ' '.join(output.split()), output

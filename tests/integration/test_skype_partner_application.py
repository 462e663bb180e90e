# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_partner_application through ansible and pywinrm against the lab, on every Skype for Business / Lync version."""

from __future__ import annotations

import json

import pytest

from integration_support import recap

MODULE = 'skype_partner_application'
# the SIP-domain autodiscover name (SFB-PARTNER's form); the lab serves the metadata for it while an Exchange host exists
URL = 'https://autodiscover.contoso.com/autodiscover/metadata/json/1'
SERVER_URL = 'https://ex16.contoso.local/autodiscover/metadata/json/1'
EXCHANGE_ID = '00000002-0000-0ff1-ce00-000000000000'
# deployment key of each host (lab/topology.yml: a host's name unless settings.deployment says otherwise)
HOSTS = {'lync2013': 'lync2013', 'sfb2015': 'sfb2015', 'sfb2019': 'sfb2019', 'sfbse1': 'sfbse'}
VERSIONS = {'lync2013': '2013', 'sfb2015': '2015', 'sfb2019': '2019', 'sfbse1': 'se'}


def writes(lab, since, host=None):
    return [entry['cmdlet'] for entry in lab.invocations()[since:] if entry['write'] and (host is None or entry['host'] == host)]


def apps_state(lab, deployment, change=None):
    """The partner applications of a lab deployment; ``change(apps)`` edits them in the state file."""
    path = lab.state_dir / 'state.json'
    if not path.exists() and change is None:
        return {}  # nothing written yet (the lab saves its state on the first change)
    state = json.loads(path.read_text(encoding='utf-8'))
    apps = state['skype'].get(deployment, {}).get('partner_applications', {})
    if change is not None:
        change(apps)
        path.write_text(json.dumps(state), encoding='utf-8')
    return apps


@pytest.mark.parametrize('host', sorted(HOSTS))
def test_check_mode_then_create_then_idempotent_then_absent(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'metadata_url': URL}, '--check', '--diff')
    assert rc == 0, output
    assert results[host]['changed'] is True
    assert results[host]['changes'] == ['New-CsPartnerApplication -Identity microsoft.exchange -ApplicationTrustLevel Full -MetadataUrl %s' % URL]
    assert writes(lab, before) == [] and apps_state(lab, HOSTS[host]) == {}

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'metadata_url': URL}, '--diff')
    assert rc == 0, output
    assert writes(lab, before) == ['New-CsPartnerApplication']
    report = results[host]['partner_application']
    assert (report['identity'], report['application_identifier'], report['application_trust_level'], report['enabled'],
            report['metadata_url'], report['use_oauth_server']) == ('microsoft.exchange', EXCHANGE_ID, 'Full', True, URL, False)
    assert results[host]['skype_version'] == VERSIONS[host]

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'metadata_url': URL}, '--diff')
    assert rc == 0 and results[host]['changed'] is False, output
    assert writes(lab, before) == []

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'state': 'absent'}, '--diff')
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before) == ['Remove-CsPartnerApplication'] and apps_state(lab, HOSTS[host]) == {}
    rc, results, output = lab.module(host, MODULE, {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is False and results[host]['partner_application'] is None, output


def test_written_through_one_front_end_it_is_seen_through_the_other(lab):
    rc, results, output = lab.module('sfbse1', MODULE, {'metadata_url': URL, 'enabled': False})
    assert rc == 0 and results['sfbse1']['changed'] is True, output
    before = len(lab.invocations())
    rc, results, output = lab.module('sfbse2', MODULE, {'metadata_url': URL, 'enabled': False})
    assert rc == 0 and results['sfbse2']['changed'] is False, output
    assert results['sfbse2']['partner_application']['enabled'] is False
    assert writes(lab, before) == []
    rc, results, output = lab.module('sfbse2', MODULE, {'state': 'absent'})
    assert rc == 0 and results['sfbse2']['changed'] is True, output


def test_an_application_of_another_name_is_adopted_and_its_url_changed_in_place(lab, tmp_path):
    host = 'sfb2015'
    rc, results, output = lab.module(host, MODULE, {'metadata_url': URL, 'name': 'Exchange', 'application_trust_level': 'User'})
    assert rc == 0, output

    # a playbook, not ad hoc: the oneline callback does not print warnings
    playbook = tmp_path / 'adopt.yml'
    playbook.write_text('- hosts: %s\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.%s:\n        metadata_url: %s\n'
                        % (host, MODULE, SERVER_URL))
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook)
    assert rc == 0 and recap(output)[host]['changed'] == 1, output
    assert 'Partner application Exchange already trusts Exchange' in ' '.join(output.split())
    sent = [entry for entry in lab.invocations()[before:] if entry['write']]
    assert [entry['cmdlet'] for entry in sent] == ['Set-CsPartnerApplication']
    assert sent[0]['parameters']['Identity'] == 'Exchange' and sent[0]['parameters']['MetadataUrl'] == SERVER_URL
    assert list(apps_state(lab, 'sfb2015')) == ['exchange']

    rc, results, output = lab.module(host, MODULE, {'metadata_url': SERVER_URL})
    assert rc == 0 and results[host]['changed'] is False, output
    report = results[host]['partner_application']
    assert (report['identity'], report['metadata_url'], report['application_trust_level']) == ('Exchange', SERVER_URL, 'Full')


def test_a_metadata_url_skype_cannot_download_fails_with_the_checks(lab):
    host = 'lync2013'
    url = 'https://mail.fabrikam.com/autodiscover/metadata/json/1'
    rc, results, output = lab.module(host, MODULE, {'metadata_url': url})
    assert rc != 0
    message = results[host]['msg']
    assert message.startswith('New-CsPartnerApplication failed on ')
    assert 'The metadata document could not be downloaded from the URL in the MetadataUrl parameter' in message
    for check in ('DNS: mail.fabrikam.com resolves', 'trusts the certificate Exchange presents for mail.fabrikam.com',
                  'Exchange answers over https from the Front End'):
        assert check in message
    assert results[host]['error']['fully_qualified_error_id'].startswith('ParameterBindingFailed')
    assert apps_state(lab, 'lync2013') == {}


def test_an_exchange_online_application_is_left_alone_and_blocks_a_duplicate(lab):
    host = 'sfb2019'
    online = {'identity': 'microsoft.exchange', 'application_identifier': EXCHANGE_ID, 'realm': None, 'application_trust_level': 'Full',
              'enabled': True, 'accept_security_identifier_information': False, 'metadata_url': None, 'use_oauth_server': True}
    # an application the module made, turned into what SFB-HYBRID-S2S's -UseOAuthServer makes
    rc, results, output = lab.module(host, MODULE, {'metadata_url': URL})
    assert rc == 0, output
    apps_state(lab, 'sfb2019', lambda apps: apps.update({'microsoft.exchange': online}))
    before = len(lab.invocations())
    for args in ({'metadata_url': URL}, {'metadata_url': URL, 'name': 'exchange-onprem'}):
        rc, results, output = lab.module(host, MODULE, args)
        assert rc != 0 and results[host]['error_kind'] == 'option', output
    rc, results, output = lab.module(host, MODULE, {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is False, output
    assert writes(lab, before) == []
    assert apps_state(lab, 'sfb2019') == {'microsoft.exchange': online}
    apps_state(lab, 'sfb2019', lambda apps: apps.clear())


def test_bad_input_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    for args in ({}, {'metadata_url': 'http://autodiscover.contoso.com/autodiscover/metadata/json/1'},
                 {'metadata_url': 'https://sfb19.contoso.local/metadata/json/1'}, {'metadata_url': URL, 'name': 'a/b'}):
        rc, results, output = lab.module('sfb2019', MODULE, args)
        assert rc != 0 and results['sfb2019']['error_kind'] == 'option', output
    assert lab.invocations()[before:] == []

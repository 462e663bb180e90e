# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_oauth_certificate through pywinrm against the lab on every Skype version: audit, assignment of the Default
certificate (idempotent, check mode sends no write, diff), a scheduled roll-over with a date, the Front Ends compared
across hosts (sfbse1 with sfbse2), and certificates that break a rule refused before any write."""

from __future__ import annotations

import datetime
import json

import pytest

from integration_support import started_lab

HOSTS = ('lync2013', 'sfb2015', 'sfb2019', 'sfbse1')
MODULE = 'skype_oauth_certificate'


def _writes(lab, since=0):
    return [entry for entry in lab.invocations()[since:] if entry['write']]


def _errors(result):
    return sorted(item['id'] for item in result['findings'] if item['severity'] == 'error')


def _diff_output(lab, tmp_path, host, args, *extra):
    """The task's diff as the default callback prints it (the oneline callback prints none)."""
    playbook = tmp_path / 'diff.yml'
    lines = ''.join('        %s: %s\n' % item for item in args.items())
    playbook.write_text('- hosts: %s\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.%s:\n%s' % (host, MODULE, lines))
    rc, output = lab.playbook(playbook, '--diff', *extra)
    assert rc == 0, output
    return output


@pytest.mark.parametrize('host', HOSTS)
def test_audit_then_assign_default_certificate(lab, tmp_path, host):
    rc, results, output = lab.module(host, MODULE, {})
    assert rc == 0, output
    audit = results[host]
    assert audit['changed'] is False and audit['oauth_certificate'] is None
    assert 'not_assigned' in _errors(audit)
    assert audit['sip_domain'] == 'contoso.com'
    default = audit['default_certificate']
    assert default and len(default) == 40

    # check mode: the change is reported (with the diff), no write reaches the lab
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'use_default_certificate': True}, '--check')
    assert rc == 0, output
    assert results[host]['changed'] is True and results[host]['thumbprint'] == default
    output = _diff_output(lab, tmp_path, host, {'use_default_certificate': 'true'}, '--check')
    assert '-    "thumbprint": null' in output and '+    "thumbprint": "%s"' % default in output, output
    assert _writes(lab, since) == []

    rc, results, output = lab.module(host, MODULE, {'use_default_certificate': True})
    assert rc == 0, output
    done = results[host]
    assert done['changed'] is True
    assert done['changes'] == ['Set-CsCertificate -Identity Global -Type OAuthTokenIssuer -Thumbprint %s' % default]
    assert done['oauth_certificate']['thumbprint'] == default
    assert done['oauth_certificate']['key_size'] == 2048 and done['oauth_certificate']['sip_domain_in_subject'] is True
    assert done['oauth_certificate']['exportable'] is True and done['oauth_certificate']['in_store'] is True
    assert _errors(done) == []
    writes = _writes(lab, since)
    assert [(entry['cmdlet'], entry['parameters']['Identity'], entry['parameters']['Type'], entry['parameters']['Thumbprint'])
            for entry in writes] == [('Set-CsCertificate', 'Global', ['OAuthTokenIssuer'], default)]

    # idempotent by thumbprint (case and spaces do not count)
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'thumbprint': default.lower()})
    assert rc == 0, output
    assert results[host]['changed'] is False and results[host]['changes'] == []
    assert _writes(lab, since) == []


def test_global_assignment_is_seen_through_the_other_front_end(lab):
    rc, results, output = lab.module('sfbse1', MODULE, {'use_default_certificate': True})
    assert rc == 0, output
    thumbprint = results['sfbse1']['oauth_certificate']['thumbprint']
    rc, results, output = lab.module('sfbse2', MODULE, {'front_ends': ['sfbse1', 'sfbse2']})
    assert rc == 0, output
    seen = results['sfbse2']
    # replicated: sfbse2 shows it and its store holds it (the global assignment copies it); both Front Ends read
    assert seen['oauth_certificate']['thumbprint'] == thumbprint and seen['oauth_certificate']['in_store'] is True
    assert sorted((item['name'], item['oauth_thumbprint'], item['in_store']) for item in seen['front_ends']) == \
        [('SFBSE1', thumbprint, True), ('SFBSE2', thumbprint, True)]
    assert _errors(seen) == []


def _spare(lab, fqdn):
    """The thumbprint of the lab's spare certificate in a Front End's store (lab state)."""
    state = json.loads((lab.state_dir / 'state.json').read_text())
    for deployment in state['skype'].values():
        found = deployment.get('certificates') or {}
        for thumbprint in (found.get('stores') or {}).get(fqdn, []):
            if found['certs'][thumbprint]['friendly_name'] == 'spare':
                return thumbprint
    raise AssertionError('no spare certificate on %s' % fqdn)


@pytest.fixture(scope='module')
def staged_lab(tmp_path_factory):
    """sfbse2 shows another OAuthTokenIssuer (a stale replica); sfbse1's Default certificate has a CNG key and its store a
    spare certificate; sfb2015's Default certificate has a 1024-bit key, lync2013's is not exportable, sfb2019's has the
    SIP domain only in the SAN."""
    yield from started_lab(tmp_path_factory, {
        'sfbse1': {'oauth_certificate': {'default_key_storage': 'cng', 'spare': True}},
        'sfbse2': {'oauth_certificate': {'different': True}},
        'sfb2015': {'oauth_certificate': {'default_key_size': 1024}},
        'lync2013': {'oauth_certificate': {'default_exportable': False}},
        'sfb2019': {'oauth_certificate': {'default_sip_domain_in': 'san'}},
    })


def test_mismatch_names_the_servers_and_thumbprints_and_cng_exportability_is_unknown(staged_lab):
    lab = staged_lab
    rc, results, output = lab.module('sfbse1', MODULE, {'use_default_certificate': True, 'front_ends': ['sfbse1', 'sfbse2']})
    assert rc == 0, output
    result = results['sfbse1']
    mine = result['oauth_certificate']['thumbprint']
    theirs = [item['oauth_thumbprint'] for item in result['front_ends'] if item['name'] == 'SFBSE2'][0]
    assert theirs and theirs != mine
    mismatch = [item for item in result['findings'] if item['id'] == 'front_end_mismatch']
    assert len(mismatch) == 1 and mismatch[0]['severity'] == 'error'
    assert 'SFBSE1: %s' % mine in mismatch[0]['message'] and 'SFBSE2: %s' % theirs in mismatch[0]['message']
    assert 'SFBSE2: %s' % theirs in output  # also a warning
    # a CNG key: exportability unknown, reported as a warning finding, not guessed
    assert result['oauth_certificate']['exportable'] is None
    unknown = [item for item in result['findings'] if item['id'] == 'exportability_unknown']
    assert [item['severity'] for item in unknown] == ['warning']


@pytest.mark.parametrize('host, rule', [('sfb2015', 'at least 2048 bits'), ('lync2013', 'not exportable'),
                                        ('sfb2019', 'only in the Subject Alternative Names')])
def test_a_certificate_that_breaks_a_rule_is_refused_before_any_write(staged_lab, host, rule):
    lab = staged_lab
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'use_default_certificate': True})
    assert rc != 0, output
    message = results[host]['msg']
    assert rule in message and '[rule: ' in message and 'Nothing was changed' in message, message
    assert _writes(lab, since) == []


def test_roll_over_with_an_effective_date(staged_lab):
    lab = staged_lab
    spare = _spare(lab, 'sfbse1.contoso.local')
    since = len(lab.invocations())
    rc, results, output = lab.module('sfbse1', MODULE, {'thumbprint': spare, 'effective_date': '7/1/2027'})
    assert rc != 0 and 'locale-formatted' in results['sfbse1']['msg']
    rc, results, output = lab.module('sfbse1', MODULE, {'thumbprint': spare, 'effective_date': '-5'})
    assert rc != 0 and 'not in the future' in results['sfbse1']['msg']
    # the current certificate (sfbse1's Default) expires 2030-01-01: a date less than 24 hours before is refused with the rule
    rc, results, output = lab.module('sfbse1', MODULE, {'thumbprint': spare, 'effective_date': '2029-12-31T12:00:00Z'})
    assert rc != 0 and 'less than 24 hours before' in results['sfbse1']['msg'] and '[rule: SFB-ROLL' in results['sfbse1']['msg']
    assert _writes(lab, since) == []

    rc, results, output = lab.module('sfbse1', MODULE, {'thumbprint': spare, 'effective_date': '72'})
    assert rc == 0, output
    result = results['sfbse1']
    writes = _writes(lab, since)
    assert [entry['cmdlet'] for entry in writes] == ['Set-CsCertificate']
    parameters = writes[0]['parameters']
    # a date, never locale text: the runner's DateTime value, with -Roll
    assert parameters['Roll'] == {'__ucops_type': 'switch', 'value': True}
    assert parameters['EffectiveDate']['__ucops_type'] == 'datetime' and parameters['EffectiveDate']['value'] == result['effective_date']
    sent = datetime.datetime.fromisoformat(result['effective_date'].replace('Z', '+00:00'))
    assert datetime.timedelta(hours=71) < sent - datetime.datetime.now(datetime.timezone.utc) <= datetime.timedelta(hours=72)
    oauth = result['oauth_certificate']
    assert oauth['thumbprint'] == spare and oauth['effective_date'] == result['effective_date']
    assert oauth['previous_thumbprint'] is not None and oauth['previous_thumbprint'] != spare
    assert 'roll_pending' in [item['id'] for item in result['findings']]
    # idempotent: the same thumbprint staged again is no change
    rc, results, output = lab.module('sfbse1', MODULE, {'thumbprint': spare, 'effective_date': '72'})
    assert rc == 0 and results['sfbse1']['changed'] is False, output

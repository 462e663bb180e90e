# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""exchange_auth_certificate through ansible and pywinrm against the lab, on every Exchange version.

The lab runs the default topology plus ``settings.auth_certificate`` (lab/products/exchange/auth.py) on three hosts:
ex2013 healthy; ex2016 expiring in 30 days and missing on a second server EX16B; ex2019 hybrid; exse expired (its
certificate objects carry RawData only). The default topology keeps the Exchange hosts without settings (other tests
rely on it), so this module starts its own lab from a derived topology file.
"""

from __future__ import annotations

import pytest

from integration_support import started_lab

MODULE = 'exchange_auth_certificate'
HOSTS = ('ex2013', 'ex2016', 'ex2019', 'exse')


SETTINGS = {
    'ex2016': {'servers': [{'name': 'EX16B', 'version': '2016'}], 'auth_certificate': {'days_left': 30, 'missing_on': ['EX16B']}},
    'ex2019': {'auth_certificate': {'hybrid': True}},
    'exse': {'auth_certificate': {'days_left': -3}},
}


@pytest.fixture(scope='module', name='lab')
def lab_fixture(tmp_path_factory):
    """A lab of its own, from the default topology with the Auth certificate settings above."""
    yield from started_lab(tmp_path_factory, SETTINGS)


def _writes(lab, since):
    return [entry for entry in lab.invocations()[since:] if entry['write']]


def _transport(result):
    # (server, thumbprint): the services are unknown while objects carry RawData only (exse before the replacement)
    return [(item['server'], item['thumbprint'], item['is_auth_certificate']) for item in result['transport']]


def _error_codes(result):
    return sorted(item['code'] for item in result['findings'] if item['severity'] == 'error')


@pytest.mark.parametrize('host', HOSTS)
def test_audit_reports_public_data_presence_and_sends_no_write(lab, host):
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {})
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is False and result['action'] is None
    current = result['current']
    # parsed from RawData with cryptography on every version, also where the objects carry RawData only (exse)
    assert current['source'] == 'raw_data'
    assert (current['subject'], current['key_type'], current['key_size']) == ('CN=Microsoft Exchange Server Auth Certificate', 'RSA', 2048)
    assert len(current['thumbprint']) == 40 and current['signature_hash'] == 'sha256'
    assert result['exchange_version'] == {'ex2013': '2013', 'ex2016': '2016', 'ex2019': '2019', 'exse': 'se'}[host]
    assert _writes(lab, since) == []


def test_audit_findings_follow_the_lab_state(lab):
    rc, results, output = lab.module('ex2013:ex2016:ex2019:exse', MODULE, {})
    assert rc == 0, output
    assert _error_codes(results['ex2013']) == [] and results['ex2013']['current']['days_left'] > 365
    ex16 = results['ex2016']
    assert ex16['current']['present_on'] == ['EX16'] and ex16['current']['missing_on'] == ['EX16B']
    assert _error_codes(ex16) == ['current_missing_on_server']
    assert 'current_expiring' in [item['code'] for item in ex16['findings']] and ex16['replace_required'] is True
    assert results['ex2019']['hybrid']['detected'] is True and results['ex2019']['hybrid']['dedicated_hybrid_application']
    exse = results['exse']
    assert exse['current']['expired'] is True and _error_codes(exse) == ['current_expired']
    assert exse['current']['friendly_name'] is None  # RawData only: the listed properties are gone


@pytest.mark.parametrize('host', ('ex2013', 'ex2019'))
def test_stage_in_check_mode_sends_no_write_and_shows_the_diff(lab, host):
    since = len(lab.invocations())
    args = {'action': 'stage', 'renew_current_days': 100000, 'allow_hybrid': True}
    rc, results, output = lab.module(host, MODULE, args, '--check', '--diff')
    assert rc == 0, output
    assert results[host]['changed'] is True and results[host]['action'] == 'stage'
    assert _writes(lab, since) == []


def test_stage_is_refused_in_hybrid_without_allow_hybrid_before_any_write(lab):
    since = len(lab.invocations())
    rc, results, output = lab.module('ex2019', MODULE, {'action': 'stage', 'renew_current_days': 100000})
    assert rc != 0
    assert 'Hybrid deployment detected' in results['ex2019']['msg'] and 'allow_hybrid' in results['ex2019']['msg']
    assert _writes(lab, since) == []


def test_short_effective_date_is_refused_before_anything_is_sent(lab):
    since = len(lab.invocations())
    rc, results, output = lab.module('ex2013', MODULE, {'action': 'stage', 'effective_date': '24'})
    assert rc != 0 and 'less than 48 hours' in results['ex2013']['msg']
    assert lab.invocations()[since:] == []


@pytest.mark.parametrize('host', ('ex2013', 'ex2019'))
def test_stage_keeps_the_transport_certificate_and_is_idempotent(lab, host):
    args = {'action': 'stage', 'renew_current_days': 100000, 'effective_date': '72', 'allow_hybrid': True}
    rc, results, output = lab.module(host, MODULE, {})
    transport_before = _transport(results[host])
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, args)
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is True and result['action'] == 'stage'
    assert result['next']['thumbprint'] == result['new_thumbprint'] != result['current']['thumbprint']
    assert sorted(result['next']['present_on']) == result['servers'] and result['next']['key_size'] == 2048
    # the SMTP certificate is the same after the unattended creation (New-ExchangeCertificate -Force took it over)
    assert _transport(result) == transport_before
    cmdlets = [entry['cmdlet'] for entry in _writes(lab, since)]
    assert cmdlets == ['New-ExchangeCertificate', 'Enable-ExchangeCertificate', 'Set-AuthConfig']
    new = [entry for entry in lab.invocations()[since:] if entry['cmdlet'] == 'New-ExchangeCertificate'][0]
    assert new['parameters']['Force'] is True or new['parameters']['Force'] == {'__ucops_type': 'switch', 'value': True}
    rc, results, output = lab.module(host, MODULE, args)
    assert rc == 0, output
    assert results[host]['changed'] is False and results[host]['next']['thumbprint'] == result['new_thumbprint']


@pytest.mark.parametrize('host', ('ex2016', 'exse'))
def test_replace_fixes_a_missing_or_expired_certificate_restarts_when_allowed_and_is_idempotent(lab, host):
    rc, results, output = lab.module(host, MODULE, {})
    old = results[host]['current']['thumbprint']
    transport_before = _transport(results[host])
    since = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'action': 'replace', 'allow_restarts': True}, '--diff')
    assert rc == 0, output
    result = results[host]
    assert result['changed'] is True and result['current']['thumbprint'] == result['new_thumbprint'] != old
    assert result['previous'] is None and result['next'] is None
    assert sorted(result['current']['present_on']) == result['servers'] and result['current']['missing_on'] == []
    assert _transport(result) == transport_before
    assert _error_codes(result) == []
    if host == 'exse':
        # the degraded objects: the new thumbprint came from RawData and Set-AuthConfig went in a second request
        assert len(set(entry['request'] for entry in _writes(lab, since))) == 2
    writes = [(entry['cmdlet'], entry['parameters'].get('Name')) for entry in _writes(lab, since)]
    assert ('Restart-Service', ['MSExchangeServiceHost']) in writes
    assert ('Restart-WebAppPool', 'MSExchangeOWAAppPool') in writes and ('Restart-WebAppPool', 'MSExchangeECPAppPool') in writes
    rc, results, output = lab.module(host, MODULE, {'action': 'replace', 'allow_restarts': True})
    assert rc == 0, output
    assert results[host]['changed'] is False

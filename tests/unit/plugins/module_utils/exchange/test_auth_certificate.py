# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Auth certificate read, validation, findings and plan, on fake runner responses holding real certificates."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import auth_certificate as ac
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, build_request

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)
KEYS = {}


def make_der(cn='Microsoft Exchange Server Auth Certificate', days_left=1000, key_size=2048):
    if key_size not in KEYS:
        KEYS[key_size] = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    key = KEYS[key_size]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    not_after = NOW + datetime.timedelta(days=days_left)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_after - datetime.timedelta(days=1825))
            .not_valid_after(not_after).sign(key, hashes.SHA256()))
    return cert.public_bytes(Encoding.DER)


def tp(der):
    return hashlib.sha1(der).hexdigest().upper()


def row(der, server, degraded=False, services='SMTP'):
    if degraded:
        return {'Thumbprint': None, 'Subject': None, 'NotAfter': None, 'Services': None, 'RawData': list(der), '__item': server}
    return {'Thumbprint': tp(der), 'Subject': 'CN=x', 'NotAfter': None, 'FriendlyName': 'Microsoft Exchange Server Auth Certificate',
            'Services': services, 'RawData': list(der), '__item': server}


def missing(server, thumb):
    return {'item': server, 'message': 'A special Rpc error occurs on server %s: The certificate with thumbprint %s was not found.'
            % (server, thumb), 'exception_type': 'System.Management.Automation.RemoteException'}


def response(current=None, nxt=None, effective=None, current_on=('EX1', 'EX2'), next_on=('EX1', 'EX2'), unreachable=(),
             hybrid=False, auth_servers=(), transport=None, degraded=False, servers=None):
    servers = servers or [{'Name': 'EX1', 'AdminDisplayVersion': 'Version 15.2 (Build 1544.4)', 'ServerRole': 'Mailbox'},
                          {'Name': 'EX2', 'AdminDisplayVersion': 'Version 15.2 (Build 1544.4)', 'ServerRole': 'Mailbox'}]
    names = [s['Name'] for s in servers]
    transport_der = make_der('EX1', 2000)
    transport = transport if transport is not None else [{'Name': name, 'InternalTransportCertificateThumbprint': tp(transport_der)
                                                          if name == 'EX1' else 'AA' * 20} for name in names]

    def result(key, der, on):
        if der is None:
            return {'id': key, 'status': 'ok', 'output': [], 'item_errors': [missing(n, '') for n in names]}
        output = [row(der, n, degraded) for n in names if n in on and n not in unreachable]
        errors = [missing(n, tp(der)) for n in names if n not in on and n not in unreachable]
        errors += [{'item': n, 'message': 'The RPC server is unavailable.', 'exception_type': 'RemoteException'} for n in unreachable]
        return {'id': key, 'status': 'ok', 'output': output, 'item_errors': errors}

    results = [
        {'id': 'auth_servers', 'status': 'ok', 'output': servers},
        {'id': 'auth_config', 'status': 'ok', 'output': [{
            'CurrentCertificateThumbprint': tp(current) if current else None, 'NextCertificateThumbprint': tp(nxt) if nxt else None,
            'PreviousCertificateThumbprint': None, 'NextCertificateEffectiveDate': effective, 'ServiceName': ac.SERVICE_NAME}]},
        result('auth_current', current, current_on), result('auth_next', nxt, next_on), result('auth_previous', None, ()),
        {'id': 'auth_transport', 'status': 'ok', 'output': transport},
        {'id': 'auth_transport_certificates', 'status': 'ok',
         'output': [dict(row(transport_der, tp(transport_der), degraded, 'IMAP, POP, IIS, SMTP'))]},
        {'id': 'auth_auth_servers', 'status': 'ok', 'output': list(auth_servers)},
        {'id': 'auth_hybrid', 'status': 'ok', 'output': [{'Name': 'Hybrid Configuration'}] if hybrid else []},
    ]
    return Response({'host': {'computer_name': 'EX1'}, 'results': results, 'error': None})


def test_info_reads_are_read_only_prefixed_and_per_server_with_tolerated_errors():
    reads = ac.info_reads()
    assert all(item.key.startswith('auth_') for item in reads)
    build_request('read', {'type': 'none'}, reads)  # a write cmdlet would be refused here
    current = [item for item in reads if item.key == 'auth_current'][0]
    assert current.foreach == ('auth_servers', 'Name', 'Server') and current.tolerate_errors
    assert current.parameters['Thumbprint'] == {'__ucops_type': 'ref', 'id': 'auth_config', 'property': 'CurrentCertificateThumbprint'}
    assert 'RawData' in current.properties


def test_public_data_comes_from_raw_data_in_either_form_and_falls_back_to_listed_properties():
    der = make_der(key_size=2048)
    for raw in (list(der), base64.b64encode(der).decode('ascii')):
        data = ac.public_data({'RawData': raw, 'Thumbprint': None})
        assert (data['source'], data['thumbprint'], data['key_size'], data['key_type']) == ('raw_data', tp(der), 2048, 'RSA')
        assert data['subject'] == 'CN=Microsoft Exchange Server Auth Certificate' and data['signature_hash'] == 'sha256'
    listed = ac.public_data({'Thumbprint': 'ab cd', 'NotAfter': '2027-01-01T00:00:00.0000000Z', 'RawData': 'not base64!'})
    assert (listed['source'], listed['thumbprint'], listed['not_after'], listed['key_size']) == ('listed', 'ABCD', '2027-01-01T00:00:00Z', None)


def test_healthy_organization_needs_nothing():
    current = make_der(days_left=1000)
    state = ac.assess(response(current), NOW)
    assert state['current']['present_on'] == ['EX1', 'EX2'] and state['current']['missing_on'] == []
    assert state['current']['days_left'] == 999 or state['current']['days_left'] == 1000
    assert [f for f in state['findings'] if f['severity'] != 'info'] == []
    assert (state['replace_required'], state['stage_required']) == (False, False)
    assert ac.plan({'action': 'stage'}, state, 'EX1', NOW).action is None
    assert ac.plan({'action': 'replace'}, state, 'EX1', NOW).action is None


def test_thresholds_default_to_microsofts_60_and_120_days_and_are_options():
    current = make_der(days_left=59)
    state = ac.assess(response(current), NOW)
    assert state['stage_required'] is True and 'current_expiring' in [f['code'] for f in state['findings']]
    assert ac.assess(response(make_der(days_left=61)), NOW)['stage_required'] is False
    assert ac.assess(response(make_der(days_left=61)), NOW, renew_current_days=90)['stage_required'] is True
    # a staged certificate with fewer than 120 days is due again; with 121 it is fine
    assert ac.assess(response(current, make_der('n', 119)), NOW)['stage_required'] is True
    assert ac.assess(response(current, make_der('n', 121)), NOW)['stage_required'] is False


def test_missing_on_a_server_is_a_finding_and_needs_replace():
    current = make_der()
    state = ac.assess(response(current, current_on=('EX1',)), NOW)
    finding = [f for f in state['findings'] if f['code'] == 'current_missing_on_server'][0]
    assert finding['severity'] == 'error' and finding['servers'] == ['EX2']
    assert state['replace_required'] is True
    with pytest.raises(OptionError, match='Use action=replace'):
        ac.plan({'action': 'stage'}, state, 'EX1', NOW)
    assert ac.plan({'action': 'replace'}, state, 'EX1', NOW).action == 'replace'


def test_expired_and_weak_keys_need_replace():
    assert ac.assess(response(make_der(days_left=-2)), NOW)['current']['expired'] is True
    assert ac.assess(response(make_der(days_left=-2)), NOW)['replace_required'] is True
    weak = ac.assess(response(make_der(key_size=1024)), NOW)
    assert weak['current']['key_size_ok'] is False and weak['replace_required'] is True
    assert 'current_key_too_small' in [f['code'] for f in weak['findings']]


def test_degraded_objects_still_give_thumbprint_and_validity_from_raw_data():
    current = make_der(days_left=-3)
    resp = response(current, degraded=True)
    state = ac.assess(resp, NOW)
    assert state['current']['present_on'] == ['EX1', 'EX2'] and state['current']['expired'] is True
    assert ac._degraded(resp) is True and ac._degraded(response(make_der())) is False


def test_unreachable_server_is_unknown_not_missing_and_blocks_changes_unless_ignored():
    state = ac.assess(response(make_der(days_left=10), unreachable=('EX2',)), NOW)
    assert state['current']['missing_on'] == [] and state['unreachable_servers'] == ['EX2']
    with pytest.raises(OptionError, match='ignore_unreachable_servers'):
        ac.plan({'action': 'stage'}, state, 'EX1', NOW)
    assert ac.plan({'action': 'stage', 'ignore_unreachable_servers': True}, state, 'EX1', NOW).action == 'stage'


def test_hybrid_is_detected_like_microsoft_and_refused_unless_allowed():
    evosts = {'Name': 'EvoSts - x', 'Type': 'AzureAD', 'Enabled': True, 'ApplicationIdentifier': '6b0f5b6e-8d7a-4f4e-9a55-3c0d1a7e2b41'}
    state = ac.assess(response(make_der(days_left=10), auth_servers=[evosts]), NOW)
    assert state['hybrid']['detected'] and state['hybrid']['dedicated_hybrid_application'] == [evosts['ApplicationIdentifier']]
    with pytest.raises(OptionError, match='Hybrid Configuration Wizard.*allow_hybrid'):
        ac.plan({'action': 'stage'}, state, 'EX1', NOW)
    planned = ac.plan({'action': 'stage', 'allow_hybrid': True}, state, 'EX1', NOW)
    assert planned.action == 'stage' and 'ConfigureExchangeHybridApplication' in planned.warnings[0]
    assert ac.assess(response(make_der(), hybrid=True), NOW)['hybrid']['detected'] is True
    disabled = dict(evosts, Enabled=False)
    assert ac.assess(response(make_der(), auth_servers=[disabled]), NOW)['hybrid']['detected'] is False


def test_transport_certificate_that_is_the_auth_certificate_is_an_error_and_blocks_creation():
    current = make_der()
    transport = [{'Name': 'EX1', 'InternalTransportCertificateThumbprint': tp(current)},
                 {'Name': 'EX2', 'InternalTransportCertificateThumbprint': None}]
    state = ac.assess(response(current, transport=transport), NOW)
    codes = [f['code'] for f in state['findings']]
    assert 'transport_certificate_is_auth_certificate' in codes and 'transport_certificate_missing' in codes
    state['current']['expired'] = True
    state['replace_required'] = True
    with pytest.raises(OptionError, match='is an Auth certificate'):
        ac.plan({'action': 'replace'}, state, 'EX1', NOW)
    with pytest.raises(OptionError, match='EX2 has no internal transport certificate'):
        ac.plan({'action': 'replace'}, state, 'EX2', NOW)


@pytest.mark.parametrize('value, expected', [
    ('72', NOW + datetime.timedelta(hours=72)),
    ('2027-01-31T08:00:00+01:00', datetime.datetime(2027, 1, 31, 7, 0, tzinfo=datetime.timezone.utc)),
    ('2027-01-31T08:00:00', datetime.datetime(2027, 1, 31, 8, 0, tzinfo=datetime.timezone.utc)),
])
def test_effective_date_accepts_iso_or_hours(value, expected):
    assert ac.effective_date(value, NOW) == expected


@pytest.mark.parametrize('params, fragment', [
    ({'action': 'stage', 'effective_date': 'next week'}, 'effective_date:'),
    ({'action': 'stage', 'effective_date': '2027-01-31'}, 'not a date alone'),
    ({'action': 'stage', 'effective_date': '47'}, 'less than 48 hours'),
    ({'action': 'replace', 'effective_date': '72'}, 'action=stage only'),
    ({'action': 'stage', 'renew_current_days': -1}, 'renew_current_days must be 0 or more'),
])
def test_bad_options_are_refused_before_anything_is_sent(params, fragment):
    with pytest.raises(OptionError, match=fragment):
        ac.validate(params, NOW)


def test_force_allows_a_short_effective_date():
    assert ac.validate({'action': 'stage', 'effective_date': '1', 'force': True}, NOW) == NOW + datetime.timedelta(hours=1)


def test_default_effective_date_is_30_days_or_49_hours_when_the_current_one_expires_sooner():
    long = ac.assess(response(make_der(days_left=50)), NOW)
    assert ac.plan({'action': 'stage'}, long, 'EX1', NOW).effective == NOW + datetime.timedelta(days=30)
    short = ac.assess(response(make_der(days_left=20)), NOW)
    assert ac.plan({'action': 'stage'}, short, 'EX1', NOW).effective == NOW + datetime.timedelta(hours=49)
    with pytest.raises(OptionError, match='before the effective date'):
        ac.plan({'action': 'stage'}, short, 'EX1', NOW, NOW + datetime.timedelta(days=25))
    urgent = ac.assess(response(make_der(days_left=1)), NOW)
    with pytest.raises(OptionError, match='before the effective date.*use action=replace'):
        ac.plan({'action': 'stage'}, urgent, 'EX1', NOW)


def test_the_write_remembers_creates_and_restores_the_transport_certificate():
    state = ac.assess(response(make_der(days_left=10)), NOW)
    writes = ac.create_invocations('EX1', 2048, NOW) + [ac.restore_invocation('EX1', ac.restore_services(ac.local_transport(state, 'EX1')))]
    assert [i.cmdlet for i in writes] == ['Get-TransportService', 'New-ExchangeCertificate', 'Enable-ExchangeCertificate']
    new = writes[1].parameters
    assert new['Force'] == {'__ucops_type': 'switch', 'value': True} and new['SubjectName'] == 'cn=Microsoft Exchange Server Auth Certificate'
    assert new['FriendlyName'] == 'Microsoft Exchange Server Auth Certificate - 20261201120000' and len(new['FriendlyName']) < 64
    restore = writes[2].parameters
    assert restore['Thumbprint'] == {'__ucops_type': 'ref', 'id': 'transport_before', 'property': 'InternalTransportCertificateThumbprint'}
    # IIS was never touched by New-ExchangeCertificate, so it is not enabled again
    assert restore['Services'] == 'IMAP, POP, SMTP'
    assert ac.restore_services({'services': None}) == 'SMTP'


def test_configure_invocations_stage_with_a_date_and_replace_publishes_and_clears():
    staged = ac.configure_invocations('stage', 'AB', NOW)
    assert [i.key for i in staged] == ['set_next']
    assert staged[0].parameters['NewCertificateEffectiveDate'] == {'__ucops_type': 'datetime', 'value': '2026-12-01T12:00:00Z'}
    replaced = ac.configure_invocations('replace', 'AB', NOW)
    assert [sorted(i.parameters) for i in replaced[1:]] == [['PublishCertificate'], ['ClearPreviousCertificate']]
    assert [i.cmdlet for i in ac.restart_invocations()] == ['Restart-Service', 'Restart-WebAppPool', 'Restart-WebAppPool']


def test_check_after_catches_a_transport_certificate_that_was_not_restored():
    current = make_der()
    state = ac.assess(response(current), NOW)
    before = ac.local_transport(state, 'EX1')['thumbprint']
    assert ac.check_after('replace', state, before, tp(current), 'EX1') == []
    problems = ac.check_after('replace', state, 'FF' * 20, tp(current), 'EX1')
    assert len(problems) == 1 and 'Enable-ExchangeCertificate' in problems[0]
    assert 'not the new certificate' in ac.check_after('stage', state, before, tp(current), 'EX1')[0]


def test_info_section_has_the_documented_keys():
    section = ac.info(response(make_der()), NOW)
    assert sorted(section) == sorted(['current', 'next', 'previous', 'service_name', 'servers', 'unreachable_servers', 'transport',
                                      'hybrid', 'findings', 'replace_required', 'stage_required'])
    assert section['service_name'] == '00000002-0000-0ff1-ce00-000000000000'


def test_edge_and_older_servers_are_not_expected_to_hold_the_certificate():
    servers = [{'Name': 'EX1', 'AdminDisplayVersion': 'Version 15.1 (Build 2507.6)', 'ServerRole': 'Mailbox'},
               {'Name': 'EDGE', 'AdminDisplayVersion': 'Version 15.1 (Build 2507.6)', 'ServerRole': 'Edge'},
               {'Name': 'EX2010', 'AdminDisplayVersion': 'Version 14.3 (Build 123.4)', 'ServerRole': 'Mailbox'}]
    state = ac.assess(response(make_der(), current_on=('EX1',), servers=servers), NOW)
    assert state['servers'] == ['EX1'] and state['current']['missing_on'] == []


class FakeRunner:
    def __init__(self, read):
        self.read_response = read
        self.writes = []

    def read(self, shell, invocations):
        return self.read_response

    def write(self, shell, invocations):
        self.writes.append(invocations)
        raise AssertionError('no write in check mode')


class FakeModule:
    def __init__(self, params, read, check_mode=True):
        self.params = dict({'action': 'audit', 'renew_current_days': 60, 'renew_next_days': 120, 'key_size': 2048}, **params)
        self.runner = FakeRunner(read)
        self.check_mode = check_mode
        self._diff = True
        self.host = 'ex1'
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


def test_run_in_check_mode_reports_the_change_and_the_diff_without_writing():
    module = FakeModule({'action': 'stage'}, response(make_der(days_left=40)))
    result = ac.run(module, NOW)
    assert result['changed'] is True and result['action'] == 'stage' and module.runner.writes == []
    assert result['diff']['before']['next_thumbprint'] is None
    assert result['diff']['after']['next_thumbprint'] == '(new certificate)'
    assert result['diff']['after']['next_effective_date'] == '2026-12-31T12:00:00Z'
    assert result['diff']['after']['transport_thumbprint'] == result['diff']['before']['transport_thumbprint']


def test_run_audit_is_unchanged_and_has_an_equal_diff():
    module = FakeModule({}, response(make_der()))
    result = ac.run(module, NOW)
    assert result['changed'] is False and result['diff']['before'] == result['diff']['after']

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The OAuthTokenIssuer read, rules, cross-Front-End comparison and plan, on fake runner responses holding real
certificates (the peers mechanism is faked: module.peers() returns fake runners)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, build_request
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import oauth_certificate as oc

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)
KEYS = {}
SIP = 'contoso.com'


def make_der(cn='pool.contoso.local', org=SIP, days_left=1000, key_size=2048, sans=('pool.contoso.local', 'sip.contoso.com'),
             not_before_days=-365):
    if key_size not in KEYS:
        KEYS[key_size] = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    key = KEYS[key_size]
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    name = x509.Name(attributes)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(NOW + datetime.timedelta(days=not_before_days))
               .not_valid_after(NOW + datetime.timedelta(days=days_left)))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(item) for item in sans]), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def tp(der):
    return hashlib.sha1(der).hexdigest().upper()


def store_row(der, exportable=True, has_private_key=True):
    return {'Thumbprint': tp(der), 'Subject': 'CN=x', 'HasPrivateKey': has_private_key, 'RawData': list(der), oc.EXPORTABLE: exportable}


def reference(der, use, effective=None, previous=None):
    cert = x509.load_der_x509_certificate(der)
    return {'Thumbprint': tp(der), 'Use': use, 'Subject': cert.subject.rfc4514_string(), 'NotAfter': cert.not_valid_after_utc.isoformat(),
            'EffectiveDate': effective, 'PreviousThumbprint': previous}


def response(default, oauth=None, store=None, computer='FE1', version='Skype for Business Server 2019 (7.0.2046.0): x',
             domains=({'Name': SIP, 'IsDefault': True},), effective=None, previous=None):
    certificates = [reference(default, 'Default')]
    if oauth is not None:
        certificates.append(reference(oauth, 'OAuthTokenIssuer', effective, previous))
    rows = store if store is not None else [store_row(default)]
    results = [{'id': 'cert_version', 'output': [version]}, {'id': 'cert_certificates', 'output': certificates},
               {'id': 'cert_sip_domains', 'output': list(domains)}, {'id': 'cert_store', 'output': rows}]
    return Response({'host': {'computer_name': computer}, 'results': results, 'error': None})


class FakeRunner:
    def __init__(self, reads, writes=None, check_mode=False):
        self.reads = list(reads)
        self.write_responses = list(writes or [])
        self.sent = []
        self.check_mode = check_mode

    def read(self, shell, invocations):
        request = build_request('read', shell, invocations)  # refuses a write cmdlet in a read request
        self.sent.append(('read', request))
        return self.reads.pop(0)

    def write(self, shell, invocations):
        if self.check_mode:
            raise AssertionError('a write in check mode')
        self.sent.append(('write', build_request('write', shell, invocations)))
        return self.write_responses.pop(0)


class FakeModule:
    def __init__(self, params, runner, peers=(), check_mode=False):
        self.params = dict({'thumbprint': None, 'use_default_certificate': False, 'effective_date': None, 'sip_domain': None}, **params)
        self.runner = runner
        self._peers = list(peers)
        self.check_mode = check_mode
        self._diff = True
        self.host = 'fe1.contoso.local'
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'skype_remote'}

    def peers(self):
        return self._peers

    def warn(self, text):
        self.warnings.append(text)


DEFAULT = make_der()


# -- reads ------------------------------------------------------------------------------------------------------------


def test_info_reads_are_read_only_and_ask_for_the_exportability_path():
    reads = oc.info_reads()
    build_request('read', {'type': 'skype_remote'}, reads)
    assert all(item.key.startswith('cert_') for item in reads)
    store = [item for item in reads if item.cmdlet == 'Get-ChildItem'][0]
    assert store.parameters == {'Path': 'Cert:\\LocalMachine\\My'}
    assert 'PrivateKey.CspKeyContainerInfo.Exportable' in store.properties and 'RawData' in store.properties
    certificates = [item for item in reads if item.cmdlet == 'Get-CsCertificate'][0]
    assert 'Type' not in certificates.parameters  # every type: Default and OAuthTokenIssuer from one read


def test_store_certificate_parses_raw_data_and_reads_exportability_as_true_false_or_unknown():
    cert = oc.store_certificate(store_row(DEFAULT))
    assert cert['thumbprint'] == tp(DEFAULT) and cert['key_size'] == 2048 and cert['parsed']
    assert SIP in cert['subject_values'] and 'sip.contoso.com' in cert['dns_names']
    assert oc.store_certificate(store_row(DEFAULT, exportable=False))['exportable'] is False
    assert oc.store_certificate(store_row(DEFAULT, exportable=None))['exportable'] is None
    # a non-boolean value (a deserialized text) is not guessed either
    assert oc.store_certificate(store_row(DEFAULT, exportable='True'))['exportable'] is None


# -- rules ------------------------------------------------------------------------------------------------------------


def _ids(found, severity='error'):
    return sorted(item['id'] for item in found if item['severity'] == severity)


def test_a_valid_certificate_meets_every_rule():
    assert oc.check_certificate(oc.store_certificate(store_row(DEFAULT)), SIP, NOW, 'FE1') == []


@pytest.mark.parametrize('der, rule', [
    (make_der(key_size=1024), 'key_too_small'),
    (make_der(org=None, cn='pool.contoso.local'), 'sip_domain_not_in_subject'),
    (make_der(days_left=-1), 'expired'),
    (make_der(not_before_days=2), 'not_yet_valid'),
])
def test_each_rule(der, rule):
    assert _ids(oc.check_certificate(oc.store_certificate(store_row(der)), SIP, NOW, 'FE1')) == [rule]


def test_sip_domain_only_in_the_san_is_named_and_a_name_within_the_domain_counts():
    der = make_der(org=None, cn='pool.contoso.local', sans=('contoso.com',))
    found = oc.check_certificate(oc.store_certificate(store_row(der)), SIP, NOW, 'FE1')
    assert 'only in the Subject Alternative Names' in found[0]['message']
    assert oc.check_certificate(oc.store_certificate(store_row(make_der(org=None, cn='sip.contoso.com'))), SIP, NOW, 'FE1') == []
    # a look-alike domain is not in the SIP domain
    assert _ids(oc.check_certificate(oc.store_certificate(store_row(make_der(org='notcontoso.com'))), SIP, NOW, 'FE1')) == \
        ['sip_domain_not_in_subject']


def test_private_key_rules():
    assert _ids(oc.check_certificate(oc.store_certificate(store_row(DEFAULT, exportable=False)), SIP, NOW, 'FE1')) == ['not_exportable']
    assert _ids(oc.check_certificate(oc.store_certificate(store_row(DEFAULT, has_private_key=False)), SIP, NOW, 'FE1')) == ['no_private_key']
    unknown = oc.check_certificate(oc.store_certificate(store_row(DEFAULT, exportable=None)), SIP, NOW, 'FE1')
    assert [(item['id'], item['severity']) for item in unknown] == [('exportability_unknown', 'warning')]
    assert set(unknown[0]) == {'id', 'severity', 'feature', 'server', 'message', 'source'}


def test_compare_front_ends_names_servers_and_thumbprints():
    other = make_der(cn='other.contoso.local')
    views = [oc.server_view(response(DEFAULT, DEFAULT), 'FE1'),
             oc.server_view(response(DEFAULT, other, store=[store_row(other)], computer='FE2'), 'FE2'),
             oc.server_view(response(DEFAULT, DEFAULT, store=[], computer='FE3'), 'FE3')]
    found = oc.compare_front_ends(views)
    mismatch = [item for item in found if item['id'] == 'front_end_mismatch'][0]
    assert 'FE1: %s' % tp(DEFAULT) in mismatch['message'] and 'FE2: %s' % tp(other) in mismatch['message']
    assert mismatch['server'] == 'FE1, FE2, FE3'
    assert [(item['id'], item['server']) for item in found if item['id'] == 'not_in_store'] == [('not_in_store', 'FE3')]
    same = [oc.server_view(response(DEFAULT, DEFAULT), 'FE1'), oc.server_view(response(DEFAULT, DEFAULT, computer='FE2'), 'FE2')]
    assert oc.compare_front_ends(same) == []


# -- options and plan -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('value, expected', [
    ('72', NOW + datetime.timedelta(hours=72)),
    ('2027-01-31T08:00:00Z', datetime.datetime(2027, 1, 31, 8, tzinfo=datetime.timezone.utc)),
    ('2027-01-31T09:00:00+01:00', datetime.datetime(2027, 1, 31, 8, tzinfo=datetime.timezone.utc)),
    ('2027-01-31T08:00:00', datetime.datetime(2027, 1, 31, 8, tzinfo=datetime.timezone.utc)),
])
def test_effective_date_forms(value, expected):
    assert oc.effective_date(value, NOW) == expected


@pytest.mark.parametrize('params, text', [
    ({'thumbprint': 'ab', 'use_default_certificate': True}, 'mutually exclusive'),
    ({'thumbprint': 'xyz'}, '40 hexadecimal'),
    ({'thumbprint': '  '}, 'thumbprint is empty'),
    ({'effective_date': '72'}, 'give thumbprint or use_default_certificate'),
    ({'use_default_certificate': True, 'effective_date': '7/1/2027'}, 'locale-formatted'),
    ({'use_default_certificate': True, 'effective_date': 'tomorrow'}, 'locale-formatted'),
    ({'use_default_certificate': True, 'effective_date': 'next week 9'}, 'neither an ISO 8601'),
    ({'use_default_certificate': True, 'effective_date': '-1'}, 'not in the future'),
])
def test_validate_refuses_bad_options(params, text):
    with pytest.raises(OptionError, match=text):
        oc.validate(dict({'thumbprint': None, 'use_default_certificate': False, 'effective_date': None}, **params), NOW)


def test_thumbprint_spaces_and_case_are_ignored():
    assert oc.validate({'thumbprint': ' '.join([tp(DEFAULT).lower()[i:i + 2] for i in range(0, 40, 2)])}, NOW) == (tp(DEFAULT), None)


def _plan(params, read, when=None, peers=()):
    views = [oc.server_view(read, 'FE1')] + [oc.server_view(item, name) for name, item in peers]
    return oc.plan(dict({'use_default_certificate': False}, **params), views, SIP, NOW, params.get('thumbprint'), when)


def test_plan_takes_the_default_certificate_from_the_same_read_and_is_idempotent_by_thumbprint():
    decision = _plan({'use_default_certificate': True}, response(DEFAULT))
    assert decision.thumbprint == tp(DEFAULT) and decision.effective is None
    assert _plan({'use_default_certificate': True}, response(DEFAULT, DEFAULT)).thumbprint is None
    assert _plan({}, response(DEFAULT)).thumbprint is None  # audit only


def test_plan_refuses_a_certificate_that_breaks_a_rule_naming_the_rule():
    weak = make_der(key_size=1024)
    with pytest.raises(OptionError, match=r'at least 2048 bits.*\[rule: SFB-PLAN: key length'):
        _plan({'thumbprint': tp(weak)}, response(DEFAULT, store=[store_row(DEFAULT), store_row(weak)]))
    with pytest.raises(OptionError, match='not in the machine certificate store'):
        _plan({'thumbprint': tp(weak)}, response(DEFAULT))
    with pytest.raises(OptionError, match='not exportable'):
        _plan({'use_default_certificate': True}, response(DEFAULT, store=[store_row(DEFAULT, exportable=False)]))


def test_exportability_unknown_does_not_refuse():
    assert _plan({'use_default_certificate': True}, response(DEFAULT, store=[store_row(DEFAULT, exportable=None)])).thumbprint == tp(DEFAULT)


def test_roll_over_needs_24_hours_before_the_current_certificate_expires():
    current = make_der(cn='old.contoso.local', days_left=10)
    new = make_der(cn='new.contoso.local', days_left=1000)
    read = response(DEFAULT, current, store=[store_row(DEFAULT), store_row(current), store_row(new)])
    latest = NOW + datetime.timedelta(days=10) - datetime.timedelta(hours=24)
    decision = _plan({'thumbprint': tp(new)}, read, latest)
    assert decision.thumbprint == tp(new) and decision.effective == latest
    with pytest.raises(OptionError, match=r'less than 24 hours before.*\[rule: SFB-ROLL'):
        _plan({'thumbprint': tp(new)}, read, latest + datetime.timedelta(minutes=1))
    with pytest.raises(OptionError, match='no current OAuthTokenIssuer'):
        _plan({'thumbprint': tp(new)}, response(DEFAULT, store=[store_row(DEFAULT), store_row(new)]), latest)


def test_write_invocation_is_global_once_with_a_datetime_value():
    decision = oc.Plan(tp(DEFAULT), datetime.datetime(2027, 1, 31, 8, tzinfo=datetime.timezone.utc))
    invocation = oc.write_invocation(decision)
    assert invocation.cmdlet == 'Set-CsCertificate'
    assert invocation.parameters == {'Identity': 'Global', 'Type': ['OAuthTokenIssuer'], 'Thumbprint': tp(DEFAULT),
                                     'Roll': {'__ucops_type': 'switch', 'value': True},
                                     'EffectiveDate': {'__ucops_type': 'datetime', 'value': '2027-01-31T08:00:00Z'}}
    assert 'Roll' not in oc.write_invocation(oc.Plan(tp(DEFAULT))).parameters


# -- run ---------------------------------------------------------------------------------------------------------------


def test_run_check_mode_reads_every_front_end_once_sends_no_write_and_shows_the_diff():
    peer = FakeRunner([response(DEFAULT, computer='FE2')])
    module = FakeModule({'use_default_certificate': True}, FakeRunner([response(DEFAULT)], check_mode=True),
                        peers=[('fe2', 'fe2.contoso.local', peer, {'type': 'skype_remote'})], check_mode=True)
    result = oc.run(module, NOW)
    assert result['changed'] is True and result['thumbprint'] == tp(DEFAULT)
    assert [kind for kind, _request in module.runner.sent] == ['read'] and [kind for kind, _request in peer.sent] == ['read']
    assert result['diff'] == {'before': {'thumbprint': None, 'effective_date': None, 'previous_thumbprint': None},
                              'after': {'thumbprint': tp(DEFAULT), 'effective_date': None, 'previous_thumbprint': None}}
    assert [item['name'] for item in result['front_ends']] == ['FE1', 'FE2']


def test_run_writes_only_to_the_task_host_and_reads_the_peers_again():
    peer = FakeRunner([response(DEFAULT, computer='FE2'), response(DEFAULT, DEFAULT, computer='FE2')])
    runner = FakeRunner([response(DEFAULT)], writes=[response(DEFAULT, DEFAULT)])
    module = FakeModule({'use_default_certificate': True}, runner, peers=[('fe2', 'fe2.contoso.local', peer, {'type': 'skype_remote'})])
    result = oc.run(module, NOW)
    assert result['changed'] is True and result['oauth_certificate']['thumbprint'] == tp(DEFAULT)
    writes = [request for kind, request in runner.sent if kind == 'write']
    assert len(writes) == 1 and writes[0]['invocations'][0]['cmdlet'] == 'Set-CsCertificate'
    # the write request ends with the verifying read
    assert [item['cmdlet'] for item in writes[0]['invocations'][1:]] == [item.cmdlet for item in oc.info_reads()]
    assert [kind for kind, _request in peer.sent] == ['read', 'read']
    assert [item for item in result['findings'] if item['severity'] == 'error'] == []


def test_run_reports_a_mismatch_after_the_write_as_a_warning():
    other = make_der(cn='other.contoso.local')
    stale = response(DEFAULT, other, store=[store_row(other)], computer='FE2')
    peer = FakeRunner([stale, stale])
    runner = FakeRunner([response(DEFAULT)], writes=[response(DEFAULT, DEFAULT)])
    module = FakeModule({'use_default_certificate': True}, runner, peers=[('fe2', 'fe2.contoso.local', peer, {'type': 'skype_remote'})])
    result = oc.run(module, NOW)
    assert 'front_end_mismatch' in [item['id'] for item in result['findings']]
    assert any('FE2: %s' % tp(other) in warning for warning in module.warnings)


def test_run_fails_when_the_verifying_read_does_not_show_the_certificate():
    runner = FakeRunner([response(DEFAULT)], writes=[response(DEFAULT)])
    with pytest.raises(ScriptFailure, match='Set-CsCertificate ran'):
        oc.run(FakeModule({'use_default_certificate': True}, runner), NOW)


def test_run_needs_a_sip_domain():
    runner = FakeRunner([response(DEFAULT, domains=())])
    with pytest.raises(OptionError, match='give sip_domain'):
        oc.run(FakeModule({}, runner), NOW)
    result = oc.run(FakeModule({'sip_domain': 'contoso.com'}, FakeRunner([response(DEFAULT, domains=())])), NOW)
    assert result['sip_domain'] == 'contoso.com'


def test_info_section_has_certificates_by_type_and_findings():
    pending = make_der(cn='new.contoso.local')
    read = response(DEFAULT, pending, store=[store_row(DEFAULT), store_row(pending, exportable=None)],
                    effective=(NOW + datetime.timedelta(days=2)).isoformat(), previous=tp(DEFAULT))
    section = oc.info(read, NOW)
    assert sorted(section['certificates']) == ['Default', 'OAuthTokenIssuer']
    assert section['certificates']['OAuthTokenIssuer'][0]['previous_thumbprint'] == tp(DEFAULT)
    assert section['oauth_token_issuer']['thumbprint'] == tp(pending) and section['oauth_token_issuer']['exportable'] is None
    assert sorted(item['id'] for item in section['findings']) == ['exportability_unknown', 'roll_pending']
    assert all(item['feature'] == 'oauth_certificate' and item['source'] for item in section['findings'])
    assert [item['id'] for item in oc.info(response(DEFAULT), NOW)['findings']] == ['not_assigned']

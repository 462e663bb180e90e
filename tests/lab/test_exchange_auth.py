# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Auth certificate model (lab/products/exchange/auth.py) through real runner requests."""

from __future__ import annotations

import hashlib
import pathlib

import pytest
from cryptography import x509

from simulator_support import REMOTE, Simulator, invocation, request

SWITCH = {'__ucops_type': 'switch', 'value': True}
CERT = ['Thumbprint', 'NotAfter', 'Services', 'FriendlyName', 'RawData']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def each(cmdlet, source, prop, parameter, properties, ident, parameters=None):
    item = invocation(cmdlet, parameters, properties, ident=ident)
    item['each'] = {'id': source, 'property': prop, 'parameter': parameter}
    item['tolerate_errors'] = True
    return item


def run(sim, host, mode, *invocations):
    return sim.run(host, request(mode, REMOTE, *invocations))


def outputs(response):
    assert response['error'] is None, response['error']
    return dict((result['id'], result) for result in response['results'])


def read_state(sim, host='ex2019'):
    ref = {'__ucops_type': 'ref', 'id': 'config', 'property': 'CurrentCertificateThumbprint'}
    return outputs(run(sim, host, 'read', invocation('Get-ExchangeServer', properties=['Name'], ident='servers'),
                       invocation('Get-AuthConfig', properties=['CurrentCertificateThumbprint', 'NextCertificateThumbprint',
                                                                'PreviousCertificateThumbprint', 'ServiceName'], ident='config'),
                       each('Get-ExchangeCertificate', 'servers', 'Name', 'Server', CERT, 'current', {'Thumbprint': ref}),
                       invocation('Get-TransportService', properties=['Name', 'InternalTransportCertificateThumbprint'], ident='transport')))


def test_initial_state_is_a_real_five_year_auth_certificate_on_every_server(sim):
    found = read_state(sim)
    config = found['config']['output'][0]
    assert config['ServiceName'] == '00000002-0000-0ff1-ce00-000000000000' and config['NextCertificateThumbprint'] is None
    rows = found['current']['output']
    assert sorted(row['__item'] for row in rows) == ['EX16B', 'EX19']
    der = bytes(rows[0]['RawData'])
    cert = x509.load_der_x509_certificate(der)
    assert hashlib.sha1(der).hexdigest().upper() == config['CurrentCertificateThumbprint'] == rows[0]['Thumbprint']
    assert cert.subject.rfc4514_string() == 'CN=Microsoft Exchange Server Auth Certificate'
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 365 * 5 + 1  # 2025-01-01 to 2030-01-01
    # the same state on a second request (persisted at first use)
    assert read_state(sim)['config']['output'][0] == config


def test_settings_model_a_missing_certificate_an_unreachable_server_and_degraded_objects(sim):
    sim.host('ex2019').settings['auth_certificate'] = {'days_left': -3, 'missing_on': ['EX16B']}
    found = read_state(sim)
    rows = found['current']['output']
    assert [row['__item'] for row in rows] == ['EX19']
    # the configured certificate expired: the objects carry RawData only (CSS-Exchange GetExchangeCertificateBroken.xml)
    assert rows[0]['Thumbprint'] is None and rows[0]['RawData']
    errors = found['current']['item_errors']
    assert [error['item'] for error in errors] == ['EX16B'] and 'was not found' in errors[0]['message']
    sim2 = Simulator(sim.state_dir.parent / 'other')
    sim2.host('ex2019').settings['auth_certificate'] = {'unreachable': ['EX16B']}
    errors = read_state(sim2)['current']['item_errors']
    assert [error['item'] for error in errors] == ['EX16B'] and 'RPC server is unavailable' in errors[0]['message']


def test_new_certificate_without_force_fails_as_the_prompt_cannot_be_answered(sim):
    response = run(sim, 'ex2019', 'write', invocation('New-ExchangeCertificate', {'SubjectName': 'cn=x', 'Services': 'IMAP, POP, SMTP'},
                                                      ['Thumbprint'], ident='new'))
    assert 'NonInteractive mode' in response['error']['message']
    transport = read_state(sim)['transport']['output']
    # nothing was created: the transport certificate is still the server's own
    assert all(row['InternalTransportCertificateThumbprint'] for row in transport)


def test_force_takes_over_smtp_and_enable_puts_the_transport_certificate_back(sim):
    before = dict((row['Name'], row['InternalTransportCertificateThumbprint']) for row in read_state(sim)['transport']['output'])
    found = outputs(run(sim, 'ex2019', 'write',
                        invocation('Get-TransportService', {'Identity': 'EX19'}, ['InternalTransportCertificateThumbprint'], ident='t'),
                        invocation('New-ExchangeCertificate', {'Server': 'EX19', 'SubjectName': 'cn=Microsoft Exchange Server Auth Certificate',
                                                               'DomainName': [], 'Services': 'IMAP, POP, SMTP', 'Force': SWITCH},
                                   ['Thumbprint'], ident='new'),
                        invocation('Get-TransportService', {'Identity': 'EX19'}, ['InternalTransportCertificateThumbprint'], ident='taken'),
                        invocation('Enable-ExchangeCertificate', {'Server': 'EX19', 'Services': 'SMTP', 'Force': SWITCH,
                                                                  'Thumbprint': {'__ucops_type': 'ref', 'id': 't',
                                                                                 'property': 'InternalTransportCertificateThumbprint'}},
                                   ident='restore'),
                        invocation('Get-TransportService', {'Identity': 'EX19'}, ['InternalTransportCertificateThumbprint'], ident='after')))
    new = found['new']['output'][0]['Thumbprint']
    assert found['taken']['output'][0]['InternalTransportCertificateThumbprint'] == new
    assert found['after']['output'][0]['InternalTransportCertificateThumbprint'] == before['EX19']


def test_set_auth_config_stages_deploys_publishes_and_clears(sim):
    new = outputs(run(sim, 'ex2019', 'write', invocation('New-ExchangeCertificate', {'Services': 'None', 'SubjectName': 'cn=n'},
                                                         ['Thumbprint'], ident='new')))['new']['output'][0]['Thumbprint']
    old = read_state(sim)['config']['output'][0]['CurrentCertificateThumbprint']
    outputs(run(sim, 'ex2019', 'write', invocation('Set-AuthConfig', {'NewCertificateThumbprint': new, 'Force': SWITCH,
                                                                      'NewCertificateEffectiveDate': {'__ucops_type': 'datetime',
                                                                                                      'value': '2027-01-01T00:00:00Z'}})))
    found = read_state(sim)
    assert found['config']['output'][0]['NextCertificateThumbprint'] == new
    ref = {'__ucops_type': 'ref', 'id': 'c', 'property': 'NextCertificateThumbprint'}
    # deployed at once to every server of the site (no -SkipImmediateCertificateDeployment)
    deployed = outputs(run(sim, 'ex2019', 'read', invocation('Get-ExchangeServer', properties=['Name'], ident='servers'),
                           invocation('Get-AuthConfig', properties=['NextCertificateThumbprint'], ident='c'),
                           each('Get-ExchangeCertificate', 'servers', 'Name', 'Server', ['Thumbprint'], 'next', {'Thumbprint': ref})))
    assert sorted(row['__item'] for row in deployed['next']['output']) == ['EX16B', 'EX19']
    outputs(run(sim, 'ex2019', 'write', invocation('Set-AuthConfig', {'PublishCertificate': SWITCH}, ident='p'),
                invocation('Set-AuthConfig', {'ClearPreviousCertificate': SWITCH}, ident='c')))
    config = read_state(sim)['config']['output'][0]
    assert (config['CurrentCertificateThumbprint'], config['NextCertificateThumbprint'], config['PreviousCertificateThumbprint']) == (
        new, None, None)
    assert old != new
    again = run(sim, 'ex2019', 'write', invocation('Set-AuthConfig', {'PublishCertificate': SWITCH}))
    assert 'No next certificate' in again['error']['message']


def test_set_auth_config_refuses_an_unknown_thumbprint_and_the_server_parameter(sim):
    response = run(sim, 'ex2019', 'write', invocation('Set-AuthConfig', {'NewCertificateThumbprint': 'AB' * 20}))
    assert 'was not found' in response['error']['message']
    response = run(sim, 'ex2019', 'write', invocation('Set-AuthConfig', {'CertificateThumbprint': 'AB' * 20, 'Server': 'EX19'}))
    assert "isn't available in this release" in response['error']['message']


def test_hybrid_setting_answers_get_hybrid_configuration_and_an_azure_ad_auth_server(sim):
    plain = outputs(run(sim, 'ex2019', 'read', invocation('Get-HybridConfiguration', properties=['Name'], ident='h')))
    assert plain['h']['output'] == []
    sim2 = Simulator(sim.state_dir.parent / 'hybrid')
    sim2.host('ex2019').settings['auth_certificate'] = {'hybrid': True}
    found = outputs(run(sim2, 'ex2019', 'read', invocation('Get-HybridConfiguration', properties=['Name'], ident='h'),
                        invocation('Get-AuthServer', properties=['Type', 'Enabled', 'ApplicationIdentifier'], ident='a')))
    assert found['h']['output'] == [{'Name': 'Hybrid Configuration'}]
    assert found['a']['output'][0]['Type'] == 'AzureAD' and found['a']['output'][0]['Enabled'] is True

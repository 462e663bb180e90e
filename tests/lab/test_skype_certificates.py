# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Skype for Business certificates (lab/products/skype/certificates.py): each Front End's store with real
certificates, the global OAuthTokenIssuer assignment replicated to the Front Ends of a deployment, -Roll with
-EffectiveDate, the staged mismatches, and Get-CsSipDomain."""

from __future__ import annotations

import base64
import datetime
import json
import pathlib

import pytest
from cryptography import x509

from simulator_support import HostSpec, Simulator, invocation, request

SKYPE = {'type': 'skype'}
STORE = 'Cert:\\LocalMachine\\My'
REFERENCE = ['Thumbprint', 'Use', 'Subject', 'NotAfter', 'EffectiveDate', 'PreviousThumbprint', 'PreviousNotAfter', 'SourceScope',
             'AlternativeNames']
POOL = {'deployment': 'pool', 'pool_fqdn': 'pool.contoso.local', 'edition': 'Enterprise'}


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    sim = Simulator(tmp_path / 'state')
    # two Front Ends of one Enterprise pool (CredSSP-free: the skype shell with a delegating logon)
    sim.topology.hosts.append(HostSpec('fe1', 'skype', 'se', 'FE1', 'fe1.contoso.local', dict(POOL)))
    sim.topology.hosts.append(HostSpec('fe2', 'skype', 'se', 'FE2', 'fe2.contoso.local', dict(POOL)))
    return sim


def run(sim, host, mode, *invocations):
    return sim.run(host, request(mode, SKYPE, *invocations), auth_method='credssp')


def certificates(sim, host, **parameters):
    response = run(sim, host, 'read', invocation('Get-CsCertificate', parameters, REFERENCE))
    assert response['error'] is None, response['error']
    return response['results'][0]['output']


def store(sim, host):
    response = run(sim, host, 'read', invocation('Get-ChildItem', {'Path': STORE}, ['Thumbprint', 'Subject', 'RawData', 'HasPrivateKey']))
    assert response['error'] is None, response['error']
    return response['results'][0]['output']


def assign(sim, host, thumbprint, **extra):
    parameters = dict({'Identity': 'Global', 'Type': ['OAuthTokenIssuer'], 'Thumbprint': thumbprint}, **extra)
    return run(sim, host, 'write', invocation('Set-CsCertificate', parameters, ident='set'))


def test_each_front_end_has_a_real_default_certificate_that_meets_the_documented_rules(sim):
    rows = certificates(sim, 'fe1')
    assert [row['Use'] for row in rows] == ['Default']  # no OAuthTokenIssuer assigned yet
    default = rows[0]
    stored = store(sim, 'fe1')
    assert [row['Thumbprint'] for row in stored] == [default['Thumbprint']]
    cert = x509.load_der_x509_certificate(bytes(stored[0]['RawData']))
    assert cert.public_key().key_size == 2048
    # the pool FQDN in the Subject and the SAN, the SIP domain in the Subject (section 3's rule)
    assert default['Subject'] == 'CN=pool.contoso.local, O=contoso.com'
    assert 'pool.contoso.local' in default['AlternativeNames'] and 'fe1.contoso.local' in default['AlternativeNames']
    # persisted: the same certificate in the next request; the other Front End has its own
    assert certificates(sim, 'fe1')[0]['Thumbprint'] == default['Thumbprint']
    assert certificates(sim, 'fe2')[0]['Thumbprint'] != default['Thumbprint']
    assert certificates(sim, 'fe1', Type=['OAuthTokenIssuer']) == []


def test_a_global_assignment_is_replicated_to_every_front_end_and_copied_into_their_stores(sim):
    default = certificates(sim, 'fe1')[0]['Thumbprint']
    response = assign(sim, 'fe1', default)
    assert response['error'] is None and response['results'][0]['status'] == 'ok'
    for host in ('fe1', 'fe2'):
        rows = certificates(sim, host, Type=['OAuthTokenIssuer'])
        assert [(row['Thumbprint'], row['Use'], row['SourceScope'], row['EffectiveDate']) for row in rows] == \
            [(default, 'OAuthTokenIssuer', 'Global', None)]
        assert default in [row['Thumbprint'] for row in store(sim, host)]
    # a standalone deployment is not touched
    assert certificates(sim, 'sfb2019', Type=['OAuthTokenIssuer']) == []


def test_roll_with_an_effective_date_keeps_the_previous_certificate(sim):
    sim.host('fe1').settings['oauth_certificate'] = {'spare': True}
    rows = store(sim, 'fe1')
    default = certificates(sim, 'fe1')[0]['Thumbprint']
    spare = [row['Thumbprint'] for row in rows if row['Thumbprint'] != default][0]
    assert assign(sim, 'fe1', default)['error'] is None
    response = assign(sim, 'fe1', spare, Roll={'__ucops_type': 'switch', 'value': True},
                      EffectiveDate={'__ucops_type': 'datetime', 'value': '2027-01-31T08:00:00Z'})
    assert response['error'] is None
    row = certificates(sim, 'fe2', Type=['OAuthTokenIssuer'])[0]
    assert row['Thumbprint'] == spare and row['PreviousThumbprint'] == default
    assert row['EffectiveDate'] == '2027-01-31T08:00:00.0000000Z' and row['PreviousNotAfter'].startswith('2030-01-01')


def test_roll_without_effective_date_and_a_certificate_not_in_the_store_fail(sim):
    default = certificates(sim, 'fe1')[0]['Thumbprint']
    response = assign(sim, 'fe1', default, Roll={'__ucops_type': 'switch', 'value': True})
    assert 'requires the EffectiveDate' in response['error']['message']
    other = certificates(sim, 'fe2')[0]['Thumbprint']
    response = assign(sim, 'fe1', other)
    assert 'was not found in the local computer' in response['error']['message']
    # only -Identity Global is modelled, loudly
    response = run(sim, 'fe1', 'write', invocation('Set-CsCertificate', {'Type': ['OAuthTokenIssuer'], 'Thumbprint': default}))
    assert response['error']['fully_qualified_error_id'] == 'UcopsLabNotImplemented'
    response = assign(sim, 'fe1', default, WhatIf=True)
    assert response['error'] is None and certificates(sim, 'fe1', Type=['OAuthTokenIssuer']) == []


def test_staged_mismatches(sim):
    sim.host('fe2').settings['oauth_certificate'] = {'different': True}
    sim.host('fe1').settings['oauth_certificate'] = {'not_replicated': True}
    default2 = certificates(sim, 'fe2', Type=['Default'])[0]['Thumbprint']
    stale = certificates(sim, 'fe2', Type=['OAuthTokenIssuer'])[0]['Thumbprint']
    assert stale != default2 and stale in [row['Thumbprint'] for row in store(sim, 'fe2')]
    assert assign(sim, 'fe2', default2)['error'] is None
    # fe2's replica keeps showing its own certificate; fe1 shows the global one but its store lacks it
    assert certificates(sim, 'fe2', Type=['OAuthTokenIssuer'])[0]['Thumbprint'] == stale
    assert certificates(sim, 'fe1', Type=['OAuthTokenIssuer'])[0]['Thumbprint'] == default2
    assert default2 not in [row['Thumbprint'] for row in store(sim, 'fe1')]


@pytest.mark.parametrize('options, check', [
    ({'default_key_size': 1024}, lambda cert: cert.public_key().key_size == 1024),
    ({'default_days_left': -1}, lambda cert: cert.not_valid_after_utc < datetime.datetime.now(datetime.timezone.utc)),
    ({'default_sip_domain_in': 'san'}, lambda cert: cert.subject.rfc4514_string() == 'CN=sfb19.contoso.local'),
])
def test_topology_settings_shape_the_default_certificate(sim, options, check):
    sim.host('sfb2019').settings['oauth_certificate'] = options
    rows = store(sim, 'sfb2019')
    assert check(x509.load_der_x509_certificate(bytes(rows[0]['RawData'])))


def test_state_holds_real_certificates(sim):
    certificates(sim, 'fe1')
    state = json.loads((sim.state_dir / 'state.json').read_text())
    found = state['skype']['pool']['certificates']
    assert sorted(found['stores']) == ['fe1.contoso.local', 'fe2.contoso.local']
    for entry in found['certs'].values():
        x509.load_der_x509_certificate(base64.b64decode(entry['der']))


def test_get_sip_domain(sim):
    response = run(sim, 'sfb2019', 'read', invocation('Get-CsSipDomain', {'Filter': '*'}, ['Identity', 'Name', 'IsDefault'], ident='a'),
                   invocation('Get-CsSipDomain', {'Identity': 'contoso.com'}, ['Name'], ident='b'),
                   invocation('Get-CsSipDomain', {'Filter': 'f*'}, ['Name'], ident='c'))
    assert response['error'] is None
    assert response['results'][0]['output'] == [{'Identity': 'contoso.com', 'Name': 'contoso.com', 'IsDefault': True}]
    assert response['results'][1]['output'] == [{'Name': 'contoso.com'}] and response['results'][2]['output'] == []
    response = run(sim, 'sfb2019', 'read', invocation('Get-CsSipDomain', {'Identity': 'fabrikam.com'}, ['Name']))
    assert response['error']['category'] == 'ObjectNotFound'

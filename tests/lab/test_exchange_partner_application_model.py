# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's partner application model (lab/products/exchange/partner_application.py): real runner payloads in."""

from __future__ import annotations

import base64
import hashlib
import json
import pathlib

import pytest
from cryptography import x509

from simulator_support import REMOTE, Simulator, invocation, request
from lab.products.exchange.partner_application import SKYPE_APPLICATION_ID, rotate_skype_certificate

URL = 'https://sfb19.contoso.local/metadata/json/1'
ACCOUNT = 'LyncEnterprise-ApplicationAccount'
APP_PROPERTIES = ['Name', 'ApplicationIdentifier', 'AuthMetadataUrl', 'Realm', 'Enabled', 'LinkedAccount', 'CertificateStrings', 'UseAuthServer']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def call(sim, mode, *invocations, host='ex2019'):
    return sim.run(host, request(mode, REMOTE, *invocations))


def new_account(sim):
    response = call(sim, 'write', invocation('New-MailUser', {'Name': ACCOUNT, 'ExternalEmailAddress': ACCOUNT + '@contoso.com'},
                                             ['DistinguishedName'], ident='a'))
    assert response.get('error') is None, response
    return response['results'][0]['output'][0]['DistinguishedName']


def test_new_partner_application_downloads_identifier_realm_and_a_real_certificate(sim):
    dn = new_account(sim)
    assert dn == 'CN=%s,CN=Users,DC=contoso,DC=local' % ACCOUNT
    response = call(sim, 'write', invocation('New-PartnerApplication', {'Name': 'LyncEnterprise', 'AuthMetadataUrl': URL, 'LinkedAccount': ACCOUNT}),
                    invocation('Get-PartnerApplication', properties=APP_PROPERTIES, ident='r'))
    assert response.get('error') is None, response
    row = response['results'][1]['output'][0]
    assert (row['ApplicationIdentifier'], row['Realm'], row['Enabled'], row['UseAuthServer']) == (SKYPE_APPLICATION_ID, 'contoso.com', True, False)
    assert row['LinkedAccount'] == 'contoso.local/Users/%s' % ACCOUNT
    der = base64.b64decode(row['CertificateStrings'][0])
    certificate = x509.load_der_x509_certificate(der)
    assert certificate.subject.rfc4514_string() == 'CN=contoso.com' and certificate.public_key().key_size == 2048


@pytest.mark.parametrize('url, fragment', [
    ('https://unknown.contoso.local/metadata/json/1', 'could not be resolved'),
    ('http://sfb19.contoso.local/metadata/json/1', 'https only'),
    ('https://sfb19.contoso.local/autodiscover/metadata/json/1', '(404) Not Found'),
])
def test_a_metadata_url_that_is_not_a_skype_pool_fails_and_creates_nothing(sim, url, fragment):
    response = call(sim, 'write', invocation('New-PartnerApplication', {'Name': 'LyncEnterprise', 'AuthMetadataUrl': url}))
    assert fragment in response['error']['message']
    assert call(sim, 'read', invocation('Get-PartnerApplication', properties=['Name']))['results'][0]['output'] == []


def test_front_end_of_an_enterprise_pool_and_the_pool_share_one_certificate(tmp_path):
    sim = Simulator(tmp_path / 'state')
    sim.topology.hosts.append(type(sim.topology.hosts[0])('sfbse1', 'skype', 'se', 'SFBSE1', 'sfbse1.contoso.local',
                                                          {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise'}))
    for name, url in (('A', 'https://sfbpool.contoso.local/metadata/json/1'), ('B', 'https://SFBSE1.contoso.local/metadata/json/1')):
        assert call(sim, 'write', invocation('New-PartnerApplication', {'Name': name, 'AuthMetadataUrl': url})).get('error') is None
    rows = call(sim, 'read', invocation('Get-PartnerApplication', properties=['CertificateStrings']))['results'][0]['output']
    assert rows[0]['CertificateStrings'] == rows[1]['CertificateStrings']


def test_refresh_reads_the_rotated_certificate_and_a_duplicate_name_fails(sim):
    assert call(sim, 'write', invocation('New-PartnerApplication', {'Name': 'LyncEnterprise', 'AuthMetadataUrl': URL})).get('error') is None
    again = call(sim, 'write', invocation('New-PartnerApplication', {'Name': 'lyncenterprise', 'AuthMetadataUrl': URL}))
    assert 'already exists' in again['error']['message']
    path = sim.state_dir / 'state.json'
    state = json.loads(path.read_text())
    org = next(iter(state['exchange'].values()))
    new = rotate_skype_certificate(org, 'sfb2019', 'contoso.com')
    path.write_text(json.dumps(state))
    before = call(sim, 'read', invocation('Get-PartnerApplication', properties=['CertificateStrings']))['results'][0]['output'][0]
    assert before['CertificateStrings'] != [new]
    refresh = {'Identity': 'LyncEnterprise', 'RefreshAuthMetadata': {'__ucops_type': 'switch', 'value': True}}
    response = call(sim, 'write', invocation('Set-PartnerApplication', refresh),
                    invocation('Get-PartnerApplication', properties=['CertificateStrings'], ident='r'))
    assert response['results'][1]['output'][0]['CertificateStrings'] == [new]
    assert hashlib.sha1(base64.b64decode(new)).hexdigest()


def test_parameter_sets_are_bound_against_the_reference(sim):
    # -AuthMetadataUrl and -RefreshAuthMetadata are in different parameter sets of Set-PartnerApplication
    assert call(sim, 'write', invocation('New-PartnerApplication', {'Name': 'LyncEnterprise', 'AuthMetadataUrl': URL})).get('error') is None
    response = call(sim, 'write', invocation('Set-PartnerApplication', {'Identity': 'LyncEnterprise', 'AuthMetadataUrl': URL,
                                                                        'RefreshAuthMetadata': {'__ucops_type': 'switch', 'value': True}}))
    assert response['error'] is not None and 'parameter set' in response['error']['message'].lower()
    # a parameter the model does not implement is refused, never ignored
    response = call(sim, 'write', invocation('Set-PartnerApplication', {'Identity': 'LyncEnterprise', 'Realm': 'x'}))
    assert 'not implemented by the lab' in response['error']['message']


def test_account_roles_and_filters(sim):
    dn = new_account(sim)
    response = call(sim, 'write', invocation('Set-MailUser', {'Identity': dn, 'HiddenFromAddressListsEnabled': True}),
                    invocation('New-ManagementRoleAssignment', {'Role': 'UserApplication', 'User': dn}, ident='b'),
                    invocation('New-ManagementRoleAssignment', {'Role': 'ArchiveApplication', 'User': ACCOUNT}, ident='c'))
    assert response.get('error') is None, response
    unknown = call(sim, 'write', invocation('New-ManagementRoleAssignment', {'Role': 'NoSuchRole', 'User': dn}))
    assert "couldn't be found" in unknown['error']['message']
    twice = call(sim, 'write', invocation('New-ManagementRoleAssignment', {'Role': 'UserApplication', 'User': dn}))
    assert 'already exists' in twice['error']['message']
    reads = call(sim, 'read', invocation('Get-User', {'Filter': "Name -eq '%s'" % ACCOUNT}, ['Name', 'RecipientType', 'UserAccountControl'], ident='u'),
                 invocation('Get-MailUser', {'Filter': "Name -eq '%s'" % ACCOUNT}, ['HiddenFromAddressListsEnabled'], ident='m'),
                 invocation('Get-User', {'Filter': "Name -eq 'nobody'"}, ['Name'], ident='n'),
                 dict(invocation('Get-ManagementRoleAssignment', properties=['Role', 'RoleAssigneeName'], ident='r'),
                      each={'id': 'u', 'property': 'Name', 'parameter': 'RoleAssignee'}, tolerate_errors=False))
    outputs = dict((result['id'], result['output']) for result in reads['results'])
    assert outputs['u'] == [{'Name': ACCOUNT, 'RecipientType': 'MailUser', 'UserAccountControl': 'AccountDisabled, PasswordNotRequired, NormalAccount'}]
    assert outputs['m'] == [{'HiddenFromAddressListsEnabled': True}] and outputs['n'] == []
    assert sorted(row['Role'] for row in outputs['r']) == ['ArchiveApplication', 'UserApplication']
    other = call(sim, 'read', invocation('Get-User', {'Filter': "Name -like 'Lync*'"}))
    assert 'not implemented by the lab' in other['error']['message']


def test_removing_the_mail_user_takes_its_assignments_and_unlinks_it(sim):
    dn = new_account(sim)
    assert call(sim, 'write', invocation('New-ManagementRoleAssignment', {'Role': 'UserApplication', 'User': dn}),
                invocation('New-PartnerApplication', {'Name': 'LyncEnterprise', 'AuthMetadataUrl': URL, 'LinkedAccount': dn}, ident='p')).get('error') is None
    assert call(sim, 'write', invocation('Remove-MailUser', {'Identity': dn, 'Confirm': False})).get('error') is None
    reads = call(sim, 'read', invocation('Get-ManagementRoleAssignment', {'Role': 'UserApplication'}, ['Name'], ident='r'),
                 invocation('Get-PartnerApplication', properties=['LinkedAccount'], ident='p'))
    assert reads['results'][0]['output'] == [] and reads['results'][1]['output'] == [{'LinkedAccount': None}]

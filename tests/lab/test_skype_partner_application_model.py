# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Skype partner application model (lab/products/skype/partner_application.py): real runner payloads in."""

from __future__ import annotations

import json
import pathlib

import pytest

from simulator_support import SKYPE, Simulator, invocation, request
from lab.products.skype.partner_application import EXCHANGE_APPLICATION_ID, METADATA_DOWNLOAD_FAILED

URL = 'https://ex19.contoso.local/autodiscover/metadata/json/1'
PROPERTIES = ['Identity', 'ApplicationIdentifier', 'Realm', 'ApplicationTrustLevel', 'Enabled', 'MetadataUrl',
              'AcceptSecurityIdentifierInformation', 'UseOAuthServer']
FULL = {'ApplicationTrustLevel': 'Full'}


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def call(sim, mode, *invocations, host='sfb2019'):
    return sim.run(host, request(mode, SKYPE, *invocations))


def apps(sim, host='sfb2019'):
    # -Filter '*': the reference names no default set, so a bare Get-CsPartnerApplication is ambiguous in the lab
    response = call(sim, 'read', invocation('Get-CsPartnerApplication', {'Filter': '*'}, PROPERTIES), host=host)
    assert response.get('error') is None, response
    return response['results'][0]['output']


def new(sim, identity='microsoft.exchange', url=URL, host='sfb2019', **extra):
    parameters = dict({'Identity': identity, 'MetadataUrl': url}, **FULL)
    parameters.update(extra)
    return call(sim, 'write', invocation('New-CsPartnerApplication', parameters), host=host)


@pytest.mark.parametrize('host', ['lync2013', 'sfb2015', 'sfb2019'])
def test_new_from_exchange_metadata_on_every_version(sim, host):
    response = new(sim, host=host)
    assert response.get('error') is None, response
    assert apps(sim, host) == [{'Identity': 'microsoft.exchange', 'ApplicationIdentifier': EXCHANGE_APPLICATION_ID, 'Realm': None,
                                'ApplicationTrustLevel': 'Full', 'Enabled': True, 'MetadataUrl': URL,
                                'AcceptSecurityIdentifierInformation': False, 'UseOAuthServer': False}]


@pytest.mark.parametrize('url', [
    'https://autodiscover.contoso.com/autodiscover/metadata/json/1',  # the SIP domain (SFB-PARTNER form)
    'https://AUTODISCOVER.contoso.local/Autodiscover/Metadata/JSON/1',  # AD domain, path case-insensitive
    'https://ex13.contoso.local:443/autodiscover/metadata/json/1',
])
def test_exchange_hosts_and_autodiscover_names_are_reachable(sim, url):
    assert new(sim, url=url).get('error') is None


@pytest.mark.parametrize('url', [
    'http://ex19.contoso.local/autodiscover/metadata/json/1',  # not https
    'https://nowhere.contoso.local/autodiscover/metadata/json/1',  # no such host
    'https://sfb19.contoso.local/autodiscover/metadata/json/1',  # a Skype host, not Exchange
    'https://ex19.contoso.local/metadata/json/1',  # the Skype path
    'https://ex19.contoso.local:8443/autodiscover/metadata/json/1',
    'not a url',
])
def test_a_failed_download_is_the_documented_binding_error(sim, url):
    error = new(sim, url=url)['error']
    assert error['message'] == 'Cannot bind parameter \'MetadataUrl\' to the target. Exception setting "MetadataUrl": "%s"' % METADATA_DOWNLOAD_FAILED
    assert error['fully_qualified_error_id'] == 'ParameterBindingFailed,New-CsPartnerApplication'
    assert error['exception_type'] == 'System.Management.Automation.ParameterBindingException'
    assert apps(sim) == []


def test_the_download_fails_before_the_identity_is_checked(sim):
    assert new(sim).get('error') is None
    # binding stage: a bad URL fails with the metadata error even though the Identity is taken
    assert 'MetadataUrl' in new(sim, url='https://nowhere.contoso.local/autodiscover/metadata/json/1')['error']['message']
    duplicate = new(sim, identity='Microsoft.Exchange')['error']
    assert 'already exists' in duplicate['message']


def test_application_identifier_and_metadata_url_cannot_be_combined(sim):
    response = new(sim, ApplicationIdentifier=EXCHANGE_APPLICATION_ID)
    assert response['error']['fully_qualified_error_id'] == 'AmbiguousParameterSet,New-CsPartnerApplication'
    assert apps(sim) == []


def test_trust_level_is_required_and_an_enum(sim):
    missing = call(sim, 'write', invocation('New-CsPartnerApplication', {'Identity': 'x', 'MetadataUrl': URL}))['error']
    assert missing['fully_qualified_error_id'] == 'MissingMandatoryParameter,New-CsPartnerApplication'
    bad = call(sim, 'write', invocation('New-CsPartnerApplication', {'Identity': 'x', 'MetadataUrl': URL, 'ApplicationTrustLevel': 'Total'}))['error']
    assert 'Full, Application, User' in bad['message'] and bad['fully_qualified_error_id'].startswith('CannotConvertArgumentNoMessage')
    assert new(sim, ApplicationTrustLevel='user').get('error') is None
    assert apps(sim)[0]['ApplicationTrustLevel'] == 'User'


def test_set_changes_the_metadata_url_in_place_and_downloads_again(sim):
    assert new(sim, Enabled=False).get('error') is None
    other = 'https://ex16.contoso.local/autodiscover/metadata/json/1'
    response = call(sim, 'write', invocation('Set-CsPartnerApplication', {'Identity': 'MICROSOFT.EXCHANGE', 'MetadataUrl': other,
                                                                          'Enabled': True, 'ApplicationTrustLevel': 'Application'}))
    assert response.get('error') is None, response
    row = apps(sim)[0]
    assert (row['Identity'], row['MetadataUrl'], row['Enabled'], row['ApplicationTrustLevel']) == ('microsoft.exchange', other, True, 'Application')
    failed = call(sim, 'write', invocation('Set-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'Enabled': False,
                                                                        'MetadataUrl': 'https://nowhere.contoso.local/autodiscover/metadata/json/1'}))
    assert failed['error']['fully_qualified_error_id'] == 'ParameterBindingFailed,Set-CsPartnerApplication'
    assert apps(sim)[0]['Enabled'] is True


def test_set_with_only_common_parameters_binds_as_the_documented_script_runs_it(sim):
    # SFB-ONPREM-PA: Set-CsPartnerApplication -Identity microsoft.exchange -ApplicationTrustLevel Full (lab/binder.py default set)
    assert new(sim).get('error') is None
    assert call(sim, 'write', invocation('Set-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'Enabled': False}))['error'] is None
    rows = call(sim, 'read', invocation('Get-CsPartnerApplication', {'Identity': 'microsoft.exchange'}, ['Enabled']))
    assert rows['results'][0]['output'] == [{'Enabled': False}]


def test_set_has_no_application_identifier(sim):
    assert new(sim).get('error') is None
    error = call(sim, 'write', invocation('Set-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'MetadataUrl': URL,
                                                                       'ApplicationIdentifier': 'x'}))['error']
    assert error['fully_qualified_error_id'] == 'NamedParameterNotFound,Set-CsPartnerApplication'


def test_oauth_server_application_and_get_by_identity_filter_and_remove(sim):
    response = call(sim, 'write', invocation('New-CsPartnerApplication', {
        'Identity': 'Exchange-Online', 'ApplicationIdentifier': EXCHANGE_APPLICATION_ID, 'ApplicationTrustLevel': 'Full',
        'UseOAuthServer': {'__ucops_type': 'switch', 'value': True}}))
    assert response.get('error') is None, response
    assert new(sim).get('error') is None
    one = call(sim, 'read', invocation('Get-CsPartnerApplication', {'Identity': 'exchange-online'}, PROPERTIES))['results'][0]['output']
    assert [(row['Identity'], row['UseOAuthServer'], row['MetadataUrl']) for row in one] == [('Exchange-Online', True, None)]
    filtered = call(sim, 'read', invocation('Get-CsPartnerApplication', {'Filter': '*MICROSOFT*'}, PROPERTIES))['results'][0]['output']
    assert [row['Identity'] for row in filtered] == ['microsoft.exchange']
    missing = call(sim, 'read', invocation('Get-CsPartnerApplication', {'Identity': 'nothing'}))['error']
    assert missing['category'] == 'ObjectNotFound'
    removed = call(sim, 'write', invocation('Remove-CsPartnerApplication', {'Identity': 'Exchange-Online', 'Confirm': False}))
    assert removed.get('error') is None, removed
    assert [row['Identity'] for row in apps(sim)] == ['microsoft.exchange']
    again = call(sim, 'write', invocation('Remove-CsPartnerApplication', {'Identity': 'Exchange-Online'}))['error']
    assert again['category'] == 'ObjectNotFound'


def test_whatif_changes_nothing_and_the_state_is_global_to_the_deployment(sim):
    assert new(sim, WhatIf={'__ucops_type': 'switch', 'value': True}).get('error') is None
    assert apps(sim) == []
    assert new(sim).get('error') is None
    assert apps(sim, 'sfb2015') == []  # another deployment
    state = json.loads((sim.state_dir / 'state.json').read_text(encoding='utf-8'))
    assert list(state['skype']['sfb2019']['partner_applications']) == ['microsoft.exchange']


def test_unmodelled_parameters_fail_loudly(sim):
    error = new(sim, InMemory={'__ucops_type': 'switch', 'value': True})['error']
    assert error['exception_type'] == 'UcopsLab.NotImplementedException'

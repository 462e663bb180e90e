# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's federation model (lab/products/skype/federation.py): Access Edge configuration, hosting providers and the
replication status, through real runner payloads."""

from __future__ import annotations

import pathlib

import pytest

from simulator_support import SKYPE, Simulator, invocation, request

PROVIDER = ['Identity', 'ProxyFqdn', 'Enabled', 'EnabledSharedAddressSpace', 'HostsOCSUsers', 'IsLocal', 'VerificationLevel', 'SipClientPort']
DOCUMENTED = {'Identity': 'Exchange Online', 'Enabled': True, 'EnabledSharedAddressSpace': True, 'HostsOCSUsers': False,
              'ProxyFqdn': 'exap.um.outlook.com', 'IsLocal': False, 'VerificationLevel': 'UseSourceVerification'}


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def call(sim, mode, *invocations, host='sfb2019'):
    return sim.run(host, request(mode, SKYPE, *invocations))


def providers(sim, host='sfb2019'):
    response = call(sim, 'read', invocation('Get-CsHostingProvider', properties=PROVIDER), host=host)
    assert response.get('error') is None, response
    return response['results'][0]['output']


@pytest.mark.parametrize('host', ['lync2013', 'sfb2015', 'sfb2019'])
def test_access_edge_defaults_are_the_documented_ones_and_set_changes_only_what_is_given(sim, host):
    read = invocation('Get-CsAccessEdgeConfiguration', {'Identity': 'Global'}, ['Identity', 'AllowFederatedUsers', 'AllowOutsideUsers'])
    row = call(sim, 'read', read, host=host)['results'][0]['output'][0]
    assert row == {'Identity': 'Global', 'AllowFederatedUsers': False, 'AllowOutsideUsers': True}
    response = call(sim, 'write', invocation('Set-CsAccessEdgeConfiguration', {'Identity': 'Global', 'AllowFederatedUsers': True}), host=host)
    assert response.get('error') is None, response
    row = call(sim, 'read', read, host=host)['results'][0]['output'][0]
    assert (row['AllowFederatedUsers'], row['AllowOutsideUsers']) == (True, True)


def test_access_edge_without_identity_is_ambiguous_and_routing_switches_are_not_modelled(sim):
    # AllowFederatedUsers alone is in three parameter sets and the reference names no default set
    response = call(sim, 'write', invocation('Set-CsAccessEdgeConfiguration', {'AllowFederatedUsers': True}))
    assert 'AmbiguousParameterSet' in response['error']['fully_qualified_error_id']
    routing = {'UseDnsSrvRouting': {'__ucops_type': 'switch', 'value': True}, 'EnablePartnerDiscovery': True}
    response = call(sim, 'write', invocation('Set-CsAccessEdgeConfiguration', routing))
    assert 'not implemented by the lab' in response['error']['message']


def test_hosting_provider_lifecycle_and_proxy_fqdn_cannot_be_set(sim):
    response = call(sim, 'write', invocation('New-CsHostingProvider', dict(DOCUMENTED)))
    assert response.get('error') is None, response
    assert providers(sim) == [dict(DOCUMENTED, SipClientPort=443)]
    again = call(sim, 'write', invocation('New-CsHostingProvider', dict(DOCUMENTED, Identity='exchange online')))
    assert 'already exists' in again['error']['message']
    # Set-CsHostingProvider has no ProxyFqdn parameter (REF-SFB: it cannot be modified)
    response = call(sim, 'write', invocation('Set-CsHostingProvider', {'Identity': 'Exchange Online', 'ProxyFqdn': 'exap.um.office365.us'}))
    assert "A parameter cannot be found that matches parameter name 'ProxyFqdn'" in response['error']['message']
    response = call(sim, 'write', invocation('Set-CsHostingProvider', {'Identity': 'Exchange Online', 'Enabled': False,
                                                                       'VerificationLevel': 'alwaysunverifiable'}))
    assert response.get('error') is None, response
    assert (providers(sim)[0]['Enabled'], providers(sim)[0]['VerificationLevel']) == (False, 'AlwaysUnverifiable')
    response = call(sim, 'write', invocation('Remove-CsHostingProvider', {'Identity': 'Exchange Online', 'Confirm': False}))
    assert response.get('error') is None, response
    assert providers(sim) == []
    missing = call(sim, 'write', invocation('Remove-CsHostingProvider', {'Identity': 'Exchange Online'}))
    assert 'Cannot find' in missing['error']['message']


def test_new_hosting_provider_needs_the_mandatory_parameters_and_a_valid_verification_level(sim):
    response = call(sim, 'write', invocation('New-CsHostingProvider', {'Identity': 'Exchange Online', 'ProxyFqdn': 'exap.um.outlook.com'}))
    assert 'missing mandatory parameters' in response['error']['message']
    response = call(sim, 'write', invocation('New-CsHostingProvider', dict(DOCUMENTED, VerificationLevel='Sometimes')))
    assert 'Unable to match the identifier name Sometimes' in response['error']['message']
    assert providers(sim) == []


def test_default_verification_level_is_always_verifiable(sim):
    parameters = dict(DOCUMENTED)
    del parameters['VerificationLevel']
    assert call(sim, 'write', invocation('New-CsHostingProvider', parameters)).get('error') is None
    assert providers(sim)[0]['VerificationLevel'] == 'AlwaysVerifiable'


def test_replication_lists_every_front_end_and_edge_and_a_stale_replica(tmp_path):
    sim = Simulator(tmp_path / 'state')
    host = sim.host('sfb2019')
    host.settings = {'pools': [{'fqdn': 'edge01.contoso.local', 'services': ['EdgeServer:edge01.contoso.local']}],
                     'stale_replicas': ['EDGE01.contoso.local']}
    read = invocation('Get-CsManagementStoreReplicationStatus', properties=['ReplicaFqdn', 'UpToDate', 'LastUpdateCreation'])
    rows = call(sim, 'read', read)['results'][0]['output']
    assert [(row['ReplicaFqdn'], row['UpToDate']) for row in rows] == [('sfb19.contoso.local', True), ('edge01.contoso.local', False)]
    assert rows[1]['LastUpdateCreation'] < rows[0]['LastUpdateCreation']
    assert call(sim, 'write', invocation('New-CsHostingProvider', dict(DOCUMENTED))).get('error') is None
    after = call(sim, 'read', read)['results'][0]['output']
    assert after[0]['LastUpdateCreation'] > rows[0]['LastUpdateCreation']
    one = call(sim, 'read', invocation('Get-CsManagementStoreReplicationStatus', {'ReplicaFqdn': 'sfb19.contoso.local'}, ['ReplicaFqdn']))
    assert one['results'][0]['output'] == [{'ReplicaFqdn': 'sfb19.contoso.local'}]


def test_seeded_providers_and_get_by_identity_or_filter(tmp_path):
    sim = Simulator(tmp_path / 'state')
    sim.host('sfb2015').settings = {'hosting_providers': [{'Identity': 'Office365', 'ProxyFqdn': 'sipfed.online.lync.com', 'Enabled': True,
                                                           'HostsOCSUsers': True}]}
    rows = providers(sim, 'sfb2015')
    assert [(row['Identity'], row['HostsOCSUsers'], row['VerificationLevel']) for row in rows] == [('Office365', True, 'AlwaysVerifiable')]
    by_id = call(sim, 'read', invocation('Get-CsHostingProvider', {'Identity': 'office365'}, ['Identity']), host='sfb2015')
    assert by_id['results'][0]['output'] == [{'Identity': 'Office365'}]
    by_filter = call(sim, 'read', invocation('Get-CsHostingProvider', {'Filter': 'Exch*'}, ['Identity']), host='sfb2015')
    assert by_filter['results'][0]['output'] == []
    local = call(sim, 'read', invocation('Get-CsHostingProvider', {'LocalStore': {'__ucops_type': 'switch', 'value': True}}), host='sfb2015')
    assert 'not implemented by the lab' in local['error']['message']

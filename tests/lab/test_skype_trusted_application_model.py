# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's trusted application model (lab/products/skype/trusted_application.py): real runner payloads in."""

from __future__ import annotations

import json
import pathlib

import pytest

from simulator_support import SKYPE, Simulator, invocation, request

OWA = 'owa.contoso.local'
POOL_PROPERTIES = ['Identity', 'PoolFqdn', 'SiteId', 'Registrar', 'RequiresReplication', 'ThrottleAsServer', 'TreatAsAuthenticated',
                   'OutboundOnly', 'ServiceId']
APP_PROPERTIES = ['Identity', 'ApplicationId', 'TrustedApplicationPoolFqdn', 'Port']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def call(sim, mode, *invocations, host='sfb2015'):
    return sim.run(host, request(mode, SKYPE, *invocations))


def state(sim, deployment='sfb2015'):
    path = sim.state_dir / 'state.json'
    # nothing persisted yet (no cmdlet changed anything): an empty deployment
    return json.loads(path.read_text())['skype'][deployment] if path.exists() else {}


def new_pool(sim, host='sfb2015', fqdn=OWA, **extra):
    parameters = dict({'Identity': fqdn, 'Registrar': 'sfb15.contoso.local', 'Site': '1', 'RequiresReplication': False}, **extra)
    return call(sim, 'write', invocation('New-CsTrustedApplicationPool', parameters, ['Identity']), host=host)


def test_pool_and_application_are_created_read_back_and_the_topology_must_be_enabled(sim):
    response = new_pool(sim)
    assert response.get('error') is None, response
    response = call(sim, 'write', invocation('New-CsTrustedApplication', {'ApplicationId': 'OutlookWebApp', 'TrustedApplicationPoolFqdn': OWA,
                                                                          'Port': 5199}, ident='a'))
    assert response.get('error') is None, response
    assert state(sim)['topology_publication']['pending'] is True
    response = call(sim, 'read', invocation('Get-CsTrustedApplicationPool', {'Filter': '*'}, POOL_PROPERTIES, ident='p'),
                    invocation('Get-CsTrustedApplication', {'Filter': '*'}, APP_PROPERTIES, ident='a'))
    pool = response['results'][0]['output'][0]
    assert pool == {'Identity': 'TrustedApplicationPool:' + OWA, 'PoolFqdn': OWA, 'SiteId': 'Site:Redmond',
                    'Registrar': 'Registrar:sfb15.contoso.local', 'RequiresReplication': False, 'ThrottleAsServer': True,
                    'TreatAsAuthenticated': True, 'OutboundOnly': False, 'ServiceId': '1-ExternalServer-1'}
    assert response['results'][1]['output'] == [{'Identity': OWA + '/urn:application:OutlookWebApp', 'ApplicationId': 'urn:application:OutlookWebApp',
                                                 'TrustedApplicationPoolFqdn': OWA, 'Port': 5199}]
    response = call(sim, 'write', invocation('Enable-CsTopology', ident='e'))
    assert response.get('error') is None, response
    assert state(sim)['topology_publication'] == {'pending': False, 'enabled': 1, 'last_enabled_by': 'sfb15.contoso.local'}


@pytest.mark.parametrize('parameters, fragment', [
    ({'Site': 'site:Redmond'}, 'without "site:"'),
    ({'Site': '7'}, 'Cannot find site "7"'),
    ({'Site': None}, '-Site is required'),
    ({'Registrar': 'nowhere.contoso.local'}, 'Registrar service'),
    ({'ComputerFqdn': 'cas.contoso.local'}, 'ComputerFqdn'),
])
def test_new_pool_refuses_what_the_product_refuses(sim, parameters, fragment):
    extra = dict(parameters)
    base = {'Identity': OWA, 'Registrar': 'sfb15.contoso.local', 'Site': '1'}
    base.update(extra)
    response = call(sim, 'write', invocation('New-CsTrustedApplicationPool', dict((k, v) for k, v in base.items() if v is not None)))
    assert fragment in response['error']['message'], response
    assert state(sim).get('trusted_application_pools') in (None, [])


def test_new_pool_on_a_topology_pool_adds_only_the_external_server_service(sim):
    response = call(sim, 'write', invocation('New-CsTrustedApplicationPool', {'Identity': 'sfb15.contoso.local', 'Registrar': 'sfb15.contoso.local'}))
    assert response.get('error') is None, response
    pool = next(p for p in state(sim)['pools'] if p['fqdn'] == 'sfb15.contoso.local')
    assert 'ExternalServer:sfb15.contoso.local' in pool['services']
    response = call(sim, 'write', invocation('Remove-CsTrustedApplicationPool', {'Identity': 'sfb15.contoso.local'}))
    assert response.get('error') is None, response
    pool = next(p for p in state(sim)['pools'] if p['fqdn'] == 'sfb15.contoso.local')
    assert 'ExternalServer:sfb15.contoso.local' not in pool['services'] and 'Registrar:sfb15.contoso.local' in pool['services']


def test_application_ids_without_spaces_and_ports_unique_within_the_pool(sim):
    new_pool(sim)
    ok = call(sim, 'write', invocation('New-CsTrustedApplication', {'Identity': OWA + '/app1', 'Port': 6000}))
    assert ok.get('error') is None, ok
    spaced = call(sim, 'write', invocation('New-CsTrustedApplication', {'Identity': OWA + '/my app', 'Port': 6001}))
    assert 'cannot contain spaces' in spaced['error']['message']
    same_port = call(sim, 'write', invocation('New-CsTrustedApplication', {'ApplicationId': 'app2', 'TrustedApplicationPoolFqdn': OWA, 'Port': 6000}))
    assert 'already used' in same_port['error']['message']
    duplicate = call(sim, 'write', invocation('New-CsTrustedApplication', {'ApplicationId': 'urn:application:APP1', 'TrustedApplicationPoolFqdn': OWA,
                                                                           'Port': 6002}))
    assert 'already exists' in duplicate['error']['message']
    moved = call(sim, 'write', invocation('Set-CsTrustedApplication', {'Identity': OWA + '/urn:application:app1', 'Port': 6003}))
    assert moved.get('error') is None, moved
    assert state(sim)['trusted_applications'] == [{'pool': OWA, 'application_id': 'app1', 'port': 6003}]


def test_set_pool_has_no_site_and_remove_takes_the_applications_with_it(sim):
    new_pool(sim)
    call(sim, 'write', invocation('New-CsTrustedApplication', {'Identity': OWA + '/app1', 'Port': 6000}))
    no_site = call(sim, 'write', invocation('Set-CsTrustedApplicationPool', {'Identity': OWA, 'Site': '1'}))
    assert "A parameter cannot be found that matches parameter name 'Site'" in no_site['error']['message']
    changed = call(sim, 'write', invocation('Set-CsTrustedApplicationPool', {'Identity': 'TrustedApplicationPool:' + OWA, 'ThrottleAsServer': False}))
    assert changed.get('error') is None, changed
    assert state(sim)['trusted_application_pools'][0]['throttle_as_server'] is False
    removed = call(sim, 'write', invocation('Remove-CsTrustedApplicationPool', {'Identity': OWA}))
    assert removed.get('error') is None, removed
    assert state(sim)['trusted_application_pools'] == [] and state(sim)['trusted_applications'] == []


def test_a_pool_without_registrar_cannot_be_removed(sim):
    response = call(sim, 'write', invocation('New-CsTrustedApplicationPool', {'Identity': OWA, 'Site': '1'}))
    assert response.get('error') is None, response
    refused = call(sim, 'write', invocation('Remove-CsTrustedApplicationPool', {'Identity': OWA}))
    assert 'has no Registrar' in refused['error']['message']
    assert len(state(sim)['trusted_application_pools']) == 1


def test_reads_of_a_missing_pool_or_application_are_errors_and_filters_are_empty(sim):
    missing = call(sim, 'read', invocation('Get-CsTrustedApplicationPool', {'Identity': OWA}))
    assert 'Cannot find trusted application pool' in missing['error']['message']
    empty = call(sim, 'read', invocation('Get-CsTrustedApplication', {'Filter': '*'}, APP_PROPERTIES))
    assert empty.get('error') is None and empty['results'][0]['output'] == []


def test_the_deployment_is_shared_by_the_front_ends_of_one_pool(sim):
    sim.topology.hosts.append(type(sim.host('sfb2019'))('sfbse1', 'skype', 'se', 'SFBSE1', 'sfbse1.contoso.local',
                                                        {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise'}))
    sim.topology.hosts.append(type(sim.host('sfb2019'))('sfbse2', 'skype', 'se', 'SFBSE2', 'sfbse2.contoso.local',
                                                        {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise'}))
    response = new_pool(sim, host='sfbse1', Registrar='sfbpool.contoso.local')
    assert response.get('error') is None, response
    seen = call(sim, 'read', invocation('Get-CsTrustedApplicationPool', {'Filter': '*'}, ['PoolFqdn']), host='sfbse2')
    assert seen['results'][0]['output'] == [{'PoolFqdn': OWA}]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The request features of RUNNER_PS1 as the lab runs them: foreach with tolerated item errors, values taken from an
earlier invocation's output, and the host's own cmdlets (lab/products/windows.py)."""

from __future__ import annotations

import pathlib

import pytest

from simulator_support import SNAPIN, Simulator, invocation, request

NONE = {'type': 'none'}


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def each(cmdlet, source, prop, parameter, properties, ident='x', tolerate=False, parameters=None):
    item = invocation(cmdlet, parameters, properties, ident=ident)
    item['each'] = {'id': source, 'property': prop, 'parameter': parameter}
    item['tolerate_errors'] = tolerate
    return item


def test_foreach_runs_once_per_object_and_tags_each_row(sim):
    response = sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=['Name'], ident='servers'),
                                         each('Get-ClientAccessService', 'servers', 'Name', 'Identity', ['Name'], ident='cas')),
                       auth_method='credssp')
    assert response['error'] is None
    servers = [row['Name'] for row in response['results'][0]['output']]
    rows = response['results'][1]['output']
    assert [row['Name'] for row in rows] == servers
    assert [row['__item'] for row in rows] == servers


def test_foreach_tolerates_an_item_error_as_data_and_runs_the_others(sim):
    response = sim.run('ex2019', request('read', SNAPIN,
                                         invocation('Get-ExchangeServer', properties=['Name', 'Site'], ident='servers'),
                                         # a site is no server identity: every item fails
                                         each('Get-ClientAccessService', 'servers', 'Site', 'Identity', ['Name'], ident='bad', tolerate=True),
                                         each('Get-ClientAccessService', 'servers', 'Name', 'Identity', ['Name'], ident='ok')),
                       auth_method='credssp')
    assert response['error'] is None
    bad = response['results'][1]
    assert bad['status'] == 'ok' and bad['output'] == []
    sites = [row['Site'] for row in response['results'][0]['output']]
    assert [error['item'] for error in bad['item_errors']] == sites and sites
    assert all("couldn't be found" in error['message'] and error['stage'] == 'item' for error in bad['item_errors'])
    assert len(response['results'][2]['output']) == len(sites)


def test_foreach_without_tolerance_fails_the_request_at_the_first_item(sim):
    response = sim.run('ex2019', request('read', SNAPIN,
                                         invocation('Get-ExchangeServer', properties=['Site'], ident='servers'),
                                         each('Get-ClientAccessService', 'servers', 'Site', 'Identity', ['Name'], ident='bad')),
                       auth_method='credssp')
    assert response['error']['stage'] == 'invocation' and response['error']['index'] == 1
    assert response['results'][1]['status'] == 'error'


def test_a_value_taken_from_an_earlier_output_reaches_the_cmdlet(sim):
    ref = {'__ucops_type': 'ref', 'id': 'servers', 'property': 'Name'}
    response = sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=['Name'], ident='servers'),
                                         invocation('Get-ClientAccessService', {'Identity': ref}, ['Name'], ident='one')),
                       auth_method='credssp')
    assert response['results'][1]['output'] == [{'Name': response['results'][0]['output'][0]['Name']}]
    missing = sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', {'Identity': 'EX19'}, ['Name'], ident='servers'),
                                        invocation('Get-ClientAccessService', {'Identity': dict(ref, property='Nope')}, ['Name'], ident='one')),
                      auth_method='credssp')
    assert missing['error']['message'] == 'ucops: the output of invocation servers has no property Nope'


def test_the_hosts_own_cmdlets_run_in_any_shell_and_are_bound(sim):
    restart = invocation('Restart-Service', {'Name': ['MSExchangeServiceHost'], 'Force': {'__ucops_type': 'switch', 'value': True}})
    assert sim.run('ex2019', request('write', NONE, restart))['error'] is None
    pool = invocation('Restart-WebAppPool', {'Name': 'MSExchangeOWAAppPool'})
    assert sim.run('ex2019', request('write', NONE, pool))['error'] is None
    unknown = sim.run('ex2019', request('write', NONE, invocation('Restart-Service', {'Name': ['NoSuchService']})))
    assert unknown['error']['fully_qualified_error_id'] == 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.RestartServiceCommand'
    unbound = sim.run('ex2019', request('write', NONE, invocation('Restart-WebAppPool', {'Nme': 'x'})))
    assert unbound['error']['fully_qualified_error_id'].startswith('NamedParameterNotFound')
    state = sim.engine.store.load()['windows']['ex2019']
    assert state['services']['MSExchangeServiceHost']['restarts'] == 1
    assert state['app_pools']['MSExchangeOWAAppPool']['restarts'] == 1
    path = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'
    read = sim.run('ex2019', request('read', NONE, invocation('Get-ItemProperty', {'Path': [path], 'Name': ['MsiInstallPath']}, ['MsiInstallPath'])))
    assert read['results'][0]['output'] == [{'MsiInstallPath': 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\'}]
    absent = sim.run('ex2019', request('read', NONE, invocation('Get-Content', {'Path': ['C:\\nope.txt'], 'Raw': True})))
    assert absent['error']['fully_qualified_error_id'] == 'PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand'

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


SKYPE_SHELL = {'type': 'skype'}
STORE = 'Cert:\\LocalMachine\\My'


def test_a_dotted_property_name_walks_nested_properties(sim):
    sim.host('sfb2019').settings['oauth_certificate'] = {'spare': True}
    sim.host('sfb2015').settings['oauth_certificate'] = {'default_key_storage': 'cng'}
    properties = ['Thumbprint', 'PrivateKey.CspKeyContainerInfo.Exportable', 'PrivateKey.KeySize', 'PrivateKey.Nothing.Here',
                  'HasPrivateKey.Foo', 'Thumbprint.Length']
    response = sim.run('sfb2019', request('read', SKYPE_SHELL, invocation('Get-ChildItem', {'Path': STORE}, properties)))
    assert response['error'] is None
    rows = response['results'][0]['output']
    assert len(rows) == 2
    for row in rows:
        assert row['PrivateKey.CspKeyContainerInfo.Exportable'] is True and row['PrivateKey.KeySize'] == 2048
        # a missing segment is null; a scalar's own property is reached (String.Length)
        assert row['PrivateKey.Nothing.Here'] is None and row['HasPrivateKey.Foo'] is None
        assert row['Thumbprint.Length'] == 40
    # a CNG key: the PrivateKey getter throws on .NET Framework, so the walk gives null (exportability unknown)
    response = sim.run('sfb2015', request('read', SKYPE_SHELL, invocation('Get-ChildItem', {'Path': STORE}, properties)))
    assert response['error'] is None
    row = response['results'][0]['output'][0]
    assert row['PrivateKey.CspKeyContainerInfo.Exportable'] is None and row['PrivateKey.KeySize'] is None


def test_a_property_with_the_whole_dotted_name_wins_over_the_walk():
    from lab.engine import Engine
    from lab.psvalues import PSObject
    obj = PSObject({'A.B': 'whole', 'A': PSObject({'B': 'walked'}, 'a')}, 'o')
    assert Engine._rows([obj], ['A.B']) == [{'A.B': 'whole'}]  # pylint: disable=protected-access
    assert Engine._rows([PSObject({'A': PSObject({'B': 'walked'}, 'a')}, 'o')], ['A.B']) == [{'A.B': 'walked'}]  # pylint: disable=protected-access
    assert Engine._rows([PSObject({'A': None}, 'o')], ['A.B', 'Missing']) == [{'A.B': None, 'Missing': None}]  # pylint: disable=protected-access


def test_get_child_item_models_the_machine_store_only(sim):
    # an Exchange host's store holds no Skype certificate (no source registers one)
    response = sim.run('ex2019', request('read', NONE, invocation('Get-ChildItem', {'Path': STORE}, ['Thumbprint'])))
    assert response['error'] is None and response['results'][0]['output'] == []
    for path, text in (('C:\\Windows', 'only Cert:\\LocalMachine\\My is modelled'), ('Cert:\\LocalMachine\\Root', 'certificate store')):
        response = sim.run('sfb2019', request('read', SKYPE_SHELL, invocation('Get-ChildItem', {'Path': path}, ['Thumbprint'])))
        assert response['error']['fully_qualified_error_id'] == 'UcopsLabNotImplemented' and text in response['error']['message']
    # bound against lab/reference/windows.json: an unknown parameter is the binder's error, a known one not modelled is loud
    response = sim.run('sfb2019', request('read', SKYPE_SHELL, invocation('Get-ChildItem', {'Path': STORE, 'Bogus': 1}, ['Thumbprint'])))
    assert response['error']['fully_qualified_error_id'].startswith('NamedParameterNotFound')
    response = sim.run('sfb2019', request('read', SKYPE_SHELL, invocation('Get-ChildItem', {'Path': STORE, 'Recurse': True}, ['Thumbprint'])))
    assert response['error']['fully_qualified_error_id'] == 'UcopsLabNotImplemented'


def test_tolerate_errors_without_foreach_records_the_one_error_and_goes_on(sim):
    missing = invocation('Get-CsConversationHistoryConfiguration', properties=['Identity'], ident='history')
    missing['tolerate_errors'] = True
    response = sim.run('lync2013', request('read', {'type': 'skype'}, missing, invocation('Get-CsSite', properties=['Identity'], ident='sites')),
                       auth_method='credssp')
    assert response['error'] is None
    errors = response['results'][0]['item_errors']
    assert [(error['item'], error['fully_qualified_error_id']) for error in errors] == [(None, 'CommandNotFoundException')]
    assert response['results'][1]['output']


def test_a_request_of_local_cmdlets_opens_no_product_session(sim):
    remote = {'type': 'exchange_remote', 'connection_uri': None, 'authentication': 'Kerberos', 'credential': None}
    path = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'
    read = invocation('Get-ItemProperty', {'Path': [path], 'Name': ['MsiInstallPath']}, ['MsiInstallPath'])
    # without local the runner asks Import-PSSession for a name the endpoint lacks: "returned no results"
    failed = sim.run('ex2019', request('read', remote, read))
    assert failed['error']['stage'] == 'shell'
    response = sim.run('ex2019', request('read', remote, dict(read, local=True)))
    assert response['error'] is None and response['results'][0]['output'][0]['MsiInstallPath'].endswith('V15\\')

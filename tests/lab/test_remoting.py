# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab refuses what real servers refuse: the second hop, the products' remoting endpoints, remote-session shapes."""

from __future__ import annotations

import pathlib

import pytest

from simulator_support import (ARGUMENTS, PASSWORD, REMOTE, SKYPE, SNAPIN, HostSpec, Simulator, build_stdin, invocation,
                               make_topology, request)
from lab.engine import Engine
from lab.psvalues import PSDeserializedEnum, PSEnum, PSObject, deserialize, normalise
from lab.session import Session

CREDENTIAL = {'username': 'CONTOSO\\admin', 'password': PASSWORD}
SKYPE_REMOTE = {'type': 'skype_remote', 'connection_uri': None, 'authentication': 'Negotiate', 'credential': CREDENTIAL}


class PoolSimulator(Simulator):
    """The default simulator plus an Enterprise pool (two Front Ends, CMS on a SQL server) and special hosts."""

    def __init__(self, state_dir: pathlib.Path) -> None:  # pylint: disable=super-init-not-called
        self.state_dir = state_dir
        self.topology = make_topology()
        pool = {'deployment': 'pool', 'pool_fqdn': 'pool01.contoso.local', 'edition': 'Enterprise', 'cms_server': 'sql01.contoso.local'}
        self.topology.hosts.extend([
            HostSpec('fe1', 'skype', '2019', 'FE1', 'fe1.contoso.local', dict(pool)),
            HostSpec('fe2', 'skype', '2019', 'FE2', 'fe2.contoso.local', dict(pool)),
            HostSpec('clm', 'exchange', '2019', 'CLM', 'clm.contoso.local', {'language_mode': 'ConstrainedLanguage'}),
            HostSpec('lyncfix', 'skype', '2013', 'LYNCFIX', 'lyncfix.contoso.local', {'hotfixes': ['KB2842230']}),
        ])
        self.engine = Engine(self.topology, state_dir)


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> PoolSimulator:
    return PoolSimulator(tmp_path / 'state')


OAUTH = invocation('Get-CsOAuthConfiguration', {'Identity': 'Global'}, ['Identity', 'Realm'])


# -- the second hop -----------------------------------------------------------------------------------------------


def test_skype_module_on_a_pool_whose_cms_is_elsewhere_fails_under_ntlm(sim):
    error = sim.run('fe1', request('read', SKYPE, OAUTH))['error']
    assert error['stage'] == 'invocation'
    assert "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'" in error['message']
    assert 'sql01.contoso.local' in error['message']
    # the product version is read locally: no second hop
    assert sim.run('fe1', request('read', SKYPE, invocation('Get-CsServerVersion')))['error'] is None
    # a delegating logon (CredSSP) reaches the CMS
    assert sim.run('fe1', request('read', SKYPE, OAUTH), auth_method='credssp')['error'] is None


def test_skype_module_on_a_standard_edition_server_holding_the_cms_works_under_ntlm(sim):
    assert sim.run('sfb2019', request('read', SKYPE, OAUTH))['error'] is None


def test_exchange_snapin_fails_under_ntlm_and_basic(sim):
    for method in ('ntlm', 'basic'):
        error = sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=['Name'])), auth_method=method)['error']
        assert error['stage'] == 'invocation'
        assert error['message'].startswith('Active Directory operation failed on dc01.contoso.local.')
    assert sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=['Name'])), auth_method='credssp')['error'] is None


def test_remote_sessions_without_a_credential_are_a_second_hop(sim):
    for host, shell in (('ex2019', dict(REMOTE, credential=None)), ('sfb2019', dict(SKYPE_REMOTE, credential=None))):
        error = sim.run(host, request('read', shell, OAUTH if host.startswith('sfb') else invocation('Get-ExchangeServer')))['error']
        assert (error['stage'], error['fully_qualified_error_id']) == ('shell', '1312,PSSessionOpenFailed')


# -- OcsPowershell ------------------------------------------------------------------------------------------------


def test_ocspowershell_runs_the_cmdlets_on_every_skype_version_and_on_the_pool_whose_cms_is_elsewhere(sim):
    for host in ('lync2013', 'sfb2015', 'sfb2019', 'fe1', 'fe2'):
        response = sim.run(host, request('read', SKYPE_REMOTE, OAUTH))
        assert response['error'] is None, (host, response['error'])
        assert response['results'][0]['output'] == [{'Identity': 'Global', 'Realm': 'contoso.com'}]
    # the pool's name reaches one of its Front Ends
    shell = dict(SKYPE_REMOTE, connection_uri='https://pool01.contoso.local/OcsPowershell')
    assert sim.run('fe1', request('read', shell, OAUTH))['error'] is None


def test_ocspowershell_refusals(sim):
    cases = [
        # an Exchange server has no OcsPowershell
        ('ex2019', SKYPE_REMOTE, 'WinRMHttpError,PSSessionOpenFailed'),
        # the internal web site serves it over https only (no source: lab choice)
        ('sfb2019', dict(SKYPE_REMOTE, connection_uri='http://sfb19.contoso.local/OcsPowershell'), 'WinRMHttpError,PSSessionOpenFailed'),
        ('sfb2019', dict(SKYPE_REMOTE, credential={'username': 'CONTOSO\\admin', 'password': 'wrong'}), 'AccessDenied,PSSessionOpenFailed'),
        # a local account holds no Cs RBAC role
        ('sfb2019', dict(SKYPE_REMOTE, credential={'username': 'admin', 'password': PASSWORD}), 'AccessDenied,PSSessionOpenFailed'),
        ('sfb2019', dict(SKYPE_REMOTE, authentication='Basic'), 'AccessDenied,PSSessionOpenFailed'),
    ]
    for host, shell, fqid in cases:
        error = sim.run(host, request('read', shell, OAUTH))['error']
        assert (error['stage'], error['fully_qualified_error_id']) == ('shell', fqid), (host, shell)


def test_a_uri_that_is_not_http_is_refused_like_new_pssession_does_not_crash(sim):
    for kind, shell in (('exchange', REMOTE), ('skype', SKYPE_REMOTE)):
        error = sim.run('ex2019' if kind == 'exchange' else 'sfb2019',
                        request('read', dict(shell, connection_uri='urn:x'), OAUTH))['error']
        assert error['stage'] == 'shell'
        assert error['exception_type'] == 'System.ArgumentException'


# -- remote-session shapes ----------------------------------------------------------------------------------------


def test_remote_enums_arrive_deserialized_and_the_runner_returns_their_names(sim):
    row = sim.run('ex2016', request('read', REMOTE, invocation('Get-ExchangeServer', {'Identity': 'EX16'}, ['ServerRole', 'Edition'])))
    assert row['results'][0]['output'] == [{'ServerRole': 'Mailbox', 'Edition': 'Enterprise'}]
    value = deserialize(PSObject({'ServerRole': PSEnum('ServerRole', 'Mailbox, ClientAccess')}, 'EX13')).properties['ServerRole']
    assert isinstance(value, PSDeserializedEnum)
    assert value.type_names[:2] == ['Deserialized.ServerRole', 'Deserialized.System.Enum']
    # [string] of it is the integer, which is what a runner without the type-name check would return
    assert str(value) == str(value.value)
    assert normalise(value) == 'Mailbox, ClientAccess'


def test_remote_binding_errors_come_back_as_remote_exceptions(sim):
    # a wrong type is bound on the server: RemoteException, the server's FullyQualifiedErrorId
    bad = invocation('Get-ExchangeServer', {'Identity': 'EX16', 'Status': [1, 2]})
    error = sim.run('ex2016', request('read', REMOTE, bad))['error']
    assert error['exception_type'] == 'System.Management.Automation.RemoteException'
    assert error['fully_qualified_error_id'].endswith(',Get-ExchangeServer')
    assert not error['fully_qualified_error_id'].startswith('NamedParameterNotFound')
    # an unknown parameter name fails in the proxy function on the client
    unknown = invocation('Set-ClientAccessService', {'Identity': 'EX16', 'Nonsense': 1})
    error = sim.run('ex2016', request('write', REMOTE, unknown))['error']
    assert error['exception_type'] == 'System.Management.Automation.ParameterBindingException'
    assert error['fully_qualified_error_id'] == 'NamedParameterNotFound,Set-ClientAccessService'
    # the same wrong type in the snap-in is a local binding exception
    error = sim.run('ex2016', request('read', SNAPIN, bad))['error']
    assert error['exception_type'] != 'System.Management.Automation.RemoteException'


def test_warnings_reach_the_runner_through_a_remote_session(sim):
    scope = sim.run('ex2016', request('read', REMOTE, invocation('Get-ClientAccessService', {'Identity': 'EX16'}, ['AutoDiscoverSiteScope'])))
    same = scope['results'][0]['output'][0]['AutoDiscoverSiteScope']
    response = sim.run('ex2016', request('write', REMOTE, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': same})))
    assert response['results'][0]['warnings'] == ["The command completed successfully but no settings of 'EX16' have been modified."]


def test_warning_action_on_a_proxy_is_left_to_the_server(sim):
    # -WarningAction SilentlyContinue travels to the server, which then never sends the warning
    # (real-server-behaviour.md: $parametersToLeaveRemote); the runner therefore reads the stream instead.
    session = sim.engine._load_shell(sim.host('ex2016'), 'ntlm', REMOTE, 'exchange_remote',  # pylint: disable=protected-access
                                     ['Get-ClientAccessService', 'Set-ClientAccessService'], sim.engine.store.load(), {'shell': {}})
    assert isinstance(session, Session) and session.remote
    current = session.invoke('Get-ClientAccessService', [('Identity', 'EX16')]).objects[0].properties['AutoDiscoverSiteScope']
    arguments = [('Identity', 'EX16'), ('AutoDiscoverSiteScope', list(current))]
    assert session.invoke('Set-ClientAccessService', arguments + [('WarningAction', 'SilentlyContinue')]).warnings == []
    assert session.invoke('Set-ClientAccessService', arguments).warnings != []


# -- host facts ---------------------------------------------------------------------------------------------------


def test_constrained_language_mode_stops_the_bootstrap_with_a_marker(sim):
    stdout, stderr, code = sim.engine.run_command(sim.host('clm'), 'CONTOSO\\admin', 'ntlm', 'powershell.exe', ARGUMENTS,
                                                  build_stdin(request('read', REMOTE, invocation('Get-ExchangeServer'))))
    assert (stdout, stderr, code) == (b'UCOPS-LANGUAGE-MODE:ConstrainedLanguage\r\n', b'', 3)


def test_kb2842230_is_reported_on_windows_powershell_3(sim):
    assert sim.run('lync2013', request('read', {'type': 'none'}))['host']['kb2842230'] is False
    assert sim.run('lyncfix', request('read', {'type': 'none'}))['host']['kb2842230'] is True
    assert 'kb2842230' not in sim.run('sfb2019', request('read', {'type': 'none'}))['host']


def test_anything_but_the_collections_scripts_is_refused_with_a_word_about_fact_gathering(sim):
    # Ansible's Windows fact gathering (ansible.windows.setup) runs its own PowerShell: the lab says what to do
    stdout, stderr, code = sim.engine.run_command(sim.host('sfb2019'), 'CONTOSO\\admin', 'ntlm', 'powershell.exe',
                                                  ['-NoProfile', '-EncodedCommand', 'JABlAHgAZQBjAA=='], b'')
    assert (stdout, code) == (b'', 1)
    assert 'set gather_facts: false for plays against the lab' in stderr.decode('utf-8').replace('_x000D__x000A_', '')

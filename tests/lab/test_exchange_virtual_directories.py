# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Get-AutodiscoverVirtualDirectory and Get-WebServicesVirtualDirectory (lab/products/exchange/virtual_directories.py)."""

from __future__ import annotations

import json
import pathlib

import pytest

from simulator_support import REMOTE, SNAPIN, Simulator, invocation, request
from lab.products.exchange.organization import init_org
from lab.state import StateStore

PROPERTIES = ['Name', 'Identity', 'Server', 'InternalUrl', 'ExternalUrl', 'InternalAuthenticationMethods', 'ExternalAuthenticationMethods',
              'BasicAuthentication', 'DigestAuthentication', 'WindowsAuthentication', 'OAuthAuthentication', 'WSSecurityAuthentication']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def rows(sim, host, cmdlet, parameters=None, shell=None):
    shell = REMOTE if shell is None else shell
    response = sim.run(host, request('read', shell, invocation(cmdlet, parameters, PROPERTIES)))
    assert response.get('error') is None, response
    return response['results'][0]['output']


def test_defaults_of_each_kind_follow_the_sources(sim):
    # ex2019's organization also holds EX16B (tests/lab/simulator_support.py): one directory per server, sorted by server
    ews = rows(sim, 'ex2019', 'Get-WebServicesVirtualDirectory')
    assert [row['Identity'] for row in ews] == ['EX16B\\EWS (Default Web Site)', 'EX19\\EWS (Default Web Site)']
    assert ews[1] == {
        'Name': 'EWS (Default Web Site)', 'Identity': 'EX19\\EWS (Default Web Site)', 'Server': 'EX19',
        'InternalUrl': 'https://ex19.contoso.local/EWS/Exchange.asmx', 'ExternalUrl': None,
        'InternalAuthenticationMethods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'ExternalAuthenticationMethods': ['Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'BasicAuthentication': False, 'DigestAuthentication': False, 'WindowsAuthentication': True, 'OAuthAuthentication': True,
        'WSSecurityAuthentication': True}
    autodiscover = rows(sim, 'ex2013', 'Get-AutodiscoverVirtualDirectory', shell=SNAPIN)
    assert autodiscover == [{
        'Name': 'Autodiscover (Default Web Site)', 'Identity': 'EX13\\Autodiscover (Default Web Site)', 'Server': 'EX13',
        'InternalUrl': None, 'ExternalUrl': None,
        'InternalAuthenticationMethods': ['Basic', 'Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'ExternalAuthenticationMethods': ['Basic', 'Ntlm', 'WindowsIntegrated', 'WSSecurity', 'OAuth'],
        'BasicAuthentication': True, 'DigestAuthentication': False, 'WindowsAuthentication': True, 'OAuthAuthentication': True,
        'WSSecurityAuthentication': True}]


def test_server_and_identity_select_directories(sim):
    assert [row['Server'] for row in rows(sim, 'ex2019', 'Get-AutodiscoverVirtualDirectory', {'Server': 'ex16b.contoso.local'})] == ['EX16B']
    assert [row['Server'] for row in rows(sim, 'ex2019', 'Get-WebServicesVirtualDirectory', {'Server': 'ex19'})] == ['EX19']
    assert [row['Server'] for row in rows(sim, 'ex2019', 'Get-WebServicesVirtualDirectory', {'Identity': 'ex16b\\ews (default web site)'})] == ['EX16B']
    # "VirtualDirectoryName*" (REF-EX) and a bare Name match on every server
    assert len(rows(sim, 'ex2019', 'Get-WebServicesVirtualDirectory', {'Identity': 'EWS*'})) == 2
    assert len(rows(sim, 'ex2019', 'Get-AutodiscoverVirtualDirectory', {'Identity': 'Autodiscover (Default Web Site)'})) == 2
    assert rows(sim, 'ex2019', 'Get-AutodiscoverVirtualDirectory', {'Identity': None}) == rows(sim, 'ex2019', 'Get-AutodiscoverVirtualDirectory')


def test_unknown_server_or_identity_fails_like_exchange(sim):
    for parameters, name in (({'Server': 'EX99'}, 'EX99'), ({'Identity': 'EX19\\OWA (Default Web Site)'}, 'EX19\\OWA (Default Web Site)')):
        error = sim.run('ex2019', request('read', REMOTE, invocation('Get-WebServicesVirtualDirectory', parameters)))['error']
        assert error['message'] == "The operation couldn't be performed because object '%s' couldn't be found on 'dc01.contoso.local'." % name
        assert error['fully_qualified_error_id'].endswith(',Microsoft.Exchange.Management.SystemConfigurationTasks.GetWebServicesVirtualDirectory')


def test_binding_follows_the_reference(sim):
    # -Server and -Identity are in different parameter sets (REF-EX: "You can't use the Server and Identity parameters in the same command")
    error = sim.run('ex2016', request('read', REMOTE, invocation('Get-AutodiscoverVirtualDirectory', {'Server': 'EX16', 'Identity': 'x'})))['error']
    assert error['fully_qualified_error_id'].startswith('AmbiguousParameterSet')
    # a switch the lab does not model is refused, never ignored
    error = sim.run('ex2016', request('read', REMOTE, invocation('Get-AutodiscoverVirtualDirectory', {
        'ShowMailboxVirtualDirectories': {'__ucops_type': 'switch', 'value': True}})))['error']
    assert error['fully_qualified_error_id'] == 'UcopsLabNotImplemented'
    # -ADPropertiesOnly is accepted and returns the same values
    only_ad = rows(sim, 'ex2016', 'Get-WebServicesVirtualDirectory', {'ADPropertiesOnly': {'__ucops_type': 'switch', 'value': True}})
    assert only_ad == rows(sim, 'ex2016', 'Get-WebServicesVirtualDirectory')


def test_state_overrides_a_servers_directory(sim):
    store = StateStore(sim.state_dir)
    state = store.load()
    init_org(state, sim.host('ex2016'), sim.topology)['virtual_directories'] = {
        'EX16': {'web_services': {'oauth': False, 'external_url': 'https://mail.contoso.com/EWS/Exchange.asmx'}}}
    store.save(state)
    ews = rows(sim, 'ex2016', 'Get-WebServicesVirtualDirectory')[0]
    assert (ews['OAuthAuthentication'], ews['ExternalUrl']) == (False, 'https://mail.contoso.com/EWS/Exchange.asmx')
    assert 'OAuth' not in ews['InternalAuthenticationMethods']
    assert rows(sim, 'ex2016', 'Get-AutodiscoverVirtualDirectory')[0]['OAuthAuthentication'] is True
    json.dumps(store.load())  # still JSON


def test_foreach_server_runs_once_per_server_and_tags_rows(sim):
    servers = invocation('Get-ExchangeServer', properties=['Name'], ident='servers')
    each = dict(invocation('Get-AutodiscoverVirtualDirectory', properties=['Server', 'OAuthAuthentication'], ident='vd'),
                each={'id': 'servers', 'property': 'Name', 'parameter': 'Server'}, tolerate_errors=True)
    response = sim.run('ex2019', request('read', REMOTE, servers, each))
    assert response['results'][1]['output'] == [{'Server': 'EX16B', 'OAuthAuthentication': True, '__item': 'EX16B'},
                                                {'Server': 'EX19', 'OAuthAuthentication': True, '__item': 'EX19'}]
    # each value goes to -Server: a value that names no server is that item's error, kept as data
    bad = dict(each, each={'id': 'servers', 'property': 'Edition', 'parameter': 'Server'})
    response = sim.run('ex2019', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=['Edition'], ident='servers'), bad))
    assert response.get('error') is None and response['results'][1]['output'] == []
    assert [(error['item'], error['message']) for error in response['results'][1]['item_errors']] == [
        ('Enterprise', "The operation couldn't be performed because object 'Enterprise' couldn't be found on 'dc01.contoso.local'.")] * 2

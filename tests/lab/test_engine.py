# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of lab/engine.py and the product models: real runner payloads in, runner responses out."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import pathlib
import threading
import uuid

import pytest

from simulator_support import (ARGUMENTS, PASSWORD, REMOTE, REPO_ROOT, RUNNER_PS1, SKYPE, SNAPIN, HostSpec, Simulator, build_stdin,
                               decode_stdout, invocation, make_topology, request)
from lab.binder import VERSION_LABELS
from lab.engine import PS_VERSIONS, Engine
from lab.log import read_invocations
from lab.products.exchange import organization as exchange_org
from lab.products import skype as skype_model
from lab.psvalues import PSEnum, PSText, normalise, parse_uri
from lab.reference.extract import LAB_CMDLETS, extract
from lab.topology import PRODUCT_VERSIONS, TopologyError, load_topology, parse_topology

NONE = {'type': 'none'}


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    """A fresh engine with its own state directory."""
    return Simulator(tmp_path / 'state')


def clixml_text(stderr: bytes) -> str:
    """The text of a CLIXML error stream."""
    text = stderr.decode('utf-8')
    assert text.startswith('#< CLIXML\r\n')
    return text


# -- command line and bootstrap -----------------------------------------------------------------------------------


def test_only_the_shipped_command_line_runs(sim):
    host = sim.host('ex2019')
    payload = build_stdin(request('read', NONE))
    for command, arguments in (('cmd.exe', ARGUMENTS), ('powershell.exe', ARGUMENTS[:-1] + ['ZQBjAGgAbwAgADEA']),
                               ('powershell.exe', ['-Command', 'Get-Date'])):
        stdout, stderr, code = sim.engine.run_command(host, 'CONTOSO\\winrm', 'ntlm', command, arguments, payload)
        assert (stdout, code) == (b'', 1)
        assert 'only runs the collection' in clixml_text(stderr)


def test_only_the_shipped_runner_runs(sim):
    stdin = build_stdin(request('read', NONE), runner=RUNNER_PS1.replace("$ErrorActionPreference = 'Stop'", "Write-Output 1", 1))
    stdout, stderr, code = sim.engine.run_command(sim.host('sfb2015'), 'u', 'ntlm', 'powershell.exe', ARGUMENTS, stdin)
    assert (stdout, code) == (b'', 1)
    assert 'only runs the collection' in clixml_text(stderr)


def test_crlf_line_endings_are_joined_as_the_bootstrap_does(sim):
    encoded = base64.b64encode(json.dumps(request('read', NONE)).encode()).decode()
    stdin = (RUNNER_PS1.replace('\n', '\r\n') + '\0\0\0\0' + encoded + '\r\n').encode('ascii')
    stdout, _stderr, code = sim.engine.run_command(sim.host('ex2013'), 'u', 'ntlm', 'powershell.exe', ARGUMENTS, stdin)
    assert code == 0
    assert decode_stdout(stdout)['error'] is None


def test_malformed_payloads(sim):
    host = sim.host('ex2013')
    for stdin in (RUNNER_PS1.encode('ascii'), build_stdin(request('read', NONE)) + '\u00e9'.encode('utf-8')):
        assert sim.engine.run_command(host, 'u', 'ntlm', 'powershell.exe', ARGUMENTS, stdin) == (
            b'', b'ucops: the payload on stdin is malformed\r\n', 2)
    # an empty request cannot bind to the runner's mandatory -EncodedRequest: the bootstrap stops without a result line
    stdout, stderr, code = sim.engine.run_command(host, 'u', 'ntlm', 'powershell.exe', ARGUMENTS, (RUNNER_PS1 + '\0\0\0\0 \n').encode())
    assert (stdout, code) == (b'', 1)
    assert "Cannot bind argument to parameter 'EncodedRequest' because it is an empty string." in clixml_text(stderr)


def test_request_decoding_errors(sim):
    response = sim.run('ex2019', 'not*base64')
    assert response['error']['stage'] == 'request'
    assert response['error']['fully_qualified_error_id'] == 'FormatException'
    assert response['error']['exception_type'] == 'System.Management.Automation.MethodInvocationException'
    assert response['error']['message'].startswith('Exception calling "FromBase64String" with "1" argument(s)')
    assert response['results'] == []
    response = sim.run('ex2019', base64.b64encode(b'{"mode": read}').decode())
    assert response['error']['fully_qualified_error_id'] == 'System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand'
    response = sim.run('ex2019', base64.b64encode(b'{"mode": "read", "MODE": "write"}').decode())
    assert response['error']['fully_qualified_error_id'] == 'DuplicateKeysInJsonString,Microsoft.PowerShell.Commands.ConvertFromJsonCommand'
    assert response['host'] == {'computer_name': 'EX19', 'ps_version': '5.1.17763.6414'}
    assert read_invocations(sim.state_dir) == []


# -- refusals -----------------------------------------------------------------------------------------------------


def test_read_only_refusal_before_any_shell(sim):
    response = sim.run('ex2016', request('read', REMOTE, invocation('Get-ExchangeServer', ident='a'),
                                         invocation('Get-ClientAccessService', {'Identity': 'EX16'}, alternatives=['Set-ClientAccessService'],
                                                    ident='b')))
    assert response['error'] == {'stage': 'request', 'index': None, 'cmdlet': None,
                                 'message': 'ucops: a read-only request may not run Set-ClientAccessService',
                                 'fully_qualified_error_id': 'UcopsRequestRefused', 'category': 'InvalidArgument', 'exception_type': None}
    assert response['shell'] == {'type': None, 'module': None}
    assert [(result['id'], result['cmdlet'], result['status']) for result in response['results']] == [('a', None, 'not_run'), ('b', None, 'not_run')]
    assert [entry['status'] for entry in read_invocations(sim.state_dir)] == ['refused', 'refused']


def test_refusal_order_and_messages(sim):
    assert sim.run('ex2016', request('delete', NONE, invocation('Get-Date')))['error']['message'] == 'ucops: mode must be read or write'
    # a later bad name overwrites an earlier refusal, as in the script
    response = sim.run('ex2016', request('delete', NONE, invocation('Get-Date'), invocation('Get-Item;rm')))
    assert response['error']['message'] == 'ucops: not a cmdlet name: Get-Item;rm'
    # PowerShell's -notcontains is case-insensitive
    assert sim.run('ex2016', request('READ', NONE, invocation('get-date')))['error']['fully_qualified_error_id'] == 'UcopsLabNotImplemented'


# -- shells -------------------------------------------------------------------------------------------------------


def test_skype_shell_module_by_version(sim):
    assert sim.run('lync2013', request('read', SKYPE))['shell'] == {'type': 'skype', 'module': 'Lync'}
    assert sim.run('sfb2015', request('read', SKYPE))['shell'] == {'type': 'skype', 'module': 'SkypeForBusiness'}
    assert sim.run('sfb2019', request('read', SKYPE))['shell'] == {'type': 'skype', 'module': 'SkypeForBusiness'}


def test_wrong_product_shells(sim):
    response = sim.run('ex2019', request('read', SKYPE, invocation('Get-CsPool')))
    assert response['error'] == {'stage': 'shell', 'index': None, 'cmdlet': None,
                                 'message': "The specified module 'Lync' was not loaded because no valid module file was found in any "
                                            "module directory.",
                                 'fully_qualified_error_id': 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand',
                                 'category': 'ResourceUnavailable', 'exception_type': 'System.IO.FileNotFoundException'}
    assert response['shell'] == {'type': 'skype', 'module': None}
    assert response['results'][0]['status'] == 'not_run'
    response = sim.run('sfb2019', request('read', SNAPIN, invocation('Get-ExchangeServer')))
    assert response['error']['fully_qualified_error_id'] == 'AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand'
    response = sim.run('sfb2019', request('read', {'type': 'Exchange'}, invocation('Get-ExchangeServer')))
    assert response['error']['message'] == 'ucops: unknown shell type Exchange'
    assert response['error']['fully_qualified_error_id'] == 'ucops: unknown shell type Exchange'
    assert response['error']['category'] == 'OperationStopped'


@pytest.mark.parametrize('auth_method', ['ntlm', 'basic'])
def test_exchange_remote_without_credential_fails_as_a_second_hop(sim, auth_method):
    shell = dict(REMOTE, credential=None)
    response = sim.run('ex2019', request('read', shell, invocation('Get-ExchangeServer')), auth_method=auth_method)
    error = response['error']
    assert error['stage'] == 'shell'
    assert error['fully_qualified_error_id'] == '1312,PSSessionOpenFailed'
    assert error['category'] == 'OpenError'
    assert error['exception_type'] == 'System.Management.Automation.Remoting.PSRemotingTransportException'
    assert error['message'].startswith('Connecting to remote server ex19.contoso.local failed with the following error message : WinRM cannot '
                                       'process the request. The following error with errorcode 0x8009030e occurred while using Kerberos')


def test_exchange_remote_credentials(sim):
    wrong = dict(REMOTE, credential={'username': 'CONTOSO\\admin', 'password': 'nope'})
    error = sim.run('ex2016', request('read', wrong, invocation('Get-ExchangeServer')))['error']
    assert error['message'] == ('Connecting to remote server ex16.contoso.local failed with the following error message : Access is denied. '
                                'For more information, see the about_Remote_Troubleshooting Help topic.')
    assert error['fully_qualified_error_id'] == 'AccessDenied,PSSessionOpenFailed'
    for username in ('admin@contoso.local', 'contoso\\ADMIN'):
        shell = dict(REMOTE, credential={'username': username, 'password': PASSWORD})
        assert sim.run('ex2016', request('read', shell, invocation('Get-ExchangeServer')))['error'] is None
    # a local account: Kerberos refuses it, and with Negotiate it holds no Exchange RBAC role
    local = dict(REMOTE, credential={'username': 'admin', 'password': PASSWORD})
    error = sim.run('ex2016', request('read', local, invocation('Get-ExchangeServer')))['error']
    assert error['stage'] == 'shell' and error['fully_qualified_error_id'] == '1312,PSSessionOpenFailed'
    assert 'Kerberos accepts domain user names, but not local user names' in error['message']
    error = sim.run('ex2016', request('read', dict(local, authentication='Negotiate'), invocation('Get-ExchangeServer')))['error']
    assert "isn't assigned to any management roles" in error['message']
    # a Skype server has no Exchange endpoint
    assert sim.run('sfb2019', request('read', REMOTE, invocation('Get-ExchangeServer')))['error']['fully_qualified_error_id'] == \
        'WinRMHttpError,PSSessionOpenFailed'
    unknown = dict(REMOTE, connection_uri='http://nowhere.contoso.local/PowerShell/')
    assert sim.run('ex2016', request('read', unknown, invocation('Get-ExchangeServer')))['error']['fully_qualified_error_id'] == \
        'ComputerNotFound,PSSessionOpenFailed'
    bad_auth = dict(REMOTE, authentication='Kerbros')
    error = sim.run('ex2016', request('read', bad_auth, invocation('Get-ExchangeServer')))['error']
    assert error['fully_qualified_error_id'] == 'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.NewPSSessionCommand'


def test_exchange_remote_to_another_server_uses_its_version(sim):
    # EX19's org also holds EX16B (Exchange 2016): Get-ClientAccessServer exists there, and ServerRole says Mailbox
    shell = dict(REMOTE, connection_uri='http://EX16B.contoso.local/powershell')
    response = sim.run('ex2019', request('read', shell, invocation('Get-ExchangeServer', {'Identity': 'ex16b'}, ['Name', 'AdminDisplayVersion'])))
    assert response['results'][0]['output'] == [{'Name': 'EX16B', 'AdminDisplayVersion': 'Version 15.1 (Build 2507.6)'}]


def test_exchange_remote_skips_names_the_server_lacks_and_resolves_the_alternative(sim):
    # Import-PSSession -CommandName ... -ErrorAction SilentlyContinue: the missing 2016+ name is not imported
    cas = invocation('Get-ClientAccessService', {'Identity': 'EX13'}, ['Name'], alternatives=['Get-ClientAccessServer'])
    response = sim.run('ex2013', request('read', REMOTE, cas))
    assert response['error'] is None
    assert response['results'][0]['cmdlet'] == 'Get-ClientAccessServer'
    # a name the server lacks, next to one it has, is not imported, so calling it fails as an unknown command
    response = sim.run('ex2013', request('read', REMOTE, invocation('Get-ExchangeServer', properties=['Name']),
                                         invocation('Get-ClientAccessService', {'Identity': 'EX13'}, ['Name'])))
    assert response['error']['stage'] == 'invocation' and response['error']['index'] == 1
    assert response['error']['fully_qualified_error_id'] == 'CommandNotFoundException'
    # none of the names found: Import-PSSession's terminating error, at the shell stage
    response = sim.run('ex2013', request('read', REMOTE, invocation('Get-ClientAccessService', {'Identity': 'EX13'}, ['Name'])))
    assert response['error']['stage'] == 'shell'
    assert response['error']['fully_qualified_error_id'] == 'ErrorNoResultsFromRemoteEnd,Microsoft.PowerShell.Commands.ImportPSSessionCommand'
    assert response['error']['message'] == 'Running the Get-Command command in a remote session returned no results.'
    # the snap-in has every cmdlet of the version: the alternative is chosen
    cas = invocation('Get-ClientAccessService', {'Identity': 'EX13'}, ['Name'], alternatives=['Get-ClientAccessServer'])
    response = sim.run('ex2013', request('read', SNAPIN, cas))
    assert response['results'][0]['cmdlet'] == 'Get-ClientAccessServer'
    assert response['results'][0]['output'] == [{'Name': 'EX13'}]


# -- invocations --------------------------------------------------------------------------------------------------


def test_version_gating_of_cmdlets(sim):
    response = sim.run('ex2013', request('write', SNAPIN, invocation('Set-ClientAccessService', {'Identity': 'EX13', 'AutoDiscoverSiteScope': 'x'})))
    assert response['error'] == {
        'stage': 'invocation', 'index': 0, 'cmdlet': 'Set-ClientAccessService',
        'message': "The term 'Set-ClientAccessService' is not recognized as the name of a cmdlet, function, script file, or operable "
                   "program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        'fully_qualified_error_id': 'CommandNotFoundException', 'category': 'ObjectNotFound',
        'exception_type': 'System.Management.Automation.CommandNotFoundException'}
    response = sim.run('ex2016', request('write', SNAPIN, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': 'x'})))
    assert response['error'] is None
    # no product shell: product cmdlets do not exist, core cmdlets exist but are not modelled
    assert sim.run('ex2016', request('read', NONE, invocation('Get-ExchangeServer')))['error']['fully_qualified_error_id'] == 'CommandNotFoundException'
    error = sim.run('ex2016', request('read', SNAPIN, invocation('Get-MailboxDatabase')))['error']
    assert error['fully_qualified_error_id'] == 'UcopsLabNotImplemented'
    assert 'Get-MailboxDatabase is not implemented by the lab simulator' in error['message']


def test_oauth_parameter_gating_and_property(sim):
    response = sim.run('lync2013', request('write', SKYPE, invocation('Set-CsOAuthConfiguration', {'ClientAuthorizationOAuthServerIdentity': 'x'})))
    assert response['error']['fully_qualified_error_id'] == 'NamedParameterNotFound,Set-CsOAuthConfiguration'
    properties = ['Identity', 'ClientAuthorizationOAuthServerIdentity', 'Realm', 'ServiceName']
    lync = sim.run('lync2013', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=properties)))
    assert lync['results'][0]['output'] == [{'Identity': 'Global', 'ClientAuthorizationOAuthServerIdentity': None, 'Realm': 'contoso.com',
                                             'ServiceName': '00000004-0000-0ff1-ce00-000000000000'}]
    sim.run('sfb2015', request('write', SKYPE, invocation('Set-CsOAuthConfiguration', {'ClientAuthorizationOAuthServerIdentity': 'https://sts/'})))
    sfb = sim.run('sfb2015', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', {'Identity': 'global'}, properties)))
    assert sfb['results'][0]['output'][0]['ClientAuthorizationOAuthServerIdentity'] == 'https://sts/'
    error = sim.run('sfb2015', request('write', SKYPE, invocation('Set-CsOAuthConfiguration', {'Identity': 'site:Redmond', 'Realm': 'x'})))['error']
    assert error['category'] == 'ObjectNotFound'


def test_stop_at_first_error(sim):
    response = sim.run('ex2016', request('write', SNAPIN,
                                         invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': ['S1']}, ident='one'),
                                         invocation('Set-ClientAccessService', {'Identity': 'EX16', 'Bogus': True}, ident='two'),
                                         invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': ['S3']}, ident='three')))
    assert [result['status'] for result in response['results']] == ['ok', 'error', 'not_run']
    assert [result['cmdlet'] for result in response['results']] == ['Set-ClientAccessService', 'Set-ClientAccessService', None]
    assert response['error']['index'] == 1
    assert 'error' not in response['results'][0] and 'error' not in response['results'][2]
    scope = sim.run('ex2016', request('read', SNAPIN, invocation('Get-ClientAccessService', {'Identity': 'EX16'}, ['AutoDiscoverSiteScope'])))
    assert scope['results'][0]['output'] == [{'AutoDiscoverSiteScope': ['S1']}]
    assert [entry['status'] for entry in read_invocations(sim.state_dir)][:3] == ['ok', 'error', 'not_run']


def test_uri_values_and_identity_resolution(sim):
    uri = 'HTTPS://Autodiscover.Contoso.COM:443/Autodiscover/Autodiscover.xml'
    set_uri = invocation('Set-ClientAccessService', {'Identity': 'ex19.CONTOSO.local', 'AutoDiscoverServiceInternalUri': uri})
    response = sim.run('ex2019', request('write', REMOTE, set_uri))
    assert response['error'] is None
    get = invocation('Get-ClientAccessService', {'Identity': 'EX19'}, ['name', 'AutoDiscoverServiceInternalUri', 'NoSuchProperty'])
    output = sim.run('ex2019', request('read', REMOTE, get))['results'][0]['output']
    assert output == [{'name': 'EX19', 'AutoDiscoverServiceInternalUri': 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml',
                       'NoSuchProperty': None}]
    # the same value again: Exchange's "no settings modified" warning
    same = {'Identity': 'EX19', 'AutoDiscoverServiceInternalUri': 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'}
    again = sim.run('ex2019', request('write', REMOTE, invocation('Set-ClientAccessService', same)))
    assert again['results'][0]['warnings'] == ["The command completed successfully but no settings of 'EX19' have been modified."]
    # $null clears
    sim.run('ex2019', request('write', REMOTE, invocation('Set-ClientAccessService', {'Identity': 'EX19', 'AutoDiscoverServiceInternalUri': None})))
    assert sim.run('ex2019', request('read', REMOTE, get))['results'][0]['output'][0]['AutoDiscoverServiceInternalUri'] is None
    missing = sim.run('ex2019', request('read', REMOTE, invocation('Get-ClientAccessService', {'Identity': 'EX99'})))['error']
    assert missing['message'] == "The operation couldn't be performed because object 'EX99' couldn't be found on 'dc01.contoso.local'."
    assert missing['category'] == 'NotSpecified'
    assert missing['exception_type'] == 'System.Management.Automation.RemoteException'
    assert missing['fully_qualified_error_id'].endswith(
        ',Microsoft.Exchange.Management.SystemConfigurationTasks.GetClientAccessService')


def test_exchange_server_properties(sim):
    properties = ['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole', 'Edition', 'Identity']
    ex13 = sim.run('ex2013', request('read', SNAPIN, invocation('Get-ExchangeServer', properties=properties)))['results'][0]['output']
    assert ex13 == [{'Name': 'EX13', 'Fqdn': 'ex13.contoso.local', 'AdminDisplayVersion': 'Version 15.0 (Build 1497.2)',
                     'ServerRole': 'Mailbox, ClientAccess', 'Edition': 'Enterprise', 'Identity': 'EX13'}]
    ex16 = sim.run('ex2016', request('read', SNAPIN, invocation('Get-ExchangeServer', {'Identity': None}, ['ServerRole'])))['results'][0]['output']
    assert ex16 == [{'ServerRole': 'Mailbox'}]


def test_property_selection_rules(sim):
    # no "properties" key: @($null) has one element, so every row is {"": null}
    raw = {'id': 'r', 'cmdlet': 'Get-CsSite', 'parameters': {}}
    assert sim.run('sfb2015', request('read', SKYPE, raw))['results'][0]['output'] == [{'': None}]
    sites = sim.run('sfb2015', request('read', SKYPE, invocation('Get-CsSite', properties=['identity', 'SiteId', 'DisplayName'])))
    assert sites['results'][0]['output'] == [{'identity': 'Site:Redmond', 'SiteId': 1, 'DisplayName': 'Redmond'}]
    versions = {name: sim.run(name, request('read', SKYPE, invocation('Get-CsServerVersion')))['results'][0]['output'] for name in ('lync2013', 'sfb2019')}
    assert versions == {'lync2013': ['Lync Server 2013 (5.0.8308.0): Volume license key installed.'],
                        'sfb2019': ['Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.']}
    # no properties: the object itself, normalised (ToString() for objects, the string for strings)
    assert sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsPool')))['results'][0]['output'] == ['sfb19.contoso.local']
    length = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsServerVersion', properties=['length', 'Name'])))
    assert length['results'][0]['output'] == [{'length': len(versions['sfb2019'][0]), 'Name': None}]
    pool = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsPool', {'Site': 'site1'}, ['Identity', 'Computers', 'Site'])))
    assert pool['results'][0]['output'] == [{'Identity': 'sfb19.contoso.local', 'Computers': ['sfb19.contoso.local'], 'Site': 'Site:Site1'}]


def test_a_bad_argument_is_that_invocations_error_reported_as_data(sim):
    # RUNNER_PS1 converts arguments inside the invocation's try: the response says which step failed, exit code 0
    bad = invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': {'__ucops_type': 'datetime', 'value': 'never'}}, ident='d')
    stdout, stderr, code = sim.raw('ex2016', request('write', SNAPIN, invocation('Get-ExchangeServer', ident='g'), bad))
    assert (code, stderr) == (0, b'')
    response = decode_stdout(stdout)
    assert [(result['cmdlet'], result['status']) for result in response['results']] == [('Get-ExchangeServer', 'ok'), ('Set-ClientAccessService', 'error')]
    assert response['error']['stage'] == 'invocation' and response['error']['index'] == 1
    assert 'String was not recognized as a valid DateTime.' in response['error']['message']
    stdout, stderr, code = sim.raw('ex2016', request('write', SNAPIN, invocation('Get-ExchangeServer', {'Identity': {'kind': 'x'}})))
    assert code == 0
    assert decode_stdout(stdout)['error']['message'] == 'ucops: a parameter value is an object without __ucops_type'


# -- state, persistence, log --------------------------------------------------------------------------------------

AWKWARD = 'https://ex.contoso.local/autodiscover/autodiscover.svc?q="a";$(Remove-Item C:\\)`n\'b\' & c\n\r\n\u00e9\u4e2d\u6587\U0001f600'


def test_awkward_values_are_stored_byte_for_byte_and_persist(sim):
    values = {'ExchangeAutodiscoverUrl': AWKWARD, 'ExchangeAutodiscoverAllowedDomains': '*.contoso.com;*.fabrikam.com'}
    response = sim.run('sfb2019', request('write', SKYPE, invocation('Set-CsOAuthConfiguration', values)))
    assert response['error'] is None
    assert (sim.state_dir / 'state.json').exists()
    fresh = Engine(sim.topology, sim.state_dir)
    stdout, _stderr, code = fresh.run_command(sim.host('sfb2019'), 'u', 'ntlm', 'powershell.exe', ARGUMENTS,
                                              build_stdin(request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=[
                                                  'ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains']))))
    assert code == 0
    output = decode_stdout(stdout)['results'][0]['output'][0]
    assert output['ExchangeAutodiscoverUrl'].encode('utf-8') == AWKWARD.encode('utf-8')
    assert output['ExchangeAutodiscoverAllowedDomains'] == '*.contoso.com;*.fabrikam.com'
    # another deployment is unaffected
    other = sim.run('sfb2015', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=['ExchangeAutodiscoverUrl'])))
    assert other['results'][0]['output'] == [{'ExchangeAutodiscoverUrl': None}]
    # reset returns to the topology
    fresh.reset()
    assert not (sim.state_dir / 'state.json').exists()
    after = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=['ExchangeAutodiscoverUrl'])))
    assert after['results'][0]['output'] == [{'ExchangeAutodiscoverUrl': None}]


def test_what_if_changes_nothing(sim):
    sim.run('ex2016', request('write', SNAPIN, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': 'New', 'WhatIf': True})))
    scope = sim.run('ex2016', request('read', SNAPIN, invocation('Get-ClientAccessService', properties=['AutoDiscoverSiteScope'])))
    assert scope['results'][0]['output'] == [{'AutoDiscoverSiteScope': ['Default-First-Site-Name']}]
    assert not (sim.state_dir / 'state.json').exists()


def test_invocation_log_redacts_secrets(sim):
    sim.run('ex2016', request('write', REMOTE, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AlternateServiceAccountCredential': PASSWORD})))
    sim.run('ex2016', request('read', REMOTE, invocation('Get-ExchangeServer', {'Identity': 'EX16'})))
    entries = read_invocations(sim.state_dir)
    assert [(entry['cmdlet'], entry['write'], entry['status'], entry['mode']) for entry in entries] == [
        ('Set-ClientAccessService', True, 'error', 'write'), ('Get-ExchangeServer', False, 'ok', 'read')]
    assert entries[0]['parameters'] == {'Identity': 'EX16', 'AlternateServiceAccountCredential': '********'}
    assert entries[0]['host'] == 'ex2016'
    assert entries[0]['user'] == 'CONTOSO\\winrm'
    assert set(entries[0]) >= {'time', 'host', 'user', 'cmdlet', 'parameters', 'mode', 'write', 'status'}
    for path in sim.state_dir.iterdir():
        assert PASSWORD not in path.read_text(encoding='utf-8'), path


def test_concurrent_writes_are_serialised(sim):
    def worker(index: int) -> None:
        sim.run('ex2016', request('write', SNAPIN, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'AutoDiscoverSiteScope': ['S%d' % index]})))

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = json.loads((sim.state_dir / 'state.json').read_text(encoding='utf-8'))
    assert len(state['exchange']['ex2016']['servers']['EX16']['auto_discover_site_scope']) == 1
    assert len(read_invocations(sim.state_dir)) == 8


# -- values -------------------------------------------------------------------------------------------------------


def test_value_normalisation_table():
    utc = datetime.timezone.utc
    assert normalise(datetime.datetime(2026, 11, 26, 6, 15, 34, tzinfo=utc)) == '2026-11-26T06:15:34.0000000Z'
    plus_one = datetime.timezone(datetime.timedelta(hours=1))
    assert normalise(datetime.datetime(2026, 11, 26, 7, 15, 34, 123456, tzinfo=plus_one)) == '2026-11-26T06:15:34.1234560Z'
    assert normalise(PSEnum('ServerRole', 'Mailbox, ClientAccess')) == 'Mailbox, ClientAccess'
    assert normalise(uuid.UUID('6A8091D0-4F19-4AE7-9E44-FD1C9F5FBE19')) == '6a8091d0-4f19-4ae7-9e44-fd1c9f5fbe19'
    assert normalise(parse_uri('HTTP://Host.Example:80')) == 'http://host.example/'
    assert normalise(parse_uri('https://h:8443/a/./b/../c d')) == 'https://h:8443/a/c%20d'
    assert normalise(parse_uri('relative/Path')) == 'relative/Path'
    assert normalise(PSText('contoso.local/Configuration/Sites/S1')) == 'contoso.local/Configuration/Sites/S1'
    assert normalise([[[[['deep']]]]]) == [[[['System.Object[]']]]]
    assert normalise([True, 1, None, 'x']) == [True, 1, None, 'x']


def test_datetime_wrapper_bound_to_a_string_parameter(sim):
    value = {'__ucops_type': 'datetime', 'value': '2026-01-02T03:04:05Z'}
    sim.run('sfb2015', request('write', SKYPE, invocation('Set-CsOAuthConfiguration', {'Realm': value})))
    realm = sim.run('sfb2015', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=['Realm'])))
    assert realm['results'][0]['output'] == [{'Realm': '1/2/2026 3:04:05 AM'}]


# -- reference ----------------------------------------------------------------------------------------------------


def test_reference_subset_matches_the_models():
    for product in ('exchange', 'skype'):
        data = json.loads((REPO_ROOT / 'lab' / 'reference' / ('%s.json' % product)).read_text(encoding='utf-8'))
        assert set(data['cmdlets']) == set(LAB_CMDLETS[product])
        assert data['source'] == 'MicrosoftDocs/office-docs-powershell'
        assert data['license'].startswith('CC-BY-4.0')
        assert len(data['commit']) == 40
        assert not any('description' in parameter for cmdlet in data['cmdlets'].values() for parameter in cmdlet['parameters'].values())


def test_extract_reproduces_the_committed_files(tmp_path):
    source = REPO_ROOT.parent / 'shared' / 'cmdlet-reference'
    if not (source / 'exchange.json').exists():
        pytest.skip('../shared/cmdlet-reference is not available')
    extract(source, tmp_path)
    for product in ('exchange', 'skype'):
        committed = (REPO_ROOT / 'lab' / 'reference' / ('%s.json' % product)).read_text(encoding='utf-8')
        assert (tmp_path / ('%s.json' % product)).read_text(encoding='utf-8') == committed


# -- Subscription Edition (SE) hosts and the version tables -------------------------------------------------------

SE_HOSTS = (
    HostSpec('exse', 'exchange', 'se', 'EXSE', 'exse.contoso.local'),
    HostSpec('sfbse1', 'skype', 'se', 'SFBSE1', 'sfbse1.contoso.local',
             {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise', 'cms_server': 'sql01.contoso.local'}),
    HostSpec('sfbse2', 'skype', 'se', 'SFBSE2', 'sfbse2.contoso.local',
             {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise', 'cms_server': 'sql01.contoso.local'}),
)


@pytest.fixture(name='se_sim')
def se_sim_fixture(sim: Simulator) -> Simulator:
    """The test engine plus an Exchange SE host and two Skype SE Front Ends of one Enterprise pool (as lab/topology.yml)."""
    sim.topology.hosts.extend(dataclasses.replace(host, settings=dict(host.settings)) for host in SE_HOSTS)
    return sim


def test_version_tables_cover_every_topology_version():
    every = {(product, version) for product, versions in PRODUCT_VERSIONS.items() for version in versions}
    assert ('exchange', 'se') in every and ('skype', 'se') in every
    assert set(PS_VERSIONS) == every
    assert set(VERSION_LABELS) == every
    assert set(exchange_org.DEFAULT_BUILDS) == set(exchange_org.SERVER_ROLES) == set(PRODUCT_VERSIONS['exchange'])
    assert set(skype_model.SERVER_VERSIONS) == set(PRODUCT_VERSIONS['skype'])
    # Exchange SE RTM build (Microsoft's build numbers page); the reference's label for SE; Skype SE binds as 2019
    assert exchange_org.DEFAULT_BUILDS['se'] == '15.2.2562.17'
    assert VERSION_LABELS[('exchange', 'se')] == 'Exchange Server SE'
    assert VERSION_LABELS[('skype', 'se')] == VERSION_LABELS[('skype', '2019')]


def test_default_topology_has_the_se_hosts():
    topology = load_topology()
    se = {host.name: (host.product, host.version, host.computer_name, host.scheme, host.auth) for host in topology.hosts if host.version == 'se'}
    assert se == {'exse': ('exchange', 'se', 'EXSE', 'https', ('ntlm',)), 'sfbse1': ('skype', 'se', 'SFBSE1', 'https', ('ntlm',)),
                  'sfbse2': ('skype', 'se', 'SFBSE2', 'https', ('ntlm',))}
    pool = {'deployment': 'sfbse', 'pool_fqdn': 'sfbpool.contoso.local', 'edition': 'Enterprise', 'cms_server': 'sql01.contoso.local'}
    assert topology.host('sfbse1').settings == topology.host('sfbse2').settings == pool
    assert all(host.settings['edition'] == 'Standard' and 'cms_server' not in host.settings
               for host in topology.hosts if host.product == 'skype' and host.version != 'se')


def test_topology_refuses_an_unknown_skype_edition():
    data = {'domain': 'contoso.local', 'netbios_domain': 'CONTOSO', 'sip_domain': 'contoso.com',
            'users': [{'username': 'a', 'password': 'b'}],
            'hosts': [{'name': 'fe', 'product': 'skype', 'version': 'se', 'computer_name': 'FE', 'scheme': 'https', 'auth': ['ntlm'],
                       'settings': {'edition': 'Datacenter'}}]}
    with pytest.raises(TopologyError, match=r"hosts\[0\] \(fe\)\.settings\.edition: must be one of 'Standard', 'Enterprise'"):
        parse_topology(data)
    data['hosts'][0]['settings'] = {'edition': 'Enterprise'}
    assert parse_topology(data).host('fe').version == 'se'


def test_exchange_se_host(se_sim):
    properties = ['Name', 'AdminDisplayVersion', 'ServerRole']
    for shell in (SNAPIN, REMOTE):
        response = se_sim.run('exse', request('read', shell, invocation('Get-ExchangeServer', properties=properties)))
        assert response['host'] == {'computer_name': 'EXSE', 'ps_version': '5.1.26100.2161'}
        assert response['results'][0]['output'] == [{'Name': 'EXSE', 'AdminDisplayVersion': 'Version 15.2 (Build 2562.17)', 'ServerRole': 'Mailbox'}]
    # the reference lists Set-ClientAccessService for "Exchange Server SE"
    uri = 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'
    response = se_sim.run('exse', request('write', REMOTE, invocation('Set-ClientAccessService', {'Identity': 'EXSE', 'AutoDiscoverServiceInternalUri': uri})))
    assert response['error'] is None
    assert response['results'][0]['cmdlet'] == 'Set-ClientAccessService'


def test_skype_se_front_ends_share_one_enterprise_pool_and_the_global_settings(se_sim):
    # The Central Management store is on sql01 (settings.cms_server): cmdlets that read it need a delegable logon (a
    # second hop), so these requests log on with CredSSP.
    version = se_sim.run('sfbse2', request('read', SKYPE, invocation('Get-CsServerVersion')), auth_method='credssp')
    assert version['shell'] == {'type': 'skype', 'module': 'SkypeForBusiness'}
    assert version['host'] == {'computer_name': 'SFBSE2', 'ps_version': '5.1.20348.2849'}
    assert version['results'][0]['output'] == ['Skype for Business Server Subscription Edition (7.0.2046.0): Volume license key installed.']
    # whichever Front End is contacted first, the pool lists both computers
    pools = se_sim.run('sfbse2', request('read', SKYPE, invocation('Get-CsPool', properties=['Identity', 'Computers'])), auth_method='credssp')
    assert pools['results'][0]['output'] == [{'Identity': 'sfbpool.contoso.local', 'Computers': ['sfbse1.contoso.local', 'sfbse2.contoso.local']}]
    # SE has the 2019 cmdlets: ClientAuthorizationOAuthServerIdentity binds; one deployment = one global OAuth setting
    url = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'
    written = se_sim.run('sfbse1', request('write', SKYPE, invocation(
        'Set-CsOAuthConfiguration', {'ExchangeAutodiscoverUrl': url, 'ClientAuthorizationOAuthServerIdentity': 'https://sts/'})),
        auth_method='credssp')
    assert written['error'] is None
    seen = se_sim.run('sfbse2', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=['ExchangeAutodiscoverUrl'])),
                      auth_method='credssp')
    assert seen['results'][0]['output'] == [{'ExchangeAutodiscoverUrl': url}]
    # another deployment is untouched
    other = se_sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', properties=['ExchangeAutodiscoverUrl'])))
    assert other['results'][0]['output'] == [{'ExchangeAutodiscoverUrl': None}]
    state = json.loads((se_sim.state_dir / 'state.json').read_text(encoding='utf-8'))
    deployment = state['skype']['sfbse']
    assert deployment['cms_server'] == 'sql01.contoso.local'
    assert [(pool['fqdn'], pool['edition']) for pool in deployment['pools']] == [('sfbpool.contoso.local', 'Enterprise')]


def test_init_deployment_completes_and_checks_pools():
    topology = make_topology()
    topology.hosts.extend(dataclasses.replace(host, settings=dict(host.settings)) for host in SE_HOSTS)
    first, second = topology.hosts[-2], topology.hosts[-1]
    # a Standard Edition host: its own pool, Central Management store local
    standard = skype_model.init_deployment({}, topology.hosts[5], topology)
    assert standard['cms_server'] == 'sfb19.contoso.local'
    assert [(pool['fqdn'], pool['computers'], pool['edition']) for pool in standard['pools']] == [
        ('sfb19.contoso.local', ['sfb19.contoso.local'], 'Standard')]
    state: dict = {}
    deployment = skype_model.init_deployment(state, first, topology)
    assert deployment['pools'][0]['computers'] == ['sfbse1.contoso.local', 'sfbse2.contoso.local']
    assert skype_model.init_deployment(state, second, topology) is deployment
    assert len(deployment['pools']) == 1
    # a pool of an older state file (one computer, no edition) gains the other Front End and its edition
    pool = {'fqdn': 'sfbpool.contoso.local', 'site': 'Site1', 'services': [], 'computers': ['sfbse1.contoso.local']}
    old = {'skype': {'sfbse': {'oauth': {}, 'sites': [], 'pools': [pool]}}}
    completed = skype_model.init_deployment(old, second, topology)
    assert completed['pools'][0]['computers'] == ['sfbse1.contoso.local', 'sfbse2.contoso.local']
    assert (completed['pools'][0]['edition'], completed['cms_server']) == ('Enterprise', 'sql01.contoso.local')
    # two Front Ends cannot share a Standard Edition pool; the hosts of one deployment agree on cms_server
    second.settings['edition'] = 'Standard'
    with pytest.raises(ValueError, match='different values'):
        skype_model.init_deployment({}, first, topology)
    first.settings['edition'] = 'Standard'
    with pytest.raises(ValueError, match='a Standard Edition pool has one Front End'):
        skype_model.init_deployment({}, first, topology)
    first.settings['edition'] = second.settings['edition'] = 'Enterprise'
    second.settings['cms_server'] = 'sql02.contoso.local'
    with pytest.raises(ValueError, match='cms_server'):
        skype_model.init_deployment({}, first, topology)

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure, RequestRefused, ScriptFailure, ShellFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import RUNNER_PS1
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import (
    Invocation,
    Response,
    Runner,
    READ_VERBS,
    build_request,
    encode_stdin,
    is_read_cmdlet,
    parse_output,
)

HOSTILE = 'a"b\'c $(Remove-Item C:\\) `n; Stop-Computer\r\nnext \u00e9\u4e2d\U0001F600'


def test_read_request_refuses_write_verbs_before_sending():
    with pytest.raises(RequestRefused) as raised:
        build_request('read', {'type': 'none'}, [Invocation('x', 'Get-Thing', alternatives=['Set-Thing'])])
    assert 'Set-Thing' in str(raised.value)


def test_the_read_verbs_are_get_test_and_resolve_in_python_and_in_the_script():
    # Resolve-DnsName only queries DNS (https://learn.microsoft.com/powershell/module/dnsclient/resolve-dnsname)
    assert READ_VERBS == ('Get', 'Test', 'Resolve')
    assert "@('Get', 'Test', 'Resolve') -notcontains $name.Split('-')[0]" in RUNNER_PS1
    assert is_read_cmdlet('Resolve-DnsName') and is_read_cmdlet('resolve-dnsname') and not is_read_cmdlet('Remove-DnsServerResourceRecord')
    request = build_request('read', {'type': 'none'}, [Invocation('x', 'Resolve-DnsName', {'Name': 'a.contoso.com'})])
    assert request['invocations'][0]['local'] is True
    with pytest.raises(RequestRefused):
        build_request('read', {'type': 'none'}, [Invocation('x', 'Resolve-DnsName', alternatives=['Register-DnsClient'])])


@pytest.mark.parametrize('name', ['Get-Thing; Stop-Computer', 'Invoke-Expression $x', 'Get Thing', '&Get-Thing'])
def test_names_that_are_not_cmdlet_names_are_refused(name):
    with pytest.raises(RequestRefused):
        build_request('write', {'type': 'none'}, [Invocation('x', name)])


def test_mode_must_be_read_or_write():
    with pytest.raises(RequestRefused):
        build_request('admin', {'type': 'none'}, [])


def test_values_travel_as_base64_json_after_the_static_script():
    request = build_request('write', {'type': 'none'}, [Invocation('x', 'Set-Thing', parameters={'Value': HOSTILE})])
    stdin = encode_stdin(request)
    script, payload = stdin.split(b'\0\0\0\0')
    assert script.decode('ascii') == RUNNER_PS1
    assert HOSTILE.encode('utf-8') not in stdin
    stdin.decode('ascii')  # the whole payload is ASCII: no console code page can mangle it
    decoded = json.loads(base64.b64decode(payload.strip()).decode('utf-8'))
    assert decoded['invocations'][0]['parameters']['Value'] == HOSTILE


def frame(data):
    return 'UCOPS-RESULT:' + base64.b64encode(json.dumps(data).encode('utf-8')).decode('ascii')


def test_parse_output_ignores_stray_lines():
    assert parse_output(0, 'WARNING: noise\r\n' + frame({'version': 1}) + '\r\nmore', '', 'h') == {'version': 1}


def test_missing_result_is_a_script_failure_with_stderr():
    with pytest.raises(ScriptFailure) as raised:
        parse_output(1, '', 'The term x is not recognized', 'ex01')
    assert raised.value.host == 'ex01'
    assert 'exited with code 1' in str(raised.value) and 'not recognized' in str(raised.value)


class _Canned:
    """A transport double for the error mapping only: returns a fixed runner response."""

    def __init__(self, data, rc=0, stderr=''):
        self.data = data
        self.rc = rc
        self.stderr = stderr

    def run_powershell(self, bootstrap, stdin):
        return self.rc, frame(self.data), self.stderr


def _response(error, statuses):
    results = [{'id': key, 'cmdlet': cmdlet, 'status': status, 'output': [], 'warnings': []} for key, cmdlet, status in statuses]
    return {'version': 1, 'host': {}, 'shell': {}, 'results': results, 'error': error}


def test_failure_half_way_reports_the_writes_already_done():
    error = {'stage': 'invocation', 'index': 1, 'cmdlet': 'Set-B', 'message': 'nope', 'fully_qualified_error_id': 'X,Set-B', 'category': 'InvalidArgument'}
    runner = Runner(_Canned(_response(error, [('a', 'Set-A', 'ok'), ('b', 'Set-B', 'error'), ('c', 'Set-C', 'not_run')])), 'ex01')
    invocations = [Invocation('a', 'Set-A', description='Set-A on EX01'), Invocation('b', 'Set-B'), Invocation('c', 'Set-C')]
    with pytest.raises(CmdletFailure) as raised:
        runner.write({'type': 'none'}, invocations)
    assert raised.value.changes_made == ['Set-A on EX01']
    assert raised.value.details['fully_qualified_error_id'] == 'X,Set-B'


@pytest.mark.parametrize('stage, exception', [('shell', ShellFailure), ('request', RequestRefused)])
def test_shell_and_request_errors_map_to_their_exceptions(stage, exception):
    runner = Runner(_Canned(_response({'stage': stage, 'message': 'm'}, [])), 'ex01')
    with pytest.raises(exception):
        runner.read({'type': 'none'}, [])


def test_response_accessors():
    response = Response({'results': [{'id': 'a', 'cmdlet': 'Get-A', 'output': [1], 'warnings': ['w']}], 'host': {'computer_name': 'EX01'}})
    assert response.output('a') == [1]
    assert response.cmdlet('a') == 'Get-A'
    assert response.warnings() == ['Get-A: w']


def test_write_is_refused_in_check_mode_before_anything_is_sent():
    class Forbidden:
        def run_powershell(self, bootstrap, stdin):
            raise AssertionError('nothing may be sent')
    runner = Runner(Forbidden(), 'ex01', check_mode=True)
    with pytest.raises(RequestRefused) as raised:
        runner.write({'type': 'none'}, [Invocation('a', 'Set-A')])
    assert 'check mode' in str(raised.value) and raised.value.host == 'ex01'
    assert runner.requests_sent == 0


def test_runner_stage_error_is_a_script_failure():
    runner = Runner(_Canned(_response({'stage': 'runner', 'message': 'boom'}, [])), 'ex01')
    with pytest.raises(ScriptFailure, match='the runner failed: boom'):
        runner.read({'type': 'none'}, [])


def test_a_result_with_a_non_zero_exit_code_is_not_trusted():
    runner = Runner(_Canned(_response(None, [('a', 'Get-A', 'ok')]), rc=1, stderr='Out of memory'), 'ex01')
    with pytest.raises(ScriptFailure) as raised:
        runner.read({'type': 'none'}, [Invocation('a', 'Get-A')])
    assert 'exited with code 1' in str(raised.value) and 'Out of memory' in str(raised.value)


def test_shell_failures_say_what_the_host_looks_like_and_the_fix():
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import shell_hint
    not_found = {'fully_qualified_error_id': 'WinRMHttpError,PSSessionOpenFailed',
                 'message': 'The WinRM client received an HTTP status code of 404 from the remote WS-Management service.'}
    assert 'does not look like an Exchange server' in shell_hint('exchange_remote', not_found)
    assert 'does not look like a Skype for Business' in shell_hint('skype_remote', not_found)
    module = {'fully_qualified_error_id': 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand', 'message': 'x'}
    assert 'exchange_* modules' in shell_hint('skype', module)
    anonymous = {'fully_qualified_error_id': 'x', 'message': "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'."}
    assert 'skype_shell=remote' in shell_hint('skype', anonymous)
    assert shell_hint('skype_remote', {'fully_qualified_error_id': 'Other', 'message': 'other'}) is None


def test_powershell_3_without_kb2842230_is_a_warning():
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response
    warned = Response({'host': {'computer_name': 'LYNC13', 'ps_version': '3.0', 'kb2842230': False}, 'results': []}).warnings()
    assert len(warned) == 1 and 'KB2842230' in warned[0] and 'LYNC13' in warned[0]
    assert Response({'host': {'ps_version': '3.0', 'kb2842230': True}, 'results': []}).warnings() == []
    assert Response({'host': {'ps_version': '5.1'}, 'results': []}).warnings() == []


def test_constrained_language_mode_is_named_with_the_fix():
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import ScriptFailure
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import parse_output
    with pytest.raises(ScriptFailure, match='ConstrainedLanguage mode .*AppLocker.*FullLanguage'):
        parse_output(3, '\ufeffUCOPS-LANGUAGE-MODE:ConstrainedLanguage\r\n', '', 'ex01')


def test_foreach_and_output_of_travel_as_data():
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import output_of
    each = Invocation('certs', 'Get-ExchangeCertificate', properties=['Thumbprint'], foreach=('servers', 'Name', 'Server'), tolerate_errors=True)
    assert each.to_json()['each'] == {'id': 'servers', 'property': 'Name', 'parameter': 'Server'}
    assert each.to_json()['tolerate_errors'] is True
    assert 'each' not in Invocation('x', 'Get-X').to_json()
    assert Invocation('s', 'Set-AuthConfig', {'NewCertificateThumbprint': output_of('new', 'Thumbprint')}).to_json()['parameters'] == {
        'NewCertificateThumbprint': {'__ucops_type': 'ref', 'id': 'new', 'property': 'Thumbprint'}}
    with pytest.raises(ValueError):
        Invocation('x', 'Get-X', foreach=('servers', 'Name', 'Server'))  # rows could not be tagged without properties
    assert Invocation('x', 'Get-X', properties=['A'], tolerate_errors=True).to_json()['tolerate_errors'] is True
    assert 'tolerate_errors' not in Invocation('x', 'Get-X').to_json()


def test_item_errors_are_returned_per_invocation():
    response = Response({'results': [{'id': 'certs', 'output': [], 'item_errors': [{'item': 'EX1', 'message': 'RPC'}]}, {'id': 'other'}]})
    assert response.item_errors('certs') == [{'item': 'EX1', 'message': 'RPC'}]
    assert response.item_errors('other') == []


def test_dotted_property_paths_travel_as_given():
    invocation = Invocation('store', 'Get-ChildItem', {'Path': 'Cert:\\LocalMachine\\My'},
                            properties=['Thumbprint', 'PrivateKey.CspKeyContainerInfo.Exportable'])
    request = build_request('read', {'type': 'skype_remote'}, [invocation])
    assert request['invocations'][0]['properties'] == ['Thumbprint', 'PrivateKey.CspKeyContainerInfo.Exportable']
    # the row key is the name as given
    response = Response({'results': [{'id': 'store', 'output': [{'Thumbprint': 'AB', 'PrivateKey.CspKeyContainerInfo.Exportable': None}]}]})
    assert response.output('store')[0]['PrivateKey.CspKeyContainerInfo.Exportable'] is None


def test_runner_walks_dotted_names_only_when_no_property_has_the_whole_name():
    rows = RUNNER_PS1[RUNNER_PS1.index('foreach ($propertyName in $propertyNames)'):RUNNER_PS1.index("$row['__item']")]
    whole = rows.index('$object.PSObject.Properties[$propertyText]')
    walk = rows.index("$propertyText.Split('.')")
    assert whole < walk
    # an undotted name keeps its old meaning (missing -> $null), and the walk catches a throwing getter
    assert "elseif ($propertyText.IndexOf('.') -lt 0) { $row[$propertyText] = $null }" in rows
    body = rows[walk:]
    assert body.index('try {') < body.index('$nestedMember.Value') < body.index('catch { $nested = $null }')


def test_the_servers_own_cmdlets_are_marked_local():
    assert Invocation('r', 'Restart-WebAppPool', {'Name': 'MSExchangeOWAAppPool'}).to_json()['local'] is True
    assert Invocation('c', 'get-content').to_json()['local'] is True
    assert 'local' not in Invocation('a', 'Get-AuthConfig').to_json()

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of lab/binder.py: PowerShell's parameter binder against the cmdlet reference."""

from __future__ import annotations

import datetime
import uuid

import pathlib

import pytest

from simulator_support import SKYPE, SNAPIN, Simulator, invocation, request
from lab.binder import VERSION_LABELS, Binder, Reference, load_reference
from lab.pserrors import PSError
from lab.psvalues import PSUri

BINDING = 'System.Management.Automation.ParameterBindingException'
VALIDATION = 'System.Management.Automation.ParameterBindingValidationException'


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    """A fresh engine with its own state directory."""
    return Simulator(tmp_path / 'state')


def _param(type_name: str, sets: list[str], applicable: list[str] | None = None, **extra) -> dict:
    entry = {'type': type_name, 'parameter_sets': sets, 'applicable': applicable or ['Test 2016', 'Test 2019']}
    entry.update(extra)
    return entry


def _synthetic() -> Reference:
    """A made-up cmdlet exercising every binder rule (two sets, no default set)."""
    parameters = {
        'Identity': _param('XdsIdentity', ['(All)']),
        'Mode': _param('String', ['(All)'], accepted_values=['Alpha', 'Beta', 'Gamma']),
        'Level': _param('ThingLevel', ['(All)'], accepted_values=['Low', 'Medium', 'High']),
        'Enabled': _param('Boolean', ['(All)']),
        'Force': _param('SwitchParameter', ['(All)']),
        'Url': _param('Uri', ['(All)']),
        'When': _param('DateTime', ['(All)']),
        'TenantId': _param('Guid', ['(All)']),
        'Names': _param('String[]', ['(All)']),
        'Scope': _param('MultiValuedProperty', ['(All)']),
        'ErrorLog': _param('String', ['(All)']),
        'OnlyA': _param('String', ['A']),
        'OnlyB': _param('String', ['B']),
        'Secret': _param('String', ['B']),
        'NewIn2019': _param('String', ['(All)'], applicable=['Test 2019']),
        'WhatIf': _param('SwitchParameter', ['(All)'], aliases=['wi']),
    }
    common = ['Identity', 'Mode', 'Level', 'Enabled', 'Force', 'Url', 'When', 'TenantId', 'Names', 'Scope', 'ErrorLog', 'NewIn2019', 'WhatIf']

    def set_entry(own: list[str], mandatory: list[str]) -> dict:
        return {'parameters': {name: {'type': parameters[name]['type'], 'mandatory': name in mandatory, 'positional': False}
                               for name in common + own}}

    cmdlet = {'applicable': ['Test 2016', 'Test 2019'], 'default_parameter_set': None, 'module': 'Test',
              'parameter_sets': {'A': set_entry(['OnlyA'], ['Identity']), 'B': set_entry(['OnlyB', 'Secret'], ['Identity', 'Secret'])},
              'parameters': parameters, 'doc': 'none'}
    return Reference('test', {'cmdlets': {'Set-Thing': cmdlet}, 'applicability': {'Set-Thing': cmdlet['applicable']}})


SYNTHETIC = _synthetic()


def bind(arguments: list[tuple[str, object]], label: str = 'Test 2016', cmdlet: str = 'Set-Thing', reference: Reference = SYNTHETIC):
    """Bind with a fresh binder."""
    return Binder(reference, label).bind(cmdlet, arguments)


def real(product: str, version: str, remote: bool = False) -> Binder:
    """A binder over the lab's committed reference."""
    return Binder(load_reference(product), VERSION_LABELS[(product, version)], remote_proxy=remote)


def fails(function, *args) -> PSError:
    """The PSError a call raises."""
    with pytest.raises(PSError) as caught:
        function(*args)
    return caught.value


# -- parameter names ----------------------------------------------------------------------------------------------


def test_unknown_parameter_is_named_parameter_not_found():
    error = fails(bind, [('Identity', 'x'), ('OnlyA', 'a'), ('Bogus', 1)])
    assert error.message == "A parameter cannot be found that matches parameter name 'Bogus'."
    assert error.fqid == 'NamedParameterNotFound,Set-Thing'
    assert error.category == 'InvalidArgument'
    assert error.exception_type == BINDING


def test_parameter_of_another_version_does_not_exist():
    error = fails(bind, [('Identity', 'x'), ('OnlyA', 'a'), ('NewIn2019', 'v')])
    assert error.fqid == 'NamedParameterNotFound,Set-Thing'
    call = bind([('Identity', 'x'), ('OnlyA', 'a'), ('NewIn2019', 'v')], label='Test 2019')
    assert call.values['NewIn2019'] == 'v'


def test_real_reference_version_gating_of_parameters():
    lync = real('skype', '2013')
    error = fails(lync.bind, 'Set-CsOAuthConfiguration', [('ClientAuthorizationOAuthServerIdentity', 'x')])
    assert error.message == "A parameter cannot be found that matches parameter name 'ClientAuthorizationOAuthServerIdentity'."
    assert error.fqid == 'NamedParameterNotFound,Set-CsOAuthConfiguration'
    assert real('skype', '2015').bind('Set-CsOAuthConfiguration', [('ClientAuthorizationOAuthServerIdentity', 'x')]).values == {
        'ClientAuthorizationOAuthServerIdentity': 'x'}
    # Skype for Business Online only: refused on every on-premises version
    for version in ('2013', '2015', '2019'):
        assert fails(real('skype', version).bind, 'Set-CsOAuthConfiguration', [('ClientAdalAuthOverride', 'Allowed')]).fqid == \
            'NamedParameterNotFound,Set-CsOAuthConfiguration'
        assert fails(real('skype', version).bind, 'Get-CsOAuthConfiguration', [('Tenant', str(uuid.uuid4()))]).fqid == \
            'NamedParameterNotFound,Get-CsOAuthConfiguration'
    # Exchange 2010-only parameter of Set-ClientAccessServer
    assert fails(real('exchange', '2013').bind, 'Set-ClientAccessServer', [('Identity', 'EX13'), ('IrmLogEnabled', True)]).message == \
        "A parameter cannot be found that matches parameter name 'IrmLogEnabled'."


def test_names_are_case_insensitive_and_prefixes_and_aliases_bind():
    call = bind([('identity', 'x'), ('ONLYA', 'a'), ('Forc', True), ('wi', True), ('-Mod', 'Beta')])
    assert call.values == {'Identity': 'x', 'OnlyA': 'a', 'Force': True, 'WhatIf': True, 'Mode': 'Beta'}
    exchange = real('exchange', '2016')
    call = exchange.bind('Set-ClientAccessService', [('ident', 'EX16'), ('AutoDiscoverServiceI', 'https://a/'), ('cf', False)])
    assert set(call.values) == {'Identity', 'AutoDiscoverServiceInternalUri', 'Confirm'}


def test_ambiguous_prefix():
    error = fails(real('exchange', '2016').bind, 'Set-ClientAccessService', [('Identity', 'EX16'), ('Auto', 'x')])
    assert error.message == ("Parameter cannot be processed because the parameter name 'Auto' is ambiguous. "
                             "Possible matches include: -AutoDiscoverServiceInternalUri -AutoDiscoverSiteScope.")
    assert error.fqid == 'AmbiguousParameter,Set-ClientAccessService'
    assert error.category == 'InvalidArgument'
    assert error.exception_type == BINDING
    # common parameters take part in the match and are listed
    error = fails(bind, [('O', 'x')])
    assert error.message.endswith('Possible matches include: -OnlyA -OnlyB -OutVariable -OutBuffer.')
    # only common/ShouldProcess parameters: still ambiguous
    assert 'Possible matches include: -WarningAction -WarningVariable -WhatIf.' in \
        fails(real('exchange', '2019').bind, 'Set-ClientAccessService', [('W', 'x')]).message


def test_declared_parameter_preferred_over_common_ones():
    call = bind([('Identity', 'x'), ('OnlyA', 'a'), ('Err', 'log.txt')])
    assert call.values['ErrorLog'] == 'log.txt'
    assert 'ErrorAction' not in call.common


def test_common_parameters_always_accepted():
    arguments = [('Verbose', True), ('Debug', False), ('ErrorAction', 'stop'), ('WarningAction', 'SilentlyContinue'),
                 ('InformationAction', 'Continue'), ('ErrorVariable', 'e'), ('WarningVariable', 'w'), ('InformationVariable', 'i'),
                 ('OutVariable', 'o'), ('OutBuffer', 5), ('PipelineVariable', 'p')]
    call = real('skype', '2019').bind('Get-CsServerVersion', arguments)
    assert not call.values
    assert call.common['ErrorAction'] == 'Stop'
    assert call.common['OutBuffer'] == 5
    error = fails(real('skype', '2019').bind, 'Get-CsServerVersion', [('ErrorAction', 'Sometimes')])
    assert error.fqid == 'CannotConvertArgumentNoMessage,Get-CsServerVersion'
    assert 'System.Management.Automation.ActionPreference' in error.message


def test_remote_proxies_have_asjob():
    assert real('exchange', '2019', remote=True).bind('Get-ExchangeServer', [('AsJob', False)]).values == {'AsJob': False}
    assert fails(real('exchange', '2019').bind, 'Get-ExchangeServer', [('AsJob', True)]).fqid == 'NamedParameterNotFound,Get-ExchangeServer'


def test_parameter_specified_twice():
    error = fails(bind, [('Identity', 'x'), ('Ident', 'y')])
    assert error.fqid == 'ParameterAlreadyBound,Set-Thing'
    assert error.message.startswith("Cannot bind parameter because parameter 'Identity' is specified more than once.")


# -- parameter sets -----------------------------------------------------------------------------------------------


def test_parameters_of_two_sets():
    error = fails(bind, [('Identity', 'x'), ('OnlyA', 'a'), ('OnlyB', 'b')])
    assert error.message == 'Parameter set cannot be resolved using the specified named parameters.'
    assert error.fqid == 'AmbiguousParameterSet,Set-Thing'
    assert error.category == 'InvalidArgument'
    assert error.exception_type == BINDING
    assert fails(real('exchange', '2019').bind, 'Get-ExchangeServer', [('Identity', 'EX19'), ('Domain', 'contoso.local')]).fqid == \
        'AmbiguousParameterSet,Get-ExchangeServer'
    assert fails(real('skype', '2015').bind, 'Get-CsPool', [('Identity', 'a'), ('Filter', '*')]).fqid == 'AmbiguousParameterSet,Get-CsPool'


def test_set_conflict_reported_before_unknown_names():
    error = fails(bind, [('Bogus', 1), ('OnlyA', 'a'), ('OnlyB', 'b')])
    assert error.fqid == 'AmbiguousParameterSet,Set-Thing'


def test_missing_mandatory_parameters():
    error = fails(bind, [('OnlyB', 'b')])
    assert error.message == 'Cannot process command because of one or more missing mandatory parameters: Identity Secret.'
    assert error.fqid == 'MissingMandatoryParameter,Set-Thing'
    assert error.category == 'InvalidArgument'
    error = fails(real('exchange', '2016').bind, 'Set-ClientAccessService', [('AutoDiscoverSiteScope', 'Site1')])
    assert error.message == 'Cannot process command because of one or more missing mandatory parameters: Identity.'


def test_set_resolution():
    # only the shared parameters: sets A and B remain, B still lacks its mandatory Secret -> A
    assert bind([('Identity', 'x')]).parameter_set == 'A'
    assert bind([('Identity', 'x'), ('Secret', 's')]).parameter_set == 'B'
    # the reference's default set
    assert real('skype', '2013').bind('Get-CsOAuthConfiguration', []).parameter_set == 'Identity'
    # mandatory-based disambiguation: Domain is mandatory in the Domain set
    assert real('exchange', '2013').bind('Get-ExchangeServer', [('Status', True)]).parameter_set == 'Identity'
    assert real('exchange', '2013').bind('Get-ExchangeServer', [('Domain', 'contoso.local')]).parameter_set == 'Domain'
    # Get-CsPool/Get-CsSite run without parameters in their docs' examples
    assert real('skype', '2019').bind('Get-CsPool', []).parameter_set == 'Identity'
    assert real('skype', '2019').bind('Get-CsPool', [('Site', 'Redmond')]).parameter_set == 'Identity'
    assert real('skype', '2019').bind('Get-CsSite', []).parameter_set == 'Identity'
    # two candidate sets, no default, nothing mandatory left to tell them apart
    assert fails(real('exchange', '2019').bind, 'Set-ClientAccessService', [('Identity', 'EX19')]).fqid == \
        'AmbiguousParameterSet,Set-ClientAccessService'


# -- values -------------------------------------------------------------------------------------------------------


def test_validate_set_for_string_parameters():
    error = fails(bind, [('Identity', 'x'), ('Mode', 'Delta')])
    assert error.message == ('Cannot validate argument on parameter \'Mode\'. The argument "Delta" does not belong to the set '
                             '"Alpha,Beta,Gamma" specified by the ValidateSet attribute. Supply an argument that is in the set and '
                             'then try the command again.')
    assert error.fqid == 'ParameterArgumentValidationError,Set-Thing'
    assert error.category == 'InvalidData'
    assert error.exception_type == VALIDATION
    assert bind([('Identity', 'x'), ('Mode', 'alpha')]).values['Mode'] == 'alpha'


def test_enum_conversion():
    error = fails(bind, [('Identity', 'x'), ('Level', 'Huge')])
    assert error.message == ('Cannot bind parameter \'Level\'. Cannot convert value "Huge" to type "ThingLevel". Error: "Unable to '
                             'match the identifier name Huge to a valid enumerator name. Specify one of the following enumerator '
                             'names and try again:\nLow, Medium, High"')
    assert error.fqid == 'CannotConvertArgumentNoMessage,Set-Thing'
    assert error.category == 'InvalidArgument'
    assert error.exception_type == BINDING
    assert bind([('Identity', 'x'), ('Level', 'hIGH')]).values['Level'] == 'High'


def test_boolean_refuses_strings():
    error = fails(bind, [('Identity', 'x'), ('Enabled', 'true')])
    assert error.message == ("Cannot convert 'System.String' to the type 'System.Boolean' required by parameter 'Enabled'. "
                             "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.")
    assert error.fqid == 'CannotConvertArgument,Set-Thing'
    assert error.category == 'InvalidArgument'
    assert error.exception_type == BINDING
    assert bind([('Identity', 'x'), ('Enabled', 1)]).values['Enabled'] is True
    assert bind([('Identity', 'x'), ('Enabled', 0)]).values['Enabled'] is False
    assert fails(bind, [('Identity', 'x'), ('Enabled', None)]).fqid == 'ParameterArgumentValidationErrorNullNotAllowed,Set-Thing'


def test_switch_values():
    assert fails(bind, [('Identity', 'x'), ('Force', 'yes')]).message.startswith(
        "Cannot convert 'System.String' to the type 'System.Management.Automation.SwitchParameter' required by parameter 'Force'.")
    assert bind([('Identity', 'x'), ('Force', None)]).values['Force'] is True
    assert bind([('Identity', 'x'), ('Force', False)]).values['Force'] is False


def test_uri_conversion():
    error = fails(bind, [('Identity', 'x'), ('Url', 'https://exa mple.com/x')])
    assert error.message == ('Cannot bind parameter \'Url\'. Cannot convert value "https://exa mple.com/x" to type "System.Uri". '
                             'Error: "Invalid URI: The hostname could not be parsed."')
    assert error.fqid == 'CannotConvertArgumentNoMessage,Set-Thing'
    assert fails(bind, [('Identity', 'x'), ('Url', 'http://host:70000/')]).message.endswith('Error: "Invalid URI: Invalid port specified."')
    value = bind([('Identity', 'x'), ('Url', 'HTTPS://Mail.Contoso.COM:443')]).values['Url']
    assert isinstance(value, PSUri)
    assert value.absolute_uri == 'https://mail.contoso.com/'
    relative = bind([('Identity', 'x'), ('Url', 'autodiscover/autodiscover.xml')]).values['Url']
    assert not relative.is_absolute


def test_datetime_and_guid_conversion():
    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert bind([('Identity', 'x'), ('When', moment)]).values['When'] == moment
    error = fails(bind, [('Identity', 'x'), ('When', 'someday')])
    assert error.message == ('Cannot bind parameter \'When\'. Cannot convert value "someday" to type "System.DateTime". '
                             'Error: "String was not recognized as a valid DateTime."')
    guid = uuid.uuid4()
    assert bind([('Identity', 'x'), ('TenantId', str(guid).upper())]).values['TenantId'] == guid
    assert fails(bind, [('Identity', 'x'), ('TenantId', 'not-a-guid')]).message.endswith(
        'Error: "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."')


def test_strings_and_collections():
    assert bind([('Identity', 'x'), ('ErrorLog', 5)]).values['ErrorLog'] == '5'
    error = fails(bind, [('Identity', 'x'), ('ErrorLog', ['a', 'b'])])
    assert error.message == ("Cannot convert 'System.Object[]' to the type 'System.String' required by parameter 'ErrorLog'. "
                             "Specified method is not supported.")
    assert error.fqid == 'CannotConvertArgument,Set-Thing'
    assert bind([('Identity', 'x'), ('Names', 'one')]).values['Names'] == ['one']
    assert bind([('Identity', 'x'), ('Scope', 'Site1')]).values['Scope'] == ['Site1']
    assert bind([('Identity', 'x'), ('Scope', ['a', 'b'])]).values['Scope'] == ['a', 'b']
    assert bind([('Identity', 'x'), ('Scope', None)]).values['Scope'] is None
    # identity types are not collections
    assert fails(bind, [('Identity', ['a', 'b'])]).fqid == 'CannotConvertArgument,Set-Thing'


def test_mandatory_values_may_not_be_null_or_empty():
    error = fails(bind, [('Identity', None)])
    assert error.message == "Cannot bind argument to parameter 'Identity' because it is null."
    assert error.fqid == 'ParameterArgumentValidationErrorNullNotAllowed,Set-Thing'
    assert error.category == 'InvalidData'
    assert error.exception_type == VALIDATION
    assert fails(bind, [('Identity', '')]).fqid == 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Set-Thing'


def test_conversion_errors_come_before_unknown_names():
    assert fails(bind, [('Bogus', 1), ('Identity', 'x'), ('Enabled', 'yes')]).fqid == 'CannotConvertArgument,Set-Thing'


# -- through the engine -------------------------------------------------------------------------------------------


def test_binder_errors_in_responses(sim):
    response = sim.run('ex2016', request('write', SNAPIN, invocation('Set-ClientAccessService', {'Identity': 'EX16', 'Foo': 1})))
    assert response['error'] == {
        'stage': 'invocation', 'index': 0, 'cmdlet': 'Set-ClientAccessService',
        'message': "A parameter cannot be found that matches parameter name 'Foo'.",
        'fully_qualified_error_id': 'NamedParameterNotFound,Set-ClientAccessService',
        'category': 'InvalidArgument', 'exception_type': BINDING}
    assert response['results'][0]['error'] == response['error']
    assert response['results'][0]['status'] == 'error'


def test_json_string_for_boolean_is_refused_through_the_engine(sim):
    response = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', {'LocalStore': 'true'})))
    assert response['error']['fully_qualified_error_id'] == 'CannotConvertArgument,Get-CsOAuthConfiguration'
    response = sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsOAuthConfiguration', {'LocalStore': {'__ucops_type': 'switch', 'value': True}},
                                                                    ['Identity'])))
    assert response['results'][0]['output'] == [{'Identity': 'Global'}]


def test_parameter_sets_of_other_versions_do_not_exist():
    # New-MailUser's reference also lists Exchange Online's sets (FederatedUser needs FederatedIdentity, which on-premises
    # Exchange lacks): on premises -Name -ExternalEmailAddress binds to DisabledUser instead of being ambiguous
    call = real('exchange', '2019').bind('New-MailUser', [('Name', 'App'), ('ExternalEmailAddress', 'app@contoso.com')])
    assert call.parameter_set == 'DisabledUser'
    call = real('exchange', '2013').bind('Get-User', [('Filter', "Name -eq 'App'")])
    assert call.parameter_set == 'Identity'
    # real servers run these with parameters of every set (CSS-Exchange scripts)
    assert real('exchange', '2016', remote=True).bind('Get-ExchangeCertificate', [('Server', 'EX16')]).parameter_set == 'Thumbprint'
    assert real('exchange', '2019').bind('New-ExchangeCertificate', [('KeySize', 2048), ('Force', True)]).parameter_set == 'Certificate'

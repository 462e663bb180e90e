# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A model of PowerShell's parameter binder, driven by the cmdlet reference in ``lab/reference/``.

It binds one invocation (named parameters only, as the runner splats a hashtable) the way Windows PowerShell
5.1's ``CmdletParameterBinderController`` does, and fails with the same message, FullyQualifiedErrorId
(``<ErrorId>,<CmdletName>``), category and exception type. Sources:

* PowerShell/PowerShell ``src/System.Management.Automation/resources/ParameterBinderStrings.resx`` (message
  templates; Windows PowerShell 5.1's AmbiguousParameterSet text is the shorter "Parameter set cannot be resolved
  using the specified named parameters.");
* ``MergedCommandParameterMetadata.GetMatchingParameter`` (prefix and alias matching, "prefer parameters in the
  cmdlet over common parameters", ambiguity text);
* ``CmdletParameterBinderController.ValidateParameterSets`` and ``ResolveParameterSetAmbiguityBasedOnMandatoryParameters``
  (parameter-set resolution, default set, mandatory-based disambiguation);
* ``ParameterBinderBase.CoerceTypeAsNeeded`` / ``HandleNullParameterForSpecialTypes`` (Boolean/switch rules,
  collections refused for scalar types with NotSupportedException, PSInvalidCastException -> CannotConvertArgumentNoMessage).

Order of checks (as in BindCommandLineParameters): named arguments are bound in order (ambiguous names, duplicate
binding, null/empty/ValidateSet and type conversion fail immediately); then parameter sets are intersected
(AmbiguousParameterSet); then unmatched names fail (NamedParameterNotFound); then the set is resolved and
mandatory parameters are checked (MissingMandatoryParameter).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
import json
import pathlib
import re
import uuid
from typing import Any

from .pserrors import PARAMETER_BINDING_EXCEPTION, PARAMETER_BINDING_VALIDATION_EXCEPTION, PSError
from .psvalues import PSUri, UriFormatError, format_datetime_en_us, format_number, parse_uri, ps_string

REFERENCE_DIR = pathlib.Path(__file__).resolve().parent / 'reference'

# Product version labels used by the reference's ``applicable`` lists.
VERSION_LABELS = {
    ('exchange', '2013'): 'Exchange Server 2013',
    ('exchange', '2016'): 'Exchange Server 2016',
    ('exchange', '2019'): 'Exchange Server 2019',
    # The reference's own label for Exchange Server Subscription Edition (lab/reference/exchange.json applicability).
    ('exchange', 'se'): 'Exchange Server SE',
    ('skype', '2013'): 'Lync Server 2013',
    ('skype', '2015'): 'Skype for Business Server 2015',
    ('skype', '2019'): 'Skype for Business Server 2019',
    # The Skype reference lists only 2015 and 2019: SE has the 2019 cmdlets (versions-and-changes-2025.md: no cmdlet
    # differences between SE and 2019 were found).
    ('skype', 'se'): 'Skype for Business Server 2019',
    # The label of lab/reference/dnsserver.json (DnsServer module of Windows Server 2019)
    ('windows', '2019'): 'Windows Server 2019',
}

# Windows PowerShell 5.1 common parameters in CommonParameters declaration order, with their types and aliases
# (Source: System.Management.Automation.Internal.CommonParameters; about_CommonParameters).
COMMON_PARAMETERS: list[tuple[str, str, list[str]]] = [
    ('Verbose', 'SwitchParameter', ['vb']),
    ('Debug', 'SwitchParameter', ['db']),
    ('ErrorAction', 'ActionPreference', ['ea']),
    ('WarningAction', 'ActionPreference', ['wa']),
    ('InformationAction', 'ActionPreference', ['infa']),
    ('ErrorVariable', 'String', ['ev']),
    ('WarningVariable', 'String', ['wv']),
    ('InformationVariable', 'String', ['iv']),
    ('OutVariable', 'String', ['ov']),
    ('OutBuffer', 'Int32', ['ob']),
    ('PipelineVariable', 'String', ['pv']),
]
COMMON_NAMES = {name for name, _type, _aliases in COMMON_PARAMETERS}
SHOULD_PROCESS_NAMES = ('WhatIf', 'Confirm')

# Enum values of types that are not in the reference (Source: System.Management.Automation.ActionPreference, 5.1).
BUILTIN_ENUMS = {
    'ActionPreference': ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend'],
}

# .NET full names for the type names the reference uses (for error texts). The System.* names are .NET facts;
# the Exchange/Lync namespaces are no source: recollection of the product assemblies, used only inside messages.
TYPE_FULL_NAMES = {
    'String': 'System.String',
    'String[]': 'System.String[]',
    'Boolean': 'System.Boolean',
    'SwitchParameter': 'System.Management.Automation.SwitchParameter',
    'Uri': 'System.Uri',
    'DateTime': 'System.DateTime',
    'Guid': 'System.Guid',
    'Int32': 'System.Int32',
    'PSObject': 'System.Management.Automation.PSObject',
    'PSCredential': 'System.Management.Automation.PSCredential',
    'PSCredential[]': 'System.Management.Automation.PSCredential[]',
    'ActionPreference': 'System.Management.Automation.ActionPreference',
    'Fqdn': 'Microsoft.Exchange.Data.Fqdn',
    'MultiValuedProperty': 'Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]',
    'ServerIdParameter': 'Microsoft.Exchange.Configuration.Tasks.ServerIdParameter',
    'ClientAccessServerIdParameter': 'Microsoft.Exchange.Configuration.Tasks.ClientAccessServerIdParameter',
    'ClientAccessArrayIdParameter': 'Microsoft.Exchange.Configuration.Tasks.ClientAccessArrayIdParameter',
    'XdsIdentity': 'Microsoft.Rtc.Management.Xds.XdsIdentity',
    'XdsGlobalRelativeIdentity': 'Microsoft.Rtc.Management.Xds.XdsGlobalRelativeIdentity',
}

# Default parameter sets the reference does not name (default_parameter_set is null because the page does not state
# it) although the cmdlet page shows invocations PowerShell can only resolve with one.
DEFAULT_SET_OVERRIDES = {
    # REF-SFB Get-CsPool.md examples 1 ("Get-CsPool") and 4 ("Get-CsPool -Site "Redmond""): Site is in both sets
    'Get-CsPool': 'Identity',
    # REF-SFB Get-CsSite.md example 1 ("Get-CsSite")
    'Get-CsSite': 'Identity',
    # REF-SFB Get-CsPartnerApplication.md, Get-CsOAuthServer.md and Get-CsConversationHistoryConfiguration.md example 1
    # (the cmdlet alone); SFB-ONPREM-PA runs "Set-CsPartnerApplication -Identity microsoft.exchange -ApplicationTrustLevel
    # Full" (parameters of several sets)
    'Get-CsPartnerApplication': 'Identity',
    'Get-CsOAuthServer': 'Identity',
    'Get-CsConversationHistoryConfiguration': 'Identity',
    'Set-CsPartnerApplication': 'Identity',
    # REF-SFB Get-CsTrustedApplicationPool.md, Get-CsTrustedApplication.md and Get-CsSipDomain.md example 1 (the cmdlet alone)
    'Get-CsTrustedApplicationPool': 'Identity',
    'Get-CsTrustedApplication': 'Identity',
    'Get-CsSipDomain': 'Identity',
    # REF-EX Get-User.md example 1 ("Get-User -ResultSize unlimited"): with only parameters of both on-premises sets the
    # Identity set binds (its Identity is optional and positional); Get-MailUser has the same two sets (inference)
    'Get-User': 'Identity',
    'Get-MailUser': 'Identity',
    # CSS-Exchange Shared/CertificateFunctions/Get-ExchangeServerCertificateInformation.ps1 runs
    # "Get-ExchangeCertificate -Server $Server" (parameters of all three sets) on real servers: one set is the default;
    # which one is no source (the set without a positional argument, Thumbprint, is the lab's choice)
    'Get-ExchangeCertificate': 'Thumbprint',
    # CSS-Exchange Admin/MonitorExchangeAuthCertificate/ConfigurationAction/New-ExchangeAuthCertificate.ps1 runs
    # New-ExchangeCertificate without -Services or -GenerateRequest and gets a certificate: the Certificate set binds
    'New-ExchangeCertificate': 'Certificate',
}

# Types the lab treats as "a string wrapped in an identity object": a scalar converts through ToString(),
# a collection is refused (the .NET types are not collections).
IDENTITY_TYPES = {'Fqdn', 'ServerIdParameter', 'ClientAccessServerIdParameter', 'ClientAccessArrayIdParameter',
                  'XdsIdentity', 'XdsGlobalRelativeIdentity'}

# Message suffix of the Boolean/switch refusal. Source: the brief of this task (Windows PowerShell 5.1 text);
# PowerShell's template is ParameterBinderStrings.CannotConvertArgument "Cannot convert '{6}' to the type '{2}'
# required by parameter '{1}'. {7}".
BOOLEAN_ONLY = 'Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.'


@dataclasses.dataclass
class ParameterInfo:
    """One bindable parameter of a command as the binder sees it."""

    name: str
    type: str
    aliases: list[str]
    association: str  # 'declared', 'common' or 'should_process'
    sets: frozenset[str] | None  # parameter sets it belongs to; None = all sets
    mandatory_in: frozenset[str]
    accepted_values: list[str] | None = None


@dataclasses.dataclass
class BoundCall:
    """The result of a successful binding."""

    cmdlet: str
    parameter_set: str
    values: dict[str, Any]  # declared and ShouldProcess parameters, by canonical name, converted
    common: dict[str, Any]  # common parameters, by canonical name, converted

    def has(self, name: str) -> bool:
        """Whether the parameter was specified."""
        return name in self.values

    def switch(self, name: str) -> bool:
        """The value of a switch parameter (False when not specified)."""
        return bool(self.values.get(name, False))


class Reference:
    """The lab's cmdlet reference for one product (``lab/reference/<product>.json``)."""

    def __init__(self, product: str, data: dict) -> None:
        self.product = product
        self.cmdlets: dict[str, dict] = data['cmdlets']
        self.applicability: dict[str, list[str]] = data['applicability']
        self._by_lower = {name.lower(): name for name in self.applicability}

    def canonical_name(self, name: str) -> str | None:
        """The reference's spelling of a cmdlet name (command lookup is case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def exists(self, name: str, label: str) -> bool:
        """Whether a cmdlet exists in the product version named by ``label`` (its ``applicable`` list)."""
        canonical = self.canonical_name(name)
        return canonical is not None and label in self.applicability[canonical]

    def names_for(self, label: str) -> list[str]:
        """All cmdlet names that exist in a product version."""
        return [name for name, labels in self.applicability.items() if label in labels]


@functools.lru_cache(maxsize=None)
def load_reference(product: str) -> Reference:
    """Load ``lab/reference/<product>.json`` (the lab runs without ../shared at run time)."""
    path = REFERENCE_DIR / ('%s.json' % product)
    return Reference(product, json.loads(path.read_text(encoding='utf-8')))


def _binding_error(message: str, error_id: str, cmdlet: str, category: str = 'InvalidArgument',
                   exception_type: str = PARAMETER_BINDING_EXCEPTION) -> PSError:
    return PSError(message, '%s,%s' % (error_id, cmdlet), category, exception_type)


def full_type_name(type_name: str) -> str:
    """The .NET full name used in conversion messages (the reference's short name when unknown)."""
    return TYPE_FULL_NAMES.get(type_name, type_name)


def _net_type_of(value: Any) -> str:
    """The .NET type of a value that came out of ConvertFrom-Json / ConvertTo-UcopsArgument (Windows PowerShell 5.1)."""
    if isinstance(value, bool):
        return 'System.Boolean'
    if isinstance(value, str):
        return 'System.String'
    if isinstance(value, int):
        return 'System.Int32' if -2 ** 31 <= value < 2 ** 31 else 'System.Int64'
    if isinstance(value, (float, decimal.Decimal)):
        return 'System.Decimal'
    if isinstance(value, list):
        return 'System.Object[]'
    if isinstance(value, datetime.datetime):
        return 'System.DateTime'
    if isinstance(value, dict):
        return 'System.Management.Automation.PSCustomObject'
    return 'System.Object'


def _value_text(value: Any) -> str:
    """How a value appears inside 'Cannot convert value "..."' messages (its ToString())."""
    if isinstance(value, datetime.datetime):
        return format_datetime_en_us(value)
    return ps_string(value)


class Binder:
    """Binds invocations of one product version's cmdlets."""

    def __init__(self, reference: Reference, label: str, remote_proxy: bool = False) -> None:
        """``label`` is the reference's version label; ``remote_proxy`` models implicit-remoting proxy functions
        (Import-PSSession adds a client-side ``AsJob`` switch and turns WhatIf/Confirm into declared parameters)."""
        self.reference = reference
        self.label = label
        self.remote_proxy = remote_proxy

    # -- metadata ---------------------------------------------------------------------------------------------

    def parameters_of(self, cmdlet: str) -> tuple[list[ParameterInfo], list[str], str | None]:
        """Bindable parameters (PowerShell's order: declared, common, ShouldProcess), set names, default set."""
        entry = self.reference.cmdlets[cmdlet]
        set_names = self._sets_in_version(entry)
        declared: list[ParameterInfo] = []
        should_process: list[ParameterInfo] = []
        for name, spec in entry['parameters'].items():
            applicable = spec.get('applicable', entry['applicable'])
            if self.label not in applicable:
                # a parameter of another version does not exist in this one
                continue
            in_sets = {set_name for set_name in set_names if name in entry['parameter_sets'][set_name]['parameters']}
            if not in_sets:
                listed = set(spec.get('parameter_sets', ['(All)']))
                in_sets = set(set_names) if '(All)' in listed else {s for s in listed if s in set_names}
            sets = None if in_sets == set(set_names) else frozenset(in_sets)
            mandatory = frozenset(set_name for set_name in set_names
                                  if entry['parameter_sets'][set_name]['parameters'].get(name, {}).get('mandatory'))
            info = ParameterInfo(name=name, type=spec['type'], aliases=list(spec.get('aliases') or []),
                                 association='declared', sets=sets, mandatory_in=mandatory,
                                 accepted_values=spec.get('accepted_values'))
            if name in SHOULD_PROCESS_NAMES and not self.remote_proxy:
                info.association = 'should_process'
                should_process.append(info)
            else:
                declared.append(info)
        if self.remote_proxy:
            # Import-PSSession's generated proxies add a client-side AsJob switch
            # (PowerShell ImplicitRemotingCommands.cs, RehydrateCommandMetadata).
            declared.append(ParameterInfo('AsJob', 'SwitchParameter', [], 'declared', None, frozenset()))
        common = [ParameterInfo(name, type_name, aliases, 'common', None, frozenset())
                  for name, type_name, aliases in COMMON_PARAMETERS]
        default_set = entry['default_parameter_set'] or DEFAULT_SET_OVERRIDES.get(cmdlet)
        return declared + common + should_process, set_names, default_set

    def _sets_in_version(self, entry: dict) -> list[str]:
        """The parameter sets that exist in this version. The reference merges every version's sets (Exchange Online's
        among them), but a version's cmdlet has only its own: a set that needs a parameter this version lacks, or whose
        own parameters (in no other set) all are of other versions, does not exist here. No source beyond the reference's
        per-parameter applicability: an inference (a set cannot be bound without its mandatory parameters)."""
        sets = entry['parameter_sets']
        names = list(sets)

        def exists(name: str) -> bool:
            spec = entry['parameters'].get(name) or {}
            return self.label in spec.get('applicable', entry['applicable'])

        kept = []
        for set_name in names:
            members = sets[set_name]['parameters']
            if any(member.get('mandatory') and not exists(name) for name, member in members.items()):
                continue
            own = [name for name in members if all(name not in sets[other]['parameters'] for other in names if other != set_name)]
            if own and not any(exists(name) for name in own):
                continue
            kept.append(set_name)
        return kept or names

    # -- name resolution --------------------------------------------------------------------------------------

    @staticmethod
    def match_parameter(name: str, parameters: list[ParameterInfo], cmdlet: str) -> ParameterInfo | None:
        """MergedCommandParameterMetadata.GetMatchingParameter (tryExactMatching = true)."""
        wanted = name[1:] if name.startswith('-') else name
        lowered = wanted.lower()
        matches: list[ParameterInfo] = []
        for parameter in parameters:
            if parameter.name.lower().startswith(lowered):
                if parameter.name.lower() == lowered:
                    return parameter
                matches.append(parameter)
        for parameter in parameters:
            for alias in parameter.aliases:
                if alias.lower().startswith(lowered):
                    if alias.lower() == lowered:
                        return parameter
                    if parameter not in matches:
                        matches.append(parameter)
        if len(matches) > 1:
            filtered = [parameter for parameter in matches if parameter.association == 'declared']
            if len(filtered) == 1:
                return filtered[0]
            possible = ''.join(' -' + parameter.name for parameter in matches)
            raise _binding_error("Parameter cannot be processed because the parameter name '%s' is ambiguous. "
                                 "Possible matches include:%s." % (wanted, possible), 'AmbiguousParameter', cmdlet)
        return matches[0] if matches else None

    # -- conversion -------------------------------------------------------------------------------------------

    def convert(self, value: Any, parameter: ParameterInfo, cmdlet: str) -> Any:
        """Coerce a value to the parameter's type (ParameterBinderBase.CoerceTypeAsNeeded)."""
        type_name = parameter.type
        if type_name in ('SwitchParameter', 'Boolean'):
            return self._convert_boolean(value, parameter, cmdlet)
        if value is None:
            # HandleNullParameterForSpecialTypes: null binds as null for every other type
            return None
        if type_name == 'String':
            return self._convert_scalar_string(value, parameter, cmdlet)
        if type_name in ('String[]', 'MultiValuedProperty'):
            items = value if isinstance(value, list) else [value]
            converted = []
            for item in items:
                if isinstance(item, list):
                    raise self._not_supported(item, parameter, cmdlet, element_type='System.String')
                converted.append(None if item is None else _value_text(item))
            return converted
        if type_name == 'Uri':
            if isinstance(value, list):
                raise self._not_supported(value, parameter, cmdlet)
            if isinstance(value, PSUri):
                return value
            try:
                return parse_uri(_value_text(value))
            except UriFormatError as error:
                raise self._cannot_convert(value, parameter, cmdlet, str(error)) from None
        if type_name == 'DateTime':
            return self._convert_datetime(value, parameter, cmdlet)
        if type_name == 'Guid':
            if isinstance(value, list):
                raise self._not_supported(value, parameter, cmdlet)
            try:
                return uuid.UUID(ps_string(value).strip().strip('{}()'))
            except ValueError:
                raise self._cannot_convert(value, parameter, cmdlet, 'Guid should contain 32 digits with 4 dashes '
                                           '(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).') from None
        if type_name == 'Int32':
            if isinstance(value, list):
                raise self._not_supported(value, parameter, cmdlet)
            try:
                number = int(ps_string(value).strip()) if isinstance(value, str) else int(value)
            except (TypeError, ValueError):
                raise self._cannot_convert(value, parameter, cmdlet, 'Input string was not in a correct format.') from None
            if not -2 ** 31 <= number < 2 ** 31:
                raise self._cannot_convert(value, parameter, cmdlet, 'Value was either too large or too small for an Int32.')
            return number
        enum_values = BUILTIN_ENUMS.get(type_name) or (parameter.accepted_values if type_name not in ('String', 'String[]') else None)
        if enum_values:
            return self._convert_enum(value, enum_values, parameter, cmdlet)
        if type_name in IDENTITY_TYPES:
            if isinstance(value, list):
                raise self._not_supported(value, parameter, cmdlet)
            return _value_text(value)
        # any other type (PSCredential[], PSObject, EnhancedTimeSpan...): kept as given; the product model refuses
        # parameters it does not implement, so the value is never used as if it had been converted.
        return value

    def _convert_boolean(self, value: Any, parameter: ParameterInfo, cmdlet: str) -> bool:
        type_name = parameter.type
        if value is None:
            if type_name == 'SwitchParameter':
                # HandleNullParameterForSpecialTypes: "-Switch:$null" is SwitchParameter.Present
                return True
            raise _binding_error("Cannot bind argument to parameter '%s' because it is null." % parameter.name,
                                 'ParameterArgumentValidationErrorNullNotAllowed', cmdlet)
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float, decimal.Decimal)):
            return value != 0
        raise _binding_error("Cannot convert '%s' to the type '%s' required by parameter '%s'. %s"
                             % (_net_type_of(value), full_type_name(type_name), parameter.name, BOOLEAN_ONLY),
                             'CannotConvertArgument', cmdlet)

    def _convert_scalar_string(self, value: Any, parameter: ParameterInfo, cmdlet: str) -> str:
        if isinstance(value, list):
            raise self._not_supported(value, parameter, cmdlet)
        if isinstance(value, dict):
            return ps_string(value)
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return format_number(value)
        return _value_text(value)

    def _convert_datetime(self, value: Any, parameter: ParameterInfo, cmdlet: str) -> datetime.datetime:
        if isinstance(value, list):
            raise self._not_supported(value, parameter, cmdlet)
        if isinstance(value, datetime.datetime):
            return value
        text = ps_string(value)
        for pattern in ('%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S',
                        '%Y-%m-%d', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y'):
            try:
                return datetime.datetime.strptime(text.strip().replace('Z', '+0000'), pattern)
            except ValueError:
                continue
        raise self._cannot_convert(value, parameter, cmdlet, 'String was not recognized as a valid DateTime.')

    def _convert_enum(self, value: Any, names: list[str], parameter: ParameterInfo, cmdlet: str) -> str:
        """LanguagePrimitives enum conversion from a string: case-insensitive name match."""
        if isinstance(value, list):
            raise self._not_supported(value, parameter, cmdlet)
        text = ps_string(value)
        for name in names:
            if name.lower() == text.strip().lower():
                return name
        listed = ', '.join(names)
        if text.strip() == '':
            # Source: Windows PowerShell 5.1 behaviour for an empty identifier (EnumSingleTypeConverter)
            detail = ('The identifier name %s cannot be processed because it is either too similar or identical to the '
                      'following enumerator names: %s' % (text, listed))
        else:
            detail = ('Unable to match the identifier name %s to a valid enumerator name. Specify one of the following '
                      'enumerator names and try again:\n%s' % (text, listed))
        raise self._cannot_convert(value, parameter, cmdlet, detail)

    @staticmethod
    def _cannot_convert(value: Any, parameter: ParameterInfo, cmdlet: str, detail: str) -> PSError:
        """PSInvalidCastException -> ParameterBinderStrings.CannotConvertArgumentNoMessage."""
        return _binding_error('Cannot bind parameter \'%s\'. Cannot convert value "%s" to type "%s". Error: "%s"'
                              % (parameter.name, _value_text(value), full_type_name(parameter.type), detail),
                              'CannotConvertArgumentNoMessage', cmdlet)

    @staticmethod
    def _not_supported(value: Any, parameter: ParameterInfo, cmdlet: str, element_type: str | None = None) -> PSError:
        """A collection bound to a scalar type: NotSupportedException -> ParameterBinderStrings.CannotConvertArgument."""
        target = element_type or full_type_name(parameter.type)
        return _binding_error("Cannot convert '%s' to the type '%s' required by parameter '%s'. Specified method is not supported."
                              % (_net_type_of(value), target, parameter.name), 'CannotConvertArgument', cmdlet)

    # -- validation -------------------------------------------------------------------------------------------

    @staticmethod
    def _validate_mandatory_value(value: Any, parameter: ParameterInfo, cmdlet: str) -> None:
        """ValidateNullOrEmptyArgument for a parameter that is mandatory in some parameter set."""
        if not parameter.mandatory_in:
            return
        error = None
        if value is None:
            error = ("Cannot bind argument to parameter '%s' because it is null.", 'ParameterArgumentValidationErrorNullNotAllowed')
        elif isinstance(value, str) and value == '' and parameter.type != 'SwitchParameter':
            error = ("Cannot bind argument to parameter '%s' because it is an empty string.",
                     'ParameterArgumentValidationErrorEmptyStringNotAllowed')
        elif isinstance(value, list) and not value:
            if parameter.type.endswith('[]'):
                error = ("Cannot bind argument to parameter '%s' because it is an empty array.",
                         'ParameterArgumentValidationErrorEmptyArrayNotAllowed')
            else:
                error = ("Cannot bind argument to parameter '%s' because it is an empty collection.",
                         'ParameterArgumentValidationErrorEmptyCollectionNotAllowed')
        if error:
            raise _binding_error(error[0] % parameter.name, error[1], cmdlet, 'InvalidData', PARAMETER_BINDING_VALIDATION_EXCEPTION)

    @staticmethod
    def _validate_set(value: Any, parameter: ParameterInfo, cmdlet: str) -> None:
        """ValidateSetAttribute (IgnoreCase) for String-typed parameters with ``accepted_values``."""
        if not parameter.accepted_values or parameter.type not in ('String', 'String[]') or value is None:
            return
        allowed = {item.lower() for item in parameter.accepted_values}
        for item in (value if isinstance(value, list) else [value]):
            if item is not None and item.lower() not in allowed:
                raise _binding_error('Cannot validate argument on parameter \'%s\'. The argument "%s" does not belong to the set '
                                     '"%s" specified by the ValidateSet attribute. Supply an argument that is in the set and then '
                                     'try the command again.' % (parameter.name, item, ','.join(parameter.accepted_values)),
                                     'ParameterArgumentValidationError', cmdlet, 'InvalidData', PARAMETER_BINDING_VALIDATION_EXCEPTION)

    # -- binding ----------------------------------------------------------------------------------------------

    def bind(self, cmdlet: str, arguments: list[tuple[str, Any]]) -> BoundCall:
        """Bind named ``arguments`` (in splatting order) to ``cmdlet`` (its reference spelling)."""
        parameters, set_names, default_set = self.parameters_of(cmdlet)
        bound: dict[str, tuple[ParameterInfo, Any]] = {}
        not_found: list[str] = []
        valid_sets: set[str] | None = None  # None = every set is still valid
        for name, value in arguments:
            parameter = self.match_parameter(name, parameters, cmdlet)
            if parameter is None:
                not_found.append(name[1:] if name.startswith('-') else name)
                continue
            if parameter.name in bound:
                raise _binding_error("Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple "
                                     "values to parameters that can accept multiple values, use the array syntax. For example, "
                                     "\"-parameter value1,value2,value3\"." % parameter.name, 'ParameterAlreadyBound', cmdlet)
            self._validate_mandatory_value(value, parameter, cmdlet)
            converted = self.convert(value, parameter, cmdlet)
            self._validate_set(converted, parameter, cmdlet)
            bound[parameter.name] = (parameter, converted)
            if parameter.sets is not None:
                valid_sets = set(parameter.sets) if valid_sets is None else valid_sets & parameter.sets
        if valid_sets is not None and not valid_sets:
            raise self._ambiguous_set(cmdlet)
        if not_found:
            raise _binding_error("A parameter cannot be found that matches parameter name '%s'." % not_found[0],
                                 'NamedParameterNotFound', cmdlet)
        chosen = self._resolve_set(cmdlet, parameters, set_names, default_set, valid_sets, bound)
        missing = [parameter.name for parameter in parameters
                   if chosen in parameter.mandatory_in and parameter.name not in bound]
        if missing:
            raise _binding_error('Cannot process command because of one or more missing mandatory parameters:%s.'
                                 % ''.join(' ' + name for name in missing), 'MissingMandatoryParameter', cmdlet)
        values = {name: value for name, (parameter, value) in bound.items() if parameter.association != 'common'}
        common = {name: value for name, (parameter, value) in bound.items() if parameter.association == 'common'}
        return BoundCall(cmdlet=cmdlet, parameter_set=chosen, values=values, common=common)

    @staticmethod
    def _ambiguous_set(cmdlet: str) -> PSError:
        # Windows PowerShell 5.1 text of ParameterBinderStrings.AmbiguousParameterSet (brief of this task)
        return _binding_error('Parameter set cannot be resolved using the specified named parameters.', 'AmbiguousParameterSet', cmdlet)

    def _resolve_set(self, cmdlet: str, parameters: list[ParameterInfo], set_names: list[str], default_set: str | None,
                     valid_sets: set[str] | None, bound: dict[str, tuple[ParameterInfo, Any]]) -> str:
        """ValidateParameterSets(prePipelineInput=false, setDefault=true) for a command without pipeline input."""
        if len(set_names) == 1:
            return set_names[0]
        candidates = set(set_names) if valid_sets is None else valid_sets
        if len(candidates) == 1:
            return next(iter(candidates))
        if default_set is not None and default_set in candidates:
            return default_set
        # ResolveParameterSetAmbiguityBasedOnMandatoryParameters: drop sets with an unbound mandatory parameter
        remaining = {set_name for set_name in candidates
                     if not any(set_name in parameter.mandatory_in and parameter.name not in bound for parameter in parameters)}
        if len(remaining) == 1:
            return next(iter(remaining))
        raise self._ambiguous_set(cmdlet)


def cmdlet_exists(product: str, version: str, name: str) -> bool:
    """Whether ``name`` is a cmdlet of the given product version according to the reference."""
    return load_reference(product).exists(name, VERSION_LABELS[(product, version)])


def is_valid_cmdlet_name(name: str) -> bool:
    """The runner's ``^[A-Za-z]+-[A-Za-z0-9]+$`` check (.NET ``$`` also matches before a final newline, as Python's)."""
    return re.match(r'^[A-Za-z]+-[A-Za-z0-9]+$', name) is not None

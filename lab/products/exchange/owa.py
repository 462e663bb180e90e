# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Outlook on the web (OWA) instant messaging: the OWA virtual directory of each server, the OWA mailbox policies,
setting overrides, the variant configuration refresh, and the OWA web.config of Exchange 2013 hosts; mirrors
plugins/module_utils/exchange/owa_im.py.

State (inside the org)::

    org['owa'] = {'virtual_directories': {<SERVER>: {'instant_messaging_enabled': bool, 'instant_messaging_type': 'None'|'Ocs',
                                                     'instant_messaging_server_name': str|None,
                                                     'instant_messaging_certificate_thumbprint': str|None}},
                  'mailbox_policies': {<name>: {'instant_messaging_enabled': bool, 'instant_messaging_type': str}},
                  'refreshes': {<SERVER>: <number of VariantConfiguration Refresh calls>}}
    org['setting_overrides'] = [{'name', 'guid', 'component', 'section', 'parameters': [...], 'reason', 'server': [...]|None,
                                 'min_version', 'max_version', 'modified_by'}, ...]

A server's virtual directory takes the defaults below until something sets it. Lab tests may seed any of these keys.
"""

from __future__ import annotations

import fnmatch
import uuid
from typing import Any

from ...binder import BoundCall
from ...pserrors import PSError, lab_not_implemented
from ...psvalues import PSEnum, PSObject, PSText
from .. import windows
from ..common import Outcome, refuse_unmodelled
from .organization import NO_CHANGE_WARNING, ExchangeFeature, admin_display_version

# Source: REF-EX Get-OwaVirtualDirectory -Identity ("VirtualDirectoryName (WebsiteName)"); integration-procedure.md
# section 14.3 (the OWA virtual directory is "owa" on the Default Web Site of the Client Access services).
WEB_SITE = 'Default Web Site'
DIRECTORY = 'owa'

# Defaults. Source: REF-EX Set-OwaVirtualDirectory: InstantMessagingEnabled "$true ... This value is the default",
# InstantMessagingType "None: This value is the default"; LYNC (integration-procedure.md section 14.3) says the same.
# InstantMessagingServerName / InstantMessagingCertificateThumbprint empty: no source (Setup sets neither).
VDIR_DEFAULTS = {'instant_messaging_enabled': True, 'instant_messaging_type': 'None',
                 'instant_messaging_server_name': None, 'instant_messaging_certificate_thumbprint': None}

# The policy Setup creates. Source: REF-EX Set-OwaMailboxPolicy example (-Identity "Default") and integration-procedure.md
# section 14.3 (Set-OwaMailboxPolicy -Identity "Default"). Defaults: REF-EX Set-OwaMailboxPolicy InstantMessagingEnabled
# "$true ... the default", InstantMessagingType "None: This value is the default in on-premises Exchange".
DEFAULT_POLICY = 'Default'
POLICY_DEFAULTS = {'instant_messaging_enabled': True, 'instant_messaging_type': 'None'}

# InstantMessagingTypeOptions names. Source: REF-EX Set-OwaVirtualDirectory / Set-OwaMailboxPolicy -InstantMessagingType
# ("None", "Ocs"). The reference has no accepted values for the type, so the lab converts them here.
IM_TYPES = ('None', 'Ocs')

# Where Setup puts the setting overrides. Source: CSS-Exchange HealthChecker test data
# (Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/GetSettingOverrideMultiConfigs.xml):
# DistinguishedName "CN=<Name>,CN=Setting Overrides,CN=Global Settings,CN=<Org>,CN=Microsoft Exchange,CN=Services,
# CN=Configuration,...", Status "Accepted", ModifiedBy "<domain>/Users/<user>". The org name "First Organization" is
# Setup's default (same test data); the lab has one organization per org entry.
ORG_NAME = 'First Organization'

# The OWA web.config of Exchange 2013 (Mailbox role, back end). Path: LYNC "integrating-lync-server-and-outlook-web-app-2013"
# ("C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\Owa"); Microsoft's troubleshooting article for OWA IM
# ("Notepad %ExchangeInstallPath%ClientAccess\Owa\web.config") names it relative to the install path.
WEB_CONFIG_PATH = windows.EXCHANGE_INSTALL_PATH + 'ClientAccess\\Owa\\web.config'

# The file itself. No source for its full content (Microsoft does not publish it): a shortened file of the shape every
# ASP.NET web.config has, with CRLF line ends and an <appSettings> section without the IM keys, which LYNC says to add
# "under the <AppSettings> node". The other keys are placeholders (lab choice), kept so that an edit must leave them alone.
WEB_CONFIG_TEXT = '\r\n'.join([
    '<?xml version="1.0" encoding="utf-8"?>',
    '<configuration>',
    '  <configSections>',
    '    <sectionGroup name="system.web.extensions" type="System.Web.Configuration.SystemWebExtensionsSectionGroup, System.Web.Extensions, '
    'Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />',
    '  </configSections>',
    '  <runtime>',
    '    <gcServer enabled="true" />',
    '  </runtime>',
    '  <appSettings>',
    '    <!-- Outlook Web App settings -->',
    '    <add key="ClientValidationEnabled" value="true" />',
    '    <add key="LogonPageLightSelectionEnabled" value="true" />',
    '    <add key="SpellcheckerEnabled" value="true" />',
    '  </appSettings>',
    '  <system.web>',
    '    <compilation debug="false" defaultLanguage="c#" targetFramework="4.5" />',
    '    <httpRuntime maxRequestLength="35000" requestValidationMode="2.0" />',
    '  </system.web>',
    '</configuration>',
    ''])


def _seed_web_config(host: Any) -> dict[str, str]:
    """The OWA web.config on Exchange 2013 hosts (2016 and later read IM settings from a setting override instead, and
    the collection never reads their web.config: integration-procedure.md section 14.1)."""
    if getattr(host, 'product', None) == 'exchange' and str(getattr(host, 'version', '')) == '2013':
        return {WEB_CONFIG_PATH: WEB_CONFIG_TEXT}
    return {}


windows.FILE_SEEDS.append(_seed_web_config)


def _im_type(call: BoundCall, value: Any) -> str:
    """LanguagePrimitives enum conversion of -InstantMessagingType (case-insensitive name). Source of the text: the
    binder's conversion error (lab/binder.py _convert_enum), i.e. PowerShell's CannotConvertArgumentNoMessage."""
    text = '' if value is None else str(value)
    for name in IM_TYPES:
        if name.lower() == text.strip().lower():
            return name
    detail = ('Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names '
              'and try again:\n%s' % (text, ', '.join(IM_TYPES)))
    raise PSError('Cannot bind parameter \'InstantMessagingType\'. Cannot convert value "%s" to type '
                  '"Microsoft.Exchange.Data.Directory.SystemConfiguration.InstantMessagingTypeOptions". Error: "%s"' % (text, detail),
                  'CannotConvertArgumentNoMessage,%s' % call.cmdlet, 'InvalidArgument',
                  'System.Management.Automation.ParameterBindingException')


class Owa(ExchangeFeature):
    """Get-/Set-OwaVirtualDirectory, Get-/Set-OwaMailboxPolicy (IM properties), the setting override cmdlets and
    Get-ExchangeDiagnosticInfo (VariantConfiguration Refresh)."""

    IMPLEMENTED = ('Get-OwaVirtualDirectory', 'Set-OwaVirtualDirectory', 'Get-OwaMailboxPolicy', 'Set-OwaMailboxPolicy',
                   'Get-SettingOverride', 'New-SettingOverride', 'Set-SettingOverride', 'Remove-SettingOverride',
                   'Get-ExchangeDiagnosticInfo')

    # -- state ------------------------------------------------------------------------------------------------

    def _owa(self) -> dict[str, Any]:
        return self.org.setdefault('owa', {})

    def _vdir_settings(self, server: dict[str, Any]) -> dict[str, Any]:
        settings = dict(VDIR_DEFAULTS)
        settings.update((self._owa().get('virtual_directories') or {}).get(server['name']) or {})
        return settings

    def _policies(self) -> dict[str, dict[str, Any]]:
        policies = self._owa().setdefault('mailbox_policies', {})
        if not policies:
            policies[DEFAULT_POLICY] = dict(POLICY_DEFAULTS)
        return policies

    def _overrides(self) -> list[dict[str, Any]]:
        return self.org.setdefault('setting_overrides', [])

    # -- OWA virtual directories -------------------------------------------------------------------------------

    def _vdir_object(self, server: dict[str, Any]) -> PSObject:
        """An ADOwaVirtualDirectory: Name "owa (Default Web Site)", Identity "<SERVER>\\owa (Default Web Site)", Server an
        ADObjectId whose ToString() is the server name (the same forms as the EWS directory in CSS-Exchange HealthChecker
        test data GetWebServicesVirtualDirectory.xml); the IM properties: integration-procedure.md section 14.3 (Read)."""
        settings = self._vdir_settings(server)
        name = '%s (%s)' % (DIRECTORY, WEB_SITE)
        identity = '%s\\%s' % (server['name'], name)
        return PSObject(text=identity, properties={
            'Name': name,
            'Identity': PSText(identity),
            'Server': PSText(server['name']),
            'InstantMessagingEnabled': bool(settings['instant_messaging_enabled']),
            'InstantMessagingType': PSEnum('InstantMessagingTypeOptions', settings['instant_messaging_type']),
            'InstantMessagingServerName': settings['instant_messaging_server_name'],
            'InstantMessagingCertificateThumbprint': settings['instant_messaging_certificate_thumbprint'],
            'AdminDisplayVersion': PSText(admin_display_version(server['build'])),
        })

    def _vdir_matches(self, server: dict[str, Any], identity: str) -> bool:
        """Name or Server\\Name, * as a wildcard (REF-EX Identity), case-insensitive; DN/GUID identities not modelled."""
        wanted = identity.strip().lower()
        if wanted.startswith('cn=') or (len(wanted) == 36 and wanted.count('-') == 4):
            raise lab_not_implemented('a distinguished name or GUID as -Identity of an OWA virtual directory')
        name = '%s (%s)' % (DIRECTORY, WEB_SITE)
        candidates = (name.lower(), ('%s\\%s' % (server['name'], name)).lower())
        return any(fnmatch.fnmatchcase(candidate, wanted) for candidate in candidates)

    def get_owa_virtual_directory(self, call: BoundCall) -> Outcome:
        """[-Identity] | -Server, [-ADPropertiesOnly]. -ADPropertiesOnly skips the IIS metabase (REF-EX); the IM properties
        are Active Directory properties, so the lab returns the same values. -ShowMailboxVirtualDirectories (back-end
        directories, which LYNC says not to enable IM on) and -DomainController are not modelled."""
        refuse_unmodelled(call, {'Identity', 'Server', 'ADPropertiesOnly'})
        if call.has('Server'):
            return Outcome(objects=[self._vdir_object(server) for server in self._resolve(call, call.values['Server'])])
        servers = self._resolve(call, None)
        identity = call.values.get('Identity')
        if identity is None:
            # $null returns every object (REF-EX Identity "Caution")
            return Outcome(objects=[self._vdir_object(server) for server in servers])
        found = [self._vdir_object(server) for server in servers if self._vdir_matches(server, str(identity))]
        if not found:
            raise self._not_found(call, str(identity))
        return Outcome(objects=found)

    def set_owa_virtual_directory(self, call: BoundCall) -> Outcome:
        """-Identity <one directory> and the four InstantMessaging* parameters."""
        refuse_unmodelled(call, {'Identity', 'InstantMessagingEnabled', 'InstantMessagingType', 'InstantMessagingServerName',
                                 'InstantMessagingCertificateThumbprint', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        identity = str(call.values['Identity'])
        found = [server for server in self._resolve(call, None) if self._vdir_matches(server, identity)]
        if not found:
            raise self._not_found(call, identity)
        if len(found) > 1:
            # No source for the exact text: Exchange's ManagementObjectAmbiguousException for an identity that matches
            # several objects ("owa (Default Web Site)" exists on every server), from recollection.
            raise self._task_error(call, "The operation couldn't be performed because '%s' matches multiple entries." % identity,
                                   'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException')
        server = found[0]
        current = self._vdir_settings(server)
        updated = dict(current)
        if call.has('InstantMessagingEnabled'):
            updated['instant_messaging_enabled'] = bool(call.values['InstantMessagingEnabled'])
        if call.has('InstantMessagingType'):
            updated['instant_messaging_type'] = _im_type(call, call.values['InstantMessagingType'])
        for parameter, key in (('InstantMessagingServerName', 'instant_messaging_server_name'),
                               ('InstantMessagingCertificateThumbprint', 'instant_messaging_certificate_thumbprint')):
            if call.has(parameter):
                updated[key] = call.values[parameter] or None
        if call.switch('WhatIf'):
            return Outcome()
        if updated == current:
            return Outcome(warnings=[NO_CHANGE_WARNING % ('%s\\%s (%s)' % (server['name'], DIRECTORY, WEB_SITE))])
        self._owa().setdefault('virtual_directories', {})[server['name']] = updated
        return Outcome(changed=True)

    # -- OWA mailbox policies ------------------------------------------------------------------------------------

    def _policy_object(self, name: str, settings: dict[str, Any]) -> PSObject:
        """An OwaMailboxPolicy (Name, Identity, and the IM properties: integration-procedure.md section 14.3, Read)."""
        return PSObject(text=name, properties={
            'Name': name,
            'Identity': PSText(name),
            'InstantMessagingEnabled': bool(settings['instant_messaging_enabled']),
            'InstantMessagingType': PSEnum('InstantMessagingTypeOptions', settings['instant_messaging_type']),
        })

    def _find_policy(self, call: BoundCall, identity: str) -> str:
        for name in self._policies():
            if name.lower() == identity.strip().lower():
                return name
        raise self._not_found(call, identity)

    def get_owa_mailbox_policy(self, call: BoundCall) -> Outcome:
        """[-Identity <name>] ($null returns every policy, REF-EX Identity "Caution"); DN/GUID identities not modelled."""
        refuse_unmodelled(call, {'Identity'})
        policies = self._policies()
        identity = call.values.get('Identity')
        if identity is None:
            return Outcome(objects=[self._policy_object(name, settings) for name, settings in sorted(policies.items())])
        name = self._find_policy(call, str(identity))
        return Outcome(objects=[self._policy_object(name, policies[name])])

    def set_owa_mailbox_policy(self, call: BoundCall) -> Outcome:
        """-Identity <name> -InstantMessagingEnabled / -InstantMessagingType."""
        refuse_unmodelled(call, {'Identity', 'InstantMessagingEnabled', 'InstantMessagingType', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        policies = self._policies()
        name = self._find_policy(call, str(call.values['Identity']))
        updated = dict(policies[name])
        if call.has('InstantMessagingEnabled'):
            updated['instant_messaging_enabled'] = bool(call.values['InstantMessagingEnabled'])
        if call.has('InstantMessagingType'):
            updated['instant_messaging_type'] = _im_type(call, call.values['InstantMessagingType'])
        if call.switch('WhatIf'):
            return Outcome()
        if updated == policies[name]:
            return Outcome(warnings=[NO_CHANGE_WARNING % name])
        policies[name] = updated
        return Outcome(changed=True)

    # -- setting overrides ---------------------------------------------------------------------------------------

    def _override_object(self, override: dict[str, Any]) -> PSObject:
        """A SettingOverride. Property names and forms: the CSS-Exchange test data cited at ORG_NAME (Parameters a
        MultiValuedProperty of "Key=Value" strings, Server $null when org-wide, Status Accepted, Identity an ADObjectId
        whose ToString() is the name). Server when set: the names given to -Server (REF-EX: String[]; no source for its
        serialized form)."""
        domain = self.org.get('domain') or 'contoso.local'
        dn = 'CN=%s,CN=Setting Overrides,CN=Global Settings,CN=%s,CN=Microsoft Exchange,CN=Services,CN=Configuration,%s' % (
            override['name'], ORG_NAME, ','.join('DC=%s' % part for part in domain.split('.')))
        return PSObject(text=override['name'], properties={
            'Name': override['name'],
            'Identity': PSText(override['name']),
            'ComponentName': override['component'],
            'SectionName': override['section'],
            'Parameters': list(override['parameters']),
            'Server': list(override['server']) if override.get('server') else None,
            'Reason': override['reason'],
            'MinVersion': override.get('min_version'),
            'MaxVersion': override.get('max_version'),
            'FixVersion': None,
            'ModifiedBy': override.get('modified_by'),
            'Status': PSEnum('SettingOverrideStatus', 'Accepted'),
            'Guid': override['guid'],
            'DistinguishedName': dn,
        })

    def _find_override(self, call: BoundCall, identity: str) -> dict[str, Any]:
        """By Name or GUID (REF-EX Identity: Name, DN, GUID; DN not modelled)."""
        wanted = identity.strip().lower()
        if wanted.startswith('cn='):
            raise lab_not_implemented('a distinguished name as -Identity of a setting override')
        for override in self._overrides():
            if wanted in (override['name'].lower(), override['guid'].lower()):
                return override
        raise self._not_found(call, identity)

    @staticmethod
    def _servers_value(value: Any) -> list[str] | None:
        """-Server: names (wildcards allowed); $null or an empty list means every server (REF-EX New-/Set-SettingOverride)."""
        if value is None:
            return None
        items = [str(item) for item in (value if isinstance(value, list) else [value]) if item not in (None, '')]
        return items or None

    def _check_parameters(self, call: BoundCall, parameters: list[Any]) -> list[str]:
        """Each entry must be "Key=Value" (REF-EX -Parameters syntax @("Parameter1=Value1",...)). No source for the
        error text Exchange writes for an entry without "=": the lab refuses it rather than store it."""
        checked = []
        for item in parameters:
            text = '' if item is None else str(item)
            if '=' not in text or not text.split('=', 1)[0].strip():
                raise self._task_error(call, "The parameter '%s' isn't in the format Name=Value." % text,
                                       'Microsoft.Exchange.Data.DataValidationException')
            checked.append(text)
        return checked

    def get_setting_override(self, call: BoundCall) -> Outcome:
        """[-Identity] ($null returns every override, REF-EX Identity "Caution")."""
        refuse_unmodelled(call, {'Identity'})
        identity = call.values.get('Identity')
        if identity is None:
            return Outcome(objects=[self._override_object(override) for override in self._overrides()])
        return Outcome(objects=[self._override_object(self._find_override(call, str(identity)))])

    def new_setting_override(self, call: BoundCall) -> Outcome:
        """-Name -Component -Section -Parameters -Reason [-Server]. The name must be unique (integration-procedure.md
        section 14.4, REF-EX New-SettingOverride); a second override with the same name fails as Active Directory does
        (Microsoft Q&A 143286, [non-MS], quoted in section 14.4: "object already exists"). No source for the exact text:
        Exchange's ADObjectAlreadyExistsException, from recollection."""
        refuse_unmodelled(call, {'Name', 'Component', 'Section', 'Parameters', 'Reason', 'Server', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        name = str(call.values['Name'])
        parameters = self._check_parameters(call, call.values['Parameters'])
        for override in self._overrides():
            if override['name'].lower() == name.lower():
                domain = self.org.get('domain') or 'contoso.local'
                raise self._task_error(call, "Active Directory operation failed on %s. The object 'CN=%s,CN=Setting Overrides,CN=Global "
                                       "Settings,CN=%s,CN=Microsoft Exchange,CN=Services,CN=Configuration,%s' already exists."
                                       % (self.org['domain_controller'], name, ORG_NAME,
                                          ','.join('DC=%s' % part for part in domain.split('.'))),
                                       'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException')
        if call.switch('WhatIf'):
            return Outcome()
        override = {'name': name, 'guid': str(uuid.uuid4()), 'component': str(call.values['Component']),
                    'section': str(call.values['Section']), 'parameters': parameters, 'reason': str(call.values['Reason']),
                    'server': self._servers_value(call.values.get('Server')), 'min_version': None, 'max_version': None,
                    'modified_by': '%s/Users/Administrator' % (self.org.get('domain') or 'contoso.local')}
        self._overrides().append(override)
        # New-SettingOverride writes the new object (REF-EX examples show it in the output table; no source for the columns)
        return Outcome(objects=[self._override_object(override)], changed=True)

    def set_setting_override(self, call: BoundCall) -> Outcome:
        """[-Identity] [-Parameters] [-Reason] [-Server]: no -Name, -Component or -Section (REF-EX Set-SettingOverride;
        integration-procedure.md section 14.4 pitfall). -Parameters replaces the whole list ([inference] in section 14.4)."""
        refuse_unmodelled(call, {'Identity', 'Parameters', 'Reason', 'Server', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        override = self._find_override(call, str(call.values['Identity']))
        updated = dict(override)
        if call.has('Parameters'):
            updated['parameters'] = self._check_parameters(call, call.values['Parameters'] or [])
        if call.has('Reason'):
            updated['reason'] = call.values['Reason']
        if call.has('Server'):
            updated['server'] = self._servers_value(call.values['Server'])
        if call.switch('WhatIf'):
            return Outcome()
        if updated == override:
            return Outcome(warnings=[NO_CHANGE_WARNING % override['name']])
        override.update(updated)
        return Outcome(changed=True)

    def remove_setting_override(self, call: BoundCall) -> Outcome:
        """-Identity [-Confirm:$false]. Remove- cmdlets prompt (REF-EX Confirm: "Destructive cmdlets ... have a built-in
        pause"); a prompt cannot be answered in the runner's session, so the lab refuses a call without -Confirm:$false
        (no source for the exact failure of a prompt in a non-interactive session)."""
        refuse_unmodelled(call, {'Identity', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is not False and not call.switch('WhatIf'):
            raise lab_not_implemented('Remove-SettingOverride without -Confirm:$false (a confirmation prompt)')
        override = self._find_override(call, str(call.values['Identity']))
        if call.switch('WhatIf'):
            return Outcome()
        self._overrides().remove(override)
        return Outcome(changed=True)

    # -- diagnostics ---------------------------------------------------------------------------------------------

    def get_exchange_diagnostic_info(self, call: BoundCall) -> Outcome:
        """Only -Process Microsoft.Exchange.Directory.TopologyService -Component VariantConfiguration -Argument Refresh
        [-Server] (EX-IM, integration-procedure.md section 14.4; REF-EX: without -Server the local server). The lab
        counts refreshes per server. The result is an object whose text is XML (callers cast it with [xml]: CSS-Exchange
        scripts); its content for Refresh has no source (a minimal document)."""
        refuse_unmodelled(call, {'Server', 'Process', 'Component', 'Argument'})
        process = str(call.values.get('Process') or '')
        component = str(call.values.get('Component') or '')
        argument = str(call.values.get('Argument') or '')
        if (process.lower(), component.lower(), argument.lower()) != ('microsoft.exchange.directory.topologyservice',
                                                                      'variantconfiguration', 'refresh'):
            raise lab_not_implemented('Get-ExchangeDiagnosticInfo other than -Process Microsoft.Exchange.Directory.TopologyService '
                                      '-Component VariantConfiguration -Argument Refresh')
        if call.has('Server'):
            server = self._resolve(call, str(call.values['Server']))[0]
        else:
            server = self.org['servers'][self.session_server]
        refreshes = self._owa().setdefault('refreshes', {})
        refreshes[server['name']] = refreshes.get(server['name'], 0) + 1
        xml = ('<Diagnostics><ProcessLocator><Server>%s</Server><ProcessName>Microsoft.Exchange.Directory.TopologyService'
               '</ProcessName></ProcessLocator><Components><VariantConfiguration><Refresh>Done</Refresh></VariantConfiguration>'
               '</Components></Diagnostics>' % server['fqdn'])
        return Outcome(objects=[PSObject(text=xml, properties={'Server': server['fqdn'], 'Result': xml})], changed=True)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Autodiscover and EWS virtual directories of each server (read only); mirrors
plugins/module_utils/exchange/virtual_directories.py.

State: nothing is stored until something sets it. Every server has one virtual directory of each kind on the
"Default Web Site" with the defaults below; ``org['virtual_directories'][<SERVER>][<kind>]`` (kind ``autodiscover`` or
``web_services``) may override any of ``internal_url``, ``external_url``, ``basic``, ``digest``, ``windows``, ``oauth``,
``ws_security`` (lab tests use it to model a changed server).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSEnum, PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import ExchangeFeature, admin_display_version

# Web site of the virtual directories Setup creates. Source: REF-EX Get-WebServicesVirtualDirectory -Identity ("The
# Name value uses the syntax "VirtualDirectoryName (WebsiteName)""; example "Contoso\EWS(Default Web Site)" on
# Set-WebServicesVirtualDirectory); CSS-Exchange HealthChecker test data
# Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetWebServicesVirtualDirectory.xml: Name
# "EWS (Default Web Site)", ToString "SOLO-E19A\EWS (Default Web Site)".
WEB_SITE = 'Default Web Site'

# Defaults. Sources:
# - EWS: the serialized Get-WebServicesVirtualDirectory of an Exchange 2019 and a 2016 server in CSS-Exchange
#   (HealthChecker test data, E19/ and E16/Exchange/GetWebServicesVirtualDirectory.xml): InternalUrl
#   https://<server fqdn>/EWS/Exchange.asmx, ExternalUrl null, BasicAuthentication false, DigestAuthentication false,
#   WindowsAuthentication true, OAuthAuthentication true, WSSecurityAuthentication true, Internal/External
#   AuthenticationMethods Ntlm, WindowsIntegrated, WSSecurity, OAuth. (REF-EX Set-WebServicesVirtualDirectory calls
#   Basic "the default"; the serialized servers disagree, and the lab follows the servers.)
# - Autodiscover: REF-EX Set-AutodiscoverVirtualDirectory: OAuthAuthentication, WindowsAuthentication,
#   WSSecurityAuthentication and BasicAuthentication "$true ... This value is the default", DigestAuthentication
#   "$false ... the default". InternalUrl/ExternalUrl: the parameters exist on Exchange 2010 only (REF-EX
#   applicability), so 2013 and later leave them empty (no source for the empty output itself).
# - OAuth exists from Exchange 2013 (REF-EX: -OAuthAuthentication applies to 2013, 2016, 2019, SE); the lab has no 2010.
DEFAULTS = {
    'autodiscover': {'directory': 'Autodiscover', 'internal_url': None, 'external_url': None,
                     'basic': True, 'digest': False, 'windows': True, 'oauth': True, 'ws_security': True},
    'web_services': {'directory': 'EWS', 'internal_url': 'https://{fqdn}/EWS/Exchange.asmx', 'external_url': None,
                     'basic': False, 'digest': False, 'windows': True, 'oauth': True, 'ws_security': True},
}


def _methods(settings: dict[str, Any]) -> list[PSEnum]:
    """Internal/ExternalAuthenticationMethods from the switches, in AuthenticationMethod enum order (HealthChecker test
    data: Ntlm 2, WindowsIntegrated 4, WSSecurity 7, OAuth 10; Basic and Digest before them: no source for their
    numbers, only for the order the lab keeps)."""
    names = []
    if settings['basic']:
        names.append('Basic')
    if settings['digest']:
        names.append('Digest')
    if settings['windows']:
        names.extend(['Ntlm', 'WindowsIntegrated'])
    if settings['ws_security']:
        names.append('WSSecurity')
    if settings['oauth']:
        names.append('OAuth')
    return [PSEnum('AuthenticationMethod', name) for name in names]


class VirtualDirectories(ExchangeFeature):
    """Get-AutodiscoverVirtualDirectory and Get-WebServicesVirtualDirectory."""

    IMPLEMENTED = ('Get-AutodiscoverVirtualDirectory', 'Get-WebServicesVirtualDirectory')

    def get_autodiscover_virtual_directory(self, call: BoundCall) -> Outcome:
        return self._get(call, 'autodiscover')

    def get_web_services_virtual_directory(self, call: BoundCall) -> Outcome:
        return self._get(call, 'web_services')

    def _get(self, call: BoundCall, kind: str) -> Outcome:
        """[-Identity <Server\\Name | Name | Name*>] or -Server <name|fqdn>, [-ADPropertiesOnly].

        -ADPropertiesOnly skips the IIS metabase (REF-EX); the lab keeps one truth for AD and metabase, so it returns the
        same values (no source for which properties a real server leaves out then). -ShowMailboxVirtualDirectories (the
        back-end directories) and -DomainController are not modelled.
        """
        refuse_unmodelled(call, {'Identity', 'Server', 'ADPropertiesOnly'})
        if call.has('Server'):
            servers = self._resolve(call, call.values['Server'])
            return Outcome(objects=[self._object(server, kind) for server in servers])
        objects = [self._object(server, kind) for server in self._resolve(call, None)]
        identity = call.values.get('Identity')
        if identity is None:
            # $null returns every object (REF-EX Identity "Caution")
            return Outcome(objects=objects)
        found = [obj for obj in objects if self._matches(obj, str(identity))]
        if not found:
            raise self._not_found(call, str(identity))
        return Outcome(objects=found)

    @staticmethod
    def _matches(obj: PSObject, identity: str) -> bool:
        """Name or Server\\Name, with * as a wildcard (REF-EX Identity: "VirtualDirectoryName*"), case-insensitive.
        DN and GUID identities are not modelled (the lab refuses rather than miss)."""
        wanted = identity.strip().lower()
        if wanted.startswith('cn=') or (len(wanted) == 36 and wanted.count('-') == 4):
            raise lab_not_implemented('a distinguished name or GUID as -Identity of a virtual directory')
        name = str(obj.properties['Name']).lower()
        full = str(obj.properties['Identity']).lower()
        return any(fnmatch.fnmatchcase(candidate, wanted) for candidate in (name, full))

    def _settings(self, server: dict[str, Any], kind: str) -> dict[str, Any]:
        settings = dict(DEFAULTS[kind])
        if settings['internal_url']:
            settings['internal_url'] = settings['internal_url'].format(fqdn=server['fqdn'])
        settings.update(((self.org.get('virtual_directories') or {}).get(server['name']) or {}).get(kind) or {})
        return settings

    def _object(self, server: dict[str, Any], kind: str) -> PSObject:
        """An ADAutodiscoverVirtualDirectory / ADWebServicesVirtualDirectory (property names and forms: the HealthChecker
        test data cited at DEFAULTS; Server is an ADObjectId whose ToString() is the server name)."""
        settings = self._settings(server, kind)
        name = '%s (%s)' % (settings['directory'], WEB_SITE)
        identity = '%s\\%s' % (server['name'], name)
        methods = _methods(settings)
        return PSObject(text=identity, properties={
            'Name': name,
            'Identity': PSText(identity),
            'Server': PSText(server['name']),
            'InternalUrl': self._uri(settings['internal_url']),
            'ExternalUrl': self._uri(settings['external_url']),
            'InternalAuthenticationMethods': list(methods),
            'ExternalAuthenticationMethods': list(methods),
            'BasicAuthentication': bool(settings['basic']),
            'DigestAuthentication': bool(settings['digest']),
            'WindowsAuthentication': bool(settings['windows']),
            'OAuthAuthentication': bool(settings['oauth']),
            'WSSecurityAuthentication': bool(settings['ws_security']),
            'AdminDisplayVersion': PSText(admin_display_version(server['build'])),
        })

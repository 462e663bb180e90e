# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Autodiscover and EWS virtual directories of every server, for exchange_info and its audit.

What matters for the integration is OAuth on both: Microsoft's FreeBusyChecker (CSS-Exchange
``Diagnostics/FreeBusyChecker/Functions/OnPremOAuthFunctions.ps1``, ``AutoDVirtualDCheckOauth`` and
``EWSVirtualDirectoryCheckOAuth``) reads ``Get-AutoDiscoverVirtualDirectory -Server`` and ``Get-WebServicesVirtualDirectory
-Server`` and flags OAuthAuthentication, WindowsAuthentication and WSSecurityAuthentication that are not True, and
Internal/ExternalAuthenticationMethods without OAuth.
"""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

# (section key, cmdlet, invocation key)
KINDS = (('autodiscover', 'Get-AutodiscoverVirtualDirectory', 'vdir_autodiscover'),
         ('web_services', 'Get-WebServicesVirtualDirectory', 'vdir_web_services'))
LABELS = {'autodiscover': 'Autodiscover', 'web_services': 'EWS'}
PROPERTIES = ['Name', 'Identity', 'Server', 'InternalUrl', 'ExternalUrl', 'InternalAuthenticationMethods',
              'ExternalAuthenticationMethods', 'BasicAuthentication', 'DigestAuthentication', 'WindowsAuthentication',
              'OAuthAuthentication', 'WSSecurityAuthentication']
FREEBUSYCHECKER = 'CSS-Exchange FreeBusyChecker (OnPremOAuthFunctions.ps1)'


def info_reads():
    """Each kind once per server of Get-ExchangeServer, with -Server, as FreeBusyChecker reads them. Without
    -ADPropertiesOnly the cmdlets also read each server's IIS metabase (REF-EX), which is what IIS enforces; a server that
    cannot be read is that server's error (kept as data), not a failure of the whole read."""
    return [SERVERS] + [Invocation(key, cmdlet, properties=PROPERTIES, foreach=(SERVERS.key, 'Name', 'Server'), tolerate_errors=True)
                        for _kind, cmdlet, key in KINDS]


def _methods(value):
    return [str(item) for item in (value if isinstance(value, list) else [] if value is None else [value])]


def report(row):
    """Return shape of one virtual directory row."""
    return {
        'server': row.get('Server') or row.get('__item'),
        'name': row.get('Name'),
        'identity': row.get('Identity'),
        'internal_url': row.get('InternalUrl'),
        'external_url': row.get('ExternalUrl'),
        'internal_authentication_methods': _methods(row.get('InternalAuthenticationMethods')),
        'external_authentication_methods': _methods(row.get('ExternalAuthenticationMethods')),
        'basic_authentication': row.get('BasicAuthentication'),
        'digest_authentication': row.get('DigestAuthentication'),
        'windows_authentication': row.get('WindowsAuthentication'),
        'oauth_authentication': row.get('OAuthAuthentication'),
        'ws_security_authentication': row.get('WSSecurityAuthentication'),
    }


def info(response):
    """{'autodiscover': [...], 'web_services': [...], 'errors': [...]}: every directory read, sorted by server, and the
    servers whose directories could not be read (with the error)."""
    section = {'errors': []}
    for kind, cmdlet, key in KINDS:
        section[kind] = sorted((report(row) for row in response.output(key)), key=lambda item: (str(item['server']).lower(), str(item['name'])))
        for error in response.item_errors(key):
            section['errors'].append({'kind': kind, 'cmdlet': cmdlet, 'server': error.get('item'), 'message': error.get('message'),
                                      'fully_qualified_error_id': error.get('fully_qualified_error_id')})
    return section


def _finding(code, severity, directory, kind, message):
    return {'id': code, 'severity': severity, 'feature': 'virtual_directories', 'server': directory['server'],
            'message': message, 'source': FREEBUSYCHECKER}


def info_findings(section):
    """What FreeBusyChecker flags, per directory. A property that is null (Exchange 2010 has no OAuthAuthentication, REF-EX)
    is not flagged: only a value the server reports as False."""
    found = []
    for kind, _cmdlet, _key in KINDS:
        label = LABELS[kind]
        for directory in section.get(kind) or []:
            where = '%s virtual directory %s' % (label, directory['identity'] or directory['name'])
            if directory['oauth_authentication'] is False:
                found.append(_finding('%s_oauth_disabled' % kind, 'error', directory, kind,
                                      'OAuth authentication is off on the %s: server-to-server (OAuth) calls from Skype for Business '
                                      'and other partner applications to %s fail. Enable it with Set-%sVirtualDirectory -OAuthAuthentication '
                                      '$true.' % (where, label, 'WebServices' if kind == 'web_services' else 'Autodiscover')))
            elif directory['oauth_authentication'] is True and not any(
                    method.lower() == 'oauth' for method in directory['internal_authentication_methods']):
                found.append(_finding('%s_oauth_not_internal' % kind, 'warning', directory, kind,
                                      'InternalAuthenticationMethods of the %s do not include OAuth.' % where))
            if directory['windows_authentication'] is False:
                found.append(_finding('%s_windows_authentication_disabled' % kind, 'warning', directory, kind,
                                      'Windows authentication is off on the %s (FreeBusyChecker expects True).' % where))
            if directory['ws_security_authentication'] is False:
                found.append(_finding('%s_ws_security_disabled' % kind, 'warning', directory, kind,
                                      'WS-Security authentication is off on the %s (FreeBusyChecker expects True).' % where))
    for error in section.get('errors') or []:
        found.append({'id': 'virtual_directory_read_failed', 'severity': 'error', 'feature': 'virtual_directories',
                      'server': error['server'], 'source': None,
                      'message': '%s -Server %s failed: %s' % (error['cmdlet'], error['server'], error['message'])})
    return found

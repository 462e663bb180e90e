# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""exchange_info as a composition of feature providers: one read request for all of them, a result section per feature,
and the findings an audit needs, computed in Python from that one read.

A provider is a module (or class) with ``info_reads()`` -> read Invocations and ``info(response)`` -> its section, and
optionally ``info_findings(section)`` -> list of findings (``id``, ``severity`` error|warning|info, ``feature``, ``server``,
``message``, ``source``). ``PROVIDERS`` orders them: (section name, provider); section None spreads the provider's dict
over the top level (the servers/version keys exchange_info has always returned).
"""

from __future__ import annotations

import json
import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import support_of, support_warning
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import (
    auth_certificate,
    client_access,
    owa_im,
    partner_application,
    virtual_directories,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import (
    SERVERS,
    local_server,
    parse_admin_display_version,
    product_of,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000'
# HealthChecker's $guidRegEx, used with -match (unanchored, case-insensitive).
GUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
HEALTHCHECKER_HYBRID = 'CSS-Exchange HealthChecker (Diagnostics/HealthChecker/Analyzer/Invoke-AnalyzerHybridInformation.ps1)'


def _eq(value, text):
    """PowerShell -eq between a value and a string: case-insensitive, null never equal."""
    return value is not None and str(value).lower() == text.lower()


def _list(value):
    return [] if value is None else list(value) if isinstance(value, list) else [value]


class Organization:
    """Servers and roles, the connected server's product, build and Microsoft support status."""

    SERVER_PROPERTIES = SERVERS.properties + ['Edition', 'Site']

    @staticmethod
    def info_reads():
        return [Invocation(SERVERS.key, SERVERS.cmdlet, properties=Organization.SERVER_PROPERTIES)]

    @staticmethod
    def info(response):
        servers = []
        for row in response.output(SERVERS.key):
            version = parse_admin_display_version(row.get('AdminDisplayVersion'))
            role = row.get('ServerRole')
            servers.append({'name': row.get('Name'), 'fqdn': row.get('Fqdn'), 'admin_display_version': row.get('AdminDisplayVersion'),
                            'version': product_of(row.get('AdminDisplayVersion')), 'build': '.'.join(str(part) for part in version) if version else None,
                            'server_role': role, 'roles': [part.strip() for part in str(role).split(',') if part.strip()] if role else [],
                            'edition': row.get('Edition'), 'site': row.get('Site')})
        computer = response.host.get('computer_name') or ''
        local = local_server(response)
        product = product_of(local.get('AdminDisplayVersion')) if local else None
        support = support_of('exchange', product)
        own = [server for server in servers if local and server['name'] == local.get('Name')]
        return {
            'version': product,
            'exchange_version': product,
            'product': support['product'],
            'build': own[0]['build'] if own else None,
            'support_status': support['support_status'],
            'end_of_support': support['end_of_support'],
            'computer_name': computer,
            'powershell_version': response.host.get('ps_version'),
            'servers': servers,
            # what the support warning quotes
            'admin_display_version': local.get('AdminDisplayVersion') if local else None,
        }

    @staticmethod
    def info_findings(section):
        seen = section['admin_display_version'] or 'Get-ExchangeServer listed no server named %s' % section['computer_name']
        text = support_warning('exchange', {'product': section['product'], 'support_status': section['support_status'],
                                            'end_of_support': section['end_of_support']}, seen)
        if not text:
            return []
        code = 'version_out_of_support' if section['support_status'] == 'out_of_support' else 'version_unknown'
        return [{'id': code, 'severity': 'warning', 'feature': 'organization', 'server': section['computer_name'], 'message': text,
                 'source': 'versions-and-changes-2025.md (supported versions)'}]


class HybridApplication:
    """Whether the dedicated Exchange hybrid application is configured, as HealthChecker decides it
    (Invoke-AnalyzerHybridInformation.ps1): a setting override with ComponentName Global and SectionName
    ExchangeOnpremAsThirdPartyAppId (none: not configured; more than one: status undetermined), and an enabled AuthServer
    of Type AzureAD whose ApplicationIdentifier matches a GUID (none: "No valid AuthServer object"). HealthChecker shows
    this only for a hybrid organization: Get-HybridConfiguration returns an object, or OAuth with Exchange Online is
    configured (its $oAuthConfigured: an enabled AzureAD or MicrosoftACS AuthServer and an enabled partner application
    00000002-0000-0ff1-ce00-000000000000); findings are raised only then."""

    @staticmethod
    def info_reads():
        return [
            Invocation('hybrid_auth_servers', 'Get-AuthServer',
                       properties=['Name', 'Type', 'Enabled', 'ApplicationIdentifier', 'Realm', 'DomainName', 'AuthMetadataUrl']),
            Invocation('hybrid_setting_overrides', 'Get-SettingOverride',
                       properties=['Name', 'ComponentName', 'SectionName', 'Parameters', 'Reason', 'Server']),
            Invocation('hybrid_partner_applications', 'Get-PartnerApplication', properties=['Name', 'ApplicationIdentifier', 'Enabled']),
            Invocation('hybrid_configuration', 'Get-HybridConfiguration', properties=['Name']),
        ]

    @staticmethod
    def info(response):
        auth_servers = response.output('hybrid_auth_servers')
        enabled = [row for row in auth_servers if row.get('Enabled') is True]
        evo_sts = [row for row in enabled if _eq(row.get('Type'), 'AzureAD')]
        acs = [row for row in enabled if _eq(row.get('Type'), 'MicrosoftACS')]
        exchange_online = [row for row in response.output('hybrid_partner_applications')
                           if _eq(row.get('ApplicationIdentifier'), EXCHANGE_ONLINE_APP_ID) and row.get('Enabled') is True]
        overrides = [row for row in response.output('hybrid_setting_overrides')
                     if _eq(row.get('ComponentName'), 'Global') and _eq(row.get('SectionName'), 'ExchangeOnpremAsThirdPartyAppId')]
        app_servers = [row for row in evo_sts if GUID.search(str(row.get('ApplicationIdentifier') or ''))]
        if not overrides:
            status, configured = 'not_configured', False
        elif len(overrides) > 1:
            status, configured = 'multiple_setting_overrides', None
        elif not app_servers:
            status, configured = 'no_valid_auth_server', False
        else:
            status, configured = 'configured', True
        oauth = bool((evo_sts or acs) and exchange_online)
        hybrid_configuration = bool(response.output('hybrid_configuration'))
        return {
            'configured': configured,
            'status': status,
            'hybrid_detected': hybrid_configuration or oauth,
            'hybrid_configuration': hybrid_configuration,
            'oauth_with_exchange_online': oauth,
            'setting_overrides': [{'name': row.get('Name'), 'component': row.get('ComponentName'), 'section': row.get('SectionName'),
                                   'parameters': _list(row.get('Parameters')), 'reason': row.get('Reason'), 'server': _list(row.get('Server'))}
                                  for row in overrides],
            'auth_servers': [{'name': row.get('Name'), 'application_identifier': row.get('ApplicationIdentifier'), 'realm': row.get('Realm'),
                              'domain_name': _list(row.get('DomainName'))} for row in app_servers],
        }

    @staticmethod
    def info_findings(section):
        if not section['hybrid_detected']:
            return []
        messages = {
            'not_configured': ('warning', 'The dedicated Exchange hybrid application is not configured (no Global/ExchangeOnpremAsThirdPartyAppId '
                                          'setting override): configure it so that hybrid features keep working '
                                          '(https://aka.ms/HC-ExchangeHybridApplication).'),
            'multiple_setting_overrides': ('error', 'More than one Global/ExchangeOnpremAsThirdPartyAppId setting override exists: the status '
                                                    'of the dedicated Exchange hybrid application cannot be determined.'),
            'no_valid_auth_server': ('error', 'The ExchangeOnpremAsThirdPartyAppId setting override exists but no enabled AzureAD AuthServer has '
                                              'an application identifier (GUID): the dedicated Exchange hybrid application is not usable.'),
        }
        if section['status'] not in messages:
            return []
        severity, message = messages[section['status']]
        return [{'id': 'hybrid_application_%s' % section['status'], 'severity': severity, 'feature': 'hybrid_application', 'server': None,
                 'message': message, 'source': HEALTHCHECKER_HYBRID}]


class AuthServers:
    """Every AuthServer (the same read as the hybrid application's)."""

    @staticmethod
    def info_reads():
        return HybridApplication.info_reads()[:1]

    @staticmethod
    def info(response):
        return [{'name': row.get('Name'), 'type': row.get('Type'), 'enabled': row.get('Enabled'),
                 'application_identifier': row.get('ApplicationIdentifier'), 'realm': row.get('Realm'),
                 'domain_name': _list(row.get('DomainName')), 'auth_metadata_url': row.get('AuthMetadataUrl')}
                for row in response.output('hybrid_auth_servers')]


class AuthCertificate:
    """The Auth certificate section (module_utils/exchange/auth_certificate.py); its findings join the list."""

    info_reads = staticmethod(auth_certificate.info_reads)
    info = staticmethod(auth_certificate.info)

    @staticmethod
    def info_findings(section):
        return [{'id': 'auth_certificate_%s' % item.get('code'), 'severity': item.get('severity'), 'feature': 'auth_certificate',
                 'server': item['servers'][0] if len(item.get('servers') or []) == 1 else None, 'message': item.get('message'),
                 'source': 'module_utils/exchange/auth_certificate.py'} for item in section.get('findings') or []]


class PartnerApplications:
    """The partner applications section (module_utils/exchange/partner_application.py); its findings join the list."""

    info_reads = staticmethod(partner_application.info_reads)
    info = staticmethod(partner_application.info)

    @staticmethod
    def info_findings(section):
        return list(section.get('partner_application_findings') or [])


# (section, provider), in the order their sections are built.
PROVIDERS = (
    (None, Organization),
    ('client_access_servers', client_access),
    ('virtual_directories', virtual_directories),
    ('auth_certificate', AuthCertificate),
    # their keys (partner_applications, skype_application_account, partner_application_findings; owa_virtual_directories,
    # owa_mailbox_policies, owa_im_setting_overrides, setting_overrides) are named for the top level
    (None, PartnerApplications),
    (None, owa_im),
    ('auth_servers', AuthServers),
    ('hybrid_application', HybridApplication),
)

# Findings that exchange_info also shows as warnings (the rest are data for the audit).
WARNED = ('version_out_of_support', 'version_unknown', 'scp_autodiscover_svc', 'virtual_directory_read_failed')


def _signature(invocation):
    return json.dumps([invocation.cmdlet, invocation.alternatives, invocation.parameters, invocation.foreach, invocation.tolerate_errors],
                      sort_keys=True, default=str)


def _copy(invocation, properties, aliases=None):
    """A copy with other properties; with ``aliases``, a foreach source or an output_of reference to a merged key names
    the key that runs."""
    aliases = aliases or {}

    def rename(value):
        if isinstance(value, dict) and value.get('__ucops_type') == 'ref':
            return dict(value, id=aliases.get(value.get('id'), value.get('id')))
        return value

    foreach = invocation.foreach
    if foreach:
        foreach = (aliases.get(foreach[0], foreach[0]),) + tuple(foreach[1:])
    return Invocation(invocation.key, invocation.cmdlet, parameters=dict((name, rename(value)) for name, value in invocation.parameters.items()),
                      properties=properties, alternatives=invocation.alternatives, description=invocation.description, foreach=foreach,
                      tolerate_errors=invocation.tolerate_errors)


def plan_reads(providers=PROVIDERS):
    """(invocations, aliases): every provider's reads in provider order, each call once. Reads under one key must be the
    same call (their property lists are joined); the same call under another key (same cmdlet, parameters, no foreach) runs
    once too, and ``aliases`` maps the other key to the one that runs."""
    merged = []
    by_key = {}
    by_call = {}
    aliases = {}
    for _section, provider in providers:
        for invocation in provider.info_reads():
            invocation = _copy(invocation, invocation.properties, aliases)
            signature = _signature(invocation)
            target = by_key.get(aliases.get(invocation.key, invocation.key))
            if target is not None and _signature(merged[target]) != signature:
                raise ValueError('two exchange_info providers read %r with different calls' % invocation.key)
            if target is None and invocation.foreach is None and invocation.properties:
                target = by_call.get(signature)
                if target is not None:
                    aliases[invocation.key] = merged[target].key
            if target is None:
                by_key[invocation.key] = len(merged)
                if invocation.foreach is None and invocation.properties:
                    by_call.setdefault(signature, len(merged))
                merged.append(_copy(invocation, invocation.properties))
                continue
            current = merged[target]
            if current.properties and invocation.properties:
                extra = [name for name in invocation.properties if name.lower() not in [known.lower() for known in current.properties]]
                merged[target] = _copy(current, current.properties + extra)
            elif current.properties != invocation.properties:
                raise ValueError('exchange_info providers read %r both as whole objects and by property' % invocation.key)
    return merged, aliases


class _View:
    """The response as a provider sees it: its own keys, whichever key actually ran."""

    def __init__(self, response, aliases):
        self._response = response
        self._aliases = aliases

    def output(self, key):
        return self._response.output(self._aliases.get(key, key))

    def item_errors(self, key):
        return self._response.item_errors(self._aliases.get(key, key))

    def cmdlet(self, key):
        return self._response.cmdlet(self._aliases.get(key, key))

    def __getattr__(self, name):
        return getattr(self._response, name)


def collect(response, aliases=None, providers=PROVIDERS):
    """The exchange_info result (without ``changed``): each provider's section, then ``findings``."""
    view = _View(response, aliases or {})
    result = {}
    found = []
    for section, provider in providers:
        data = provider.info(view)
        if section is None:
            clash = set(data) & set(result)
            if clash:
                raise ValueError('two exchange_info providers return %s' % ', '.join(sorted(clash)))
            result.update(data)
        else:
            result[section] = data
        if hasattr(provider, 'info_findings'):
            found.extend(provider.info_findings(data))
    result['findings'] = found
    return result


def warnings(result):
    """The texts exchange_info shows as warnings."""
    return [finding['message'] for finding in result['findings'] if finding['id'] in WARNED]

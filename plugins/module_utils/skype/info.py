# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""skype_info as a composition of feature providers, built like exchange_info (module_utils/exchange/info.py, whose
plan_reads and collect it reuses): one read request for all of them, a result section per feature, and the findings an
audit needs, computed in Python from that one read.

A provider has ``info_reads()`` -> read Invocations, ``info(response)`` -> its section, and optionally
``info_findings(section)`` -> findings (``id``, ``severity`` error|warning|info, ``feature``, ``server``, ``message``,
``source``). ``PROVIDERS`` orders them: (section name, provider); section None spreads the provider's dict over the top
level.
"""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import support_of, support_warning
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.info import collect as _collect
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.info import plan_reads as _plan_reads
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import (
    exchange_online,
    oauth,
    oauth_certificate,
    partner_application,
    trusted_application,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version


POOL_PROPERTIES = ['Identity', 'Fqdn', 'Site', 'Services', 'Computers']
SITE_PROPERTIES = ['Identity', 'SiteId', 'DisplayName', 'SiteType']


def _list(value):
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _services(row, role):
    """The pool's services of one role ("Registrar:pool01.contoso.com" form, the Identity of Get-CsService)."""
    return [str(service) for service in _list(row.get('Services')) if str(service).lower().startswith(role.lower() + ':')]


class Deployment:
    """The connected server's product, version and support status; pools, sites, Front Ends and registrars."""

    @staticmethod
    def info_reads():
        return [Invocation('version', 'Get-CsServerVersion'),
                Invocation('pools', 'Get-CsPool', properties=POOL_PROPERTIES),
                Invocation('sites', 'Get-CsSite', properties=SITE_PROPERTIES)]

    @staticmethod
    def info(response):
        text = (response.output('version') or [''])[0]
        version = parse_server_version(text)
        support = support_of('skype', version['product'])
        pools = [{'identity': row.get('Identity'), 'fqdn': row.get('Fqdn') or row.get('Identity'), 'site': row.get('Site'),
                  'services': [str(service) for service in _list(row.get('Services'))],
                  'computers': [str(computer) for computer in _list(row.get('Computers'))]} for row in response.output('pools')]
        rows = dict((pool['identity'], row) for pool, row in zip(pools, response.output('pools')))
        # A Front End pool runs the User Server and the Registrar; a Director pool only the Registrar (Topology Builder roles;
        # the User Server service identity is "UserServer:<pool>" as the Registrar's is "Registrar:<pool>").
        front_ends = [{'fqdn': computer, 'pool': pool['identity'], 'site': pool['site']}
                      for pool in pools if _services(rows[pool['identity']], 'UserServer') for computer in pool['computers']]
        registrars = [{'identity': _services(rows[pool['identity']], 'Registrar')[0], 'pool': pool['identity'], 'site': pool['site'],
                       'director': not _services(rows[pool['identity']], 'UserServer')}
                      for pool in pools if _services(rows[pool['identity']], 'Registrar')]
        return {
            'version': version['product'],
            'skype_version': version['product'],
            'product': support['product'],
            'build': version['version'],
            'support_status': support['support_status'],
            'end_of_support': support['end_of_support'],
            'server_version': text,
            'version_note': version['note'],
            'module': response.shell.get('module') or ('Lync' if version['product'] == '2013' else 'SkypeForBusiness'),
            'shell': response.shell.get('type'),
            'computer_name': response.host.get('computer_name'),
            'powershell_version': response.host.get('ps_version'),
            'pools': pools,
            'sites': [{'identity': row.get('Identity'), 'name': row.get('DisplayName'), 'site_id': row.get('SiteId'),
                       'site_type': row.get('SiteType')} for row in response.output('sites')],
            'front_ends': front_ends,
            'registrars': registrars,
        }

    @staticmethod
    def info_findings(section):
        found = []
        if section['version_note']:
            found.append({'id': 'version_ambiguous', 'severity': 'warning', 'feature': 'deployment', 'server': section['computer_name'],
                          'message': section['version_note'] + '.', 'source': 'module_utils/skype/version.py'})
        text = support_warning('skype', {'product': section['product'], 'support_status': section['support_status'],
                                         'end_of_support': section['end_of_support']}, section['server_version'])
        if text:
            code = 'version_out_of_support' if section['support_status'] == 'out_of_support' else 'version_unknown'
            found.append({'id': code, 'severity': 'warning', 'feature': 'deployment', 'server': section['computer_name'], 'message': text,
                          'source': 'versions-and-changes-2025.md (supported versions)'})
        return found


# Microsoft's onpremdiag (rules/Exchange/RDTestOAuthServerConfiguration.ps1): the hybrid OAuth server microsoft.sts must
# have a Realm (the tenant id) and this metadata URL for it.
STS_IDENTITY = 'microsoft.sts'
STS_METADATA = 'https://accounts.accesscontrol.windows.net/{0}/metadata/json/1'
ONPREMDIAG = 'onpremdiag/SfBServer rules/Exchange/RDTestOAuthServerConfiguration.ps1 (Microsoft)'


class OAuthServers:
    """The OAuth (security token) servers: Get-CsOAuthServer."""

    PROPERTIES = ['Identity', 'MetadataUrl', 'Realm', 'IssuerIdentifier', 'Type', 'AcceptSecurityIdentifierInformation',
                  'AuthorizationUriOverride']

    @staticmethod
    def info_reads():
        # -Filter '*': every server (a bare call names no parameter set the reference marks as default)
        return [Invocation('oauth_servers', 'Get-CsOAuthServer', parameters={'Filter': '*'}, properties=OAuthServers.PROPERTIES)]

    @staticmethod
    def info(response):
        return [{'identity': row.get('Identity'), 'metadata_url': row.get('MetadataUrl'), 'realm': row.get('Realm'),
                 'issuer_identifier': row.get('IssuerIdentifier'), 'type': row.get('Type'),
                 'accept_security_identifier_information': row.get('AcceptSecurityIdentifierInformation'),
                 'authorization_uri_override': row.get('AuthorizationUriOverride')} for row in response.output('oauth_servers')]

    @staticmethod
    def info_findings(section):
        found = []
        for server in section:
            if str(server['identity'] or '').lower() != STS_IDENTITY:
                continue
            if not server['realm']:
                found.append({'id': 'oauth_server_no_tenant_id', 'severity': 'error', 'feature': 'oauth_servers', 'server': None,
                              'message': 'The OAuth server microsoft.sts has no Realm (tenant id): rerun the hybrid '
                                         'server-to-server procedure (New-CsOAuthServer microsoft.sts).', 'source': ONPREMDIAG})
                continue
            expected = STS_METADATA.format(server['realm'])
            if server['metadata_url'] != expected:
                found.append({'id': 'oauth_server_metadata_url', 'severity': 'error', 'feature': 'oauth_servers', 'server': None,
                              'message': 'The OAuth server microsoft.sts has MetadataUrl %s; expected %s.' % (server['metadata_url'], expected),
                              'source': ONPREMDIAG})
        return found


COMMAND_NOT_FOUND = 'CommandNotFoundException'


class ConversationHistory:
    """Server-side conversation history (integration-procedure.md section 17): Get-CsConversationHistoryConfiguration
    (Skype for Business Server 2015 and later only) and the client policies' conversation history settings.

    Get-CsConversationHistoryConfiguration does not exist on Lync Server 2013: it runs with tolerate_errors, so a missing
    cmdlet is recorded instead of ending the one request. Any other error of that read is an error, never "not available"."""

    POLICY_PROPERTIES = ['Identity', 'EnableServerConversationHistory', 'EnableIMAutoArchiving', 'EnableCallLogAutoArchiving',
                         'DisableSavingIM']

    @staticmethod
    def info_reads():
        return [Invocation('conversation_history', 'Get-CsConversationHistoryConfiguration',
                           properties=['Identity', 'EnableServerConversationHistory', 'MaxContinuedConversationRetry',
                                       'EnableDisplayNameResolution'],
                           tolerate_errors=True),
                Invocation('client_policies', 'Get-CsClientPolicy', properties=ConversationHistory.POLICY_PROPERTIES)]

    @staticmethod
    def info(response):
        errors = response.item_errors('conversation_history')
        other = [error for error in errors if COMMAND_NOT_FOUND not in str(error.get('fully_qualified_error_id') or '')
                 and COMMAND_NOT_FOUND not in str(error.get('exception_type') or '')]
        if other:
            details = dict((key, other[0].get(key)) for key in ('message', 'fully_qualified_error_id', 'category', 'exception_type'))
            details['cmdlet'] = 'Get-CsConversationHistoryConfiguration'
            raise CmdletFailure(other[0].get('message'), host=response.host.get('computer_name'), details=details)
        rows = response.output('conversation_history')
        row = rows[0] if rows else {}
        policies = [{'identity': policy.get('Identity'), 'enable_server_conversation_history': policy.get('EnableServerConversationHistory'),
                     'enable_im_auto_archiving': policy.get('EnableIMAutoArchiving'),
                     'enable_call_log_auto_archiving': policy.get('EnableCallLogAutoArchiving'),
                     'disable_saving_im': policy.get('DisableSavingIM')} for policy in response.output('client_policies')]
        return {'available': bool(rows),
                'enable_server_conversation_history': row.get('EnableServerConversationHistory'),
                'max_continued_conversation_retry': row.get('MaxContinuedConversationRetry'),
                'enable_display_name_resolution': row.get('EnableDisplayNameResolution'),
                'client_policies': policies}

    @staticmethod
    def info_findings(section):
        if not section['enable_server_conversation_history']:
            return []
        if any(policy['enable_server_conversation_history'] for policy in section['client_policies']):
            return []
        return [{'id': 'conversation_history_no_client_policy', 'severity': 'info', 'feature': 'conversation_history', 'server': None,
                 'message': 'Server-side conversation history is on in the global configuration, but no client policy has '
                            'EnableServerConversationHistory: Microsoft documents both settings and not whether the '
                            'configuration alone is enough.', 'source': 'integration-procedure.md section 17 and open question 10'}]


class _Provided:
    """A provider module of another feature whose findings travel in its section (``findings`` or ``*_findings``)."""

    def __init__(self, module):
        self.info_reads = module.info_reads
        self.info = module.info
        self._module = module

    def info_findings(self, section):
        if hasattr(self._module, 'info_findings'):
            return list(self._module.info_findings(section))
        found = []
        for key, value in section.items():
            if (key == 'findings' or key.endswith('_findings')) and isinstance(value, list):
                found.extend(value)
        return found


def providers():
    """(section, provider) in the order their sections are built."""
    return (
        (None, Deployment),
        ('oauth_configuration', oauth),
        ('oauth_servers', OAuthServers),
        # certificates by type with their public data, the OAuthTokenIssuer report and its findings
        ('oauth_certificate', _Provided(oauth_certificate)),
        # keys partner_applications, partner_application_findings (top level)
        (None, _Provided(partner_application)),
        # keys trusted_application_pools, trusted_applications, trusted_application_findings (top level)
        (None, _Provided(trusted_application)),
        # hosting providers, access edge, replication, Exchange Online OAuth values
        ('exchange_online', _Provided(exchange_online)),
        ('conversation_history', ConversationHistory),
    )


# Findings that skype_info also shows as warnings (the rest are data for the audit).
WARNED = ('version_out_of_support', 'version_unknown', 'version_ambiguous')


def plan_reads(provided=None):
    """(invocations, aliases) of every provider, each call once (exchange/info.py plan_reads)."""
    return _plan_reads(provided or providers())


def collect(response, aliases=None, provided=None):
    """The skype_info result (without ``changed``): each provider's section, then ``findings``."""
    return _collect(response, aliases, provided or providers())


def warnings(result):
    """The texts skype_info shows as warnings."""
    return [finding['message'] for finding in result['findings'] if finding['id'] in WARNED]

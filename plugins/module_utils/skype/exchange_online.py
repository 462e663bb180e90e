# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Exchange Online branch of the integration (on-premises Skype for Business Server / Lync Server 2013 with Exchange
Online; integration-procedure.md section 7, SFB-OWA-EXO): the shared SIP address space (global Access Edge configuration,
``AllowFederatedUsers``), the "Exchange Online" hosting provider, the Central Management store replication check, and
the OAuth values of the cross-premises procedure (section 7.4), which skype_oauth_configuration sets.

The resource of skype_exchange_online joins the Access Edge configuration and the hosting provider into one object of
the engine (identity: the provider's Identity). The object always exists while ``state=present`` (the global Access
Edge collection always does), so the plan creates the provider when it is missing and corrects what differs; the
provider's ``ProxyFqdn`` cannot be changed in place (REF-SFB New-CsHostingProvider: "this value cannot be modified ...
delete and then recreate the entry"), so a different cloud removes and re-creates it. ``state=absent`` removes the
provider only: ``AllowFederatedUsers`` also governs every other federation, so it is left as it is.

Also the skype_info provider: ``info_reads()`` (invocations keyed ``online_*``) and ``info(response)``.
"""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import oauth
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import CMDLETS_OF, PRODUCT_NAMES, parse_server_version

SOURCE_OWA = 'integration-procedure.md section 7 (SFB-OWA-EXO, outlook-web-app.md)'
SOURCE_S2S = 'integration-procedure.md section 7.4 (SFB-HYBRID-S2S, configure-a-hybrid-environment.md)'
SOURCE_2025 = 'versions-and-changes-2025.md (Exchange hybrid and Microsoft Teams)'
SOURCE_HYBRID = ('MicrosoftDocs/OfficeDocs-SkypeForBusiness Skype/SfbHybrid/hybrid/configure-federation-with-skype-for-business-online.md '
                 '(commit 042b6925)')

# ProxyFqdn of the Exchange Online hosting provider per cloud: SFB-OWA-EXO (outlook-web-app.md, commit ace400f9): the
# example's "exap.um.outlook.com", and the note "If you are using Office 365 operated by 21Vianet in China, replace ...
# with ... "exap.um.partner.outlook.cn". If you are using Office 365 GCC High, replace ... with ... "exap.um.office365.us""
# (integration-procedure.md section 7.2).
CLOUDS = {
    'worldwide': 'exap.um.outlook.com',
    '21vianet': 'exap.um.partner.outlook.cn',
    'gcc_high': 'exap.um.office365.us',
}
SKYPE_ONLINE = 'skype_for_business_online'
# The hosting provider of Skype for Business hybrid (shared SIP address space with Skype for Business Online):
# "New-CsHostingProvider -Identity Office365 -ProxyFqdn "sipfed.online.lync.com" ... -HostsOCSUsers $true" (SOURCE_HYBRID).
SKYPE_ONLINE_PROXY = 'sipfed.online.lync.com'
RETIRED = ('Skype for Business Online was retired on 2021-07-31 (integration-procedure.md sections 15 and 19), so there is no '
           'Skype for Business Online to integrate with: use Microsoft Teams instead (hybrid connectivity between Skype for '
           'Business Server and Teams, and for Exchange on premises the Teams procedure "Configure integration and OAuth between '
           'Microsoft Teams services and Exchange Server"; see docs/exchange-online.md). This module manages only the '
           'Exchange Online hosting provider (cloud: %s).' % ', '.join(sorted(CLOUDS)))
DEFAULT_IDENTITY = 'Exchange Online'

# The documented values (SFB-OWA-EXO): "Enabled ... must be set to True", "EnabledSharedAddressSpace ... must be set to
# True", "HostsOCSUsers ... must be set to False", "IsLocal ... must be set to False", "Specify UseSourceVerification".
PROVIDER_VALUES = {
    'Enabled': True,
    'EnabledSharedAddressSpace': True,
    'HostsOCSUsers': False,
    'IsLocal': False,
    'VerificationLevel': 'UseSourceVerification',
}
# Shared SIP address space: "Set-CsAccessEdgeConfiguration -AllowFederatedUsers $True" (SFB-OWA-EXO, section 7.1). The
# same page sets nothing else on the Access Edge configuration (UseDnsSrvRouting and EnablePartnerDiscovery belong to
# the Skype for Business Online hybrid procedure, SOURCE_HYBRID), so nothing else is managed.
EDGE_VALUES = {'AllowFederatedUsers': True}

EDGE_PROPERTIES = ['Identity', 'AllowFederatedUsers']
PROVIDER_PROPERTIES = ['Identity', 'ProxyFqdn'] + sorted(PROVIDER_VALUES)
# REF-SFB Get-CsManagementStoreReplicationStatus examples: UpToDate, ReplicaFqdn, LastUpdateCreation
REPLICA_PROPERTIES = ['ReplicaFqdn', 'UpToDate', 'LastUpdateCreation']
POOL_PROPERTIES = ['Identity', 'Services', 'Computers']

# The OAuth configuration value of the cross-premises server-to-server procedure (SFB-HYBRID-S2S, section 7.4):
# "Set-CsOAuthConfiguration -ServiceName 00000004-0000-0ff1-ce00-000000000000". skype_oauth_configuration sets it.
SKYPE_PRINCIPAL = '00000004-0000-0ff1-ce00-000000000000'
OAUTH_VALUES = [{
    'option': 'service_name',
    'parameter': 'ServiceName',
    'value': SKYPE_PRINCIPAL,
    'module': 'ucops.skype_exchange.skype_oauth_configuration',
    'why': 'server-to-server authentication between Skype for Business Server and Microsoft 365 (archiving, unified contact '
           'store and conversation history for mailboxes in Exchange Online); not needed for IM and presence in Outlook on '
           'the web, and not supported by Lync Server 2013',
    'source': SOURCE_S2S,
}]
# Minimum builds of the Skype for Business hybrid application (versions-and-changes-2025.md, [S]): Get-CsServerVersion
# gives only the base version, so the audit cannot tell whether a server has them.
HYBRID_APPLICATION_BUILDS = {'2015': '6.0.9319.881', '2019': '7.0.2046.553', 'se': '7.0.2046.820'}

# the read invocations; ``prefix`` is the engine key (``online`` for the first read and skype_info, ``online_after``
# for the verifying read)
VERSION = 'Get-CsServerVersion'


def _fold(value):
    return str(value or '').strip().casefold()


def reads(prefix='online', full=True):
    """The read invocations: the global Access Edge configuration, every hosting provider (selected in Python), the
    replication status; with ``full`` also the version, the pools (Edge Server present?) and the OAuth configuration."""
    invocations = [
        Invocation('%s_edge' % prefix, 'Get-CsAccessEdgeConfiguration', parameters={'Identity': 'Global'}, properties=EDGE_PROPERTIES),
        Invocation('%s_providers' % prefix, 'Get-CsHostingProvider', properties=PROVIDER_PROPERTIES),
        Invocation('%s_replication' % prefix, 'Get-CsManagementStoreReplicationStatus', properties=REPLICA_PROPERTIES),
    ]
    if full:
        invocations = [Invocation('%s_version' % prefix, VERSION)] + invocations + [
            Invocation('%s_pools' % prefix, 'Get-CsPool', properties=POOL_PROPERTIES),
            Invocation('%s_oauth' % prefix, 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=oauth.PROPERTIES),
        ]
    return invocations


def info_reads():
    """The invocations skype_info adds to its one read request (keys ``online_*``)."""
    return reads('online')


def cloud_of(proxy_fqdn):
    """The cloud whose Exchange Online ProxyFqdn this is, or None."""
    for cloud, fqdn in CLOUDS.items():
        if _fold(proxy_fqdn) == fqdn:
            return cloud
    return None


def is_skype_online(row):
    """A hosting provider that points at Skype for Business Online (its ProxyFqdn, or HostsOCSUsers: it hosts Skype
    for Business accounts, which Exchange Online does not)."""
    return _fold(row.get('ProxyFqdn')) == SKYPE_ONLINE_PROXY or row.get('HostsOCSUsers') is True


def edge_row(response, key):
    """The one global Access Edge configuration; none is a read problem (the global collection always exists)."""
    rows = response.output(key)
    if len(rows) != 1:
        raise ScriptFailure('Get-CsAccessEdgeConfiguration -Identity Global returned %d objects, so the shared SIP address space '
                            'cannot be compared; check that the account can read the Skype for Business configuration.' % len(rows))
    return rows[0]


def provider_report(row):
    """Return shape of a hosting provider row (None: no provider)."""
    if row is None:
        return None
    return {
        'identity': row.get('Identity'),
        'proxy_fqdn': row.get('ProxyFqdn'),
        'cloud': cloud_of(row.get('ProxyFqdn')),
        'enabled': row.get('Enabled'),
        'enabled_shared_address_space': row.get('EnabledSharedAddressSpace'),
        'hosts_ocs_users': row.get('HostsOCSUsers'),
        'is_local': row.get('IsLocal'),
        'verification_level': row.get('VerificationLevel'),
    }


def replication_report(rows):
    """The replicas: FQDN, whether up to date, when last updated."""
    return [{'replica_fqdn': row.get('ReplicaFqdn'), 'up_to_date': row.get('UpToDate'), 'last_update_creation': row.get('LastUpdateCreation')}
            for row in rows]


def has_edge(pools):
    """Whether a pool of the topology runs the Edge Server role (a service ``EdgeServer:<fqdn>``)."""
    return any(str(service).lower().startswith('edgeserver:') for pool in pools for service in pool.get('Services') or [])


def _finding(code, severity, message, source, server=None):
    return {'id': code, 'severity': severity, 'feature': 'exchange_online', 'server': server, 'message': message, 'source': source}


def replication_findings(replicas, just_written=False):
    """A replica that is not up to date (SFB-OWA-EXO: "Check if UpToDate value is showing TRUE for all Replicas")."""
    found = []
    for replica in replicas:
        if replica['up_to_date'] is not True:
            message = ('Replica %s of the Central Management store is not up to date (UpToDate %s, last update %s): the Edge Server '
                       'and the other servers apply the Exchange Online settings only once they have replicated.'
                       % (replica['replica_fqdn'], replica['up_to_date'], replica['last_update_creation']))
            if just_written:
                message += ' The change was just made and generally replicates in less than a minute: run the task again in check mode to see.'
            found.append(_finding('replica_not_up_to_date', 'info' if just_written else 'warning', message, SOURCE_OWA + ' (section 7.3)',
                                  replica['replica_fqdn']))
    return found


def manual_steps(product):
    """What cannot be done or seen over WinRM (Entra ID / Microsoft Graph), for the version of the server."""
    if CMDLETS_OF.get(product) == '2013':
        return ['Lync Server 2013: server-to-server authentication with Microsoft 365 is "not supported in this release" '
                '(integration-procedure.md section 18); users who sign in to IM from Outlook on the web count as remote users '
                'and need an external access policy that enables communications with remote users (section 7.4).']
    steps = ['Upload the Skype for Business OAuth certificate to the service principal 00000004-0000-0ff1-ce00-000000000000 and '
             'enable the Exchange Online principal 00000002-0000-0ff1-ce00-000000000000 with Microsoft Graph (the MSOnline '
             'commands of the documented procedure are retired), in Microsoft Entra ID; repeat after every certificate renewal.']
    build = HYBRID_APPLICATION_BUILDS.get(product)
    if build:
        steps.append('The dedicated Skype for Business hybrid application (ConfigureSkypeforBusinessHybridApplication.ps1) needs '
                     'build %s or later of %s; Get-CsServerVersion shows only the base version, so check the installed '
                     'update (Get-CsServerPatchVersion) yourself.' % (build, PRODUCT_NAMES.get(product)))
    return steps


def audit(product, edge, providers, replicas, pools, oauth_row, identity=None, just_written=False):
    """Findings about the Exchange Online branch: the provider(s) against the documented values, the shared SIP address
    space, the Edge Server, replication, the OAuth value, and what only Entra ID / Graph can show."""
    found = []
    online = [row for row in providers if cloud_of(row.get('ProxyFqdn'))]
    if identity is not None:
        online = [row for row in online if _fold(row.get('Identity')) == _fold(identity)] or online
    for row in providers:
        if _fold(row.get('ProxyFqdn')) == SKYPE_ONLINE_PROXY:
            found.append(_finding('skype_online_hosting_provider', 'info',
                                  'Hosting provider %s points at %s, the shared SIP address space with Microsoft 365 that Skype for '
                                  'Business hybrid creates. Skype for Business Online was retired on 2021-07-31: users homed online '
                                  'use Teams. It is not the Exchange Online provider and this collection leaves it alone.'
                                  % (row.get('Identity'), row.get('ProxyFqdn')), SOURCE_HYBRID))
    if not online:
        found.append(_finding('exchange_online_not_configured', 'info',
                              'No hosting provider for Exchange Online (ProxyFqdn %s): IM and presence in Outlook on the web for '
                              'mailboxes in Exchange Online is not configured (not needed when every mailbox is on premises).'
                              % ', '.join(CLOUDS.values()), SOURCE_OWA))
        return found + replication_findings(replicas, just_written)
    for row in online:
        wrong = dict((name, row.get(name)) for name, value in PROVIDER_VALUES.items()
                     if (_fold(row.get(name)) != _fold(value) if name == 'VerificationLevel' else row.get(name) is not value))
        if wrong:
            found.append(_finding('exchange_online_provider_values', 'warning',
                                  'Hosting provider %s (%s) differs from the documented values: %s; Microsoft requires %s.' % (
                                      row.get('Identity'), row.get('ProxyFqdn'), ', '.join('%s %s' % item for item in sorted(wrong.items())),
                                      ', '.join('%s %s' % (name, PROVIDER_VALUES[name]) for name in sorted(wrong))), SOURCE_OWA + ' (section 7.2)'))
    if len(online) > 1:
        found.append(_finding('exchange_online_providers_several', 'warning',
                              '%d hosting providers point at Exchange Online (%s): keep one.' % (
                                  len(online), ', '.join('%s (%s)' % (row.get('Identity'), row.get('ProxyFqdn')) for row in online)), SOURCE_OWA))
    if edge.get('AllowFederatedUsers') is not True:
        found.append(_finding('shared_sip_address_space_disabled', 'error',
                              'AllowFederatedUsers is %s on the global Access Edge configuration: the shared SIP address space with '
                              'Exchange Online needs it True (Set-CsAccessEdgeConfiguration -AllowFederatedUsers $True).'
                              % edge.get('AllowFederatedUsers'), SOURCE_OWA + ' (section 7.1)'))
    if pools is not None and not has_edge(pools):
        found.append(_finding('no_edge_server', 'warning',
                              'No pool of the topology runs the Edge Server role: the Exchange Online settings take effect on the '
                              'Edge Server (Microsoft: "you must configure the Edge Server in your on-premises deployment").',
                              SOURCE_OWA))
    found.extend(replication_findings(replicas, just_written))
    if CMDLETS_OF.get(product) != '2013' and oauth_row is not None and _fold(oauth_row.get('ServiceName')) != SKYPE_PRINCIPAL:
        found.append(_finding('oauth_service_name', 'info',
                              'The OAuth configuration has ServiceName %s; the server-to-server procedure with Microsoft 365 sets %s '
                              '(skype_oauth_configuration service_name). Needed only for archiving, unified contact store and '
                              'conversation history with mailboxes in Exchange Online.' % (oauth_row.get('ServiceName'), SKYPE_PRINCIPAL),
                              SOURCE_S2S))
    for step in manual_steps(product):
        found.append(_finding('manual_step', 'info', step + ' Not visible over WinRM; see docs/exchange-online.md.', SOURCE_2025))
    return found


def info(response):
    """The ``exchange_online`` section of skype_info from the reads of ``info_reads``."""
    product = parse_server_version((response.output('online_version') or [''])[0])['product']
    edge = edge_row(response, 'online_edge')
    providers = response.output('online_providers')
    replicas = replication_report(response.output('online_replication'))
    oauth_row = (response.output('online_oauth') or [None])[0]
    online = [provider_report(row) for row in providers if cloud_of(row.get('ProxyFqdn'))]
    return {
        'access_edge': {'identity': edge.get('Identity'), 'allow_federated_users': edge.get('AllowFederatedUsers')},
        'hosting_providers': [provider_report(row) for row in providers],
        'exchange_online_providers': online,
        'edge_server': has_edge(response.output('online_pools')),
        'replication': replicas,
        'oauth_values': [dict(item, current=(oauth_row or {}).get(item['parameter'])) for item in OAUTH_VALUES]
        if CMDLETS_OF.get(product) != '2013' else [],
        'findings': audit(product, edge, providers, replicas, response.output('online_pools'), oauth_row),
    }


class _Exact(Property):
    """Booleans and existence: compared exactly (None is not False)."""

    def equal(self, desired, current):
        return desired == current

    def stored(self, value):
        return value


def validate(params):
    """The cloud's ProxyFqdn and the provider identity; a task aimed at Skype for Business Online fails here."""
    cloud = params.get('cloud') or 'worldwide'
    if cloud == SKYPE_ONLINE:
        raise OptionError('cloud=%s: %s' % (cloud, RETIRED))
    if cloud not in CLOUDS:
        raise OptionError('cloud must be one of %s; got %s' % (', '.join(sorted(CLOUDS)), cloud))
    identity = (params.get('hosting_provider_identity') or '').strip()
    if not identity:
        raise OptionError('hosting_provider_identity must not be empty; Microsoft\'s example is "%s".' % DEFAULT_IDENTITY)
    return {'cloud': cloud, 'proxy_fqdn': CLOUDS[cloud], 'identity': identity}


class ExchangeOnline(Resource):
    """The Access Edge configuration and the Exchange Online hosting provider as one object (see the module docstring)."""

    current_key = 'online'
    after_key = 'online_after'
    recreate = ('ProxyFqdn',)
    properties = (
        _Exact('state', 'AllowFederatedUsers'),
        _Exact('state', 'HostingProvider'),
        Property('cloud', 'ProxyFqdn', 'text'),
        _Exact('state', 'Enabled'),
        _Exact('state', 'EnabledSharedAddressSpace'),
        _Exact('state', 'HostsOCSUsers'),
        _Exact('state', 'IsLocal'),
        Property('state', 'VerificationLevel', 'text'),
    )

    def __init__(self, params):
        super().__init__(params)
        self.options = validate(params)
        self.current = {}
        self.response = {}

    def desired(self):
        if self.wanted() == 'absent':
            return {}
        desired = dict(EDGE_VALUES, HostingProvider=True, ProxyFqdn=self.options['proxy_fqdn'])
        desired.update(PROVIDER_VALUES)
        return desired

    def reads(self):
        return reads(self.current_key)

    def context(self, response):
        product = parse_server_version((response.output('%s_version' % self.current_key) or [''])[0])['product']
        identity = self.options['identity']
        providers = response.output('%s_providers' % self.current_key)
        mine = next((row for row in providers if _fold(row.get('Identity')) == _fold(identity)), None)
        if mine is not None and is_skype_online(mine):
            raise OptionError('Hosting provider %s has ProxyFqdn %s and HostsOCSUsers %s: it is the Skype for Business Online (hybrid) '
                              'provider, not the Exchange Online one, and this task would %s it. %s Give hosting_provider_identity '
                              'another name (Microsoft\'s example is "%s").' % (
                                  mine.get('Identity'), mine.get('ProxyFqdn'), mine.get('HostsOCSUsers'),
                                  'remove' if self.wanted() == 'absent' else 'replace', RETIRED, DEFAULT_IDENTITY))
        others = [row for row in providers if cloud_of(row.get('ProxyFqdn')) and row is not mine]
        if others and self.wanted() == 'present':
            raise OptionError('Hosting provider %s already points at Exchange Online (ProxyFqdn %s): give hosting_provider_identity: %s '
                              'to manage it, or remove it (state: absent) before creating %s.' % (
                                  others[0].get('Identity'), others[0].get('ProxyFqdn'), others[0].get('Identity'), identity))
        return {'product': product, 'pools': response.output('%s_pools' % self.current_key),
                'oauth': (response.output('%s_oauth' % self.current_key) or [None])[0]}

    def objects(self, response, key, context=None):
        """{identity: state} of the one composite object; also keeps the rows the result reports."""
        edge = edge_row(response, '%s_edge' % key)
        providers = response.output('%s_providers' % key)
        identity = self.options['identity']
        row = next((item for item in providers if _fold(item.get('Identity')) == _fold(identity)), None)
        self.response[key] = {'edge': edge, 'providers': providers, 'replicas': replication_report(response.output('%s_replication' % key))}
        state = {'AllowFederatedUsers': edge.get('AllowFederatedUsers'), 'HostingProvider': row is not None}
        for name in ['ProxyFqdn'] + sorted(PROVIDER_VALUES):
            state[name] = row.get(name) if row else None
        name = row.get('Identity') if row else identity
        if key == self.current_key:
            self.current = state
        if self.wanted() == 'absent' and row is None:
            return {}
        return {name: state}

    def _edge_write(self, current):
        if current.get('AllowFederatedUsers') is True:
            return []
        # -Identity Global selects the Identity parameter set (AllowFederatedUsers alone is in three sets)
        return [Invocation('online_set_edge', 'Set-CsAccessEdgeConfiguration', parameters={'Identity': 'Global', 'AllowFederatedUsers': True},
                           description='Set-CsAccessEdgeConfiguration -Identity Global -AllowFederatedUsers $True')]

    def write(self, identity, changes, context):
        invocations = self._edge_write(self.current) if 'AllowFederatedUsers' in changes else []
        settings = dict((name, PROVIDER_VALUES[name]) for name in PROVIDER_VALUES if name in changes)
        if settings:
            invocations.append(Invocation('online_set_provider', 'Set-CsHostingProvider', parameters=dict(settings, Identity=identity),
                                          description='Set-CsHostingProvider -Identity "%s" (%s)' % (identity, ', '.join(sorted(settings)))))
        return invocations

    def create(self, identity, desired, context):
        """The provider as documented (New-CsHostingProvider with every documented value), after the Access Edge setting."""
        parameters = dict(PROVIDER_VALUES, Identity=identity, ProxyFqdn=self.options['proxy_fqdn'])
        return self._edge_write(self.current) + [Invocation(
            'online_new_provider', 'New-CsHostingProvider', parameters=parameters,
            description='New-CsHostingProvider -Identity "%s" -ProxyFqdn %s' % (identity, self.options['proxy_fqdn']))]

    def new_identity(self, desired, context):
        return self.options['identity']

    def remove(self, identity, current, context):
        if not current.get('HostingProvider'):
            return []
        return [Invocation('online_remove_provider', 'Remove-CsHostingProvider', parameters={'Identity': identity, 'Confirm': False},
                           description='Remove-CsHostingProvider -Identity "%s" (ProxyFqdn %s)' % (identity, current.get('ProxyFqdn')))]

    def verify(self, context):
        return reads(self.after_key, full=False)

    def report(self, identity, state):
        exists = bool(state.get('HostingProvider'))
        provider = provider_report(dict(state, Identity=identity)) if exists else {'identity': identity, 'proxy_fqdn': None, 'cloud': None}
        provider['exists'] = exists
        return {'allow_federated_users': state.get('AllowFederatedUsers'), 'hosting_provider': provider}

    def notes(self, before, after, writes, context, sent):
        notes = []
        if self.wanted() == 'absent' and writes:
            notes.append('AllowFederatedUsers was left as it is: it also governs federation with every other domain.')
        seen = self.response.get(self.after_key if sent else self.current_key) or {}
        for replica in seen.get('replicas') or []:
            if replica['up_to_date'] is not True and not sent:
                notes.append('Replica %s of the Central Management store is not up to date.' % replica['replica_fqdn'])
        return notes

    def result(self, after, changed, context):
        sent = self.after_key in self.response
        seen = self.response.get(self.after_key if sent else self.current_key)
        report = next(iter(after.values()), None)
        edge = seen['edge']
        allow = report['allow_federated_users'] if report else edge.get('AllowFederatedUsers')
        provider = report['hosting_provider'] if report else {'identity': self.options['identity'], 'proxy_fqdn': None, 'cloud': None,
                                                              'exists': False}
        # the audit of what the task leaves (in check mode: the read, except the planned object)
        providers = [row for row in seen['providers'] if _fold(row.get('Identity')) != _fold(self.options['identity'])]
        if report and provider['exists']:
            providers.append(dict((name, report_value) for name, report_value in (
                ('Identity', provider['identity']), ('ProxyFqdn', provider['proxy_fqdn']), ('Enabled', provider['enabled']),
                ('EnabledSharedAddressSpace', provider['enabled_shared_address_space']), ('HostsOCSUsers', provider['hosts_ocs_users']),
                ('IsLocal', provider['is_local']), ('VerificationLevel', provider['verification_level']))))
        findings = audit(context['product'], {'AllowFederatedUsers': allow}, providers, seen['replicas'], context['pools'],
                         context['oauth'], identity=self.options['identity'], just_written=sent and bool(changed))
        return {
            'skype_version': context['product'],
            'access_edge': {'identity': 'Global', 'allow_federated_users': allow},
            'hosting_provider': provider,
            'replication': seen['replicas'],
            'oauth_configuration': oauth.report(context['oauth'] or {}),
            'oauth_values': list(OAUTH_VALUES) if CMDLETS_OF.get(context['product']) != '2013' else [],
            'findings': findings,
        }

    def diff(self, before, after):
        def empty(key):
            # no provider: the Access Edge setting as read (absent leaves it as it is)
            seen = self.response.get(key) or self.response[self.current_key]
            return {'allow_federated_users': seen['edge'].get('AllowFederatedUsers'),
                    'hosting_provider': {'identity': self.options['identity'], 'proxy_fqdn': None, 'cloud': None, 'exists': False}}
        return {'before': next(iter(before.values()), None) or empty(self.current_key),
                'after': next(iter(after.values()), None) or empty(self.after_key)}

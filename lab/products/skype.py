# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model of a Lync Server 2013 / Skype for Business Server 2015/2019/SE deployment: the cmdlets the lab implements.

State (one entry per deployment in ``state.json`` under ``skype``)::

    {"oauth": {"ExchangeAutodiscoverUrl", "ExchangeAutodiscoverAllowedDomains", "Realm", "ServiceName",
               "ClientAuthorizationOAuthServerIdentity"},
     "cms_server": "<FQDN of the server holding the Central Management store>",
     "sites": [{"name", "site_id"}], "pools": [{"fqdn", "site", "services", "computers", "edition"}]}
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from ..binder import BoundCall
from ..pserrors import PSError, lab_not_implemented
from ..psvalues import PSObject, PSText
from .common import Outcome, ProductModel, refuse_unmodelled

# Get-CsServerVersion output. Format "<product> (<base version>): <licence state>": Microsoft's onpremdiag/SfBServer
# tests (MIT, Microsoft) mock it as "Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.";
# REF-SFB Get-CsServerVersion says it returns only the base version, "such as 5.0.8308" (Lync Server 2013);
# 6.0.9319.0 is the SfB Server 2015 base version public scripts match on (no Microsoft page found for it).
# 'se': UNVERIFIED. No output of Get-CsServerVersion on a Skype for Business Server Subscription Edition server was
# found; the lab assumes the 2019 format with the SE product name and the 7.0.2046 base version SE keeps (SE RTM hotfix 1
# is 7.0.2046.826, SE CU1 7.0.2046.849: Microsoft's "Skype for Business Server updates" page, versions-and-changes-2025.md).
SERVER_VERSIONS = {
    '2013': 'Lync Server 2013 (5.0.8308.0)',
    '2015': 'Skype for Business Server 2015 (6.0.9319.0)',
    '2019': 'Skype for Business Server 2019 (7.0.2046.0)',
    'se': 'Skype for Business Server Subscription Edition (7.0.2046.0)',
}
DEFAULT_LICENSE = 'Volume license key installed.'

# Default OAuth ServiceName: the well-known Skype for Business principal SFB-ONPREM-PA configures
# (Set-CsOAuthConfiguration -ServiceName 00000004-0000-0ff1-ce00-000000000000). Whether a fresh deployment already
# holds it is not documented (lab choice; the topology can override it).
DEFAULT_SERVICE_NAME = '00000004-0000-0ff1-ce00-000000000000'
# Default site name and id: no source (lab choice; the docs' examples use "Redmond").
DEFAULT_SITE = 'Site1'
# Services of a Standard Edition Front End pool: no source (lab choice, typical Topology Builder roles).
DEFAULT_SERVICES = ('Registrar', 'UserServer', 'WebServer', 'ConferencingServer', 'ApplicationServer')
# Pool editions. A Standard Edition pool is a single Front End whose Central Management store is local (SQL Express on
# that server); an Enterprise Edition pool has one or more Front Ends and a SQL Server back end on another server.
# No source in the shared docs (Topology Builder's pool types); the default edition is a lab choice.
EDITIONS = ('Standard', 'Enterprise')
DEFAULT_EDITION = 'Standard'

OAUTH_SETTING_KEYS = {
    'ExchangeAutodiscoverUrl': 'exchange_autodiscover_url',
    'ExchangeAutodiscoverAllowedDomains': 'exchange_autodiscover_allowed_domains',
    'Realm': 'realm',
    'ServiceName': 'service_name',
    'ClientAuthorizationOAuthServerIdentity': 'client_authorization_oauth_server_identity',
}


def _deployment_key(host: Any) -> str:
    return str(dict(getattr(host, 'settings', None) or {}).get('deployment', host.name))


def _pool_of(host: Any) -> str:
    return str(dict(getattr(host, 'settings', None) or {}).get('pool_fqdn', host.fqdn)).lower()


def _deployment_hosts(host: Any, topology: Any) -> list[Any]:
    """The Skype hosts of the topology that share ``host``'s deployment key, in topology order (``host`` included)."""
    key = _deployment_key(host)
    found = [other for other in (getattr(topology, 'hosts', None) or ())
             if getattr(other, 'product', 'skype') == 'skype' and _deployment_key(other) == key]
    return found if any(other is host for other in found) else found + [host]


def _one_value(hosts: list[Any], setting: str, default: Any, what: str) -> Any:
    """The value the hosts give ``setting`` (all that set it must agree), else ``default``."""
    values = {str(dict(other.settings or {})[setting]) for other in hosts if setting in dict(getattr(other, 'settings', None) or {})}
    if len(values) > 1:
        raise ValueError('%s: the hosts %s give settings.%s different values (%s)' % (
            what, ', '.join(other.name for other in hosts), setting, ', '.join(sorted(values))))
    return values.pop() if values else default


def init_deployment(state: dict[str, Any], host: Any, topology: Any) -> dict[str, Any]:
    """The deployment entry this host belongs to; created from the topology, completed with what it lacks.

    Settings (``host.settings``): ``deployment`` (key shared by the hosts of one deployment; default: the host's name),
    ``site`` / ``site_id`` (this host's site), ``pool_fqdn`` (default: the host FQDN, a Standard Edition pool),
    ``edition`` (``Standard`` or ``Enterprise``: the edition of this host's pool; default ``Standard``),
    ``cms_server`` (FQDN of the server holding the deployment's Central Management store; default: the FQDN of the
    deployment's first host in the topology, i.e. a Standard Edition server's own local store; an Enterprise pool with
    a SQL Server back end names that server, e.g. ``sql01.contoso.local``), ``services``, ``sites`` (extra
    ``{name, site_id}``), ``pools`` (extra ``{fqdn, site, services?, computers?, edition?}``), ``oauth``
    (``exchange_autodiscover_url``, ``exchange_autodiscover_allowed_domains``, ``realm``, ``service_name``,
    ``client_authorization_oauth_server_identity``).

    The Front Ends of one pool are the topology's Skype hosts with the same ``deployment`` and ``pool_fqdn``: the
    pool's ``computers`` lists all of them (topology order) whichever host is contacted first, and the hosts sharing a
    pool must agree on ``edition``; hosts of one deployment must agree on ``cms_server``. A Standard Edition pool has
    exactly one Front End (ValueError otherwise).
    """
    settings = dict(getattr(host, 'settings', None) or {})
    key = _deployment_key(host)
    deployment_hosts = _deployment_hosts(host, topology)
    deployments = state.setdefault('skype', {})
    if key not in deployments:
        oauth_settings = dict(settings.get('oauth') or {})
        oauth = {
            'ExchangeAutodiscoverUrl': None,
            'ExchangeAutodiscoverAllowedDomains': None,
            # Source: REF-SFB Set-CsOAuthConfiguration -Realm: "By default, Skype for Business Server uses your
            # default SIP domain as its OAuth realm."
            'Realm': getattr(topology, 'sip_domain', None),
            'ServiceName': DEFAULT_SERVICE_NAME,
            'ClientAuthorizationOAuthServerIdentity': None,
        }
        for prop, setting in OAUTH_SETTING_KEYS.items():
            if setting in oauth_settings:
                oauth[prop] = oauth_settings[setting]
        deployments[key] = {'oauth': oauth, 'sites': [], 'pools': []}
    deployment = deployments[key]
    # setdefault: a state file written before cms_server existed is completed, never rewritten
    deployment.setdefault('cms_server', _one_value(deployment_hosts, 'cms_server', deployment_hosts[0].fqdn,
                                                   'deployment %s' % key).lower())
    site_name = str(settings.get('site', DEFAULT_SITE))
    sites = [{'name': site_name, 'site_id': int(settings.get('site_id', 1))}] + list(settings.get('sites') or [])
    for site in sites:
        if not any(existing['name'].lower() == str(site['name']).lower() for existing in deployment['sites']):
            deployment['sites'].append({'name': str(site['name']), 'site_id': int(site.get('site_id', len(deployment['sites']) + 1))})
    own_pool = _pool_of(host)
    front_ends = [other for other in deployment_hosts if _pool_of(other) == own_pool]
    edition = _one_value(front_ends, 'edition', DEFAULT_EDITION, 'pool %s' % own_pool)
    if edition not in EDITIONS:
        raise ValueError('pool %s: settings.edition must be one of %s (got %r)' % (own_pool, ', '.join(EDITIONS), edition))
    if edition == 'Standard' and len(front_ends) > 1:
        raise ValueError('pool %s: a Standard Edition pool has one Front End, but %s share it: set edition: Enterprise'
                         % (own_pool, ', '.join(other.name for other in front_ends)))
    pools = [{'fqdn': own_pool, 'site': site_name, 'services': settings.get('services'),
              'computers': [other.fqdn.lower() for other in front_ends], 'edition': edition}]
    pools += list(settings.get('pools') or [])
    for pool in pools:
        fqdn = str(pool['fqdn']).lower()
        computers = [str(computer).lower() for computer in (pool.get('computers') or [fqdn])]
        existing = next((entry for entry in deployment['pools'] if entry['fqdn'] == fqdn), None)
        if existing is None:
            services = pool.get('services') or ['%s:%s' % (role, fqdn) for role in DEFAULT_SERVICES]
            deployment['pools'].append({'fqdn': fqdn, 'site': str(pool.get('site', site_name)), 'services': list(services),
                                        'computers': computers, 'edition': str(pool.get('edition', DEFAULT_EDITION))})
        elif fqdn == own_pool:
            # this host's pool created by another Front End (or by an older state file) gains the Front Ends it lacks
            existing['computers'] += [computer for computer in computers if computer not in existing['computers']]
            existing.setdefault('edition', str(pool.get('edition', DEFAULT_EDITION)))
    return deployment


def _not_found(cmdlet: str, kind: str, identity: str) -> PSError:
    """An identity that does not exist. No source for the text, FQID or exception type (lab choice)."""
    return PSError('Cannot find %s "%s".' % (kind, identity), 'IdentityNotFound,%s' % cmdlet, 'ObjectNotFound',
                   'System.Management.Automation.ItemNotFoundException')


class SkypeModel(ProductModel):
    """The cmdlets of the SkypeForBusiness / Lync module of one server."""

    def __init__(self, deployment: dict[str, Any], version: str, settings: dict[str, Any]) -> None:
        self.deployment = deployment
        self.version = version
        self.settings = settings
        self.handlers: dict[str, Callable[[BoundCall], Outcome]] = {
            'Get-CsOAuthConfiguration': self.get_oauth,
            'Set-CsOAuthConfiguration': self.set_oauth,
            'Get-CsServerVersion': self.get_server_version,
            'Get-CsPool': self.get_pool,
            'Get-CsSite': self.get_site,
        }

    # -- OAuth ------------------------------------------------------------------------------------------------

    def _oauth_object(self) -> PSObject:
        """The global OAuthConfiguration object. Property names: integration-procedure.md section 5 [param-mirror];
        ClientAuthorizationOAuthServerIdentity exists only on 2015/2019 (REF-SFB applicability of the parameter)."""
        oauth = self.deployment['oauth']
        result: dict[str, Any] = {'Identity': PSText('Global')}
        for prop in ('ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains', 'Realm', 'ServiceName'):
            result[prop] = oauth.get(prop)
        if self.version != '2013':
            result['ClientAuthorizationOAuthServerIdentity'] = oauth.get('ClientAuthorizationOAuthServerIdentity')
        # ToString() of the settings object: its Identity (no source: lab choice)
        return PSObject(result, 'Global')

    @staticmethod
    def _check_global(call: BoundCall) -> None:
        """Only the Global collection exists (REF-SFB: "only allows you to have a single, global collection")."""
        identity = call.values.get('Identity')
        if identity is not None and identity.strip().lower() != 'global':
            raise _not_found(call.cmdlet, 'OAuthConfiguration', identity)

    def get_oauth(self, call: BoundCall) -> Outcome:
        """Get-CsOAuthConfiguration [-Identity Global | -Filter <wildcard>] [-LocalStore]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        self._check_global(call)
        if call.has('Filter') and call.values['Filter'] is not None:
            if not fnmatch.fnmatchcase('global', call.values['Filter'].lower()):
                return Outcome()
        return Outcome(objects=[self._oauth_object()])

    def set_oauth(self, call: BoundCall) -> Outcome:
        """Set-CsOAuthConfiguration [-Identity Global] -<property> <value>: String values are stored exactly as given."""
        properties = {'ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains', 'Realm', 'ServiceName',
                      'ClientAuthorizationOAuthServerIdentity'}
        refuse_unmodelled(call, properties | {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        self._check_global(call)
        if call.switch('WhatIf'):
            return Outcome()
        oauth = self.deployment['oauth']
        changed = False
        for prop in properties:
            if call.has(prop):
                oauth[prop] = call.values[prop]
                changed = True
        return Outcome(changed=changed)

    # -- version, pools, sites --------------------------------------------------------------------------------

    def get_server_version(self, call: BoundCall) -> Outcome:
        """Get-CsServerVersion: one string (see SERVER_VERSIONS)."""
        refuse_unmodelled(call, set())
        text = self.settings.get('server_version') or '%s: %s' % (SERVER_VERSIONS[self.version], self.settings.get('license', DEFAULT_LICENSE))
        return Outcome(objects=[str(text)])

    def _site_object(self, site: dict[str, Any]) -> PSObject:
        """A site: Identity ("site:Redmond" form, REF-SFB Get-CsPool -Site and Get-CsSite -Identity descriptions),
        SiteId and DisplayName (REF-SFB Get-CsPool -Site: "Get-CsSite | Select-Object Identity, DisplayName"; brief)."""
        pools = [PSText(pool['fqdn']) for pool in self.deployment['pools'] if pool['site'].lower() == site['name'].lower()]
        # SiteType and Pools: REF-SFB Get-CsSite.md examples 3 and 4 (the lab models central sites only)
        # ToString(): the Identity (no source: lab choice)
        return PSObject({'Identity': PSText('Site:%s' % site['name']), 'SiteId': site['site_id'], 'DisplayName': site['name'],
                         'SiteType': PSText('CentralSite'), 'Pools': pools}, 'Site:%s' % site['name'])

    def get_site(self, call: BoundCall) -> Outcome:
        """Get-CsSite [-Identity <site name> | -Filter <wildcard on Identity>]."""
        refuse_unmodelled(call, {'Identity', 'Filter'})
        sites = list(self.deployment['sites'])
        identity = call.values.get('Identity')
        if identity is not None:
            # REF-SFB: "specify just the site name ... Do not use the format "site:Redmond""
            sites = [site for site in sites if site['name'].lower() == identity.strip().lower()]
            if not sites:
                raise _not_found(call.cmdlet, 'site', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            sites = [site for site in sites if fnmatch.fnmatchcase(('Site:%s' % site['name']).lower(), pattern.lower())]
        return Outcome(objects=[self._site_object(site) for site in sites])

    def get_pool(self, call: BoundCall) -> Outcome:
        """Get-CsPool [-Identity <FQDN> | -Filter <wildcard>] [-Site <site DisplayName>]: Identity, Fqdn, Site, Services, Computers."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'Site'})
        pools = list(self.deployment['pools'])
        identity = call.values.get('Identity')
        if identity is not None:
            pools = [pool for pool in pools if pool['fqdn'] == identity.strip().lower()]
            if not pools:
                raise _not_found(call.cmdlet, 'pool', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            pools = [pool for pool in pools if fnmatch.fnmatchcase(pool['fqdn'], pattern.lower())]
        site = call.values.get('Site')
        if site is not None:
            pools = [pool for pool in pools if pool['site'].lower() == site.strip().lower()]
        # ToString(): the pool FQDN (no source: lab choice)
        return Outcome(objects=[PSObject({
            'Identity': PSText(pool['fqdn']),
            'Fqdn': pool['fqdn'],
            'Site': PSText('Site:%s' % pool['site']),
            'Services': [PSText(service) for service in pool['services']],
            'Computers': list(pool['computers']),
        }, pool['fqdn']) for pool in pools])


IMPLEMENTED = ('Get-CsOAuthConfiguration', 'Set-CsOAuthConfiguration', 'Get-CsServerVersion', 'Get-CsPool', 'Get-CsSite')

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Skype for Business / Lync Server deployment of the lab: its state, its defaults, and the base of every feature model.

State (one entry per deployment in ``state.json`` under ``skype``)::

    {"oauth": {"ExchangeAutodiscoverUrl", "ExchangeAutodiscoverAllowedDomains", "Realm", "ServiceName",
               "ClientAuthorizationOAuthServerIdentity"},
     "cms_server": "<FQDN of the server holding the Central Management store>",
     "sites": [{"name", "site_id"}], "pools": [{"fqdn", "site", "services", "computers", "edition"}]}
"""

from __future__ import annotations

from typing import Any

from ...pserrors import PSError

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


class SkypeFeature:
    """Base of the feature models (one file per feature, mirroring plugins/module_utils/skype/): the deployment state,
    the server's version and topology settings. ``IMPLEMENTED`` lists the cmdlets a feature models; ``handlers`` maps
    each to its method (``Get-CsOAuthConfiguration`` -> ``get_cs_o_auth_configuration`` unless ``handlers`` says
    otherwise)."""

    IMPLEMENTED: tuple[str, ...] = ()

    def __init__(self, deployment: dict[str, Any], version: str, settings: dict[str, Any], server: str | None = None,
                 topology: Any = None) -> None:
        self.deployment = deployment
        self.version = version
        self.settings = settings
        # FQDN of the server whose module runs the cmdlet (its own certificate store, for example); None in tests that
        # build a model without one
        self.server = server
        # the lab topology (lab/topology.py), for what the server can reach (Exchange hosts, Edge servers)
        self.topology = topology

    def handlers(self) -> dict[str, Any]:
        """{cmdlet: method}; by default the method named after the cmdlet."""
        found = {}
        for name in self.IMPLEMENTED:
            verb, noun = name.split('-', 1)
            method = verb.lower() + ''.join('_' + ch.lower() if ch.isupper() else ch for ch in noun)
            found[name] = getattr(self, method)
        return found

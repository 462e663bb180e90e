# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Exchange organisation of the lab: its state, its servers, and the base of every feature model.

State (one entry per organisation in ``state.json`` under ``exchange``)::

    {"servers": {"EX19": {"name", "fqdn", "version", "build", "edition", "site",
                          "auto_discover_service_internal_uri", "auto_discover_site_scope"}, ...},
     "domain_controller": "dc01.contoso.local", "domain": "contoso.local"}

Initial state comes from the topology: the host itself plus ``settings.servers`` (see ``init_org``).
"""

from __future__ import annotations

import datetime
import uuid
import zlib
from typing import Any

from ...binder import BoundCall
from ...pserrors import REMOTE_EXCEPTION, PSError
from ...psvalues import PSUri, format_datetime_en_us, parse_uri


# Builds of the simulated servers when the topology does not give one.
# Source: Microsoft, "Exchange Server build numbers and release dates" (learn.microsoft.com, OfficeDocs-Exchange
# Exchange/ExchangeServer/new-features/build-numbers-and-release-dates.md): Exchange Server 2013 CU23 = 15.0.1497.2;
# Exchange Server 2016 CU23 = 15.1.2507.6; Exchange Server 2019 CU14 = 15.2.1544.4 (the last two rows are from the
# current page; the older repository copy the lab could check ends before them; design.md uses 15.2.1544.4 too).
# Exchange Server SE RTM = 15.2.2562.17, released 2025-07-01 (same page; CSS-Exchange
# Shared/Get-ExchangeBuildVersionInformation.ps1; versions-and-changes-2025.md).
DEFAULT_BUILDS = {'2013': '15.0.1497.2', '2016': '15.1.2507.6', '2019': '15.2.1544.4', 'se': '15.2.2562.17'}

# ServerRole as Get-ExchangeServer shows it. Source: brief of this task (2013 multi-role "Mailbox, ClientAccess";
# 2016 and later have only the Mailbox role, which includes the Client Access services). SE: Mailbox like 2019 (no source
# for SE's ServerRole text: SE is 2019's code line, versions-and-changes-2025.md).
SERVER_ROLES = {'2013': 'Mailbox, ClientAccess', '2016': 'Mailbox', '2019': 'Mailbox', 'se': 'Mailbox'}

# Default AD site: "Default-First-Site-Name" is the name Active Directory gives the first site (no source in the
# shared docs: AD default). Default edition: no source (lab choice).
DEFAULT_SITE = 'Default-First-Site-Name'
DEFAULT_EDITION = 'Enterprise'

# Namespace of the ClientAccess and ExchangeServer task classes, used in FullyQualifiedErrorIds.
# No source: recollection of Microsoft.Exchange.Management.dll.
TASK_NAMESPACE = 'Microsoft.Exchange.Management.SystemConfigurationTasks'

# Exchange's warning when a Set- cmdlet changes nothing. Source: no Microsoft page in the shared docs; the text is
# the one quoted in public admin scripts (e.g. CIS benchmark remediation scripts: "WARNING: The command completed
# successfully but no settings of 'Default' have been modified.").
NO_CHANGE_WARNING = "The command completed successfully but no settings of '%s' have been modified."


def server_record(name: str, version: str, fqdn: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A server entry of the org state, with documented defaults."""
    version = str(version)
    if version not in DEFAULT_BUILDS:
        raise ValueError('Exchange server %s: version must be one of %s (got %r)' % (name, ', '.join(DEFAULT_BUILDS), version))
    site = settings.get('site', DEFAULT_SITE)
    # Default SCP: Exchange Setup sets AutoDiscoverServiceInternalUri to https://<server FQDN>/Autodiscover/Autodiscover.xml
    # and the site scope to the server's site (no source in the shared docs: Setup behaviour; the topology can set
    # auto_discover_service_internal_uri: null to model the "blank" case integration-procedure.md section 4 mentions).
    uri = settings.get('auto_discover_service_internal_uri', 'https://%s/Autodiscover/Autodiscover.xml' % fqdn)
    scope = settings.get('auto_discover_site_scope', [site])
    return {
        'name': name,
        'fqdn': fqdn.lower(),
        'version': version,
        'build': str(settings.get('build', DEFAULT_BUILDS[version])),
        'edition': settings.get('edition', DEFAULT_EDITION),
        'site': site,
        'auto_discover_service_internal_uri': uri,
        'auto_discover_site_scope': list(scope) if isinstance(scope, (list, tuple)) else [scope],
    }


def init_org(state: dict[str, Any], host: Any, topology: Any) -> dict[str, Any]:
    """The org entry this host belongs to; created from the topology, and completed with servers it lacks.

    Settings (``host.settings``): ``organization`` (key shared by hosts of one org; default: the host's name),
    ``domain_controller``, ``build``, ``edition``, ``site``, ``auto_discover_service_internal_uri``,
    ``auto_discover_site_scope`` for the host itself, and ``servers``: other Exchange servers of the org, each
    ``{name, version, fqdn?, build?, edition?, site?, auto_discover_service_internal_uri?, auto_discover_site_scope?}``.
    """
    settings = dict(getattr(host, 'settings', None) or {})
    domain = str(getattr(topology, 'domain', '') or '')
    key = str(settings.get('organization', host.name))
    orgs = state.setdefault('exchange', {})
    org = orgs.setdefault(key, {'servers': {}, 'domain': domain,
                                'domain_controller': settings.get('domain_controller', 'dc01.%s' % domain if domain else 'dc01')})
    servers = org['servers']
    own_name = str(host.computer_name).upper()
    if own_name not in servers:
        servers[own_name] = server_record(own_name, host.version, host.fqdn, settings)
    for index, extra in enumerate(settings.get('servers', []) or []):
        if not isinstance(extra, dict) or 'name' not in extra or 'version' not in extra:
            raise ValueError('host %s: settings.servers[%d] must be a mapping with name and version' % (host.name, index))
        name = str(extra['name']).upper()
        if name not in servers:
            fqdn = extra.get('fqdn') or ('%s.%s' % (name.lower(), domain) if domain else name.lower())
            servers[name] = server_record(name, str(extra['version']), fqdn, extra)
    return org


def admin_display_version(build: str) -> str:
    """ServerVersion.ToString(): "Version 15.1 (Build 2507.6)" (format shown by Get-ExchangeServer; design.md section 3)."""
    major, minor, build_number, revision = (build.split('.') + ['0', '0', '0', '0'])[:4]
    return 'Version %s.%s (Build %s.%s)' % (major, minor, build_number, revision)


class ExchangeFeature:
    """Base of the feature models (one file per feature, mirroring plugins/module_utils/exchange/): the session's org
    state, the errors Exchange tasks write, and server lookups. ``IMPLEMENTED`` lists the cmdlets a feature models;
    ``handlers`` maps each to its method."""

    IMPLEMENTED: tuple[str, ...] = ()

    def __init__(self, org: dict[str, Any], session_server: str, remote: bool, topology: Any = None) -> None:
        self.org = org
        self.session_server = session_server
        self.remote = remote
        # the lab topology (lab/topology.py), for what the server can reach (other hosts, Skype pools); None in tests
        # that build a model without one
        self.topology = topology

    def handlers(self) -> dict[str, Any]:
        """{cmdlet: method}; by default the method named after the cmdlet (Get-AuthConfig -> get_auth_config)."""
        found = {}
        for name in self.IMPLEMENTED:
            verb, noun = name.split('-', 1)
            method = verb.lower() + ''.join('_' + ch.lower() if ch.isupper() else ch for ch in noun)
            found[name] = getattr(self, method)
        return found

    # -- errors -----------------------------------------------------------------------------------------------

    def _task_error(self, call: BoundCall, message: str, exception_name: str) -> PSError:
        """An error written by an Exchange task.

        No source for the exact FullyQualifiedErrorId: from recollection of Exchange 2013+ output, remote sessions show
        ``[Server=EX01,RequestId=<guid>,TimeStamp=<time>] [FailureCategory=Cmdlet-<Exception>] <hex>,<task class>`` with
        category NotSpecified and a RemoteException; the snap-in shows ``<hex>,<task class>`` and the Exchange exception.
        """
        verb, noun = call.cmdlet.split('-', 1)
        task = '%s.%s%s' % (TASK_NAMESPACE, verb, noun)
        code = '%08X' % zlib.crc32(('%s|%s' % (call.cmdlet, exception_name)).encode('ascii'))
        short_name = exception_name.rsplit('.', 1)[-1]
        if self.remote:
            stamp = format_datetime_en_us(datetime.datetime.now(datetime.timezone.utc))
            fqid = '[Server=%s,RequestId=%s,TimeStamp=%s] [FailureCategory=Cmdlet-%s] %s,%s' % (
                self.session_server, uuid.uuid4(), stamp, short_name, code, task)
            return PSError(message, fqid, 'NotSpecified', REMOTE_EXCEPTION)
        return PSError(message, '%s,%s' % (code, task), 'NotSpecified', exception_name)

    def _not_found(self, call: BoundCall, identity: str) -> PSError:
        # Source: Exchange's ManagementObjectNotFoundException text, e.g. Microsoft Q&A 2108696 "The operation couldn't
        # be performed because object '...' couldn't be found on '<DC FQDN>'."
        return self._task_error(call, "The operation couldn't be performed because object '%s' couldn't be found on '%s'."
                                % (identity, self.org['domain_controller']),
                                'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException')

    # -- lookups ----------------------------------------------------------------------------------------------

    def _resolve(self, call: BoundCall, identity: str | None) -> list[dict[str, Any]]:
        """Servers matching an Identity by Name or FQDN, case-insensitively (other identity forms are not modelled).

        ``$null`` returns every server. Source: REF-EX Get-ExchangeServer -Identity: "The value $null ... for the
        Identity parameter returns all objects as if you ran the Get- command without the Identity parameter."
        """
        servers = sorted(self.org['servers'].values(), key=lambda server: server['name'])
        if identity is None:
            return servers
        wanted = identity.strip().lower()
        found = [server for server in servers if wanted in (server['name'].lower(), server['fqdn'].lower())]
        if not found:
            raise self._not_found(call, identity)
        return found

    @staticmethod
    def _uri(text: str | None) -> PSUri | None:
        return None if text is None else parse_uri(text)

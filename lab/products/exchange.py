# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model of an Exchange Server 2013/2016/2019/SE organisation: the cmdlets the lab implements.

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
from typing import Any, Callable

from ..binder import BoundCall
from ..pserrors import REMOTE_EXCEPTION, PSError, lab_not_implemented
from ..psvalues import PSEnum, PSObject, PSText, PSUri, format_datetime_en_us, parse_uri
from .common import Outcome, ProductModel, refuse_unmodelled

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


class ExchangeModel(ProductModel):
    """The cmdlets of one Exchange session (remote or snap-in) against an org state."""

    def __init__(self, org: dict[str, Any], session_server: str, remote: bool) -> None:
        self.org = org
        self.session_server = session_server
        self.remote = remote
        self.handlers: dict[str, Callable[[BoundCall], Outcome]] = {
            'Get-ExchangeServer': self.get_exchange_server,
            'Get-ClientAccessServer': self.get_client_access,
            'Get-ClientAccessService': self.get_client_access,
            'Set-ClientAccessServer': self.set_client_access,
            'Set-ClientAccessService': self.set_client_access,
        }

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

    # -- cmdlets ----------------------------------------------------------------------------------------------

    def get_exchange_server(self, call: BoundCall) -> Outcome:
        """Get-ExchangeServer: Name, Fqdn, AdminDisplayVersion, ServerRole, Edition, Site, Identity, Domain.

        Property names: REF-EX / OfficeDocs-Exchange build-numbers page ("Get-ExchangeServer | Format-List
        Name,Edition,AdminDisplayVersion") and integration-procedure.md section 1; ServerRole values: brief.
        """
        refuse_unmodelled(call, {'Identity', 'Domain', 'Status'})
        # -Status only adds live properties (Watson state, StaticDomainControllers...) the lab does not model:
        # they are absent from the objects and come back as null.
        servers = self._resolve(call, call.values.get('Identity'))
        if call.has('Domain'):
            domain = (call.values['Domain'] or '').lower()
            servers = [server for server in servers if server['fqdn'].partition('.')[2] == domain]
        objects = []
        for server in servers:
            # ToString() of an Exchange configuration object is its Identity (no source: recollection of ADObject.ToString)
            objects.append(PSObject(text=server['name'], properties={
                'Name': server['name'],
                'Identity': PSText(server['name']),
                'Fqdn': PSText(server['fqdn']),
                'Domain': server['fqdn'].partition('.')[2],
                'AdminDisplayVersion': PSText(admin_display_version(server['build'])),
                'ServerRole': PSEnum('ServerRole', SERVER_ROLES[server['version']]),
                'Edition': PSEnum('ServerEditionType', server['edition']),
                # ADObjectId.ToString() of the site: "<domain>/Configuration/Sites/<site>"
                'Site': PSText('%s/Configuration/Sites/%s' % (self.org.get('domain', ''), server['site'])),
            }))
        return Outcome(objects=objects)

    def _cas_object(self, server: dict[str, Any]) -> PSObject:
        """A ClientAccessServer / ClientAccessService object (property names: integration-procedure.md section 4)."""
        return PSObject(text=server['name'], properties={
            'Name': server['name'],
            'Identity': PSText(server['name']),
            'Fqdn': PSText(server['fqdn']),
            'AutoDiscoverServiceInternalUri': self._uri(server['auto_discover_service_internal_uri']),
            'AutoDiscoverSiteScope': list(server['auto_discover_site_scope']),
        })

    def get_client_access(self, call: BoundCall) -> Outcome:
        """Get-ClientAccessServer / Get-ClientAccessService.

        Every server of the org is returned: Exchange 2013 servers are multi-role here and 2016+ Mailbox servers
        carry the Client Access services (integration-procedure.md section 4). No deprecation warning is emitted
        for Get-ClientAccessServer on 2016/2019: the reference has no text for one (brief: do not invent it).
        """
        refuse_unmodelled(call, {'Identity'})
        return Outcome(objects=[self._cas_object(server) for server in self._resolve(call, call.values.get('Identity'))])

    def set_client_access(self, call: BoundCall) -> Outcome:
        """Set-ClientAccessServer / Set-ClientAccessService -Identity X [-AutoDiscoverServiceInternalUri] [-AutoDiscoverSiteScope]."""
        refuse_unmodelled(call, {'Identity', 'AutoDiscoverServiceInternalUri', 'AutoDiscoverSiteScope', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        server = self._resolve(call, call.values['Identity'])[0]
        updated = dict(server)
        if call.has('AutoDiscoverServiceInternalUri'):
            uri = call.values['AutoDiscoverServiceInternalUri']
            if uri is not None and not uri.is_absolute:
                # No source for the text: the lab requires an absolute URI for the SCP (Exchange stores a URL for
                # clients to call; a relative one is meaningless), and fails rather than accept it.
                raise self._task_error(call, "The value '%s' of AutoDiscoverServiceInternalUri isn't an absolute URI." % uri.original,
                                       'Microsoft.Exchange.Data.DataValidationException')
            # $null clears the property
            updated['auto_discover_service_internal_uri'] = None if uri is None else uri.absolute_uri
        if call.has('AutoDiscoverSiteScope'):
            scope = call.values['AutoDiscoverSiteScope']
            updated['auto_discover_site_scope'] = [] if scope is None else [item for item in scope if item is not None]
        if call.switch('WhatIf'):
            # -WhatIf writes "What if: ..." to the host (not captured) and changes nothing
            return Outcome()
        if self._same(server, updated):
            return Outcome(warnings=[NO_CHANGE_WARNING % server['name']])
        server.update(updated)
        return Outcome(changed=True)

    def _same(self, before: dict[str, Any], after: dict[str, Any]) -> bool:
        """Whether a Set changes nothing (URIs compare as System.Uri does: on their normalised form)."""
        old_uri = self._uri(before['auto_discover_service_internal_uri'])
        new_uri = self._uri(after['auto_discover_service_internal_uri'])
        same_uri = (old_uri is None and new_uri is None) or (old_uri is not None and new_uri is not None and str(old_uri) == str(new_uri))
        return same_uri and before['auto_discover_site_scope'] == after['auto_discover_site_scope']


IMPLEMENTED = ('Get-ExchangeServer', 'Get-ClientAccessServer', 'Get-ClientAccessService', 'Set-ClientAccessServer',
               'Set-ClientAccessService')

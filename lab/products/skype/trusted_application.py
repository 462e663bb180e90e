# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Trusted application pools and trusted applications (the Outlook on the web IM pool of integration-procedure.md
section 14.2) and Enable-CsTopology; mirrors plugins/module_utils/skype/trusted_application.py.

Sources: REF-SFB New-/Get-/Set-/Remove-CsTrustedApplicationPool.md, New-/Get-/Set-/Remove-CsTrustedApplication.md,
Enable-CsTopology.md (MicrosoftDocs/office-docs-powershell, skype/skype-ps/skype/). Error texts: no source (the pages
give none); the FQIDs and exception types are lab choices.

State (in the deployment dict)::

    "trusted_application_pools": [{"fqdn", "site", "registrar", "requires_replication", "throttle_as_server",
                                    "treat_as_authenticated", "outbound_only", "service_id", "on_topology_pool"}],
    "trusted_applications": [{"pool", "application_id", "port"}],
    "topology_publication": {"pending": bool, "enabled": <number of Enable-CsTopology runs>, "last_enabled_by": fqdn}
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import PSError, lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found

# REF-SFB Get-CsTrustedApplication: "you'll see an ID that looks more like this: TrustPool.litwareinc.com/urn:application:tapp2"
URN = 'urn:application:'
POOL_PREFIX = 'TrustedApplicationPool:'


def _invalid(cmdlet: str, message: str) -> PSError:
    """A refused value. No source for the text, FQID or exception type (lab choice)."""
    return PSError(message, 'InvalidArgument,%s' % cmdlet, 'InvalidArgument', 'System.ArgumentException')


def _application_id(text: str) -> str:
    """The bare application ID: the urn:application: prefix is optional on input (REF-SFB Get-CsTrustedApplication
    -ApplicationId: "urn:application:tapp1 and tapp1 will both return the same application"; for New- an inference)."""
    text = str(text).strip()
    return text[len(URN):] if text.lower().startswith(URN) else text


class TrustedApplications(SkypeFeature):
    """Get-/New-/Set-/Remove-CsTrustedApplicationPool, Get-/New-/Set-/Remove-CsTrustedApplication, Enable-CsTopology."""

    IMPLEMENTED = ('Get-CsTrustedApplicationPool', 'New-CsTrustedApplicationPool', 'Set-CsTrustedApplicationPool',
                   'Remove-CsTrustedApplicationPool', 'Get-CsTrustedApplication', 'New-CsTrustedApplication',
                   'Set-CsTrustedApplication', 'Remove-CsTrustedApplication', 'Enable-CsTopology')

    # -- state ----------------------------------------------------------------------------------------------------

    @property
    def pools(self) -> list[dict[str, Any]]:
        return self.deployment.setdefault('trusted_application_pools', [])

    @property
    def applications(self) -> list[dict[str, Any]]:
        return self.deployment.setdefault('trusted_applications', [])

    def _published(self) -> None:
        """The cmdlets write the topology; it takes effect only once enabled (REF-SFB Enable-CsTopology: "changes will not
        take effect until they have been both published and enabled")."""
        self.deployment.setdefault('topology_publication', {'pending': False, 'enabled': 0, 'last_enabled_by': None})['pending'] = True

    def _find_pool(self, cmdlet: str, identity: str, required: bool = True) -> dict[str, Any] | None:
        """A trusted application pool by FQDN or service ID (REF-SFB -Identity: "The fully qualified domain name (FQDN)
        or service ID of the pool"); the Identity form TrustedApplicationPool:<fqdn> is accepted too (lab choice)."""
        text = str(identity).strip().lower()
        if text.startswith(POOL_PREFIX.lower()):
            text = text[len(POOL_PREFIX):]
        for pool in self.pools:
            if text in (pool['fqdn'], pool['service_id'].lower()):
                return pool
        if required:
            raise _not_found(cmdlet, 'trusted application pool', identity)
        return None

    def _site(self, cmdlet: str, value: str) -> dict[str, Any]:
        """-Site takes the SiteId, never "site:<name>" (REF-SFB New-CsTrustedApplicationPool -Site: "you must use the
        SiteId property rather than the Identity of the site ... you must not precede the SiteId with the string
        "site:""). The lab's SiteId is the site's number (Get-CsSite SiteId, lab/products/skype/topology.py)."""
        text = str(value).strip()
        if text.lower().startswith('site:'):
            raise _invalid(cmdlet, 'Site "%s" is a site Identity: give the SiteId (Get-CsSite) without "site:".' % text)
        for site in self.deployment['sites']:
            if text == str(site['site_id']):
                return site
        raise _not_found(cmdlet, 'site', text)

    def _registrar(self, cmdlet: str, value: str) -> str:
        """The Registrar service ID for an FQDN or service ID (REF-SFB -Registrar: "The service ID or FQDN of the Registrar
        service"). A value that names no Registrar service of the topology is refused: no source (inference: the
        dependency is on a service of the topology)."""
        text = str(value).strip().lower()
        fqdn = text[len('registrar:'):] if text.startswith('registrar:') else text
        for pool in self.deployment['pools']:
            if any(str(service).lower() == 'registrar:%s' % fqdn for service in pool['services']):
                return 'Registrar:%s' % pool['fqdn']
        raise _not_found(cmdlet, 'Registrar service', value)

    def _pool_object(self, pool: dict[str, Any]) -> PSObject:
        """DisplayExternalServer (REF-SFB Get-CsTrustedApplicationPool OUTPUTS). Identity "TrustedApplicationPool:<FQDN>"
        (REF-SFB Get-CsTrustedApplicationPool example 3); PoolFqdn (REF-SFB New- -Identity "saved as the PoolFqdn");
        SiteId holds the site Identity (REF-SFB New- -Site: "will show the SiteId as site:Redmond1"; the lab writes
        "Site:<name>" as its Get-CsSite Identity); ServiceId "<site>-ExternalServer-<n>" (REF-SFB Get- example 4; the lab
        uses the site number). Registrar as the service ID "Registrar:<FQDN>": no source (assumption; the module compares
        both forms). The Boolean settings: integration-procedure.md 14.2 [param-mirror]."""
        site = next((entry for entry in self.deployment['sites'] if entry['name'].lower() == pool['site'].lower()), None)
        return PSObject({
            'Identity': PSText(POOL_PREFIX + pool['fqdn']),
            'PoolFqdn': pool['fqdn'],
            'SiteId': PSText('Site:%s' % (site['name'] if site else pool['site'])),
            'Registrar': PSText(pool['registrar']) if pool['registrar'] else None,
            'RequiresReplication': pool['requires_replication'],
            'ThrottleAsServer': pool['throttle_as_server'],
            'TreatAsAuthenticated': pool['treat_as_authenticated'],
            'OutboundOnly': pool['outbound_only'],
            'ServiceId': PSText(pool['service_id']),
        }, POOL_PREFIX + pool['fqdn'])

    def _application_object(self, app: dict[str, Any]) -> PSObject:
        """DisplayTrustedApplication (REF-SFB Get-CsTrustedApplication OUTPUTS): Identity "<pool>/urn:application:<id>",
        ApplicationId "urn:application:<id>" (REF-SFB New-CsTrustedApplication: "the full application ID will be
        automatically prefixed with the string urn:application:"), TrustedApplicationPoolFqdn (REF-SFB
        Get-CsTrustedApplication example 5), Port."""
        identity = '%s/%s%s' % (app['pool'], URN, app['application_id'])
        return PSObject({'Identity': PSText(identity), 'ApplicationId': URN + app['application_id'],
                         'TrustedApplicationPoolFqdn': app['pool'], 'Port': app['port']}, identity)

    # -- pools ----------------------------------------------------------------------------------------------------

    def get_cs_trusted_application_pool(self, call: BoundCall) -> Outcome:
        """Get-CsTrustedApplicationPool [-Identity <FQDN|service ID> | -Filter <wildcard on Identity>] [-PoolFqdn <FQDN>]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'PoolFqdn'})
        pools = list(self.pools)
        if call.values.get('Identity') is not None:
            pools = [self._find_pool(call.cmdlet, call.values['Identity'])]
        if call.values.get('PoolFqdn') is not None:
            # REF-SFB -PoolFqdn: "behaves the same as the Identity parameter"
            wanted = call.values['PoolFqdn'].strip().lower()
            pools = [pool for pool in pools if pool['fqdn'] == wanted]
            if not pools:
                raise _not_found(call.cmdlet, 'trusted application pool', call.values['PoolFqdn'])
        pattern = call.values.get('Filter')
        if pattern is not None:
            # REF-SFB -Filter: a wildcard on the Identity, e.g. *:TrustPool.* (example 3)
            pools = [pool for pool in pools if fnmatch.fnmatchcase((POOL_PREFIX + pool['fqdn']).lower(), pattern.lower())]
        return Outcome(objects=[self._pool_object(pool) for pool in pools])

    def new_cs_trusted_application_pool(self, call: BoundCall) -> Outcome:
        """New-CsTrustedApplicationPool -Identity <FQDN> [-Registrar] [-Site <SiteId>] [-RequiresReplication]
        [-ThrottleAsServer] [-TreatAsAuthenticated] [-OutboundOnly]. ComputerFqdn and the port ranges are not modelled."""
        refuse_unmodelled(call, {'Identity', 'Registrar', 'Site', 'RequiresReplication', 'ThrottleAsServer', 'TreatAsAuthenticated',
                                 'OutboundOnly', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        fqdn = str(call.values['Identity']).strip().lower()
        if self._find_pool(call.cmdlet, fqdn, required=False) is not None:
            # no source: the pages do not say what a second New- for a trusted application pool does (lab choice: refused)
            raise PSError('Trusted application pool "%s" already exists.' % fqdn, 'DuplicateIdentity,%s' % call.cmdlet,
                          'ResourceExists', 'System.InvalidOperationException')
        topology_pool = next((pool for pool in self.deployment['pools'] if pool['fqdn'] == fqdn), None)
        if topology_pool is not None:
            # REF-SFB: "If the pool already exists as part of the topology, this cmdlet creates the external service
            # associated with that pool (with a service role of ExternalServer)"; -Site: "If the pool specified in the
            # Identity already exists you do not need to specify a Site."
            site_name = topology_pool['site']
            if call.values.get('Site') is not None:
                site_name = self._site(call.cmdlet, call.values['Site'])['name']
        else:
            if call.values.get('Site') is None:
                # REF-SFB -Site: "If the pool doesn't exist, this parameter is required."
                raise _invalid(call.cmdlet, 'The pool "%s" does not exist in the topology: -Site is required.' % fqdn)
            site_name = self._site(call.cmdlet, call.values['Site'])['name']
        registrar = self._registrar(call.cmdlet, call.values['Registrar']) if call.values.get('Registrar') else None
        if call.switch('WhatIf'):
            return Outcome()
        site = next(entry for entry in self.deployment['sites'] if entry['name'].lower() == site_name.lower())
        number = 1 + sum(1 for pool in self.pools if pool['service_id'].lower().startswith('%s-externalserver-' % site['site_id']))
        pool = {
            'fqdn': fqdn, 'site': site['name'], 'registrar': registrar,
            # defaults: REF-SFB New-CsTrustedApplicationPool ("Default: True" / "Default: False")
            'requires_replication': call.values.get('RequiresReplication', True),
            'throttle_as_server': call.values.get('ThrottleAsServer', True),
            'treat_as_authenticated': call.values.get('TreatAsAuthenticated', True),
            'outbound_only': call.values.get('OutboundOnly', False),
            'service_id': '%s-ExternalServer-%d' % (site['site_id'], number),
            'on_topology_pool': topology_pool is not None,
        }
        self.pools.append(pool)
        if topology_pool is not None:
            topology_pool['services'].append('ExternalServer:%s' % fqdn)
        self._published()
        return Outcome(objects=[self._pool_object(pool)], changed=True)

    def set_cs_trusted_application_pool(self, call: BoundCall) -> Outcome:
        """Set-CsTrustedApplicationPool [-Identity] <FQDN|service ID> [-Registrar] [-RequiresReplication] [-ThrottleAsServer]
        [-TreatAsAuthenticated] [-OutboundOnly] (the reference has no -Site nor -ComputerFqdn)."""
        settings = {'Registrar': 'registrar', 'RequiresReplication': 'requires_replication', 'ThrottleAsServer': 'throttle_as_server',
                    'TreatAsAuthenticated': 'treat_as_authenticated', 'OutboundOnly': 'outbound_only'}
        refuse_unmodelled(call, set(settings) | {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        if call.values.get('Identity') is None:
            # the reference marks Identity optional (pipeline input of an Instance): without it nothing is named
            raise lab_not_implemented('Set-CsTrustedApplicationPool without -Identity (pipeline input)')
        pool = self._find_pool(call.cmdlet, call.values['Identity'])
        values = dict(call.values)
        if values.get('Registrar'):
            values['Registrar'] = self._registrar(call.cmdlet, values['Registrar'])
        if call.switch('WhatIf'):
            return Outcome()
        changed = False
        for parameter, key in settings.items():
            if parameter in values:
                pool[key] = values[parameter]
                changed = True
        if changed:
            self._published()
        return Outcome(changed=changed)

    def remove_cs_trusted_application_pool(self, call: BoundCall) -> Outcome:
        """Remove-CsTrustedApplicationPool [-Identity] <FQDN|service ID>: also removes the pool's applications (REF-SFB:
        "removing the pool also removes all computers, applications and application endpoints associated with that
        pool"); refused for a pool without a Registrar (REF-SFB: "you cannot remove a trusted application pool that does
        not have a Registrar value")."""
        refuse_unmodelled(call, {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        pool = self._find_pool(call.cmdlet, call.values['Identity'])
        if not pool['registrar']:
            raise PSError('The trusted application pool "%s" has no Registrar and cannot be removed: set one with '
                          'Set-CsTrustedApplicationPool -Registrar first.' % pool['fqdn'], 'NoRegistrar,%s' % call.cmdlet,
                          'InvalidOperation', 'System.InvalidOperationException')
        if call.switch('WhatIf'):
            return Outcome()
        self.pools.remove(pool)
        self.deployment['trusted_applications'] = [app for app in self.applications if app['pool'] != pool['fqdn']]
        if pool.get('on_topology_pool'):
            for topology_pool in self.deployment['pools']:
                if topology_pool['fqdn'] == pool['fqdn']:
                    topology_pool['services'] = [service for service in topology_pool['services']
                                                 if service.lower() != 'externalserver:%s' % pool['fqdn']]
        self._published()
        return Outcome(changed=True)

    # -- applications ---------------------------------------------------------------------------------------------

    def _application_key(self, call: BoundCall) -> tuple[str, str]:
        """(pool FQDN, bare application ID) from -Identity <pool>/<id> or -ApplicationId with -TrustedApplicationPoolFqdn."""
        identity = call.values.get('Identity')
        if identity is not None:
            pool, slash, application = str(identity).strip().partition('/')
            if not slash or not application:
                raise _invalid(call.cmdlet, 'Identity "%s" must be <pool FQDN>/<application ID>.' % identity)
            return pool.strip().lower(), _application_id(application)
        return str(call.values['TrustedApplicationPoolFqdn']).strip().lower(), _application_id(call.values['ApplicationId'])

    def _find_application(self, pool: str, application: str) -> dict[str, Any] | None:
        return next((app for app in self.applications
                     if app['pool'] == pool and app['application_id'].lower() == application.lower()), None)

    def _check_port(self, cmdlet: str, pool: str, port: int, own: dict[str, Any] | None) -> None:
        # REF-SFB New-CsTrustedApplication -Port: "The port must be unique within a given pool"; the TCP range: no source
        if not 1 <= int(port) <= 65535:
            raise _invalid(cmdlet, 'Port %s is outside 1-65535.' % port)
        for app in self.applications:
            if app['pool'] == pool and app is not own and app['port'] == int(port):
                raise _invalid(cmdlet, 'Port %s is already used by %s/%s%s.' % (port, pool, URN, app['application_id']))

    def get_cs_trusted_application(self, call: BoundCall) -> Outcome:
        """Get-CsTrustedApplication [-Identity <pool>/<id> | -Filter <wildcard> | -ApplicationId -TrustedApplicationPoolFqdn]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'ApplicationId', 'TrustedApplicationPoolFqdn'})
        apps = list(self.applications)
        if call.values.get('Identity') is not None or call.values.get('ApplicationId') is not None:
            if call.values.get('Identity') is None and call.values.get('TrustedApplicationPoolFqdn') is None:
                # REF-SFB -ApplicationId: "you must supply a value for the TrustedApplicationPoolFqdn parameter"
                raise _invalid(call.cmdlet, '-ApplicationId needs -TrustedApplicationPoolFqdn.')
            pool, application = self._application_key(call)
            found = self._find_application(pool, application)
            if found is None:
                raise _not_found(call.cmdlet, 'trusted application', '%s/%s' % (pool, application))
            apps = [found]
        elif call.values.get('TrustedApplicationPoolFqdn') is not None:
            # REF-SFB -TrustedApplicationPoolFqdn: "you must supply a value for the ApplicationID parameter"
            raise _invalid(call.cmdlet, '-TrustedApplicationPoolFqdn needs -ApplicationId.')
        pattern = call.values.get('Filter')
        if pattern is not None:
            # REF-SFB -Filter: matches any part of the Identity <pool>/urn:application:<id>
            apps = [app for app in apps if fnmatch.fnmatchcase(('%s/%s%s' % (app['pool'], URN, app['application_id'])).lower(), pattern.lower())]
        return Outcome(objects=[self._application_object(app) for app in apps])

    def new_cs_trusted_application(self, call: BoundCall) -> Outcome:
        """New-CsTrustedApplication (-Identity <pool>/<id> | -ApplicationId <id> -TrustedApplicationPoolFqdn <FQDN>) -Port."""
        refuse_unmodelled(call, {'Identity', 'ApplicationId', 'TrustedApplicationPoolFqdn', 'Port', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        if call.values.get('Identity') is None and call.parameter_set == 'Identity':
            raise lab_not_implemented('New-CsTrustedApplication without -Identity nor -ApplicationId')
        pool_fqdn, application = self._application_key(call)
        if not application or any(ch.isspace() for ch in application):
            # REF-SFB -ApplicationId: "The string cannot contain spaces."
            raise _invalid(call.cmdlet, 'ApplicationId "%s" cannot contain spaces.' % application)
        pool = self._find_pool(call.cmdlet, pool_fqdn)
        if self._find_application(pool['fqdn'], application) is not None:
            # REF-SFB -ApplicationId: "a string that is unique within the pool"
            raise _invalid(call.cmdlet, 'Application "%s" already exists on pool %s.' % (application, pool['fqdn']))
        self._check_port(call.cmdlet, pool['fqdn'], call.values['Port'], None)
        if call.switch('WhatIf'):
            return Outcome()
        app = {'pool': pool['fqdn'], 'application_id': application, 'port': int(call.values['Port'])}
        self.applications.append(app)
        self._published()
        return Outcome(objects=[self._application_object(app)], changed=True)

    def set_cs_trusted_application(self, call: BoundCall) -> Outcome:
        """Set-CsTrustedApplication [-Identity] <pool>/<id> [-Port] (the only setting the reference lists)."""
        refuse_unmodelled(call, {'Identity', 'Port', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        if call.values.get('Identity') is None:
            raise lab_not_implemented('Set-CsTrustedApplication without -Identity (pipeline input)')
        pool, application = self._application_key(call)
        app = self._find_application(pool, application)
        if app is None:
            raise _not_found(call.cmdlet, 'trusted application', call.values['Identity'])
        if call.values.get('Port') is None:
            return Outcome()
        self._check_port(call.cmdlet, pool, call.values['Port'], app)
        if call.switch('WhatIf'):
            return Outcome()
        app['port'] = int(call.values['Port'])
        self._published()
        return Outcome(changed=True)

    def remove_cs_trusted_application(self, call: BoundCall) -> Outcome:
        """Remove-CsTrustedApplication [-Identity] <pool>/<id>."""
        refuse_unmodelled(call, {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        pool, application = self._application_key(call)
        app = self._find_application(pool, application)
        if app is None:
            raise _not_found(call.cmdlet, 'trusted application', call.values['Identity'])
        if call.switch('WhatIf'):
            return Outcome()
        self.applications.remove(app)
        self._published()
        return Outcome(changed=True)

    # -- topology -------------------------------------------------------------------------------------------------

    def enable_cs_topology(self, call: BoundCall) -> Outcome:
        """Enable-CsTopology: the published topology takes effect (REF-SFB Enable-CsTopology; integration-procedure.md 14.2:
        "must be run after creating the trusted application"). Recorded as a count of runs and the pending flag cleared."""
        refuse_unmodelled(call, {'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        if call.switch('WhatIf'):
            return Outcome()
        record = self.deployment.setdefault('topology_publication', {'pending': False, 'enabled': 0, 'last_enabled_by': None})
        record['pending'] = False
        record['enabled'] = int(record.get('enabled') or 0) + 1
        record['last_enabled_by'] = self.server
        return Outcome(changed=True)

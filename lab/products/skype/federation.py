# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Federation settings of the deployment that the Exchange Online branch uses (integration-procedure.md section 7):
the global Access Edge configuration, hosting providers, and the Central Management store replication status;
mirrors plugins/module_utils/skype/exchange_online.py.

State (``federation`` in the deployment entry, created on first use)::

    {"access_edge": {<property>: value}, "hosting_providers": [{<property>: value}], "changed_at": "<ISO UTC>"}

Topology settings of a host (read when the deployment's federation state is created, except ``stale_replicas``):
``access_edge`` ({property: value} over the documented defaults), ``hosting_providers`` (providers present from the
start: ``{Identity, ProxyFqdn, Enabled?, EnabledSharedAddressSpace?, HostsOCSUsers?, IsLocal?, VerificationLevel?,
AutodiscoverUrl?}``), ``stale_replicas`` (FQDNs whose replica reports UpToDate False). The replicas are the computers
of the deployment's pools (Get-CsPool): an Edge Server is added with the topology setting ``pools`` of
organization.py, e.g. ``{fqdn: edge01.contoso.local, services: ['EdgeServer:edge01.contoso.local']}``.
"""

from __future__ import annotations

import datetime
import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import PSError, lab_not_implemented
from ...psvalues import PSEnum, PSObject, PSText, format_roundtrip_utc
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found

# Documented defaults (REF-SFB Set-CsAccessEdgeConfiguration parameter descriptions: "The default value is ...").
ACCESS_EDGE_DEFAULTS = {
    'AllowAnonymousUsers': False,
    'AllowFederatedUsers': False,
    'AllowOutsideUsers': True,
    'BeClearingHouse': False,
    'EnableArchivingDisclaimer': False,
    'EnablePartnerDiscovery': False,
    'KeepCrlsUpToDateForPeers': True,
    'MarkSourceVerifiableOnOutgoingMessages': True,
}
# Set-CsAccessEdgeConfiguration parameters the lab models (the Boolean settings above); routing switches
# (UseDnsSrvRouting, UseDefaultRouting, DefaultRouteFqdn) are refused as unmodelled.
ACCESS_EDGE_SETTABLE = set(ACCESS_EDGE_DEFAULTS)

# VerificationLevelType names: REF-SFB New-CsHostingProvider -VerificationLevel ("must be set to one of the following
# values: AlwaysVerifiable ... AlwaysUnverifiable ... UseSourceVerification"); default AlwaysVerifiable
# (integration-procedure.md section 7.2, REF-SFB).
VERIFICATION_LEVELS = ('AlwaysVerifiable', 'AlwaysUnverifiable', 'UseSourceVerification')
DEFAULT_VERIFICATION_LEVEL = 'AlwaysVerifiable'
# .NET type of the enum, used only in the conversion message: no source (recollection of Microsoft.Rtc.Management).
VERIFICATION_LEVEL_TYPE = 'Microsoft.Rtc.Management.WritableConfig.Policy.Edge.VerificationLevelType'
# Hosting provider properties [param-mirror] (integration-procedure.md section 7.2); SipClientPort default 443
# (REF-SFB New-CsHostingProvider -SipClientPort: "the default value is 443"; it exists from Lync Server 2013 on).
PROVIDER_BOOLEANS = ('Enabled', 'EnabledSharedAddressSpace', 'HostsOCSUsers', 'IsLocal')
PROVIDER_SETTABLE = set(PROVIDER_BOOLEANS) | {'VerificationLevel', 'AutodiscoverUrl', 'SipClientPort'}
DEFAULT_SIP_CLIENT_PORT = 443
# LastUpdateCreation of a replica that never saw a change in the lab: no source (lab choice).
LAB_EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
# How far behind a stale replica is: no source (lab choice).
STALE_BY = datetime.timedelta(hours=6)


def _provider(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored provider from a topology seed, with the documented defaults (REF-SFB New-CsHostingProvider: Enabled,
    EnabledSharedAddressSpace, HostsOCSUsers, IsLocal default False; VerificationLevel AlwaysVerifiable)."""
    return {
        'Identity': str(entry['Identity']),
        'ProxyFqdn': str(entry['ProxyFqdn']),
        'Enabled': bool(entry.get('Enabled', False)),
        'EnabledSharedAddressSpace': bool(entry.get('EnabledSharedAddressSpace', False)),
        'HostsOCSUsers': bool(entry.get('HostsOCSUsers', False)),
        'IsLocal': bool(entry.get('IsLocal', False)),
        'VerificationLevel': str(entry.get('VerificationLevel', DEFAULT_VERIFICATION_LEVEL)),
        'AutodiscoverUrl': entry.get('AutodiscoverUrl'),
        'SipClientPort': int(entry.get('SipClientPort', DEFAULT_SIP_CLIENT_PORT)),
    }


class Federation(SkypeFeature):
    """Get-/Set-CsAccessEdgeConfiguration, Get-/New-/Set-/Remove-CsHostingProvider, Get-CsManagementStoreReplicationStatus."""

    IMPLEMENTED = ('Get-CsAccessEdgeConfiguration', 'Set-CsAccessEdgeConfiguration', 'Get-CsHostingProvider', 'New-CsHostingProvider',
                   'Set-CsHostingProvider', 'Remove-CsHostingProvider', 'Get-CsManagementStoreReplicationStatus')

    def _state(self) -> dict[str, Any]:
        state = self.deployment.get('federation')
        if state is None:
            edge = dict(ACCESS_EDGE_DEFAULTS)
            edge.update(dict(self.settings.get('access_edge') or {}))
            state = {'access_edge': edge, 'hosting_providers': [_provider(entry) for entry in self.settings.get('hosting_providers') or []],
                     'changed_at': format_roundtrip_utc(LAB_EPOCH)}
            # kept in memory; persisted with the first write (a read never changes the store)
            self.deployment['federation'] = state
        return state

    def _touch(self) -> None:
        """A change to the Central Management store: replicas catch up from this time."""
        self._state()['changed_at'] = format_roundtrip_utc(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))

    @staticmethod
    def _check_global(call: BoundCall, kind: str) -> None:
        """Only the Global collection exists (REF-SFB Get-CsAccessEdgeConfiguration -Identity: "you can only have a
        single, global instance of these settings")."""
        identity = call.values.get('Identity')
        if identity is not None and identity.strip().lower() != 'global':
            raise _not_found(call.cmdlet, kind, identity)

    @staticmethod
    def _local_store(call: BoundCall) -> None:
        # -LocalStore reads the local replica (on an Edge Server); the lab has one store per deployment
        if call.switch('LocalStore'):
            raise lab_not_implemented('-LocalStore (the local replica of the Central Management store)')

    # -- Access Edge configuration ----------------------------------------------------------------------------------

    def _edge_object(self) -> PSObject:
        """The global AccessEdgeConfiguration. Property names [param-mirror] (integration-procedure.md section 7.1);
        ToString(): the Identity (no source: lab choice)."""
        properties: dict[str, Any] = {'Identity': PSText('Global')}
        properties.update(self._state()['access_edge'])
        return PSObject(properties, 'Global')

    def get_cs_access_edge_configuration(self, call: BoundCall) -> Outcome:
        """Get-CsAccessEdgeConfiguration [-Identity Global | -Filter <wildcard>] [-LocalStore]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        self._local_store(call)
        self._check_global(call, 'AccessEdgeConfiguration')
        pattern = call.values.get('Filter')
        if pattern is not None and not fnmatch.fnmatchcase('global', pattern.lower()):
            return Outcome()
        return Outcome(objects=[self._edge_object()])

    def set_cs_access_edge_configuration(self, call: BoundCall) -> Outcome:
        """Set-CsAccessEdgeConfiguration [-Identity Global] -<Boolean setting> <value> (the Boolean settings only)."""
        refuse_unmodelled(call, ACCESS_EDGE_SETTABLE | {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        self._check_global(call, 'AccessEdgeConfiguration')
        if call.switch('WhatIf'):
            return Outcome()
        edge = self._state()['access_edge']
        changed = False
        for name in ACCESS_EDGE_SETTABLE:
            if call.has(name):
                edge[name] = bool(call.values[name])
                changed = True
        if changed:
            self._touch()
        return Outcome(changed=changed)

    # -- hosting providers --------------------------------------------------------------------------------------------

    def _provider_object(self, entry: dict[str, Any]) -> PSObject:
        """A hosting provider. Properties [param-mirror] (integration-procedure.md section 7.2); SipClientPort and
        AutodiscoverUrl exist from Lync Server 2013 on (REF-SFB applicability), so every lab version has them.
        VerificationLevel is an enum; ToString(): the Identity (no source: lab choice)."""
        properties: dict[str, Any] = {'Identity': PSText(entry['Identity']), 'Name': entry['Identity']}
        for name in ('ProxyFqdn',) + PROVIDER_BOOLEANS:
            properties[name] = entry[name]
        properties['VerificationLevel'] = PSEnum(VERIFICATION_LEVEL_TYPE, entry['VerificationLevel'])
        properties['AutodiscoverUrl'] = entry.get('AutodiscoverUrl')
        properties['SipClientPort'] = entry.get('SipClientPort', DEFAULT_SIP_CLIENT_PORT)
        return PSObject(properties, entry['Identity'])

    def _find(self, identity: str) -> dict[str, Any] | None:
        # XdsGlobalRelativeIdentity: compared case-insensitively (no source: as other Xds identities in the lab)
        wanted = identity.strip().lower()
        return next((entry for entry in self._state()['hosting_providers'] if entry['Identity'].lower() == wanted), None)

    @staticmethod
    def _verification_level(call: BoundCall) -> str:
        """The VerificationLevelType name (case-insensitive, as PowerShell converts enums), else the binder's
        conversion error (text: PowerShell's CannotConvertArgumentNoMessage with the enum message)."""
        text = str(call.values['VerificationLevel']).strip()
        for name in VERIFICATION_LEVELS:
            if name.lower() == text.lower():
                return name
        raise PSError('Cannot bind parameter \'VerificationLevel\'. Cannot convert value "%s" to type "%s". Error: "Unable to match '
                      'the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try '
                      'again:\n%s"' % (text, VERIFICATION_LEVEL_TYPE, text, ', '.join(VERIFICATION_LEVELS)),
                      'CannotConvertArgumentNoMessage,%s' % call.cmdlet, 'InvalidArgument',
                      'System.Management.Automation.ParameterBindingException')

    def get_cs_hosting_provider(self, call: BoundCall) -> Outcome:
        """Get-CsHostingProvider [-Identity <name> | -Filter <wildcard>] [-LocalStore]: all providers without -Identity
        (REF-SFB: "If this parameter is not specified ... will return a collection of all the hosting providers")."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        self._local_store(call)
        providers = list(self._state()['hosting_providers'])
        identity = call.values.get('Identity')
        if identity is not None:
            found = self._find(identity)
            if found is None:
                # An unknown Identity returns nothing rather than an error: no source (lab choice, as Get-CsPool
                # does not either); modules read every provider and select in Python.
                return Outcome()
            providers = [found]
        pattern = call.values.get('Filter')
        if pattern is not None:
            providers = [entry for entry in providers if fnmatch.fnmatchcase(entry['Identity'].lower(), pattern.lower())]
        return Outcome(objects=[self._provider_object(entry) for entry in providers])

    def new_cs_hosting_provider(self, call: BoundCall) -> Outcome:
        """New-CsHostingProvider -Identity -Enabled -ProxyFqdn -EnabledSharedAddressSpace -HostsOCSUsers [-IsLocal]
        [-VerificationLevel] [-AutodiscoverUrl] [-SipClientPort] (mandatory ones: REF-SFB syntax, checked by the binder)."""
        refuse_unmodelled(call, PROVIDER_SETTABLE | {'Identity', 'ProxyFqdn', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        identity = str(call.values['Identity']).strip()
        if self._find(identity) is not None:
            # REF-SFB New-CsHostingProvider -Identity: "Your command will fail if you try to create a new hosting
            # provider with the same Identity as an existing provider." Text, FQID and type: no source (lab choice).
            raise PSError('Cannot create hosting provider "%s": an item with this Identity already exists.' % identity,
                          'DuplicateIdentity,%s' % call.cmdlet, 'ResourceExists', 'System.InvalidOperationException')
        level = self._verification_level(call) if call.has('VerificationLevel') else DEFAULT_VERIFICATION_LEVEL
        if call.switch('WhatIf'):
            return Outcome()
        entry = _provider({'Identity': identity, 'ProxyFqdn': call.values['ProxyFqdn'], 'VerificationLevel': level})
        for name in PROVIDER_BOOLEANS:
            if call.has(name):
                entry[name] = bool(call.values[name])
        if call.has('AutodiscoverUrl'):
            entry['AutodiscoverUrl'] = call.values['AutodiscoverUrl']
        if call.has('SipClientPort'):
            entry['SipClientPort'] = int(call.values['SipClientPort'])
        self._state()['hosting_providers'].append(entry)
        self._touch()
        # New-CsHostingProvider writes no object unless -InMemory (no source: lab choice)
        return Outcome(changed=True)

    def set_cs_hosting_provider(self, call: BoundCall) -> Outcome:
        """Set-CsHostingProvider -Identity <name> [-Enabled] [-EnabledSharedAddressSpace] [-HostsOCSUsers] [-IsLocal]
        [-VerificationLevel] [-AutodiscoverUrl] [-SipClientPort]. ProxyFqdn is not a parameter of Set (REF-SFB: "this value
        cannot be modified"): the binder refuses it."""
        refuse_unmodelled(call, PROVIDER_SETTABLE | {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        identity = call.values.get('Identity')
        if identity is None:
            # Identity is optional in the syntax; which provider a Set without it changes: no source
            raise lab_not_implemented('Set-CsHostingProvider without -Identity')
        entry = self._find(identity)
        if entry is None:
            raise _not_found(call.cmdlet, 'hosting provider', identity)
        level = self._verification_level(call) if call.has('VerificationLevel') else None
        if call.switch('WhatIf'):
            return Outcome()
        for name in PROVIDER_BOOLEANS:
            if call.has(name):
                entry[name] = bool(call.values[name])
        if level is not None:
            entry['VerificationLevel'] = level
        if call.has('AutodiscoverUrl'):
            entry['AutodiscoverUrl'] = call.values['AutodiscoverUrl']
        if call.has('SipClientPort'):
            entry['SipClientPort'] = int(call.values['SipClientPort'])
        self._touch()
        return Outcome(changed=True)

    def remove_cs_hosting_provider(self, call: BoundCall) -> Outcome:
        """Remove-CsHostingProvider -Identity <name>; an unknown Identity fails (no source for the text: lab choice)."""
        refuse_unmodelled(call, {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        entry = self._find(call.values['Identity'])
        if entry is None:
            raise _not_found(call.cmdlet, 'hosting provider', call.values['Identity'])
        if call.switch('WhatIf'):
            return Outcome()
        self._state()['hosting_providers'].remove(entry)
        self._touch()
        return Outcome(changed=True)

    # -- replication ----------------------------------------------------------------------------------------------------

    def _replicas(self) -> list[str]:
        """Every computer of the deployment's pools (Front Ends, and an Edge Server given as a pool), in pool order.
        Source: REF-SFB Get-CsManagementStoreReplicationStatus ("a copy of this snapshot is then sent to each computer
        running Skype for Business Server services or server roles"); a SQL Server back end is not a replica."""
        found: list[str] = []
        for pool in self.deployment.get('pools') or []:
            for computer in pool.get('computers') or []:
                if computer.lower() not in found:
                    found.append(computer.lower())
        return found

    def get_cs_management_store_replication_status(self, call: BoundCall) -> Outcome:
        """Get-CsManagementStoreReplicationStatus [-ReplicaFqdn <FQDN>]: one ReplicaState per replica with UpToDate,
        ReplicaFqdn, LastUpdateCreation (REF-SFB examples 2 to 4). A replica listed in the host setting
        ``stale_replicas`` is not up to date and last updated six hours before the latest change (lab choice)."""
        refuse_unmodelled(call, {'ReplicaFqdn'})
        changed_at = datetime.datetime.fromisoformat(self._state()['changed_at'].replace('Z', '+00:00'))
        stale = {str(name).lower() for name in self.settings.get('stale_replicas') or []}
        replicas = self._replicas()
        wanted = call.values.get('ReplicaFqdn')
        if wanted is not None:
            # an FQDN that is no replica returns nothing: no source (lab choice)
            replicas = [name for name in replicas if name == wanted.strip().lower()]
        rows = []
        for name in replicas:
            up_to_date = name not in stale
            # ToString(): the FQDN (no source: lab choice)
            rows.append(PSObject({'UpToDate': up_to_date, 'ReplicaFqdn': name,
                                  'LastUpdateCreation': changed_at if up_to_date else min(changed_at, LAB_EPOCH) - STALE_BY}, name))
        return Outcome(objects=rows)

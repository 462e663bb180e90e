# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DnsServer module of a Windows DNS server (a domain controller, topology product ``windows``).

Its cmdlets are local on the server (no product shell) and edit the zones of ``state.json`` ``dns`` that the lab DNS
server (lab/dns.py) answers from, so a record added here resolves at once. Signatures: lab/reference/dnsserver.json
(hand-written from https://learn.microsoft.com/powershell/module/dnsserver/ pages, one "doc" URL per cmdlet).

Errors are CimExceptions with Win32 DNS codes as FullyQualifiedErrorId ("WIN32 <code>,<cmdlet>"). Sources of the texts:
* "Failed to create resource record <name> in zone <zone> on server <server>." (ResourceExists, WIN32 9711): the
  German original of a real server quoted in d-strobel/gowindows windows/dns/server/record_a_test.go ("Fehler beim
  Erstellen des Ressourcendatensatzes ...", CategoryInfo ResourceExists, CimException, WIN32 9711) translated back;
* "Failed to get <name> record in <zone> zone on <server> server." (ObjectNotFound, WIN32 9714) and "The zone <zone>
  was not found on server <server>." (ObjectNotFound, WIN32 9601): public stubs that reproduce the real cmdlets
  (DnsLathund tests, found by the search tool; not checked on a real server).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..binder import BoundCall
from ..dns import ensure_zones
from ..pserrors import PSError, lab_not_implemented
from ..psvalues import PSObject
from .common import Outcome, ProductModel, refuse_unmodelled

REFERENCE = 'dnsserver'
CIM_EXCEPTION = 'Microsoft.Management.Infrastructure.CimException'
# Add-DnsServerResourceRecord* without -TimeToLive: the zone's default TTL, 1 hour on a new Windows zone
# (no source checked: the SOA minimum TTL default of lab/dns.py).
DEFAULT_TTL = 3600
TICKS_PER_SECOND = 10 ** 7
_TIMESPAN = re.compile(r'^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$')


def _cim_error(message: str, code: int, cmdlet: str, category: str) -> PSError:
    return PSError(message, 'WIN32 %d,%s' % (code, cmdlet), category, CIM_EXCEPTION)


def timespan_seconds(value: Any, cmdlet: str) -> int:
    """A TimeSpan argument in whole seconds. PowerShell converts a string with TimeSpan.Parse ("[d.]hh:mm[:ss[.fffffff]]")
    and an integer through the TimeSpan(Int64 ticks) constructor, so 3600 is 0.00036 s (Source: .NET TimeSpan
    constructors and LanguagePrimitives conversion by constructor); the DNS server keeps whole seconds (no source)."""
    if isinstance(value, bool) or value is None:
        raise lab_not_implemented('a %s TimeToLive of %s' % (cmdlet, type(value).__name__))
    if isinstance(value, int):
        return value // TICKS_PER_SECOND
    match = _TIMESPAN.match(str(value))
    if not match:
        # Source: PowerShell's conversion error for TimeSpan.Parse (FormatException)
        raise PSError('Cannot process argument transformation on parameter \'TimeToLive\'. Cannot convert value "%s" to type '
                      '"System.TimeSpan". Error: "String was not recognized as a valid TimeSpan."' % value,
                      'ParameterArgumentTransformationError,%s' % cmdlet, 'InvalidData',
                      'System.Management.Automation.ParameterBindingArgumentTransformationException')
    sign, days, hours, minutes, seconds, _fraction = match.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    return -total if sign else total


def timespan_object(seconds: int) -> PSObject:
    days, rest = divmod(seconds, 86400)
    text = '%s%02d:%02d:%02d' % ('%d.' % days if days else '', rest // 3600, rest % 3600 // 60, rest % 60)
    return PSObject({'Days': days, 'Hours': rest // 3600, 'Minutes': rest % 3600 // 60, 'Seconds': rest % 60,
                     'Ticks': seconds * TICKS_PER_SECOND, 'TotalSeconds': float(seconds)}, text)


class DnsServerHost(ProductModel):
    """The DnsServer cmdlets of one DNS server; ``zones`` is the lab's zone data (lab/dns.py format)."""

    IMPLEMENTED = ('Get-DnsServerZone', 'Get-DnsServerResourceRecord', 'Add-DnsServerResourceRecordA',
                   'Add-DnsServerResourceRecordCName', 'Remove-DnsServerResourceRecord')

    def __init__(self, state: dict[str, Any], host: Any, topology: Any) -> None:
        self.host = host
        self.server = str(host.computer_name).upper()
        self.zones = ensure_zones(state, topology)
        self.handlers = {'Get-DnsServerZone': self.get_zone, 'Get-DnsServerResourceRecord': self.get_record,
                         'Add-DnsServerResourceRecordA': self.add_a, 'Add-DnsServerResourceRecordCName': self.add_cname,
                         'Remove-DnsServerResourceRecord': self.remove_record}

    # -- helpers ----------------------------------------------------------------------------------------------

    def _zone(self, name: str, cmdlet: str) -> tuple[str, list[dict[str, Any]]]:
        key = str(name).lower().rstrip('.')
        if key not in self.zones:
            # Source: module docstring (WIN32 9601, DNS_ERROR_ZONE_DOES_NOT_EXIST)
            raise _cim_error('The zone %s was not found on server %s.' % (name, self.server), 9601, cmdlet, 'ObjectNotFound')
        return key, self.zones[key]['records']

    @staticmethod
    def _relative(name: str, zone: str) -> str:
        """-Name as the cmdlets take it: relative to the zone, '@' for the apex; an FQDN in the zone is accepted (Source:
        PS_DnsServerResourceRecordCName Add: Name "Specifies the FQDN of any valid DNS host or domain name")."""
        text = str(name).strip().lower()
        if text in ('@', '', zone, zone + '.'):
            return '@'
        text = text.rstrip('.')
        if text.endswith('.' + zone):
            return text[: -len(zone) - 1]
        return text

    @staticmethod
    def _record_object(zone: str, record: dict[str, Any]) -> PSObject:
        """A CimInstance DnsServerResourceRecord (HostName, RecordType, RecordClass, TimeToLive, Timestamp, RecordData;
        Source: Get-DnsServerResourceRecord page)."""
        rtype = record['type']
        if rtype == 'A':
            address = PSObject({'IPAddressToString': record['data'], 'AddressFamily': 'InterNetwork'}, record['data'])
            data = PSObject({'IPv4Address': address}, 'DnsServerResourceRecordA')
        elif rtype == 'CNAME':
            data = PSObject({'HostNameAlias': record['data']}, 'DnsServerResourceRecordCName')
        elif rtype == 'NS':
            data = PSObject({'NameServer': record['data']}, 'DnsServerResourceRecordNS')
        else:
            data = PSObject(dict(record['data']) if isinstance(record['data'], dict) else {'Data': record['data']},
                            'DnsServerResourceRecord%s' % rtype.capitalize())
        # RecordType as the cmdlet prints it: "CNAME" for a CNAME, "A", "NS", "SOA" (Source: gowindows fixture "RecordType":"A")
        return PSObject({'HostName': record['name'], 'RecordType': rtype, 'RecordClass': 'IN',
                         'TimeToLive': timespan_object(int(record['ttl'])), 'Timestamp': None, 'RecordData': data,
                         'DistinguishedName': 'DC=%s,DC=%s,cn=MicrosoftDNS,DC=DomainDnsZones' % (record['name'], zone)},
                        'DnsServerResourceRecord')

    def _bump_serial(self, zone: str) -> None:
        # a Windows DNS server increments the zone serial on every change (RFC 1982 serial; no source for the step of 1)
        for record in self.zones[zone]['records']:
            if record['type'] == 'SOA':
                record['data']['serial'] = int(record['data']['serial']) + 1

    # -- cmdlets ----------------------------------------------------------------------------------------------

    def get_zone(self, call: BoundCall) -> Outcome:
        """Get-DnsServerZone [-Name <zones>]: DnsServerZone objects (ZoneName, ZoneType, IsDsIntegrated...)."""
        refuse_unmodelled(call, {'Name'})
        names = call.values.get('Name') or sorted(self.zones)
        objects = []
        for name in names:
            key, _records = self._zone(name, call.cmdlet)
            # the lab's zones are Active Directory-integrated primary zones (the usual case on a domain controller; lab choice)
            objects.append(PSObject({'ZoneName': key, 'ZoneType': 'Primary', 'IsDsIntegrated': True, 'IsReverseLookupZone': False,
                                     'IsAutoCreated': False, 'DynamicUpdate': 'Secure', 'ReplicationScope': 'Domain'}, key))
        return Outcome(objects=objects)

    def get_record(self, call: BoundCall) -> Outcome:
        """Get-DnsServerResourceRecord -ZoneName [-Name] [-RRType] [-Node]. Without -Node, -Name also returns the records
        of the names below it (Source: PS_DnsServerResourceRecord Get: Node "If specified, returns only the parameters at
        root of Name"); a name without records fails with WIN32 9714 (module docstring)."""
        refuse_unmodelled(call, {'ZoneName', 'Name', 'RRType', 'Node'})
        zone, records = self._zone(call.values['ZoneName'], call.cmdlet)
        rrtype = call.values.get('RRType')
        wanted = None if rrtype is None else ('CNAME' if str(rrtype).lower() == 'cname' else str(rrtype).upper())
        found = records
        if call.values.get('Name') is not None:
            name = self._relative(call.values['Name'], zone)
            if name == '@':
                found = [r for r in records if r['name'] == '@'] if call.switch('Node') else list(records)
            else:
                found = [r for r in records if r['name'] == name or (not call.switch('Node') and r['name'].endswith('.' + name))]
            if not found:
                raise _cim_error('Failed to get %s record in %s zone on %s server.' % (call.values['Name'], zone, self.server), 9714,
                                 call.cmdlet, 'ObjectNotFound')
        if wanted is not None:
            found = [r for r in found if r['type'] == wanted]
        return Outcome(objects=[self._record_object(zone, r) for r in found])

    def _add(self, call: BoundCall, rtype: str, values: list[str]) -> Outcome:
        zone, records = self._zone(call.values['ZoneName'], call.cmdlet)
        name = self._relative(call.values['Name'], zone)
        ttl = timespan_seconds(call.values['TimeToLive'], call.cmdlet) if call.has('TimeToLive') else DEFAULT_TTL
        at_name = [r for r in records if r['name'] == name]
        failed = 'Failed to create resource record %s in zone %s on server %s.' % (call.values['Name'], zone, self.server)
        for value in values:
            if any(r['type'] == rtype and r['data'].lower() == value.lower() for r in at_name):
                # Source: module docstring (WIN32 9711 DNS_ERROR_RECORD_ALREADY_EXISTS, ResourceExists)
                raise _cim_error(failed, 9711, call.cmdlet, 'ResourceExists')
        if rtype != 'CNAME' and any(r['type'] == 'CNAME' for r in at_name):
            # winerror.h DNS_ERROR_NODE_IS_CNAME 9708 "Node is a CNAME DNS record." (the message as for 9711; category: no source)
            raise _cim_error(failed, 9708, call.cmdlet, 'ResourceExists')
        if rtype == 'CNAME' and at_name:
            # winerror.h DNS_ERROR_CNAME_COLLISION 9709 "A CNAME record already exists..." / data next to a CNAME
            # (RFC 1034 section 3.6.2); the message as for 9711; category: no source
            raise _cim_error(failed, 9709, call.cmdlet, 'ResourceExists')
        if call.switch('WhatIf'):
            return Outcome()
        added = []
        for value in values:
            record = {'name': name, 'type': rtype, 'ttl': ttl, 'data': value}
            records.append(record)
            added.append(record)
        self._bump_serial(zone)
        objects = [self._record_object(zone, r) for r in added] if call.switch('PassThru') else []
        return Outcome(objects=objects, changed=True)

    def add_a(self, call: BoundCall) -> Outcome:
        """Add-DnsServerResourceRecordA -ZoneName -Name -IPv4Address <IPAddress[]> [-TimeToLive] [-PassThru]: one A record
        per address (Source: Add-DnsServerResourceRecordA page, IPv4Address is IPAddress[])."""
        refuse_unmodelled(call, {'ZoneName', 'Name', 'IPv4Address', 'TimeToLive', 'PassThru', 'WhatIf'})
        raw = call.values['IPv4Address']
        addresses = []
        for item in raw if isinstance(raw, list) else [raw]:
            try:
                addresses.append(str(ipaddress.IPv4Address(str(item).strip())))
            except ValueError:
                # Source: PowerShell's IPAddress conversion error (System.Net.IPAddress.Parse FormatException)
                raise PSError('Cannot process argument transformation on parameter \'IPv4Address\'. Cannot convert value "%s" to type '
                              '"System.Net.IPAddress". Error: "An invalid IP address was specified."' % item,
                              'ParameterArgumentTransformationError,%s' % call.cmdlet, 'InvalidData',
                              'System.Management.Automation.ParameterBindingArgumentTransformationException') from None
        return self._add(call, 'A', addresses)

    def add_cname(self, call: BoundCall) -> Outcome:
        """Add-DnsServerResourceRecordCName -ZoneName -Name -HostNameAlias [-TimeToLive] [-PassThru]. The server stores the
        alias fully qualified with a trailing dot (no source: how DNS Manager shows it)."""
        refuse_unmodelled(call, {'ZoneName', 'Name', 'HostNameAlias', 'TimeToLive', 'PassThru', 'WhatIf'})
        alias = str(call.values['HostNameAlias']).strip().lower().rstrip('.') + '.'
        return self._add(call, 'CNAME', [alias])

    def remove_record(self, call: BoundCall) -> Outcome:
        """Remove-DnsServerResourceRecord -ZoneName -Name -RRType [-RecordData] -Force: without RecordData every record of
        the type at the name (Source: Remove-DnsServerResourceRecord page: "If you do not specify RecordData, the cmdlet
        deletes all records that match RRtype and Name for the specified zone.")."""
        if call.has('InputObject'):
            raise lab_not_implemented('Remove-DnsServerResourceRecord -InputObject (objects cannot be sent as data)')
        refuse_unmodelled(call, {'ZoneName', 'Name', 'RRType', 'RecordData', 'Force', 'WhatIf'})
        if not call.switch('Force'):
            # without -Force the cmdlet asks for confirmation, which a WinRM session cannot answer (no source for the text)
            raise lab_not_implemented('Remove-DnsServerResourceRecord without -Force (a confirmation prompt)')
        zone, records = self._zone(call.values['ZoneName'], call.cmdlet)
        name = self._relative(call.values['Name'], zone)
        rtype = str(call.values['RRType'])
        rtype = 'CNAME' if rtype.lower() == 'cname' else rtype.upper()
        data = call.values.get('RecordData')
        data = None if data is None else [str(v).strip().lower() for v in (data if isinstance(data, list) else [data])]

        def matches(record: dict[str, Any]) -> bool:
            if record['name'] != name or record['type'] != rtype:
                return False
            value = str(record['data']).lower()
            return data is None or value in data or value.rstrip('.') in [d.rstrip('.') for d in data]

        gone = [r for r in records if matches(r)]
        if not gone:
            # DNS_ERROR_RECORD_DOES_NOT_EXIST 9701 (winerror.h); the text: no source
            raise _cim_error('Failed to delete resource record %s in zone %s on server %s.' % (call.values['Name'], zone, self.server),
                             9701, call.cmdlet, 'ObjectNotFound')
        if call.switch('WhatIf'):
            return Outcome()
        self.zones[zone]['records'] = [r for r in records if not matches(r)]
        self._bump_serial(zone)
        return Outcome(changed=True)

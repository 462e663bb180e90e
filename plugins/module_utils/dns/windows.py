# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An A or CNAME record on a Windows DNS server (Active Directory-integrated zones), through the DnsServer module's cmdlets
run on the DNS server itself over WinRM (no product shell).

The options, their validation and the plan are those of the RFC 2136 method (dns/rfc2136.py: ``_zone``, ``_owner``,
``_values``, ``Record``, ``Reading``, ``plan``), so both modules mean the same thing by the same options. The cycle is not
common/resource.py's ``run``: the managed object is a record *set* (several rows of Get-DnsServerResourceRecord, one per
address) that the DnsServer cmdlets can only add or remove record by record, and the decision (which type wins, what a
missing TTL means) is the one rfc2136.plan already makes. It keeps the same shape: ONE read request, the plan in Python,
ONE write request ending with a verifying read, diff, ``changed``.

Set-DnsServerResourceRecord is not used: it takes the old and the new record as CimInstance objects (-OldInputObject,
-NewInputObject), which only PowerShell code can build (a clone of the read object with a new TimeToLive); the runner
sends data only. A TTL or value change is a remove and an add in the same request instead (the name has no record of
that type for the milliseconds between them).
"""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, UcopsError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import rfc2136
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

RECORD_TYPES = rfc2136.RECORD_TYPES
DEFAULT_TTL = rfc2136.DEFAULT_TTL
# Windows DNS keeps TTLs up to 0x7FFFFFFF seconds like any RFC 2181 server (the RFC's bound).
MAX_TTL = rfc2136.MAX_TTL
# Get-DnsServerResourceRecord's error for a name without records (DNS_ERROR_NAME_DOES_NOT_EXIST): "absent", not a failure.
# Source: public DnsServer wrappers treat "WIN32 9714" as not found (e.g. a Go client's notFoundIDs list found with the
# search tool); every other error of the read fails the task (a failed read is never "absent").
NAME_DOES_NOT_EXIST = 'WIN32 9714'
# RRType values of the DnsServer cmdlets (Get-DnsServerResourceRecord -RRType ValidateSet spells CNAME "CName")
RRTYPE = {'A': 'A', 'CNAME': 'CName'}
RECORD_PROPERTIES = ['HostName', 'RecordType', 'TimeToLive.TotalSeconds', 'RecordData.IPv4Address.IPAddressToString',
                     'RecordData.HostNameAlias']


class DnsServerError(UcopsError):
    """The DNS server's records are not what the write should have made them."""

    kind = 'dns'


class Settings(object):
    """The validated options (the same names and checks as the rfc2136 method, without its server/TSIG options)."""

    def __init__(self, params):
        if not rfc2136.HAS_DNSPYTHON:
            raise OptionError('dnspython is required on the controller (pip install dnspython)')
        self.zone = rfc2136._zone(params.get('zone'))  # pylint: disable=protected-access
        self.name = rfc2136._owner(params.get('name'), self.zone)  # pylint: disable=protected-access
        self.type = params.get('type')
        if self.type not in RECORD_TYPES:
            raise OptionError('type must be A or CNAME')
        self.state = params.get('state') or 'present'
        self.ttl = params.get('ttl')
        self.replace_other_type = bool(params.get('replace_other_type'))
        self.values = rfc2136._values(self.type, params.get('value'), self.state)  # pylint: disable=protected-access
        if self.ttl is not None and not 0 <= self.ttl <= MAX_TTL:
            raise OptionError('ttl must be between 0 and %d seconds (RFC 2181 section 8)' % MAX_TTL)
        if self.type == 'CNAME' and self.state == 'present' and self.name == self.zone:
            raise OptionError('a CNAME cannot be at the zone apex %s, which holds the SOA and NS records (RFC 1912 section 2.4): '
                              'use type=A, or a name below the zone' % self.zone)

    @property
    def owner(self):
        return self.name.to_text().lower()

    @property
    def zone_name(self):
        return self.zone.to_text().rstrip('.').lower()

    @property
    def relative(self):
        """-Name as the DnsServer cmdlets take it: relative to the zone, '@' for the apex."""
        text = self.name.relativize(self.zone).to_text().lower()
        return '@' if text in ('@', '') else text


def timespan(seconds):
    """A TimeToLive argument: text that TimeSpan.Parse reads as ``seconds`` ("[d.]hh:mm:ss"). Never an integer: PowerShell
    converts an integer to a TimeSpan of that many 100-nanosecond ticks."""
    days, rest = divmod(int(seconds), 86400)
    return '%s%02d:%02d:%02d' % ('%d.' % days if days else '', rest // 3600, rest % 3600 // 60, rest % 60)


def _records(settings, key):
    return Invocation(key, 'Get-DnsServerResourceRecord',
                      {'ZoneName': settings.zone_name, 'Name': settings.relative, 'Node': {'__ucops_type': 'switch', 'value': True}},
                      properties=RECORD_PROPERTIES, tolerate_errors=True,
                      description='Get-DnsServerResourceRecord -ZoneName %s -Name %s -Node' % (settings.zone_name, settings.relative))


def reads(settings):
    """The read request: the zone (a missing zone fails the task: WIN32 9601) and the records at the name."""
    return [Invocation('zone', 'Get-DnsServerZone', {'Name': settings.zone_name},
                       properties=['ZoneName', 'ZoneType', 'IsDsIntegrated']),
            _records(settings, 'records')]


def reading(settings, response, key, host=None):
    """rfc2136.Reading of the A and CNAME records at the name from the rows of ``key``; a read error other than "the name
    has no records" raises."""
    for error in response.item_errors(key):
        if str(error.get('fully_qualified_error_id') or '').split(',', 1)[0] != NAME_DOES_NOT_EXIST:
            message = 'reading the records at %s in zone %s failed: %s' % (settings.owner, settings.zone_name, error.get('message'))
            raise DnsServerError(message, host=host)
    values, ttls = {}, {}
    rows = response.output(key)
    for row in rows:
        if str(row.get('HostName') or '').lower() != settings.relative:
            continue
        rtype = str(row.get('RecordType') or '').upper()
        if rtype == 'A':
            value = row.get('RecordData.IPv4Address.IPAddressToString')
        elif rtype == 'CNAME':
            value = str(row.get('RecordData.HostNameAlias') or '').lower().rstrip('.') + '.'
        else:
            continue
        values.setdefault(rtype, []).append(value)
        ttls.setdefault(rtype, []).append(int(row.get('TimeToLive.TotalSeconds') or 0))
    # the lowest TTL of the set is what resolvers keep (RFC 2181 section 5.2 wants one TTL per set)
    records = dict((rtype, rfc2136.Record(rtype, found, min(ttls[rtype]))) for rtype, found in values.items())
    return rfc2136.Reading(bool(rows), records)


def writes(settings, plan_):
    """The write invocations of an rfc2136.Plan (its prerequisites have no counterpart: the cmdlets themselves refuse to
    add a record that exists or a CNAME next to other data)."""
    found = []
    for index, item in enumerate(plan_.updates):
        key = 'write%d' % index
        if item[0] == 'delete':
            parameters = {'ZoneName': settings.zone_name, 'Name': settings.relative, 'RRType': RRTYPE[item[1]],
                          'Force': {'__ucops_type': 'switch', 'value': True}}
            text = 'Remove-DnsServerResourceRecord -ZoneName %s -Name %s -RRType %s' % (settings.zone_name, settings.relative, RRTYPE[item[1]])
            if len(item) > 2:
                parameters['RecordData'] = list(item[2])
                text += ' -RecordData %s' % ','.join(item[2])
            found.append(Invocation(key, 'Remove-DnsServerResourceRecord', parameters, description=text + ' -Force'))
            continue
        _add, rtype, ttl, values = item
        parameters = {'ZoneName': settings.zone_name, 'Name': settings.relative, 'TimeToLive': timespan(ttl)}
        if rtype == 'A':
            parameters['IPv4Address'] = list(values)
            cmdlet, text = 'Add-DnsServerResourceRecordA', '-IPv4Address %s' % ','.join(values)
        else:
            parameters['HostNameAlias'] = values[0]
            cmdlet, text = 'Add-DnsServerResourceRecordCName', '-HostNameAlias %s' % values[0]
        found.append(Invocation(key, cmdlet, parameters, description='%s -ZoneName %s -Name %s %s -TimeToLive %s'
                                % (cmdlet, settings.zone_name, settings.relative, text, timespan(ttl))))
    return found


def _dicts(settings, records):
    return [records[t].as_dict(settings.owner) for t in RECORD_TYPES if t in records]


def run(module):
    """Read, plan (rfc2136.plan), write once ending with a verifying read; the result with ``changed``, ``changes``, the
    records and the diff."""
    settings = Settings(module.params)
    module.connection_options()
    shell = module.shell()
    host = module.host
    response = module.runner.read(shell, reads(settings))
    zone_rows = response.output('zone')
    before = reading(settings, response, 'records', host)
    plan_ = rfc2136.plan(settings, before)
    invocations = writes(settings, plan_)
    changes = [invocation.description for invocation in invocations]
    after = plan_.after
    warnings = list(response.warnings())
    if invocations and not module.check_mode:
        written = module.runner.write(shell, invocations + [_records(settings, 'after')])
        warnings.extend(written.warnings())
        verified = reading(settings, written, 'after', host)
        if verified.records != plan_.after:
            raise DnsServerError('%s in zone %s: the DNS server accepted the changes but reading back gives %s instead of %s'
                                 % (settings.owner, settings.zone_name, _dicts(settings, verified.records) or 'no record',
                                    _dicts(settings, plan_.after) or 'no record'), host=host, changes_made=changes)
        after = verified.records
    for warning in warnings:
        module.warn(warning)
    zone = zone_rows[0] if zone_rows else {}
    result = dict(changed=bool(invocations), changes=changes, zone=settings.zone_name, name=settings.owner,
                  zone_type=zone.get('ZoneType'), ds_integrated=zone.get('IsDsIntegrated'), records=_dicts(settings, after))
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = dict(before={'records': _dicts(settings, plan_.before)}, after={'records': result['records']})
    return result

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An A or CNAME record kept by RFC 2136 dynamic update (with TSIG, RFC 8945) on a standards-based DNS server (BIND...).

One read (a direct query of A and CNAME at the name, to the server itself), a plan computed here, ONE update message
whose prerequisites (RFC 2136 section 2.4) pin what was read, so that a concurrent change makes the server refuse the
whole update (NXRRSET / YXRRSET / YXDOMAIN / NXDOMAIN) instead of being overwritten, then a verifying read.
The resource engine (common/resource.py) speaks PowerShell invocations, so this cycle is its own, kept to the same
shape (read, plan, one write, verifying read, diff).

The TSIG secret only ever goes into dnspython's keyring: no message built here contains it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import socket

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, UcopsError

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdataclass
    import dns.rdataset
    import dns.rdatatype
    import dns.tsig
    import dns.update
    HAS_DNSPYTHON = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_DNSPYTHON = False

RECORD_TYPES = ('A', 'CNAME')
# The HMAC algorithms of RFC 8945 section 6 that dnspython signs with and BIND accepts (hmac-md5 as BIND names it).
ALGORITHMS = ('hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512')
DEFAULT_TTL = 3600
MAX_TTL = 2147483647  # RFC 2181 section 8

# Update rcodes (RFC 2136 section 2.2) that mean "a prerequisite did not hold": the records changed after the read.
PREREQUISITE_RCODES = ('YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NXDOMAIN')


class DnsError(UcopsError):
    """A DNS server answered with an error, or could not be asked. Not 'connection': the task's host is the controller,
    which stays reachable; the task fails with the message."""

    kind = 'dns'


class DnsUnreachable(DnsError):
    kind = 'dns_unreachable'


class DnsTsigError(DnsError):
    kind = 'dns_tsig'


class DnsRefused(DnsError):
    kind = 'dns_refused'


class DnsNotAuthoritative(DnsError):
    kind = 'dns_notauth'


class DnsChanged(DnsError):
    """A prerequisite failed: someone changed the records between our read and our update."""

    kind = 'dns_changed'


class DnsConflict(DnsError):
    """The name holds a record of the other type and replace_other_type does not allow replacing it."""

    kind = 'dns_conflict'


class Record(object):
    """One rrset: type, sorted values (addresses, or the absolute lowercase target), TTL."""

    def __init__(self, rdtype, values, ttl):
        self.type = rdtype
        self.values = tuple(sorted(set(values)))
        self.ttl = ttl

    def __eq__(self, other):
        return isinstance(other, Record) and (self.type, self.values, self.ttl) == (other.type, other.values, other.ttl)

    def __repr__(self):
        return 'Record(%r, %r, %r)' % (self.type, self.values, self.ttl)

    def as_dict(self, name):
        return {'name': name, 'type': self.type, 'value': list(self.values), 'ttl': self.ttl}


class Reading(object):
    """What the server holds at the name: whether the name exists (NOERROR vs NXDOMAIN) and its A / CNAME rrsets."""

    def __init__(self, name_exists, records=None):
        self.name_exists = name_exists
        self.records = dict(records or {})

    def get(self, rdtype):
        return self.records.get(rdtype)


class Settings(object):
    """The validated options."""

    def __init__(self, params):
        self.zone = _zone(params.get('zone'))
        self.name = _owner(params.get('name'), self.zone)
        self.type = params.get('type')
        self.state = params.get('state') or 'present'
        self.ttl = params.get('ttl')
        self.replace_other_type = bool(params.get('replace_other_type'))
        self.server = (params.get('server') or '').strip()
        self.port = 53 if params.get('port') is None else params.get('port')
        self.protocol = params.get('protocol') or 'tcp'
        self.timeout = 10 if params.get('timeout') is None else params.get('timeout')
        self.key_name = params.get('tsig_key_name')
        self.algorithm = params.get('tsig_algorithm') or 'hmac-sha256'
        self.values = _values(self.type, params.get('value'), self.state)
        if not self.server:
            raise OptionError('server is required and must not be blank: give the IP address or name of the primary server of %s' % self.zone)
        if not 1 <= self.port <= 65535:
            raise OptionError('port must be between 1 and 65535 (53 is the DNS port)')
        if self.timeout <= 0:
            raise OptionError('timeout must be a positive number of seconds')
        if self.ttl is not None and not 0 <= self.ttl <= MAX_TTL:
            raise OptionError('ttl must be between 0 and %d seconds (RFC 2181 section 8)' % MAX_TTL)
        if self.type == 'CNAME' and self.state == 'present' and self.name == self.zone:
            raise OptionError('a CNAME cannot be at the zone apex %s, which holds the SOA and NS records (RFC 1912 section 2.4): '
                              'use type=A, or a name below the zone' % self.zone)
        self.keyring = _keyring(self.key_name, params.get('tsig_secret'), self.algorithm)

    @property
    def owner(self):
        return self.name.to_text().lower()


def _zone(text):
    if not text or not text.strip():
        raise OptionError('zone is required: give the zone that holds the name, for example contoso.com')
    try:
        return dns.name.from_text(text.strip().rstrip('.') + '.')
    except dns.exception.DNSException as error:
        raise OptionError('zone %r is not a valid DNS name: %s' % (text, error))


def _owner(text, zone):
    """The record's absolute name: an absolute name (trailing dot), a name ending with the zone, or a label relative to it."""
    if not text or not text.strip():
        raise OptionError('name is required: give the record name (for example autodiscover, or autodiscover.%s)' % zone.to_text().rstrip('.'))
    text = text.strip()
    try:
        if text == '@':
            return zone
        if text.endswith('.'):
            name = dns.name.from_text(text)
        else:
            name = dns.name.from_text(text)
            if not name.is_subdomain(zone):
                name = dns.name.from_text(text, origin=zone)
    except dns.exception.DNSException as error:
        raise OptionError('name %r is not a valid DNS name: %s' % (text, error))
    if not name.is_subdomain(zone):
        raise OptionError('name %s is not in zone %s: give a name inside the zone, or the zone that holds it' % (name, zone))
    return name


def _values(rdtype, values, state):
    values = [v.strip() if isinstance(v, str) else v for v in (values or [])]
    if any(not v for v in values):
        raise OptionError('value must not contain blank items')
    if state == 'present' and not values:
        raise OptionError('value is required with state=present: the IPv4 address(es) of an A record, or the target name of a CNAME')
    if rdtype == 'A':
        result = []
        for value in values:
            try:
                result.append(str(ipaddress.IPv4Address(value)))
            except ValueError:
                raise OptionError('value %r is not an IPv4 address: an A record holds IPv4 addresses (a name needs type=CNAME)' % value)
        return tuple(sorted(set(result)))
    if len(values) > 1:
        raise OptionError('a CNAME has exactly one target (RFC 1034 section 3.6.2): give one value')
    result = []
    for value in values:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            pass
        else:
            raise OptionError('value %r is an IP address: a CNAME targets a name (an address needs type=A)' % value)
        try:
            result.append(dns.name.from_text(value.rstrip('.') + '.').to_text().lower())
        except dns.exception.DNSException as error:
            raise OptionError('value %r is not a valid DNS name: %s' % (value, error))
    return tuple(result)


def _keyring(key_name, secret, algorithm):
    """dnspython's keyring, or None for unsigned messages. The secret is checked without ever being quoted."""
    if bool(key_name) != bool(secret):
        raise OptionError('tsig_key_name and tsig_secret go together: give both (the key name and its base64 secret, as in '
                          'the server\'s key statement), or neither for unsigned updates')
    if not key_name:
        return None
    if algorithm not in ALGORITHMS:
        raise OptionError('tsig_algorithm must be one of %s' % ', '.join(ALGORITHMS))
    try:
        name = dns.name.from_text(key_name)
    except dns.exception.DNSException:
        raise OptionError('tsig_key_name %r is not a valid key name (a DNS name such as ansible-key)' % key_name)
    try:
        raw = base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise OptionError('tsig_secret is not valid base64: give the secret exactly as the key statement (or tsig-keygen) shows it')
    if not raw:
        raise OptionError('tsig_secret decodes to nothing: give the base64 secret of the key')
    return {name: raw}


# ---------------------------------------------------------------------------------------------------------------------
# Talking to the server


def _address(settings):
    try:
        ipaddress.ip_address(settings.server)
        return settings.server
    except ValueError:
        pass
    try:
        return socket.getaddrinfo(settings.server, settings.port, 0, socket.SOCK_STREAM)[0][4][0]
    except (socket.gaierror, OSError) as error:
        raise DnsUnreachable('cannot resolve the DNS server name %s: %s; give its IP address in server, or fix name resolution'
                             % (settings.server, error))


def _where(settings):
    return '%s port %d' % (settings.server, settings.port)


def _sign(message, settings):
    if settings.keyring:
        name = next(iter(settings.keyring))
        message.use_tsig(settings.keyring, keyname=name, algorithm=dns.name.from_text(settings.algorithm))


def _exchange(message, settings, what, protocol=None):
    """Send one message and return the answer, turning every failure into a DnsError with its fix."""
    address = _address(settings)
    protocol = protocol or settings.protocol
    try:
        if protocol == 'udp':
            response = dns.query.udp(message, address, timeout=settings.timeout, port=settings.port)
            if response.flags & dns.flags.TC:
                return _exchange(message, settings, what, protocol='tcp')
            return response
        return dns.query.tcp(message, address, timeout=settings.timeout, port=settings.port)
    except dns.tsig.PeerBadKey:
        raise DnsTsigError('%s: the server %s does not know the TSIG key %s with algorithm %s (BADKEY): check tsig_key_name and '
                           'tsig_algorithm against the key statement of the server' % (what, _where(settings), settings.key_name, settings.algorithm))
    except dns.tsig.PeerBadSignature:
        raise DnsTsigError('%s: the server %s rejected the signature made with TSIG key %s (BADSIG): tsig_secret is not the '
                           'secret of that key on the server' % (what, _where(settings), settings.key_name))
    except dns.tsig.PeerBadTime:
        raise DnsTsigError('%s: the server %s rejected the TSIG time (BADTIME): the controller\'s clock and the server\'s differ '
                           'by more than the fudge (300 seconds); synchronise the clocks' % (what, _where(settings)))
    except dns.tsig.PeerError as error:
        raise DnsTsigError('%s: the server %s rejected the TSIG signature (%s): check tsig_key_name, tsig_secret and tsig_algorithm'
                           % (what, _where(settings), type(error).__name__))
    except (dns.tsig.BadSignature, dns.tsig.BadKey, dns.message.UnknownTSIGKey):
        raise DnsTsigError('%s: the answer of %s is not signed with TSIG key %s as expected: check that server is the server '
                           'holding that key' % (what, _where(settings), settings.key_name))
    except dns.exception.Timeout:
        raise DnsUnreachable('%s: no answer from the DNS server %s (%s) within %s seconds: check server, port, protocol and that '
                             'a firewall lets DNS through' % (what, _where(settings), protocol.upper(), settings.timeout))
    except ConnectionRefusedError:
        raise DnsUnreachable('%s: the DNS server %s refused the %s connection: nothing listens there; check server and port'
                             % (what, _where(settings), protocol.upper()))
    except (OSError, EOFError) as error:
        raise DnsUnreachable('%s: cannot reach the DNS server %s (%s): %s; check server and port'
                             % (what, _where(settings), protocol.upper(), error))
    except dns.exception.DNSException as error:
        raise DnsError('%s: bad answer from the DNS server %s: %s' % (what, _where(settings), error))


def _rcode_error(rcode, settings, what):
    """The error for an answer's rcode other than NOERROR (and NXDOMAIN for a query)."""
    text = dns.rcode.to_text(rcode)
    signed = ' with TSIG key %s' % settings.key_name if settings.keyring else ' unsigned'
    if text == 'REFUSED':
        return DnsRefused('%s: the server %s refused it (REFUSED)%s: the zone %s does not allow it for this key%s; for an update, '
                          'grant it in the zone\'s update-policy (or allow-update), for a read, in allow-query'
                          % (what, _where(settings), '' if settings.keyring else ' (the message was unsigned)', settings.zone,
                             '' if settings.keyring else ' (give tsig_key_name and tsig_secret)'))
    if text == 'NOTAUTH':
        return DnsNotAuthoritative('%s: the server %s is not authoritative for zone %s (NOTAUTH)%s: point server at the primary '
                                   'server of the zone' % (what, _where(settings), settings.zone, signed))
    if text == 'NOTZONE':
        return DnsError('%s: %s is not in zone %s according to %s (NOTZONE): check zone' % (what, settings.owner, settings.zone, _where(settings)))
    if text == 'SERVFAIL':
        return DnsError('%s: the server %s failed (SERVFAIL): the zone %s may not be loaded; see the server\'s log'
                        % (what, _where(settings), settings.zone))
    return DnsError('%s: the server %s answered %s' % (what, _where(settings), text))


def read(settings):
    """The A and CNAME rrsets at the name, asked of the server itself (no recursion). A failed read raises."""
    records = {}
    exists = True
    for rdtype in RECORD_TYPES:
        query = dns.message.make_query(settings.name, rdtype)
        query.flags &= ~dns.flags.RD
        _sign(query, settings)
        response = _exchange(query, settings, 'reading %s %s' % (settings.owner, rdtype))
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _rcode_error(rcode, settings, 'reading %s %s' % (settings.owner, rdtype))
        if not response.flags & dns.flags.AA:
            raise DnsNotAuthoritative('reading %s %s: the server %s is not authoritative for zone %s (its answer lacks the AA flag): '
                                      'point server at the primary server of the zone' % (settings.owner, rdtype, _where(settings), settings.zone))
        if rcode == dns.rcode.NXDOMAIN:
            exists = False
        for rrset in response.answer:
            # An A query at a CNAME answers with the CNAME (and its target's records): keep the queried type at the name only.
            if rrset.name == settings.name and rrset.rdtype == dns.rdatatype.from_text(rdtype):
                records[rdtype] = Record(rdtype, [_rdata_text(rdtype, rd) for rd in rrset], rrset.ttl)
    return Reading(exists, records)


def _rdata_text(rdtype, rdata):
    if rdtype == 'CNAME':
        return rdata.target.to_text().lower()
    return rdata.to_text()


# ---------------------------------------------------------------------------------------------------------------------
# Planning

class Plan(object):
    """Prerequisites and updates, as nsupdate would write them: ('yxrrset', type, values) rrset exists (value dependent),
    ('nxdomain',) name not in use, ('nxrrset', type) rrset does not exist; ('delete', type) delete an rrset,
    ('delete', type, values) delete these records, ('add', type, ttl, values)."""

    def __init__(self, before, after, prerequisites=(), updates=()):
        self.before = before
        self.after = after
        self.prerequisites = list(prerequisites)
        self.updates = list(updates)

    @property
    def changed(self):
        return bool(self.updates)


def _pin(reading, rdtype):
    """The prerequisite that holds exactly when the rrset of rdtype is what was read."""
    record = reading.get(rdtype)
    if record:
        return ('yxrrset', rdtype, record.values)
    return ('nxrrset', rdtype)


def plan(settings, reading):
    """The update that brings the name to the desired state, with prerequisites that pin what was read."""
    other = 'CNAME' if settings.type == 'A' else 'A'
    current = reading.get(settings.type)
    current_other = reading.get(other)
    before = dict(reading.records)
    if settings.state == 'absent':
        if not current:
            return Plan(before, before)
        if settings.values:
            gone = tuple(v for v in current.values if v in settings.values)
            if not gone:
                return Plan(before, before)
            kept = tuple(v for v in current.values if v not in gone)
        else:
            gone, kept = current.values, ()
        after = dict(before)
        if kept:
            after[settings.type] = Record(settings.type, kept, current.ttl)
            update = ('delete', settings.type, gone)
        else:
            del after[settings.type]
            update = ('delete', settings.type)
        return Plan(before, after, [_pin(reading, settings.type)], [update])

    ttl = settings.ttl if settings.ttl is not None else (current.ttl if current else DEFAULT_TTL)
    wanted = Record(settings.type, settings.values, ttl)
    if current == wanted and not current_other:
        return Plan(before, before)
    if current_other and not settings.replace_other_type:
        raise DnsConflict('%s holds %s record (%s), which %s record cannot coexist with (RFC 1034 section 3.6.2): nothing was '
                          'sent; set replace_other_type=true to replace it, or remove it first'
                          % (settings.owner, _article(other), ', '.join(current_other.values), _article(settings.type)))
    after = {settings.type: wanted}
    updates = []
    if current_other:
        updates.append(('delete', other))
    if current:
        updates.append(('delete', settings.type))
    updates.append(('add', settings.type, ttl, wanted.values))
    if not reading.name_exists:
        prerequisites = [('nxdomain',)]
    else:
        prerequisites = [_pin(reading, settings.type), _pin(reading, other)]
    return Plan(before, after, prerequisites, updates)


def _article(rdtype):
    return 'an A' if rdtype == 'A' else 'a CNAME'


def describe(settings, plan_):
    """(prerequisites, updates) as nsupdate lines, for the result."""
    owner = settings.owner
    prereqs = []
    for item in plan_.prerequisites:
        if item[0] == 'yxrrset':
            prereqs.extend('prereq yxrrset %s IN %s %s' % (owner, item[1], value) for value in item[2])
        elif item[0] == 'nxrrset':
            prereqs.append('prereq nxrrset %s IN %s' % (owner, item[1]))
        else:
            prereqs.append('prereq nxdomain %s' % owner)
    updates = []
    for item in plan_.updates:
        if item[0] == 'delete' and len(item) == 2:
            updates.append('update delete %s IN %s' % (owner, item[1]))
        elif item[0] == 'delete':
            updates.extend('update delete %s IN %s %s' % (owner, item[1], value) for value in item[2])
        else:
            updates.extend('update add %s %d IN %s %s' % (owner, item[2], item[1], value) for value in item[3])
    return prereqs, updates


def build_update(settings, plan_):
    """ONE update message: prerequisite section from plan_.prerequisites, update section from plan_.updates."""
    kwargs = {}
    if settings.keyring:
        kwargs = dict(keyring=settings.keyring, keyname=next(iter(settings.keyring)), keyalgorithm=dns.name.from_text(settings.algorithm))
    update = dns.update.UpdateMessage(settings.zone, **kwargs)
    name = settings.name
    for item in plan_.prerequisites:
        if item[0] == 'yxrrset':
            # RFC 2136 section 2.4.2: RRset exists (value dependent); dnspython sends the records with TTL 0.
            update.present(name, _rdataset(item[1], 0, item[2]))
        elif item[0] == 'nxrrset':
            update.absent(name, item[1])  # section 2.4.3: RRset does not exist
        else:
            update.absent(name)  # section 2.4.5: name is not in use
    for item in plan_.updates:
        if item[0] == 'delete' and len(item) == 2:
            update.delete(name, item[1])  # section 2.5.2: delete an RRset
        elif item[0] == 'delete':
            for value in item[2]:
                update.delete(name, item[1], value)  # section 2.5.4: delete an RR from an RRset
        else:
            update.add(name, _rdataset(item[1], item[2], item[3]))  # section 2.5.1
    return update


def _rdataset(rdtype, ttl, values):
    return dns.rdataset.from_text(dns.rdataclass.IN, rdtype, ttl, *values)


def send(settings, update):
    """Send the update; raise with the cause and the fix unless the server answers NOERROR."""
    what = 'updating %s in zone %s' % (settings.owner, settings.zone)
    response = _exchange(update, settings, what)
    rcode = dns.rcode.to_text(response.rcode())
    if rcode == 'NOERROR':
        return
    if rcode in PREREQUISITE_RCODES:
        raise DnsChanged('%s: the records at %s changed after the module read them (the server answered %s to a prerequisite): '
                         'nothing was changed; run the task again to act on the new records' % (what, settings.owner, rcode))
    raise _rcode_error(response.rcode(), settings, what)


def _dicts(settings, records):
    return [records[t].as_dict(settings.owner) for t in RECORD_TYPES if t in records]


def run(params, check_mode=False):
    """The module's work: returns the result dict; raises UcopsError (with a message that never holds the secret)."""
    if not HAS_DNSPYTHON:
        raise OptionError('dnspython is required on the controller (pip install dnspython)')
    settings = Settings(params)
    reading = read(settings)
    plan_ = plan(settings, reading)
    prerequisites, updates = describe(settings, plan_)
    result = dict(changed=plan_.changed, zone=settings.zone.to_text(), name=settings.owner, prerequisites=prerequisites,
                  changes=updates, records=_dicts(settings, plan_.after),
                  diff=dict(before={'records': _dicts(settings, plan_.before)}, after={'records': _dicts(settings, plan_.after)}))
    if not plan_.changed or check_mode:
        return result
    send(settings, build_update(settings, plan_))
    verified = read(settings)
    if verified.records != plan_.after:
        raise DnsError('updating %s in zone %s: the server accepted the update but reading back gives %s instead of %s (a %s '
                       'cannot be added where the name holds other records, which the server ignores silently, RFC 2136 '
                       'section 3.4.2.2)' % (settings.owner, settings.zone, _dicts(settings, verified.records) or 'no record',
                                             _dicts(settings, plan_.after) or 'no record', settings.type),
                       changes_made=updates)
    result['records'] = _dicts(settings, verified.records)
    result['diff']['after'] = {'records': result['records']}
    return result

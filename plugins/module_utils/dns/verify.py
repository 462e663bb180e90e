# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Verification of the Autodiscover DNS name: ask each resolver, follow CNAMEs, compare with the expected target.

Everything here is read-only DNS queries; decisions (status, agreement, findings) are plain Python on the answers, so
the unit tests give fake answers through ``query`` (a callable with the signature of :func:`udp_tcp_query`).
"""

from __future__ import annotations

import ipaddress

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.resolver
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None
except ImportError as error:  # pragma: no cover - reported by the module
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = error

from ..common.errors import OptionError

FEATURE = 'autodiscover_dns'
# Microsoft, "Configure Skype for Business Server to integrate with Exchange Server" (SFB-PLAN in
# /work/shared/domain/integration-procedure.md section 6): a DNS record for the Autodiscover name resolving to the
# Exchange server.
SOURCE = 'https://learn.microsoft.com/en-us/skypeforbusiness/deploy/integrate-with-exchange-server/integrate-with-exchange-server'
RECORD_TYPES = ('A', 'AAAA')
STATUSES = ('ok', 'nxdomain', 'nodata', 'wrong_target', 'timeout', 'servfail', 'refused', 'error')
# Statuses that say the resolver could not give an answer at all: they win over an answer of another record type
RESOLVER_FAILURES = ('timeout', 'servfail', 'refused', 'error')
MAX_CNAME_CHAIN = 16


def _fqdn(name):
    """Lower case, no trailing dot."""
    return str(name).strip().rstrip('.').lower()


def parse_resolver(text, default_port=53):
    """``(address, port)`` from ``IP``, ``IP:port``, ``IPv6`` or ``[IPv6]:port``; OptionError otherwise."""
    value = str(text).strip()
    host, port = value, default_port
    if value.startswith('['):
        end = value.find(']')
        if end < 0:
            raise OptionError('resolvers: %r has no closing bracket; write an IPv6 resolver as [2001:db8::53]:53' % value)
        host, rest = value[1:end], value[end + 1:]
        if rest:
            if not rest.startswith(':'):
                raise OptionError('resolvers: %r: expected [IPv6]:port' % value)
            port = rest[1:]
    elif value.count(':') == 1:
        host, port = value.split(':')
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise OptionError('resolvers: %r is not an IP address (give IP, IP:port or [IPv6]:port; names are not accepted, '
                          'since resolving them would need another resolver)' % value)
    try:
        port = int(port)
    except (TypeError, ValueError):
        port = -1
    if not 0 < port < 65536:
        raise OptionError('resolvers: %r: the port must be a number from 1 to 65535' % value)
    return str(address), port


def resolver_label(address, port):
    """``IP:port`` (``[IPv6]:port``) as reported."""
    return ('[%s]:%d' % (address, port)) if ':' in address else ('%s:%d' % (address, port))


def system_resolvers():
    """The system's resolvers (``/etc/resolv.conf`` on POSIX, as dnspython reads them)."""
    resolver = dns.resolver.Resolver(configure=True)
    return [(str(address), int(getattr(resolver, 'port', 53) or 53)) for address in resolver.nameservers]


def udp_tcp_query(name, rdtype, address, port, timeout):
    """Ask one resolver (recursion desired) over UDP, again over TCP when the reply is truncated; the reply message.

    Raises dns.exception.Timeout when no reply came within ``timeout`` seconds, OSError on a network error.
    """
    query = dns.message.make_query(name, rdtype)
    query.flags |= dns.flags.RD
    response = dns.query.udp(query, address, timeout=timeout, port=port)
    if response.flags & dns.flags.TC:
        response = dns.query.tcp(query, address, timeout=timeout, port=port)
    return response


def answer_of(response, name, rdtype):
    """The chain of one reply: ``{'rcode', 'chain': [{name, type, target, ttl}], 'canonical_name', 'addresses'}``.

    CNAMEs are followed from ``name`` through the answer section (RFC 1034 section 3.6.2); addresses are those of the
    canonical name only, so that unrelated records in the answer are ignored.
    """
    rcode = dns.rcode.to_text(response.rcode())
    owner = dns.name.from_text(name)

    def find(owner, rdtype):
        for rrset in response.answer:
            if rrset.name == owner and rrset.rdtype == rdtype and rrset.rdclass == dns.rdataclass.IN:
                return rrset
        return None

    chain, seen = [], set()
    for dummy in range(MAX_CNAME_CHAIN):
        cname = find(owner, dns.rdatatype.CNAME)
        if cname is None or owner in seen:
            break
        seen.add(owner)
        target = cname[0].target
        chain.append({'name': _fqdn(owner), 'type': 'CNAME', 'target': _fqdn(target), 'ttl': cname.ttl})
        owner = target
    records = find(owner, dns.rdatatype.from_text(rdtype))
    addresses = sorted(str(rdata.address) for rdata in records) if records is not None else []
    return {'rcode': rcode, 'chain': chain, 'canonical_name': _fqdn(owner), 'addresses': addresses,
            'ttl': records.ttl if records is not None else None}


def ask(name, rdtype, address, port, timeout, query=None):
    """One question to one resolver: its answer dict with a per-type ``status``."""
    query = query or udp_tcp_query
    try:
        response = query(name, rdtype, address, port, timeout)
    except dns.exception.Timeout:
        return {'type': rdtype, 'status': 'timeout', 'rcode': None, 'chain': [], 'canonical_name': None, 'addresses': [],
                'error': 'no reply within %s s' % timeout}
    except (OSError, dns.exception.DNSException) as error:
        return {'type': rdtype, 'status': 'error', 'rcode': None, 'chain': [], 'canonical_name': None, 'addresses': [],
                'error': str(error) or type(error).__name__}
    result = dict(answer_of(response, name, rdtype), type=rdtype, error=None)
    rcode = result['rcode']
    if rcode == 'NXDOMAIN':
        result['status'] = 'nxdomain'
    elif rcode == 'SERVFAIL':
        result['status'] = 'servfail'
    elif rcode == 'REFUSED':
        result['status'] = 'refused'
    elif rcode != 'NOERROR':
        result['status'] = 'error'
        result['error'] = 'rcode %s' % rcode
    else:
        result['status'] = 'ok' if result['addresses'] else 'nodata'
    return result


def combine(answers):
    """One resolver's outcome over the record types: a failure of any type first, then NXDOMAIN, then addresses."""
    for status in RESOLVER_FAILURES + ('nxdomain',):
        for item in answers:
            if item['status'] == status:
                return status, item
    found = [item for item in answers if item['status'] == 'ok']
    return ('ok', found[0]) if found else ('nodata', answers[0] if answers else None)


def normalise_expected(expected_target, expected_addresses):
    """Validated expectations: (name or None, [addresses]); OptionError names the option."""
    target = _fqdn(expected_target) if expected_target not in (None, '') else None
    addresses = []
    for item in expected_addresses or []:
        try:
            addresses.append(str(ipaddress.ip_address(str(item).strip())))
        except ValueError:
            raise OptionError('expected_addresses: %r is not an IP address' % (item,))
    return target, sorted(set(addresses))


def compare(view, target, addresses):
    """Why an ok view does not match the expectation (None when it does)."""
    if target is not None:
        names = [item['target'] for item in view['chain']] + [view['canonical_name']]
        if target not in names:
            return 'resolves to %s, not to %s' % (describe(view), target)
    if addresses:
        families = set(ipaddress.ip_address(a).version for a in addresses)
        got = sorted(a for a in view['addresses'] if ipaddress.ip_address(a).version in families)
        if got != addresses:
            return 'resolves to %s, expected the addresses %s' % (', '.join(got) or 'no address of that family', ', '.join(addresses))
    return None


def describe(view):
    """``autodiscover.contoso.com CNAME ex.contoso.local -> 10.0.0.1`` or the failure, for messages."""
    status = view['status']
    if status in ('ok', 'wrong_target') and view.get('addresses'):
        hops = ''.join('%s CNAME ' % item['name'] for item in view['chain'])
        return '%s%s -> %s' % (hops, view['canonical_name'], ', '.join(view['addresses']))
    if status == 'nodata':
        hops = ''.join('%s CNAME ' % item['name'] for item in view['chain'])
        return 'NODATA (%s%s has no %s record)' % (hops, view.get('canonical_name') or view['name'], '/'.join(view['record_types']))
    if status == 'timeout':
        return 'no reply (timeout)'
    if status == 'error':
        return 'error (%s)' % view.get('error')
    return status.upper()


def _signature(view):
    return (view['status'] if view['status'] != 'wrong_target' else 'ok', tuple(item['target'] for item in view['chain']),
            tuple(view['addresses']))


def verify(name, resolvers, record_types=RECORD_TYPES, expected_target=None, expected_addresses=None, timeout=5.0, query=None):
    """Ask every resolver ``(address, port)`` for ``name``; the module's result (without ``changed``/``failed``)."""
    name = _fqdn(name)
    target, addresses = normalise_expected(expected_target, expected_addresses)
    views = []
    for address, port in resolvers:
        label = resolver_label(address, port)
        answers = [ask(name, rdtype, address, port, timeout, query) for rdtype in record_types]
        status, main = combine(answers)
        view = {
            'resolver': label, 'name': name, 'status': status, 'record_types': list(record_types),
            'rcode': main['rcode'] if main else None, 'chain': main['chain'] if main else [],
            'canonical_name': (main['canonical_name'] if main else None) or name,
            'addresses': sorted(set(a for item in answers for a in item['addresses'])),
            'answers': answers, 'error': main.get('error') if main else None, 'mismatch': None,
        }
        if status == 'ok':
            view['mismatch'] = compare(view, target, addresses)
            if view['mismatch']:
                view['status'] = 'wrong_target'
        views.append(view)
    signatures = set(_signature(view) for view in views)
    agreed = len(signatures) <= 1
    findings = []
    for view in views:
        if view['status'] != 'ok':
            if view['status'] == 'wrong_target':
                text = '%s: %s' % (view['resolver'], view['mismatch'])
            elif view['status'] in ('timeout', 'error'):
                text = '%s: no answer for %s: %s' % (view['resolver'], name, describe(view))
            else:
                text = '%s: %s answered %s' % (view['resolver'], name, describe(view))
            findings.append({'id': 'autodiscover_dns_' + view['status'], 'severity': 'error', 'feature': FEATURE,
                             'server': view['resolver'], 'message': text, 'source': SOURCE})
    if not agreed:
        findings.append({'id': 'autodiscover_dns_disagreement', 'severity': 'error', 'feature': FEATURE, 'server': None,
                         'message': 'the resolvers disagree about %s (split DNS?): %s' % (name, '; '.join(
                             '%s answered %s' % (view['resolver'], describe(view)) for view in views)),
                         'source': SOURCE})
    ok = not findings and bool(views)
    summary = []
    if ok:
        summary.append('%s through %s' % (describe(views[0]), ', '.join(view['resolver'] for view in views)))
    return {
        'name': name,
        'expected_target': target,
        'expected_addresses': addresses,
        'resolvers': views,
        'agreed': agreed,
        'ok': ok,
        'findings': findings,
        'msg': summary[0] if ok else '; '.join(finding['message'] for finding in findings),
    }


def resolvers_of(option_value):
    """The resolvers option (or the system's when empty) as ``[(address, port)]``."""
    if option_value:
        return [parse_resolver(item) for item in option_value]
    found = system_resolvers()
    if not found:
        raise OptionError('resolvers: the system has no resolver configured (/etc/resolv.conf); name the resolvers to ask')
    return found


def autodiscover_name(name, domain):
    """``name`` as given, else ``autodiscover.<domain>``; OptionError when neither is usable."""
    if name not in (None, ''):
        value = _fqdn(name)
    elif domain not in (None, ''):
        value = 'autodiscover.' + _fqdn(domain)
    else:
        raise OptionError('name or domain is required: give the Autodiscover name (name=autodiscover.contoso.com) or its domain '
                          '(domain=contoso.com)')
    try:
        dns.name.from_text(value)
    except dns.exception.DNSException as error:
        raise OptionError('name: %r is not a valid DNS name (%s)' % (value, error))
    if not value or any(not label for label in value.split('.')):
        raise OptionError('name: %r is not a valid DNS name' % value)
    return value

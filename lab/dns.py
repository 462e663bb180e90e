# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's DNS server: real DNS over UDP and TCP on 127.0.0.1, answering from the zone data of the lab state.

Zone data lives in ``state.json`` under ``dns`` (the simulated Windows DNS server's zones; its cmdlets edit the same
data, so a record created through them becomes resolvable here at once)::

    "dns": {
      "contoso.local": {"records": [
        {"name": "@", "type": "SOA", "ttl": 3600, "data": {"primary_server": "dc01.contoso.local.", ...}},
        {"name": "@", "type": "NS", "ttl": 3600, "data": "dc01.contoso.local."},
        {"name": "ex2013", "type": "A", "ttl": 3600, "data": "127.0.0.1"},
        ...]},
      "contoso.com": {"records": [
        {"name": "autodiscover", "type": "CNAME", "ttl": 3600, "data": "ex13.contoso.local."}, ...]}
    }

Zone names are lower case without the trailing dot; a record's ``name`` is relative to its zone, ``@`` for the apex
(the ``HostName`` that Get-DnsServerResourceRecord shows); names in ``data`` are absolute with a trailing dot; SOA data
holds ``primary_server``, ``responsible_person``, ``serial``, ``refresh``, ``retry``, ``expire``, ``minimum_ttl``.
While ``dns`` is missing from the state, :func:`initial_zones` (from the topology) is served; a model that edits the
zones first calls :func:`ensure_zones` (under the engine's lock) so that it edits what was served.

Not modelled (lab limitations, no source needed): wildcard records, delegations, zone transfers, EDNS options beyond
the UDP payload size, recursion (names outside the served zones are REFUSED).

Tests can make the server misbehave for one name with ``dns_faults`` in the state (:func:`set_fault`):
``{"autodiscover.contoso.com.": "timeout"}`` (no reply), ``"servfail"`` or ``"refused"``.
"""

from __future__ import annotations

import copy
import errno
import logging
import pathlib
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from lab.state import StateStore

LOG = logging.getLogger("lab.dns")

BIND_ADDRESS = "127.0.0.1"
DEFAULT_TTL = 3600
# The DNS server's own host: the zones' primary server (NS and SOA). No source: the topology has no domain controller.
DNS_HOST = "dc01"
# Windows DNS Server values of a new primary zone's SOA (refresh 15 min, retry 10 min, expire 1 day, minimum TTL
# 1 hour). No source checked for the exact values: inferred from DNS Manager's defaults.
SOA_DEFAULTS = {"serial": 1, "refresh": 900, "retry": 600, "expire": 86400, "minimum_ttl": 3600}
# RFC 1035 4.2.1: UDP messages without EDNS are limited to 512 bytes; larger replies are truncated (TC).
UDP_LIMIT = 512
MAX_CNAME_CHAIN = 8
FAULTS = ("timeout", "servfail", "refused")

ZoneSource = Callable[[], "tuple[dict[str, Any], dict[str, str]]"]


# -- zone data ----------------------------------------------------------------------------------------------------


def _record(name: str, rtype: str, data: Any, ttl: int = DEFAULT_TTL) -> dict[str, Any]:
    return {"name": name, "type": rtype, "ttl": ttl, "data": data}


def _zone(zone: str) -> dict[str, Any]:
    soa = dict(SOA_DEFAULTS, primary_server=f"{DNS_HOST}.{zone}.", responsible_person=f"hostmaster.{zone}.")
    return {"records": [_record("@", "SOA", soa), _record("@", "NS", f"{DNS_HOST}.{zone}.")]}


def _relative(fqdn: str, zone: str) -> str | None:
    fqdn = fqdn.lower().rstrip(".")
    if fqdn == zone:
        return "@"
    if fqdn.endswith("." + zone):
        return fqdn[: -len(zone) - 1]
    return None


def _add_address(zones: dict[str, Any], fqdn: str, address: str = BIND_ADDRESS) -> None:
    """An A record for ``fqdn`` in the served zone holding it (once)."""
    for zone in sorted(zones, key=len, reverse=True):
        relative = _relative(fqdn, zone)
        if relative is not None:
            records = zones[zone]["records"]
            if not any(r["name"] == relative and r["type"] == "A" and r["data"] == address for r in records):
                records.append(_record(relative, "A", address))
            return


def autodiscover_target(topology: Any) -> Any:
    """The Exchange host Autodiscover names point to: the one with ``settings.autodiscover: true``, else the first."""
    exchange = [host for host in topology.hosts if host.product == "exchange"]
    marked = [host for host in exchange if (host.settings or {}).get("autodiscover")]
    return (marked or exchange or [None])[0]


def initial_zones(topology: Any) -> dict[str, Any]:
    """The zones of a new lab: the AD domain and the SIP domain.

    Every host FQDN, Skype pool FQDN and CMS server is an A record to 127.0.0.1 (everything the lab simulates listens
    there). ``autodiscover.<sip domain>`` and ``autodiscover.<domain>`` are a CNAME to the Autodiscover Exchange host
    (:func:`autodiscover_target`), or an A record when that host has ``settings.autodiscover_record: A``, the two forms
    Microsoft's planning documentation allows ("a DNS record ... that resolves to the fully qualified domain name of
    your Exchange Server": /work/shared/domain/integration-procedure.md section 6). With ``autodiscover_record: none`` there
    is no Autodiscover record at all (no source: a lab setting for an organisation where section 6's record was
    never created, so that its names answer NXDOMAIN).
    """
    zones: dict[str, Any] = {}
    for zone in (topology.domain.lower(), topology.sip_domain.lower()):
        zones.setdefault(zone, _zone(zone))
    _add_address(zones, f"{DNS_HOST}.{topology.domain}")
    for host in topology.hosts:
        settings = host.settings or {}
        _add_address(zones, host.fqdn)
        for key in ("pool_fqdn", "cms_server"):
            if settings.get(key):
                _add_address(zones, str(settings[key]))
    target = autodiscover_target(topology)
    if target is not None:
        kind = str((target.settings or {}).get("autodiscover_record", "CNAME")).upper()
        for zone in dict.fromkeys((topology.sip_domain.lower(), topology.domain.lower())):
            if kind == "NONE":
                continue
            if kind == "A":
                zones[zone]["records"].append(_record("autodiscover", "A", BIND_ADDRESS))
            else:
                zones[zone]["records"].append(_record("autodiscover", "CNAME", target.fqdn.lower().rstrip(".") + "."))
    return zones


def ensure_zones(state: dict[str, Any], topology: Any) -> dict[str, Any]:
    """The state's zones, created from the topology the first time (call it under the engine's lock)."""
    if not isinstance(state.get("dns"), dict):
        state["dns"] = initial_zones(topology)
    return state["dns"]


def set_fault(state_dir: str | pathlib.Path, name: str, fault: str | None) -> None:
    """Tests: make the lab DNS server time out, SERVFAIL or REFUSE queries for ``name`` (None: answer normally again)."""
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"fault must be one of {', '.join(FAULTS)} or None")
    store = StateStore(pathlib.Path(state_dir))
    state = store.load()
    faults = state.setdefault("dns_faults", {})
    key = name.lower().rstrip(".") + "."
    if fault is None:
        faults.pop(key, None)
    else:
        faults[key] = fault
    store.save(state)


def state_source(topology: Any, state_dir: str | pathlib.Path) -> ZoneSource:
    """Zones and faults read from state.json at every query (the engine writes it atomically)."""
    store = StateStore(pathlib.Path(state_dir))

    def source() -> tuple[dict[str, Any], dict[str, str]]:
        state = store.load()
        zones = state.get("dns") if isinstance(state.get("dns"), dict) else initial_zones(topology)
        return zones, dict(state.get("dns_faults") or {})
    return source


def static_source(zones: dict[str, Any], faults: dict[str, str] | None = None) -> ZoneSource:
    """Fixed zones (a second view of the names in tests, for split DNS)."""
    zones = copy.deepcopy(zones)
    return lambda: (zones, dict(faults or {}))


# -- answering ----------------------------------------------------------------------------------------------------


def _rdata(rtype: str, data: Any, origin: dns.name.Name) -> dns.rdata.Rdata:
    if rtype == "SOA":
        text = "%s %s %d %d %d %d %d" % (data["primary_server"], data["responsible_person"], int(data["serial"]), int(data["refresh"]),
                                         int(data["retry"]), int(data["expire"]), int(data["minimum_ttl"]))
    else:
        text = str(data)
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), text, origin=origin, relativize=False)


class Answer:
    """What the server replies to one question: an rcode and RRsets, or nothing (a timeout fault)."""

    def __init__(self, rcode: int, answer: list[dns.rrset.RRset] | None = None, authority: list[dns.rrset.RRset] | None = None,
                 drop: bool = False, authoritative: bool = True) -> None:
        self.rcode = rcode
        self.answer = answer or []
        self.authority = authority or []
        self.drop = drop
        self.authoritative = authoritative


def _served_zone(zones: dict[str, Any], qname: dns.name.Name) -> str | None:
    best = None
    for zone in zones:
        if qname.is_subdomain(dns.name.from_text(zone)) and (best is None or len(zone) > len(best)):
            best = zone
    return best


def _rrset(zone: str, relative: str, rtype: str, records: list[dict[str, Any]]) -> dns.rrset.RRset | None:
    origin = dns.name.from_text(zone)
    owner = origin if relative == "@" else dns.name.from_text(relative, origin=origin)
    matching = [r for r in records if str(r.get("name", "")).lower() == relative and str(r.get("type", "")).upper() == rtype]
    if not matching:
        return None
    rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.from_text(rtype))
    for record in matching:
        rrset.add(_rdata(rtype, record["data"], origin), int(record.get("ttl", DEFAULT_TTL)))
    return rrset


def resolve(zones: dict[str, Any], faults: dict[str, str], qname: dns.name.Name, qtype: int) -> Answer:
    """The authoritative answer for ``qname``/``qtype`` from the zones (RFC 1034 section 4.3.2), following CNAMEs through
    the zones it serves: NXDOMAIN for a missing name of a served zone (with the SOA, RFC 2308), NOERROR with no answer
    for a name without that type (NODATA), REFUSED for a zone it does not serve (an authoritative server without
    recursion; BIND's "allow-recursion" default does the same; no source for Windows DNS with recursion disabled)."""
    fault = faults.get(qname.to_text().lower())
    if fault == "timeout":
        return Answer(0, drop=True)
    if fault == "servfail":
        return Answer(dns.rcode.SERVFAIL, authoritative=False)
    if fault == "refused":
        return Answer(dns.rcode.REFUSED, authoritative=False)
    answer: list[dns.rrset.RRset] = []
    name = qname
    for _step in range(MAX_CNAME_CHAIN):
        zone = _served_zone(zones, name)
        if zone is None:
            # a CNAME out of the served zones: the chain so far is the answer (the resolver goes on from there)
            return Answer(dns.rcode.NOERROR, answer) if answer else Answer(dns.rcode.REFUSED, authoritative=False)
        records = list((zones[zone] or {}).get("records") or [])
        relative = name.relativize(dns.name.from_text(zone)).to_text().lower() if name != dns.name.from_text(zone) else "@"
        soa = _rrset(zone, "@", "SOA", records)
        negative_ttl = soa_minimum(soa)
        if soa is not None:
            soa.update_ttl(negative_ttl)
        here = [r for r in records if str(r.get("name", "")).lower() == relative]
        if not here:
            below = any(str(r.get("name", "")).lower().endswith("." + relative) for r in records) if relative != "@" else True
            # RFC 6604: the rcode is that of the last name of the chain
            return Answer(dns.rcode.NOERROR if below else dns.rcode.NXDOMAIN, answer, [soa] if soa is not None else [])
        wanted = dns.rdatatype.to_text(qtype)
        found = _rrset(zone, relative, wanted, records) if qtype != dns.rdatatype.ANY else None
        if found is not None:
            return Answer(dns.rcode.NOERROR, answer + [found])
        cname = _rrset(zone, relative, "CNAME", records)
        if cname is None:
            return Answer(dns.rcode.NOERROR, answer, [soa] if soa is not None else [])
        answer.append(cname)
        name = cname[0].target
    return Answer(dns.rcode.SERVFAIL, authoritative=False)  # a CNAME loop


def soa_minimum(soa: dns.rrset.RRset | None) -> int:
    """The negative-caching TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 section 3)."""
    if soa is None:
        return DEFAULT_TTL
    return min(soa.ttl, soa[0].minimum)


def reply(source: ZoneSource, wire: bytes, max_size: int | None) -> bytes | None:
    """The reply to one query message (None: no reply), built with dnspython's message API."""
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        if len(wire) < 12:
            return None
        # RFC 1035 4.1.1: FORMERR for a query the server cannot interpret; echo the ID
        (query_id,) = struct.unpack("!H", wire[:2])
        response = dns.message.Message(query_id)
        response.flags = dns.flags.QR
        response.set_rcode(dns.rcode.FORMERR)
        return response.to_wire()
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.RA  # no recursion offered
    if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
        response.set_rcode(dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR)
        return response.to_wire()
    question = query.question[0]
    try:
        zones, faults = source()
        answer = resolve(zones, faults, question.name, question.rdtype)
    except Exception:  # pylint: disable=broad-exception-caught
        LOG.exception("dns: cannot answer %s", question)
        answer = Answer(dns.rcode.SERVFAIL, authoritative=False)
    if answer.drop:
        LOG.info("dns: %s %s dropped (timeout fault)", question.name, dns.rdatatype.to_text(question.rdtype))
        return None
    response.set_rcode(answer.rcode)
    if answer.authoritative:
        response.flags |= dns.flags.AA
    response.answer = answer.answer
    response.authority = answer.authority
    LOG.info("dns: %s %s -> %s", question.name, dns.rdatatype.to_text(question.rdtype), dns.rcode.to_text(answer.rcode))
    limit = max_size
    if limit is not None and query.edns >= 0:
        limit = max(UDP_LIMIT, min(query.payload, 65535))
    try:
        return response.to_wire(max_size=limit or 65535)
    except dns.exception.TooBig:
        # RFC 2181 section 9: set TC and let the client retry over TCP
        response.answer, response.authority = [], []
        response.flags |= dns.flags.TC
        return response.to_wire()


# -- servers ------------------------------------------------------------------------------------------------------


class _UDPHandler(socketserver.BaseRequestHandler):
    server: _UDPServer

    def handle(self) -> None:
        data, sock = self.request
        out = reply(self.server.source, data, UDP_LIMIT)
        if out is not None:
            sock.sendto(out, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        # RFC 1035 4.2.2 / RFC 7766: two-byte length prefix, several queries per connection
        self.request.settimeout(10)
        try:
            while True:
                header = self._read(2)
                if header is None:
                    return
                (length,) = struct.unpack("!H", header)
                data = self._read(length)
                if data is None:
                    return
                out = reply(self.server.source, data, None)
                if out is not None:
                    self.request.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return

    def _read(self, count: int) -> bytes | None:
        data = b""
        while len(data) < count:
            chunk = self.request.recv(count - len(data))
            if not chunk:
                return None
            data += chunk
        return data


class _UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    source: ZoneSource


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    source: ZoneSource


class DnsServer:
    """A UDP and a TCP DNS listener on the same port of 127.0.0.1 (port 0: a free one)."""

    def __init__(self, source: ZoneSource, port: int = 0, address: str = BIND_ADDRESS) -> None:
        self.source = source
        self.address = address
        self.requested_port = port
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The bound port."""
        return self._servers[0].server_address[1]

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:<port>``, the form the autodiscover_dns_info module's ``resolvers`` takes."""
        return f"{self.address}:{self.port}"

    def start(self) -> DnsServer:
        """Bind UDP and TCP on one port (a few tries when port 0 gives a UDP port whose TCP twin is taken)."""
        for _attempt in range(20):
            udp = _UDPServer((self.address, self.requested_port), _UDPHandler)
            try:
                tcp = _TCPServer((self.address, udp.server_address[1]), _TCPHandler)
            except OSError as error:
                udp.server_close()
                if error.errno == errno.EADDRINUSE and self.requested_port == 0:
                    continue
                raise
            break
        else:
            raise OSError(errno.EADDRINUSE, "no free port for both UDP and TCP")
        for server in (udp, tcp):
            server.source = self.source  # type: ignore[attr-defined]
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="lab-dns")
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        LOG.info("dns server listening on %s (udp+tcp)", self.endpoint)
        return self

    def stop(self) -> None:
        """Stop both listeners."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)
        self._servers, self._threads = [], []

    def __enter__(self) -> DnsServer:
        return self.start() if not self._servers else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def free_udp_port() -> int:
    """A UDP port of 127.0.0.1 nothing listens on (tests: a resolver that never answers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((BIND_ADDRESS, 0))
        return sock.getsockname()[1]

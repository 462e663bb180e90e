"""The lab DNS server: real DNS queries with dnspython over UDP and TCP against zone data of the lab state."""

from __future__ import annotations

import copy
import socket
import struct

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
import yaml
from wsman_support import TOPOLOGY_DATA

from lab.dns import DnsServer, ensure_zones, free_udp_port, initial_zones, set_fault, state_source, static_source
from lab.state import StateStore
from lab.topology import load_topology, parse_topology


def ask(server, name, rdtype="A", tcp=False, timeout=2.0):
    query = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, "127.0.0.1", port=server.port, timeout=timeout)


def texts(section):
    return [line for rrset in section for line in rrset.to_text().splitlines()]


@pytest.fixture(scope="module")
def default_topology():
    return load_topology()


@pytest.fixture()
def server(default_topology):
    with DnsServer(static_source(initial_zones(default_topology))) as running:
        yield running


def test_initial_zones_from_the_topology(default_topology):
    zones = initial_zones(default_topology)
    assert sorted(zones) == ["contoso.com", "contoso.local"]
    local = {(r["name"], r["type"]): r["data"] for r in zones["contoso.local"]["records"]}
    # every host, the Enterprise pool and the CMS back end resolve to the lab's address
    for name in ("ex13", "ex16", "ex19", "exse", "lync13", "sfb15", "sfb19", "sfbse1", "sfbse2", "sfbpool", "sql01", "dc01"):
        assert local[(name, "A")] == "127.0.0.1", name
    # the Autodiscover names of both domains: a CNAME to the first Exchange host
    assert local[("autodiscover", "CNAME")] == "ex13.contoso.local."
    assert {(r["name"], r["type"]): r["data"] for r in zones["contoso.com"]["records"]}[("autodiscover", "CNAME")] == "ex13.contoso.local."
    assert [r["type"] for r in zones["contoso.com"]["records"][:2]] == ["SOA", "NS"]


def test_topology_setting_moves_autodiscover():
    data = copy.deepcopy(TOPOLOGY_DATA)
    data["hosts"][1]["settings"] = {"autodiscover": True}
    zones = initial_zones(parse_topology(data))
    assert [(r["type"], r["data"]) for r in zones["contoso.com"]["records"] if r["name"] == "autodiscover"] == [("CNAME", "ex19.contoso.local.")]
    data["hosts"][1]["settings"] = {"autodiscover": True, "autodiscover_record": "A"}
    records = initial_zones(parse_topology(data))["contoso.com"]["records"]
    assert [(r["type"], r["data"]) for r in records if r["name"] == "autodiscover"] == [("A", "127.0.0.1")]


@pytest.mark.parametrize("tcp", [False, True])
def test_cname_chain_across_zones(server, tcp):
    response = ask(server, "AutoDiscover.Contoso.com.", tcp=tcp)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA and not response.flags & dns.flags.RA
    assert texts(response.answer) == ["AutoDiscover.Contoso.com. 3600 IN CNAME ex13.contoso.local.", "ex13.contoso.local. 3600 IN A 127.0.0.1"]


def test_nodata_has_the_soa(server):
    response = ask(server, "ex16.contoso.local", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    assert texts(response.authority) == ["contoso.local. 3600 IN SOA dc01.contoso.local. hostmaster.contoso.local. 1 900 600 86400 3600"]


def test_nodata_after_a_cname_keeps_the_chain(server):
    response = ask(server, "autodiscover.contoso.com", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert texts(response.answer) == ["autodiscover.contoso.com. 3600 IN CNAME ex13.contoso.local."]
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_nxdomain_in_a_served_zone(server):
    response = ask(server, "nothere.contoso.com")
    assert response.rcode() == dns.rcode.NXDOMAIN and response.answer == []
    assert response.authority[0].rdtype == dns.rdatatype.SOA and response.flags & dns.flags.AA


def test_refused_outside_the_served_zones(server):
    assert ask(server, "www.example.org").rcode() == dns.rcode.REFUSED


def test_soa_and_ns_at_the_apex(server):
    assert texts(ask(server, "contoso.local", "NS").answer) == ["contoso.local. 3600 IN NS dc01.contoso.local."]
    assert ask(server, "contoso.com", "SOA").answer[0][0].serial == 1


def test_cname_query_returns_the_cname_only(server):
    assert texts(ask(server, "autodiscover.contoso.local", "CNAME").answer) == ["autodiscover.contoso.local. 3600 IN CNAME ex13.contoso.local."]


def test_malformed_query_gets_formerr(server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(struct.pack("!H", 4242) + b"\x01\x00\x00\x01garbage", ("127.0.0.1", server.port))
        data = sock.recvfrom(512)[0]
    assert struct.unpack("!H", data[:2])[0] == 4242 and data[3] & 0x0F == dns.rcode.FORMERR


def test_state_zones_edits_and_faults(tmp_path, default_topology):
    """A record written into the state's zones resolves at once; the test faults time out, SERVFAIL and REFUSE."""
    with DnsServer(state_source(default_topology, tmp_path)) as running:
        # no dns in the state yet: the initial zones are served
        assert ask(running, "autodiscover.contoso.com").rcode() == dns.rcode.NOERROR
        store = StateStore(tmp_path)
        state = store.load()
        zones = ensure_zones(state, default_topology)
        records = zones["contoso.com"]["records"]
        records[:] = [r for r in records if r["name"] != "autodiscover"]
        records.append({"name": "autodiscover", "type": "A", "ttl": 600, "data": "192.0.2.25"})
        store.save(state)
        assert texts(ask(running, "autodiscover.contoso.com").answer) == ["autodiscover.contoso.com. 600 IN A 192.0.2.25"]
        set_fault(tmp_path, "autodiscover.contoso.com", "servfail")
        assert ask(running, "autodiscover.contoso.com").rcode() == dns.rcode.SERVFAIL
        set_fault(tmp_path, "Autodiscover.contoso.com.", "refused")
        assert ask(running, "autodiscover.contoso.com").rcode() == dns.rcode.REFUSED
        set_fault(tmp_path, "autodiscover.contoso.com", "timeout")
        with pytest.raises(dns.exception.Timeout):
            ask(running, "autodiscover.contoso.com", timeout=0.5)
        # other names are not affected; removing the fault restores the answer
        assert ask(running, "ex13.contoso.local").rcode() == dns.rcode.NOERROR
        set_fault(tmp_path, "autodiscover.contoso.com", None)
        assert ask(running, "autodiscover.contoso.com").answer[0][0].address == "192.0.2.25"
    with pytest.raises(ValueError):
        set_fault(tmp_path, "x.contoso.com", "slow")


def test_unreadable_state_is_servfail(tmp_path, default_topology):
    (tmp_path / "state.json").write_text('{"version": 99}')
    with DnsServer(state_source(default_topology, tmp_path)) as running:
        assert ask(running, "ex13.contoso.local").rcode() == dns.rcode.SERVFAIL


def test_truncated_over_udp_complete_over_tcp(default_topology):
    zones = initial_zones(default_topology)
    zones["contoso.com"]["records"] += [{"name": "big", "type": "A", "ttl": 60, "data": "10.0.%d.%d" % (i // 250, i % 250)} for i in range(60)]
    with DnsServer(static_source(zones)) as running:
        udp = ask(running, "big.contoso.com")
        assert udp.flags & dns.flags.TC and udp.answer == []
        assert len(ask(running, "big.contoso.com", tcp=True).answer[0]) == 60


def test_lab_server_serves_dns_and_writes_it_into_the_inventory(lab):
    """The in-process lab server (conftest) starts the DNS server and names it in inventory.yml."""
    inventory = yaml.safe_load(lab.inventory_path.read_text())
    endpoint = inventory["all"]["vars"]["ucops_lab_dns_server"]
    assert endpoint == lab.dns.endpoint and lab.runtime_info()["dns"] == endpoint
    response = dns.query.udp(dns.message.make_query("ex16.contoso.local", "A"), "127.0.0.1", port=lab.dns.port, timeout=2)
    assert texts(response.answer) == ["ex16.contoso.local. 3600 IN A 127.0.0.1"]


def test_stopped_server_no_longer_answers(default_topology):
    running = DnsServer(static_source(initial_zones(default_topology))).start()
    port = running.port
    running.stop()
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(dns.message.make_query("ex13.contoso.local", "A"), "127.0.0.1", port=port, timeout=0.3)
    assert free_udp_port() > 0

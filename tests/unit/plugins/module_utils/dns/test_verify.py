# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Autodiscover DNS check on fake resolvers: each fake builds real dnspython reply messages from a small table."""

from __future__ import annotations

import dns.exception
import dns.message
import dns.rcode
import dns.rrset
import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import verify

NAME = 'autodiscover.contoso.com'


def reply(name, rdtype, rcode='NOERROR', records=()):
    """A reply to a query for name/rdtype with the given rcode and answer records (owner, type, data)."""
    response = dns.message.make_response(dns.message.make_query(name, rdtype))
    response.set_rcode(dns.rcode.from_text(rcode))
    for owner, kind, data in records:
        response.answer.append(dns.rrset.from_text(owner + '.', 300, 'IN', kind, data))
    return response


def fake(views):
    """query(name, rdtype, address, port, timeout) answering from {address: {rdtype: reply or exception}}; records calls."""
    calls = []

    def query(name, rdtype, address, port, timeout):
        calls.append((name, rdtype, address, port, timeout))
        answer = views[address].get(rdtype, views[address].get('*'))
        if isinstance(answer, Exception):
            raise answer
        return answer(name, rdtype) if callable(answer) else answer
    query.calls = calls
    return query


CNAME_TO_EX = [(NAME, 'CNAME', 'ex2019.contoso.local.'), ('ex2019.contoso.local', 'A', '10.0.1.25')]


def good(name=NAME, rdtype='A'):
    return reply(name, rdtype, records=CNAME_TO_EX if rdtype == 'A' else CNAME_TO_EX[:1])


def test_ok_follows_the_cname_chain_and_matches_name_and_address():
    query = fake({'10.0.0.10': {'*': good}})
    result = verify.verify(NAME, [('10.0.0.10', 53)], expected_target='EX2019.contoso.local.', expected_addresses=['10.0.1.25'], query=query)
    assert result['ok'] and result['agreed'] and result['findings'] == []
    view = result['resolvers'][0]
    assert view['status'] == 'ok' and view['rcode'] == 'NOERROR'
    assert view['chain'] == [{'name': NAME, 'type': 'CNAME', 'target': 'ex2019.contoso.local', 'ttl': 300}]
    assert view['canonical_name'] == 'ex2019.contoso.local' and view['addresses'] == ['10.0.1.25']
    # AAAA has no records (NODATA) but A has: the name resolves
    assert [a['status'] for a in view['answers']] == ['ok', 'nodata']
    assert query.calls == [(NAME, 'A', '10.0.0.10', 53, 5.0), (NAME, 'AAAA', '10.0.0.10', 53, 5.0)]
    assert result['msg'] == 'autodiscover.contoso.com CNAME ex2019.contoso.local -> 10.0.1.25 through 10.0.0.10:53'


def test_wrong_target_names_what_was_found():
    result = verify.verify(NAME, [('10.0.0.10', 53)], expected_target='ex2016.contoso.local', query=fake({'10.0.0.10': {'*': good}}))
    assert not result['ok']
    assert result['resolvers'][0]['status'] == 'wrong_target'
    assert result['findings'][0]['id'] == 'autodiscover_dns_wrong_target'
    assert 'ex2019.contoso.local -> 10.0.1.25, not to ex2016.contoso.local' in result['msg']


def test_wrong_addresses_compares_only_the_listed_family():
    def dual(name, rdtype):
        if rdtype == 'A':
            return good(name, rdtype)
        return reply(name, rdtype, records=CNAME_TO_EX[:1] + [('ex2019.contoso.local', 'AAAA', '2001:db8::25')])
    ok = verify.verify(NAME, [('10.0.0.10', 53)], expected_addresses=['10.0.1.25'], query=fake({'10.0.0.10': {'*': dual}}))
    assert ok['ok'] and ok['resolvers'][0]['addresses'] == ['10.0.1.25', '2001:db8::25']
    bad = verify.verify(NAME, [('10.0.0.10', 53)], expected_addresses=['10.0.1.26'], query=fake({'10.0.0.10': {'*': dual}}))
    assert bad['resolvers'][0]['status'] == 'wrong_target'
    assert 'resolves to 10.0.1.25, expected the addresses 10.0.1.26' in bad['msg']


def test_plain_a_record_matches_its_own_name_only():
    def plain(name, rdtype):
        return reply(name, rdtype, records=[(NAME, 'A', '10.0.1.25')] if rdtype == 'A' else ())
    result = verify.verify(NAME, [('10.0.0.10', 53)], expected_target='ex2019.contoso.local', query=fake({'10.0.0.10': {'*': plain}}))
    assert result['resolvers'][0]['status'] == 'wrong_target' and result['resolvers'][0]['chain'] == []
    assert verify.verify(NAME, [('10.0.0.10', 53)], expected_addresses=['10.0.1.25'], query=fake({'10.0.0.10': {'*': plain}}))['ok']


@pytest.mark.parametrize('rcode, status', [('NXDOMAIN', 'nxdomain'), ('SERVFAIL', 'servfail'), ('REFUSED', 'refused'), ('FORMERR', 'error')])
def test_error_rcodes(rcode, status):
    result = verify.verify(NAME, [('10.0.0.10', 53)], query=fake({'10.0.0.10': {'*': lambda n, t: reply(n, t, rcode)}}))
    view = result['resolvers'][0]
    assert (view['status'], view['rcode'], result['ok']) == (status, rcode, False)
    assert result['findings'][0]['id'] == 'autodiscover_dns_' + status
    assert result['findings'][0]['server'] == '10.0.0.10:53'


def test_nxdomain_message_and_finding_shape():
    result = verify.verify(NAME, [('10.0.0.10', 53)], query=fake({'10.0.0.10': {'*': lambda n, t: reply(n, t, 'NXDOMAIN')}}))
    assert result['msg'] == '10.0.0.10:53: autodiscover.contoso.com answered NXDOMAIN'
    assert set(result['findings'][0]) == {'id', 'severity', 'feature', 'server', 'message', 'source'}
    assert result['findings'][0]['feature'] == 'autodiscover_dns' and result['findings'][0]['source'].startswith('https://')


def test_nodata_when_no_type_has_addresses():
    result = verify.verify(NAME, [('10.0.0.10', 53)], query=fake({'10.0.0.10': {'*': lambda n, t: reply(n, t, records=CNAME_TO_EX[:1])}}))
    view = result['resolvers'][0]
    assert view['status'] == 'nodata' and view['canonical_name'] == 'ex2019.contoso.local'
    assert 'NODATA (autodiscover.contoso.com CNAME ex2019.contoso.local has no A/AAAA record)' in result['msg']


def test_a_failure_of_one_type_wins_over_an_answer_of_the_other():
    result = verify.verify(NAME, [('10.0.0.10', 53)], query=fake({'10.0.0.10': {'A': good, 'AAAA': dns.exception.Timeout()}}))
    assert result['resolvers'][0]['status'] == 'timeout' and not result['ok']


def test_timeout_and_network_error():
    result = verify.verify(NAME, [('10.0.0.10', 53), ('10.0.0.11', 5353)], record_types=['A'], timeout=0.5,
                           query=fake({'10.0.0.10': {'*': dns.exception.Timeout()}, '10.0.0.11': {'*': ConnectionRefusedError(111, 'refused')}}))
    first, second = result['resolvers']
    assert (first['status'], first['rcode'], first['error']) == ('timeout', None, 'no reply within 0.5 s')
    assert second['status'] == 'error' and 'refused' in second['error']
    assert '10.0.0.10:53: no answer for autodiscover.contoso.com: no reply (timeout)' in result['msg']


def test_split_dns_disagreement_says_who_answered_what():
    def other(name, rdtype):
        return reply(name, rdtype, records=[(NAME, 'CNAME', 'mail.contoso.com.'), ('mail.contoso.com', 'A', '203.0.113.5')])
    result = verify.verify(NAME, [('10.0.0.10', 53), ('192.0.2.53', 53)], record_types=['A'],
                           query=fake({'10.0.0.10': {'*': good}, '192.0.2.53': {'*': other}}))
    assert [v['status'] for v in result['resolvers']] == ['ok', 'ok']
    assert result['agreed'] is False and result['ok'] is False
    finding = result['findings'][-1]
    assert finding['id'] == 'autodiscover_dns_disagreement'
    assert ('10.0.0.10:53 answered autodiscover.contoso.com CNAME ex2019.contoso.local -> 10.0.1.25; '
            '192.0.2.53:53 answered autodiscover.contoso.com CNAME mail.contoso.com -> 203.0.113.5') in finding['message']


def test_agreement_ignores_ttl_and_an_expected_target_both_miss():
    def aged(name, rdtype):
        return reply(name, rdtype, records=CNAME_TO_EX)
    result = verify.verify(NAME, [('10.0.0.10', 53), ('10.0.0.11', 53)], record_types=['A'], expected_target='other.contoso.com',
                           query=fake({'10.0.0.10': {'*': good}, '10.0.0.11': {'*': aged}}))
    assert result['agreed'] is True
    assert [f['id'] for f in result['findings']] == ['autodiscover_dns_wrong_target'] * 2


def test_cname_loop_stops():
    def loop(name, rdtype):
        return reply(name, rdtype, records=[(NAME, 'CNAME', 'b.contoso.com.'), ('b.contoso.com', 'CNAME', NAME + '.')])
    view = verify.verify(NAME, [('10.0.0.10', 53)], record_types=['A'], query=fake({'10.0.0.10': {'*': loop}}))['resolvers'][0]
    assert view['status'] == 'nodata' and len(view['chain']) == 2


@pytest.mark.parametrize('text, parsed', [
    ('10.0.0.10', ('10.0.0.10', 53)), ('10.0.0.10:5353', ('10.0.0.10', 5353)), ('2001:db8::53', ('2001:db8::53', 53)),
    ('[2001:db8::53]:5353', ('2001:db8::53', 5353)), ('[::1]', ('::1', 53)), (' 127.0.0.1 ', ('127.0.0.1', 53)),
])
def test_parse_resolver(text, parsed):
    assert verify.parse_resolver(text) == parsed


@pytest.mark.parametrize('text, words', [
    ('dns.contoso.com', 'is not an IP address'), ('10.0.0.10:0', 'port must be'), ('10.0.0.10:x', 'port must be'),
    ('[2001:db8::53', 'closing bracket'), ('[::1]53', 'expected [IPv6]:port'), ('10.0.0.10:70000', 'port must be'),
])
def test_parse_resolver_refuses(text, words):
    with pytest.raises(OptionError, match='resolvers: .*' + words.replace('[', r'\[')):
        verify.parse_resolver(text)


def test_resolver_label():
    assert verify.resolver_label('2001:db8::53', 53) == '[2001:db8::53]:53'
    assert verify.resolver_label('10.0.0.1', 53) == '10.0.0.1:53'


def test_autodiscover_name():
    assert verify.autodiscover_name(None, 'Contoso.com.') == 'autodiscover.contoso.com'
    assert verify.autodiscover_name('AutoDiscover.Fabrikam.com', 'contoso.com') == 'autodiscover.fabrikam.com'
    with pytest.raises(OptionError, match='name or domain is required'):
        verify.autodiscover_name('', None)
    with pytest.raises(OptionError, match='name: .* is not a valid DNS name'):
        verify.autodiscover_name('a..b', None)


def test_expected_addresses_validated():
    with pytest.raises(OptionError, match="expected_addresses: 'mail' is not an IP address"):
        verify.verify(NAME, [('10.0.0.10', 53)], expected_addresses=['mail'], query=fake({}))


def test_system_resolvers_used_when_none_given(monkeypatch):
    monkeypatch.setattr(verify, 'system_resolvers', lambda: [('10.9.9.9', 53)])
    assert verify.resolvers_of([]) == [('10.9.9.9', 53)]
    assert verify.resolvers_of(['10.0.0.1:54']) == [('10.0.0.1', 54)]
    monkeypatch.setattr(verify, 'system_resolvers', lambda: [])
    with pytest.raises(OptionError, match='no resolver configured'):
        verify.resolvers_of(None)

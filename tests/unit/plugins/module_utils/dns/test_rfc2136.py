# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64

import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import rfc2136
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns.rfc2136 import Reading, Record

SECRET = base64.b64encode(b'unit-test-secret-0123456789abcdef').decode('ascii')
OWNER = 'autodiscover.contoso.com.'


def settings(**extra):
    params = dict(zone='contoso.com', name='autodiscover', type='A', value=['192.0.2.10'], state='present', server='192.0.2.53',
                  port=53, protocol='tcp', timeout=5, tsig_key_name='ansible-key', tsig_secret=SECRET, tsig_algorithm='hmac-sha256',
                  replace_other_type=False, ttl=None)
    params.update(extra)
    return rfc2136.Settings(params)


# --- options -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['autodiscover', 'autodiscover.contoso.com', 'autodiscover.contoso.com.', 'AutoDiscover'])
def test_name_forms_resolve_to_the_same_owner(name):
    assert settings(name=name).owner == OWNER


def test_name_outside_the_zone_is_refused():
    with pytest.raises(OptionError, match='not in zone contoso.com'):
        settings(name='autodiscover.fabrikam.com.')


@pytest.mark.parametrize('extra, message', [
    (dict(value=['mail.contoso.com']), 'not an IPv4 address'),
    (dict(type='CNAME', value=['a.contoso.com', 'b.contoso.com']), 'exactly one target'),
    (dict(type='CNAME', value=['192.0.2.1']), 'is an IP address'),
    (dict(value=[]), 'value is required'),
    (dict(value=['']), 'blank'),
    (dict(type='CNAME', name='@', value=['mail.contoso.com']), 'zone apex'),
    (dict(tsig_secret=None), 'go together'),
    (dict(tsig_secret='not base64!!'), 'not valid base64'),
    (dict(port=0), 'port'),
    (dict(ttl=-1), 'ttl'),
    (dict(timeout=0), 'timeout'),
    (dict(server=' '), 'server is required'),
])
def test_bad_input_is_refused_before_anything_is_sent(extra, message):
    with pytest.raises(OptionError, match=message):
        settings(**extra)


def test_values_are_normalised():
    assert settings(value=['192.0.2.2', '192.0.2.1', '192.0.2.2']).values == ('192.0.2.1', '192.0.2.2')
    assert settings(type='CNAME', value=['Mail.Contoso.com']).values == ('mail.contoso.com.',)


def test_the_secret_is_never_quoted_by_a_refusal():
    bad = SECRET + '%%'
    with pytest.raises(OptionError) as raised:
        settings(tsig_secret=bad)
    assert bad not in str(raised.value) and SECRET not in str(raised.value)


# --- plan --------------------------------------------------------------------------------------------------------

A_OLD = Record('A', ['192.0.2.9'], 3600)
CNAME_OLD = Record('CNAME', ['old.contoso.com.'], 300)


def test_create_when_the_name_does_not_exist_pins_name_not_in_use():
    plan = rfc2136.plan(settings(), Reading(False))
    assert plan.prerequisites == [('nxdomain',)]
    assert plan.updates == [('add', 'A', 3600, ('192.0.2.10',))]
    assert plan.after == {'A': Record('A', ['192.0.2.10'], 3600)}


def test_create_where_the_name_has_other_data_pins_both_rrsets_absent():
    plan = rfc2136.plan(settings(), Reading(True))
    assert plan.prerequisites == [('nxrrset', 'A'), ('nxrrset', 'CNAME')]


def test_same_record_is_no_change():
    plan = rfc2136.plan(settings(), Reading(True, {'A': Record('A', ['192.0.2.10'], 3600)}))
    assert not plan.changed and plan.prerequisites == []


def test_ttl_omitted_keeps_the_current_ttl_and_ttl_given_changes_it():
    current = Reading(True, {'A': Record('A', ['192.0.2.10'], 600)})
    assert not rfc2136.plan(settings(), current).changed
    plan = rfc2136.plan(settings(ttl=300), current)
    assert plan.updates == [('delete', 'A'), ('add', 'A', 300, ('192.0.2.10',))]
    assert plan.prerequisites == [('yxrrset', 'A', ('192.0.2.10',)), ('nxrrset', 'CNAME')]


def test_changed_address_pins_the_values_read():
    plan = rfc2136.plan(settings(), Reading(True, {'A': A_OLD}))
    assert plan.prerequisites == [('yxrrset', 'A', ('192.0.2.9',)), ('nxrrset', 'CNAME')]
    assert plan.updates == [('delete', 'A'), ('add', 'A', 3600, ('192.0.2.10',))]
    assert plan.before == {'A': A_OLD}


def test_other_type_is_refused_without_replace_other_type():
    with pytest.raises(rfc2136.DnsConflict, match='holds a CNAME record .old.contoso.com.*replace_other_type=true'):
        rfc2136.plan(settings(), Reading(True, {'CNAME': CNAME_OLD}))
    with pytest.raises(rfc2136.DnsConflict, match='holds an A record'):
        rfc2136.plan(settings(type='CNAME', value=['mail.contoso.com']), Reading(True, {'A': A_OLD}))


def test_other_type_is_replaced_when_allowed():
    plan = rfc2136.plan(settings(type='CNAME', value=['mail.contoso.com'], replace_other_type=True), Reading(True, {'A': A_OLD}))
    assert plan.prerequisites == [('nxrrset', 'CNAME'), ('yxrrset', 'A', ('192.0.2.9',))]
    assert plan.updates == [('delete', 'A'), ('add', 'CNAME', 3600, ('mail.contoso.com.',))]
    assert plan.after == {'CNAME': Record('CNAME', ['mail.contoso.com.'], 3600)}


def test_absent():
    assert not rfc2136.plan(settings(state='absent', value=None), Reading(False)).changed
    plan = rfc2136.plan(settings(state='absent', value=None), Reading(True, {'A': Record('A', ['192.0.2.1', '192.0.2.2'], 60)}))
    assert plan.updates == [('delete', 'A')] and plan.after == {}
    assert plan.prerequisites == [('yxrrset', 'A', ('192.0.2.1', '192.0.2.2'))]


def test_absent_with_values_removes_only_those():
    current = Reading(True, {'A': Record('A', ['192.0.2.1', '192.0.2.2'], 60)})
    plan = rfc2136.plan(settings(state='absent', value=['192.0.2.2', '192.0.2.3']), current)
    assert plan.updates == [('delete', 'A', ('192.0.2.2',))]
    assert plan.after == {'A': Record('A', ['192.0.2.1'], 60)}
    assert not rfc2136.plan(settings(state='absent', value=['192.0.2.3']), current).changed


def test_absent_of_one_type_leaves_the_other():
    assert not rfc2136.plan(settings(state='absent', value=None), Reading(True, {'CNAME': CNAME_OLD})).changed


# --- the update message ------------------------------------------------------------------------------------------

def test_update_message_sections():
    s = settings(type='CNAME', value=['mail.contoso.com'], replace_other_type=True, ttl=300)
    plan = rfc2136.plan(s, Reading(True, {'A': A_OLD}))
    update = rfc2136.build_update(s, plan)
    assert update.zone[0].name == dns.name.from_text('contoso.com') and update.zone[0].rdtype == dns.rdatatype.SOA
    prereqs = {(r.rdtype, r.rdclass, r.ttl, tuple(rd.to_text() for rd in r)) for r in update.prerequisite}
    # RFC 2136 section 2.4.2 (value dependent: class IN, TTL 0, the values) and 2.4.3 (class NONE, type, no rdata)
    assert prereqs == {(dns.rdatatype.A, dns.rdataclass.IN, 0, ('192.0.2.9',)), (dns.rdatatype.CNAME, dns.rdataclass.NONE, 0, ())}
    # the class sent on the wire: dnspython keeps it in `deleting` for deletions
    updates = [(r.rdtype, r.rdclass if r.deleting is None else r.deleting, r.ttl, tuple(rd.to_text() for rd in r)) for r in update.update]
    # section 2.5.2 (delete an RRset: class ANY) then 2.5.1 (add)
    assert updates == [(dns.rdatatype.A, dns.rdataclass.ANY, 0, ()), (dns.rdatatype.CNAME, dns.rdataclass.IN, 300, ('mail.contoso.com.',))]
    assert update.keyname == dns.name.from_text('ansible-key') and update.keyalgorithm == dns.tsig.HMAC_SHA256


def test_name_not_in_use_prerequisite():
    s = settings()
    update = rfc2136.build_update(s, rfc2136.plan(s, Reading(False)))
    [prereq] = update.prerequisite
    assert (prereq.rdtype, prereq.rdclass) == (dns.rdatatype.ANY, dns.rdataclass.NONE)  # section 2.4.5


def test_describe_in_nsupdate_syntax():
    s = settings()
    prereqs, updates = rfc2136.describe(s, rfc2136.plan(s, Reading(True, {'A': A_OLD})))
    assert prereqs == ['prereq yxrrset %s IN A 192.0.2.9' % OWNER, 'prereq nxrrset %s IN CNAME' % OWNER]
    assert updates == ['update delete %s IN A' % OWNER, 'update add %s 3600 IN A 192.0.2.10' % OWNER]


# --- messages ----------------------------------------------------------------------------------------------------

class Answer(object):
    def __init__(self, rcode):
        self._rcode = dns.rcode.from_text(rcode)
        self.flags = 0

    def rcode(self):
        return self._rcode


@pytest.mark.parametrize('rcode, kind, text', [
    ('NXRRSET', 'dns_changed', 'changed after the module read them'),
    ('YXRRSET', 'dns_changed', 'changed after the module read them'),
    ('YXDOMAIN', 'dns_changed', 'changed after the module read them'),
    ('REFUSED', 'dns_refused', "update-policy"),
    ('NOTAUTH', 'dns_notauth', 'not authoritative for zone contoso.com'),
    ('SERVFAIL', 'dns', 'SERVFAIL'),
])
def test_update_rcodes(monkeypatch, rcode, kind, text):
    monkeypatch.setattr(rfc2136.dns.query, 'tcp', lambda *a, **k: Answer(rcode))
    s = settings()
    with pytest.raises(rfc2136.DnsError) as raised:
        rfc2136.send(s, rfc2136.build_update(s, rfc2136.plan(s, Reading(False))))
    assert raised.value.kind == kind and text in raised.value.message
    assert SECRET not in raised.value.message


@pytest.mark.parametrize('error, kind, text', [
    (dns.tsig.PeerBadKey(), 'dns_tsig', 'does not know the TSIG key ansible-key with algorithm hmac-sha256 (BADKEY)'),
    (dns.tsig.PeerBadSignature(), 'dns_tsig', 'tsig_secret is not the secret'),
    (dns.tsig.PeerBadTime(), 'dns_tsig', 'clock'),
    (dns.exception.Timeout(), 'dns_unreachable', 'no answer from the DNS server 192.0.2.53 port 53 (TCP) within 5 seconds'),
    (ConnectionRefusedError(), 'dns_unreachable', 'refused the TCP connection'),
    (OSError('Network is unreachable'), 'dns_unreachable', 'Network is unreachable'),
])
def test_exchange_failures(monkeypatch, error, kind, text):
    def fail(*args, **kwargs):
        raise error
    monkeypatch.setattr(rfc2136.dns.query, 'tcp', fail)
    with pytest.raises(rfc2136.DnsError) as raised:
        rfc2136.read(settings())
    assert raised.value.kind == kind and text in raised.value.message
    assert SECRET not in raised.value.message


def test_read_refused_is_an_error_not_absent(monkeypatch):
    monkeypatch.setattr(rfc2136.dns.query, 'tcp', lambda *a, **k: Answer('REFUSED'))
    with pytest.raises(rfc2136.DnsRefused, match='allow-query'):
        rfc2136.read(settings())


def test_read_without_authority_is_an_error(monkeypatch):
    monkeypatch.setattr(rfc2136.dns.query, 'tcp', lambda *a, **k: Answer('NOERROR'))
    with pytest.raises(rfc2136.DnsNotAuthoritative, match='lacks the AA flag'):
        rfc2136.read(settings())


def test_read_keeps_only_the_queried_type_at_the_name(monkeypatch):
    def answer(query, *args, **kwargs):
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.answer.append(dns.rrset.from_text(OWNER, 300, 'IN', 'CNAME', 'mail.contoso.com.'))
        response.answer.append(dns.rrset.from_text('mail.contoso.com.', 300, 'IN', 'A', '192.0.2.25'))
        return response
    import dns.flags
    import dns.rrset
    monkeypatch.setattr(rfc2136.dns.query, 'tcp', answer)
    s = settings()
    s.keyring = None  # unsigned here: make_response of a signed query would need the key on the answer
    reading = rfc2136.read(s)
    assert reading.records == {'CNAME': Record('CNAME', ['mail.contoso.com.'], 300)} and reading.name_exists


def test_check_mode_sends_no_update(monkeypatch):
    sent = []
    monkeypatch.setattr(rfc2136, 'read', lambda s: Reading(False))
    monkeypatch.setattr(rfc2136, 'send', lambda *a: sent.append(a))
    result = rfc2136.run(dict(zone='contoso.com', name='autodiscover', type='A', value=['192.0.2.10'], server='192.0.2.53',
                              tsig_key_name='k', tsig_secret=SECRET), check_mode=True)
    assert result['changed'] and sent == []
    assert result['diff'] == {'before': {'records': []},
                              'after': {'records': [{'name': OWNER, 'type': 'A', 'value': ['192.0.2.10'], 'ttl': 3600}]}}

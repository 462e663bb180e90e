# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import rfc2136, windows
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response

ZONE_ROW = {'ZoneName': 'contoso.com', 'ZoneType': 'Primary', 'IsDsIntegrated': True}
MISSING = {'item': None, 'message': 'Failed to get autodiscover record in contoso.com zone on DC01 server.',
           'fully_qualified_error_id': 'WIN32 9714,Get-DnsServerResourceRecord', 'category': 'ObjectNotFound', 'exception_type': 'CimException'}


def a_row(address, ttl=3600, name='autodiscover'):
    return {'HostName': name, 'RecordType': 'A', 'TimeToLive.TotalSeconds': float(ttl), 'RecordData.IPv4Address.IPAddressToString': address,
            'RecordData.HostNameAlias': None}


def cname_row(target, ttl=3600):
    return {'HostName': 'autodiscover', 'RecordType': 'CNAME', 'TimeToLive.TotalSeconds': ttl,
            'RecordData.IPv4Address.IPAddressToString': None, 'RecordData.HostNameAlias': target}


def response(rows, errors=None, key='records', zone=True):
    results = [{'id': key, 'cmdlet': 'Get-DnsServerResourceRecord', 'status': 'ok', 'output': rows, 'item_errors': errors or []}]
    if zone:
        results.insert(0, {'id': 'zone', 'cmdlet': 'Get-DnsServerZone', 'status': 'ok', 'output': [ZONE_ROW]})
    return Response({'host': {}, 'results': results})


class FakeRunner:
    def __init__(self, read, write=None):
        self.read_response, self.write_response = read, write
        self.requests = []

    def read(self, shell, invocations):
        self.requests.append(('read', invocations))
        return self.read_response

    def write(self, shell, invocations):
        self.requests.append(('write', invocations))
        return self.write_response


class FakeModule:
    host = 'dc01'

    def __init__(self, params, runner, check_mode=False, diff=False):
        base = {'zone': 'contoso.com', 'name': 'autodiscover', 'type': 'A', 'value': None, 'ttl': None, 'state': 'present',
                'replace_other_type': False}
        base.update(params)
        self.params, self.runner, self.check_mode, self._diff = base, runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


def settings(**params):
    return windows.Settings(FakeModule(params, None).params)


def test_timespan_is_text_that_timespan_parse_reads():
    assert windows.timespan(3600) == '01:00:00'
    assert windows.timespan(300) == '00:05:00'
    assert windows.timespan(90061) == '1.01:01:01'
    assert windows.timespan(0) == '00:00:00'


def test_names_relative_to_the_zone_and_the_same_validation_as_rfc2136():
    assert settings(name='autodiscover.contoso.com.', value=['192.0.2.1']).relative == 'autodiscover'
    assert settings(name='@', value=['192.0.2.1']).relative == '@'
    assert settings(name='autodiscover', value=['192.0.2.1']).owner == 'autodiscover.contoso.com.'
    with pytest.raises(OptionError, match='not an IPv4 address'):
        settings(value=['mail.contoso.com'])
    with pytest.raises(OptionError, match='exactly one target'):
        settings(type='CNAME', value=['a.contoso.com', 'b.contoso.com'])
    with pytest.raises(OptionError, match='zone apex'):
        settings(type='CNAME', name='@', value=['mail.contoso.com'])
    with pytest.raises(OptionError, match='ttl must be between'):
        settings(value=['192.0.2.1'], ttl=-1)
    with pytest.raises(OptionError, match='not in zone'):
        settings(name='autodiscover.fabrikam.com.', value=['192.0.2.1'])


def test_reading_treats_only_the_missing_name_as_absent():
    s = settings(value=['192.0.2.1'])
    assert windows.reading(s, response([], [MISSING]), 'records').records == {}
    other = dict(MISSING, fully_qualified_error_id='WIN32 5,Get-DnsServerResourceRecord', message='Access denied')
    with pytest.raises(windows.DnsServerError, match='Access denied'):
        windows.reading(s, response([], [other]), 'records')


def test_reading_builds_record_sets_with_the_lowest_ttl_and_skips_other_names():
    s = settings(value=['192.0.2.1'])
    found = windows.reading(s, response([a_row('192.0.2.2', 600), a_row('192.0.2.1', 300), a_row('192.0.2.9', name='x.autodiscover'),
                                         cname_row('Mail.Contoso.com.')]), 'records')
    assert found.get('A') == rfc2136.Record('A', ['192.0.2.1', '192.0.2.2'], 300)
    assert found.get('CNAME') == rfc2136.Record('CNAME', ['mail.contoso.com.'], 3600)


def test_create_sends_an_add_with_a_timespan_and_verifies():
    runner = FakeRunner(response([], [MISSING]), response([a_row('192.0.2.10', 300)], key='after', zone=False))
    module = FakeModule({'value': ['192.0.2.10'], 'ttl': 300}, runner, diff=True)
    result = windows.run(module)
    assert result['changed'] is True
    kind, invocations = runner.requests[1]
    assert kind == 'write' and [i.cmdlet for i in invocations] == ['Add-DnsServerResourceRecordA', 'Get-DnsServerResourceRecord']
    assert invocations[0].parameters == {'ZoneName': 'contoso.com', 'Name': 'autodiscover', 'IPv4Address': ['192.0.2.10'], 'TimeToLive': '00:05:00'}
    assert result['records'] == [{'name': 'autodiscover.contoso.com.', 'type': 'A', 'value': ['192.0.2.10'], 'ttl': 300}]
    assert result['diff'] == {'before': {'records': []}, 'after': {'records': result['records']}}
    assert result['ds_integrated'] is True and result['zone_type'] == 'Primary'


def test_read_request_is_gets_only_and_tolerates_the_record_read():
    invocations = windows.reads(settings(value=['192.0.2.1']))
    assert [i.cmdlet for i in invocations] == ['Get-DnsServerZone', 'Get-DnsServerResourceRecord']
    assert invocations[1].tolerate_errors and invocations[1].parameters['Node'] == {'__ucops_type': 'switch', 'value': True}
    assert not invocations[0].tolerate_errors  # a missing zone fails the task


def test_unchanged_sends_no_write_and_check_mode_sends_none():
    runner = FakeRunner(response([a_row('192.0.2.10')]))
    result = windows.run(FakeModule({'value': ['192.0.2.10']}, runner))
    assert result['changed'] is False and result['changes'] == [] and [r[0] for r in runner.requests] == ['read']
    runner = FakeRunner(response([a_row('192.0.2.10')]))
    result = windows.run(FakeModule({'value': ['192.0.2.11']}, runner, check_mode=True))
    assert result['changed'] is True and [r[0] for r in runner.requests] == ['read']
    assert result['changes'] == ['Remove-DnsServerResourceRecord -ZoneName contoso.com -Name autodiscover -RRType A -Force',
                                 'Add-DnsServerResourceRecordA -ZoneName contoso.com -Name autodiscover -IPv4Address 192.0.2.11 '
                                 '-TimeToLive 01:00:00']


def test_other_type_is_replaced_only_when_allowed():
    read = response([cname_row('ex13.contoso.local.')])
    with pytest.raises(rfc2136.DnsConflict):
        windows.run(FakeModule({'value': ['192.0.2.10']}, FakeRunner(read)))
    runner = FakeRunner(read, response([a_row('192.0.2.10')], key='after', zone=False))
    windows.run(FakeModule({'value': ['192.0.2.10'], 'replace_other_type': True}, runner))
    writes = runner.requests[1][1]
    assert [(i.cmdlet, i.parameters.get('RRType')) for i in writes] == [
        ('Remove-DnsServerResourceRecord', 'CName'), ('Add-DnsServerResourceRecordA', None), ('Get-DnsServerResourceRecord', None)]


def test_absent_removes_one_value_or_the_set():
    runner = FakeRunner(response([a_row('192.0.2.1'), a_row('192.0.2.2')]), response([a_row('192.0.2.2')], key='after', zone=False))
    result = windows.run(FakeModule({'state': 'absent', 'value': ['192.0.2.1']}, runner))
    assert runner.requests[1][1][0].parameters['RecordData'] == ['192.0.2.1']
    assert result['records'][0]['value'] == ['192.0.2.2']
    runner = FakeRunner(response([], [MISSING]))
    assert windows.run(FakeModule({'state': 'absent'}, runner))['changed'] is False


def test_a_verification_that_differs_fails_with_the_changes_made():
    runner = FakeRunner(response([], [MISSING]), response([], [MISSING], key='after', zone=False))
    with pytest.raises(windows.DnsServerError) as caught:
        windows.run(FakeModule({'value': ['192.0.2.10']}, runner))
    assert caught.value.changes_made and 'no record' in str(caught.value)

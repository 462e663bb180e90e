# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""windows_dns_resolution_info through ansible and pywinrm: a Skype Front End and an Exchange server resolve the name
themselves (Resolve-DnsName against the lab's zones), in one read request with no product shell."""

from __future__ import annotations

import pytest

MODULE = 'windows_dns_resolution_info'
NAME = 'autodiscover.contoso.com'
HOSTS = ['sfb2019', 'ex2019']


def run(lab, host, args, *extra):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, args, *extra)
    assert host in results, output
    return rc, results[host], lab.invocations()[before:]


@pytest.mark.parametrize('host', HOSTS)
def test_the_host_resolves_the_autodiscover_name_to_the_exchange_server(lab, host):
    rc, result, sent = run(lab, host, {'name': NAME, 'expected_target': 'ex13.contoso.local'})
    assert rc == 0, result
    assert result['ok'] is True and result['changed'] is False and result['findings'] == []
    view = result['resolvers'][0]
    assert view['status'] == 'ok' and view['canonical_name'] == 'ex13.contoso.local'
    assert view['chain'][0]['target'] == 'ex13.contoso.local' and view['addresses']
    # one request, only Resolve-DnsName, no write, no product shell
    assert [(entry['cmdlet'], entry['write']) for entry in sent] == [('Resolve-DnsName', False)]
    assert len({entry['request'] for entry in sent}) == 1


@pytest.mark.parametrize('host', HOSTS)
def test_a_wrong_target_fails_the_task_or_is_reported(lab, host):
    rc, result, _sent = run(lab, host, {'name': NAME, 'expected_target': 'ex19.contoso.local'})
    assert rc != 0 and result['resolvers'][0]['status'] == 'wrong_target', result
    assert 'not to ex19.contoso.local' in result['msg']
    rc, result, _sent = run(lab, host, {'name': NAME, 'expected_target': 'ex19.contoso.local', 'fail_on_mismatch': False})
    assert rc == 0 and result['ok'] is False
    assert [finding['id'] for finding in result['findings']] == ['dns_resolution_wrong_target']


def test_a_missing_name_is_nxdomain(lab):
    rc, result, _sent = run(lab, 'sfb2019', {'name': 'nothere.contoso.com', 'fail_on_mismatch': False})
    assert rc == 0, result
    view = result['resolvers'][0]
    assert (view['status'], view['rcode']) == ('nxdomain', 'NXDOMAIN')
    assert 'DNS name does not exist' in view['error']


def test_check_mode_sends_the_same_read(lab):
    rc, result, sent = run(lab, 'sfb2019', {'name': NAME, 'expected_target': 'ex13.contoso.local'}, '--check')
    assert rc == 0 and result['ok'] is True, result
    assert sent and not any(entry['write'] for entry in sent)

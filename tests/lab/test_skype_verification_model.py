# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Storage Service tests (lab/products/skype/verification.py): real runner payloads in."""

from __future__ import annotations

import json
import pathlib

import pytest

from simulator_support import SKYPE, Simulator, invocation, request

SWITCH = {'__ucops_type': 'switch', 'value': True}
KEN = 'sip:kenmyer@contoso.com'
EXCHANGE_METADATA = 'https://ex19.contoso.local/autodiscover/metadata/json/1'
AUTODISCOVER = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def run(sim, cmdlet, parameters, host='sfb2019', mode='read', properties=None):
    return sim.run(host, request(mode, SKYPE, invocation(cmdlet, parameters, properties)))


def state(sim):
    return json.loads((sim.state_dir / 'state.json').read_text(encoding='utf-8'))


def integrate(sim, host='sfb2019'):
    """The documented SfB side: Exchange partner application and the autodiscover URL."""
    response = run(sim, 'New-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'MetadataUrl': EXCHANGE_METADATA,
                                                     'ApplicationTrustLevel': 'Full'}, host=host, mode='write')
    assert response.get('error') is None, response
    response = run(sim, 'Set-CsOAuthConfiguration', {'ExchangeAutodiscoverUrl': AUTODISCOVER}, host=host, mode='write')
    assert response.get('error') is None, response


@pytest.mark.parametrize('host', ['lync2013', 'sfb2015', 'sfb2019'])
def test_fails_with_401_until_partner_application_and_autodiscover_url_exist(sim, host):
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'DeleteItem': SWITCH}, host=host)
    assert response['error']['cmdlet'] == 'Test-CsExStorageConnectivity'
    assert '401' in response['error']['message']
    integrate(sim, host)
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'DeleteItem': SWITCH}, host=host)
    assert response.get('error') is None, response
    # Microsoft's onpremdiag rule: the output must be -like '*passed*'
    assert ['passed' in text.lower() for text in response['results'][0]['output']] == [True]


def test_partner_application_alone_is_not_enough(sim):
    run(sim, 'New-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'MetadataUrl': EXCHANGE_METADATA,
                                          'ApplicationTrustLevel': 'Full'}, mode='write')
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN})
    assert '401' in response['error']['message']


def test_delete_item_leaves_nothing_and_without_it_the_item_stays(sim):
    integrate(sim)
    run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'DeleteItem': SWITCH})
    assert state(sim)['skype']['sfb2019'].get('exchange_storage', {}).get('items', {}) == {}
    run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN})
    assert state(sim)['skype']['sfb2019']['exchange_storage']['items'] == {KEN: {'ConversationHistory': 1}}


def test_user_without_mailbox_and_dumpster_without_archiving_fail(sim):
    integrate(sim)
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': 'sip:nomailbox@contoso.com', 'DeleteItem': SWITCH})
    assert 'no Exchange mailbox' in response['error']['message']
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'Folder': 'Dumpster', 'DeleteItem': SWITCH})
    assert 'not enabled for Exchange archiving' in response['error']['message']
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'Folder': 'Calendar'})
    assert response['error']['exception_type'] == 'System.Management.Automation.ParameterBindingException'


def test_nettcp_needs_the_storage_service_host_of_a_front_end(sim):
    integrate(sim)
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'Binding': 'NetTCP'})
    assert 'HostNameStorageService' in response['error']['message']
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'Binding': 'NetTCP', 'HostNameStorageService': 'ex19.contoso.local'})
    assert 'Could not connect' in response['error']['message']
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'Binding': 'NetTCP', 'HostNameStorageService': 'sfb19.contoso.local',
                                                         'DeleteItem': SWITCH})
    assert response.get('error') is None, response


def test_notification_reports_failure_as_a_result_object(sim):
    properties = ['TargetFqdn', 'Result', 'Error']
    response = run(sim, 'Test-CsExStorageNotification', {'SipUri': KEN, 'DeleteItem': SWITCH}, properties=properties)
    assert response.get('error') is None, response
    [row] = response['results'][0]['output']
    assert (row['TargetFqdn'], row['Result']) == ('sfb19.contoso.local', 'Failure') and '401' in row['Error']
    integrate(sim)
    [row] = run(sim, 'Test-CsExStorageNotification', {'SipUri': KEN, 'DeleteItem': SWITCH}, properties=properties)['results'][0]['output']
    assert (row['Result'], row['Error']) == ('Success', None)


def test_unmodelled_parameter_is_refused(sim):
    response = run(sim, 'Test-CsExStorageConnectivity', {'SipUri': KEN, 'UseCache': SWITCH})
    assert 'not implemented by the lab' in response['error']['message']

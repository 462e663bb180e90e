# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import exchange_online
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.exchange_online import (
    CLOUDS, SKYPE_PRINCIPAL, ExchangeOnline, info, info_reads, validate)

VERSIONS = {'2013': 'Lync Server 2013 (5.0.8308.0)', '2019': 'Skype for Business Server 2019 (7.0.2046.0)'}
DOCUMENTED = {'Identity': 'Exchange Online', 'ProxyFqdn': 'exap.um.outlook.com', 'Enabled': True, 'EnabledSharedAddressSpace': True,
              'HostsOCSUsers': False, 'IsLocal': False, 'VerificationLevel': 'UseSourceVerification'}
FE = {'Identity': 'fe.contoso.local', 'Services': ['Registrar:fe.contoso.local'], 'Computers': ['fe.contoso.local']}
EDGE = {'Identity': 'edge.contoso.local', 'Services': ['EdgeServer:edge.contoso.local'], 'Computers': ['edge.contoso.local']}


def results(prefix, allow=False, providers=(), replicas=None, version='2019', pools=(FE,), service_name=SKYPE_PRINCIPAL, full=True):
    rows = [(prefix + '_edge', [{'Identity': 'Global', 'AllowFederatedUsers': allow}]),
            (prefix + '_providers', [dict(row) for row in providers]),
            (prefix + '_replication', replicas if replicas is not None else [{'ReplicaFqdn': 'fe.contoso.local', 'UpToDate': True,
                                                                              'LastUpdateCreation': '2026-11-30T10:00:00.0000000Z'}])]
    if full:
        rows += [(prefix + '_version', [VERSIONS[version]]), (prefix + '_pools', [dict(pool) for pool in pools]),
                 (prefix + '_oauth', [{'Identity': 'Global', 'ServiceName': service_name}])]
    return [{'id': key, 'cmdlet': 'Get-X', 'status': 'ok', 'output': output} for key, output in rows]


def response(*parts):
    return Response({'host': {}, 'results': [item for part in parts for item in part]})


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
    def __init__(self, runner, check_mode=False, diff=False):
        self.runner, self.check_mode, self._diff = runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'skype'}

    def warn(self, text):
        self.warnings.append(text)


def params(**values):
    return dict({'cloud': 'worldwide', 'hosting_provider_identity': 'Exchange Online', 'state': 'present'}, **values)


def execute(read, write=None, check_mode=False, diff=False, **values):
    runner = FakeRunner(read, write)
    module = FakeModule(runner, check_mode, diff)
    return run(module, ExchangeOnline(params(**values))), runner, module


def writes(runner):
    sent = [request for request in runner.requests if request[0] == 'write']
    return [(invocation.cmdlet, invocation.parameters) for invocation in sent[0][1]] if sent else None


# -- options -------------------------------------------------------------------------------------------------------

def test_clouds_are_the_documented_proxy_fqdns():
    assert CLOUDS == {'worldwide': 'exap.um.outlook.com', '21vianet': 'exap.um.partner.outlook.cn', 'gcc_high': 'exap.um.office365.us'}
    assert validate(params(cloud='gcc_high'))['proxy_fqdn'] == 'exap.um.office365.us'


def test_skype_for_business_online_is_refused_with_the_retirement_and_teams():
    with pytest.raises(OptionError) as raised:
        validate(params(cloud='skype_for_business_online'))
    message = str(raised.value)
    assert 'Skype for Business Online was retired on 2021-07-31' in message and 'Microsoft Teams' in message


def test_an_empty_identity_is_refused():
    with pytest.raises(OptionError, match='hosting_provider_identity must not be empty'):
        validate(params(hosting_provider_identity=' '))


# -- plan ----------------------------------------------------------------------------------------------------------

def test_nothing_configured_creates_edge_setting_then_documented_provider_and_verifies():
    after = response(results('online_after', allow=True, providers=[DOCUMENTED], full=False))
    result, runner, _module = execute(response(results('online')), after, diff=True)
    assert writes(runner) == [
        ('Set-CsAccessEdgeConfiguration', {'Identity': 'Global', 'AllowFederatedUsers': True}),
        ('New-CsHostingProvider', dict(DOCUMENTED)),
        ('Get-CsAccessEdgeConfiguration', {'Identity': 'Global'}), ('Get-CsHostingProvider', {}), ('Get-CsManagementStoreReplicationStatus', {})]
    assert result['changed'] is True
    assert result['hosting_provider'] == {'identity': 'Exchange Online', 'exists': True, 'proxy_fqdn': 'exap.um.outlook.com', 'cloud': 'worldwide',
                                          'enabled': True, 'enabled_shared_address_space': True, 'hosts_ocs_users': False, 'is_local': False,
                                          'verification_level': 'UseSourceVerification'}
    assert result['diff']['before'] == {'allow_federated_users': False, 'hosting_provider': {
        'identity': 'Exchange Online', 'proxy_fqdn': None, 'cloud': None, 'exists': False}}
    assert result['diff']['after']['allow_federated_users'] is True


def test_configured_as_documented_sends_nothing():
    result, runner, _module = execute(response(results('online', allow=True, providers=[DOCUMENTED])))
    assert writes(runner) is None
    assert result['changed'] is False and result['changes'] == []


def test_a_wrong_value_is_set_in_place_and_only_that_one():
    wrong = dict(DOCUMENTED, VerificationLevel='AlwaysVerifiable', Enabled=False)
    result, runner, _module = execute(response(results('online', allow=True, providers=[wrong])),
                                      response(results('online_after', allow=True, providers=[DOCUMENTED], full=False)))
    assert writes(runner)[0] == ('Set-CsHostingProvider', {'Identity': 'Exchange Online', 'Enabled': True, 'VerificationLevel': 'UseSourceVerification'})
    assert len(writes(runner)) == 4


def test_another_cloud_removes_and_re_creates_the_provider():
    result, runner, _module = execute(response(results('online', allow=True, providers=[DOCUMENTED])), check_mode=True, cloud='gcc_high')
    assert writes(runner) is None
    assert result['changes'] == ['Remove-CsHostingProvider -Identity "Exchange Online" (ProxyFqdn exap.um.outlook.com)',
                                 'New-CsHostingProvider -Identity "Exchange Online" -ProxyFqdn exap.um.office365.us']
    assert result['hosting_provider']['proxy_fqdn'] == 'exap.um.office365.us' and result['hosting_provider']['cloud'] == 'gcc_high'
    _result, runner, _module = execute(response(results('online', allow=True, providers=[DOCUMENTED])),
                                       response(results('online_after', allow=True, providers=[dict(DOCUMENTED, ProxyFqdn='exap.um.office365.us')],
                                                        full=False)), cloud='gcc_high')
    sent = writes(runner)
    assert sent[0] == ('Remove-CsHostingProvider', {'Identity': 'Exchange Online', 'Confirm': False})
    assert sent[1] == ('New-CsHostingProvider', dict(DOCUMENTED, ProxyFqdn='exap.um.office365.us'))


def test_check_mode_sends_only_the_read_and_reports_the_plan():
    result, runner, _module = execute(response(results('online')), check_mode=True)
    assert [request[0] for request in runner.requests] == ['read']
    assert all(invocation.cmdlet.startswith('Get-') for invocation in runner.requests[0][1])
    assert result['changed'] is True and len(result['changes']) == 2


def test_absent_removes_only_the_provider_and_leaves_federation():
    result, runner, module = execute(response(results('online', allow=True, providers=[DOCUMENTED])),
                                     response(results('online_after', allow=True, providers=[], full=False)), state='absent', diff=True)
    assert writes(runner)[0] == ('Remove-CsHostingProvider', {'Identity': 'Exchange Online', 'Confirm': False})
    assert [cmdlet for cmdlet, _p in writes(runner)].count('Set-CsAccessEdgeConfiguration') == 0
    assert result['hosting_provider']['exists'] is False and result['access_edge']['allow_federated_users'] is True
    assert result['diff']['after']['hosting_provider']['exists'] is False
    assert any('AllowFederatedUsers was left' in text for text in module.warnings)
    result, runner, _module = execute(response(results('online', allow=True)), state='absent')
    assert writes(runner) is None and result['changed'] is False


def test_a_skype_online_provider_of_that_identity_is_never_replaced_or_removed():
    office = {'Identity': 'Office365', 'ProxyFqdn': 'sipfed.online.lync.com', 'Enabled': True, 'HostsOCSUsers': True}
    for state in ('present', 'absent'):
        with pytest.raises(OptionError, match='Skype for Business Online was retired on 2021-07-31'):
            execute(response(results('online', providers=[office])), state=state, hosting_provider_identity='office365')


def test_another_exchange_online_provider_is_named_not_duplicated():
    other = dict(DOCUMENTED, Identity='EXO')
    with pytest.raises(OptionError, match='give hosting_provider_identity: EXO'):
        execute(response(results('online', allow=True, providers=[other])))


def test_a_missing_access_edge_configuration_is_a_read_error_not_absent():
    read = response(results('online', providers=[DOCUMENTED]))
    read.results['online_edge']['output'] = []
    with pytest.raises(ScriptFailure, match='returned 0 objects'):
        execute(read)


# -- findings ------------------------------------------------------------------------------------------------------

def ids(found):
    return [item['id'] for item in found]


def test_info_reads_are_keyed_online_and_read_only():
    invocations = info_reads()
    assert all(invocation.key.startswith('online_') for invocation in invocations)
    assert all(invocation.cmdlet.split('-')[0] == 'Get' for invocation in invocations)


def test_info_reports_a_stale_replica_no_edge_and_oauth_drift_and_manual_steps():
    stale = [{'ReplicaFqdn': 'fe.contoso.local', 'UpToDate': True}, {'ReplicaFqdn': 'edge.contoso.local', 'UpToDate': False}]
    section = info(response(results('online', allow=True, providers=[DOCUMENTED], replicas=stale, service_name='other')))
    found = section['findings']
    assert ids(found) == ['no_edge_server', 'replica_not_up_to_date', 'oauth_service_name', 'manual_step', 'manual_step']
    assert found[1]['server'] == 'edge.contoso.local' and found[1]['severity'] == 'warning'
    assert set(found[0]) == {'id', 'severity', 'feature', 'server', 'message', 'source'}
    assert section['oauth_values'][0]['value'] == SKYPE_PRINCIPAL and section['oauth_values'][0]['current'] == 'other'
    assert section['exchange_online_providers'][0]['cloud'] == 'worldwide'


def test_info_with_edge_and_everything_documented_has_only_the_manual_steps():
    section = info(response(results('online', allow=True, providers=[DOCUMENTED], pools=(FE, EDGE))))
    assert ids(section['findings']) == ['manual_step', 'manual_step'] and section['edge_server'] is True


def test_info_flags_federation_off_and_wrong_provider_values():
    section = info(response(results('online', allow=False, providers=[dict(DOCUMENTED, HostsOCSUsers=None, VerificationLevel='alwaysverifiable')],
                                    pools=(FE, EDGE))))
    found = dict((item['id'], item) for item in section['findings'])
    assert found['shared_sip_address_space_disabled']['severity'] == 'error'
    assert 'HostsOCSUsers None' in found['exchange_online_provider_values']['message']
    assert 'VerificationLevel alwaysverifiable' in found['exchange_online_provider_values']['message']


def test_info_on_lync_2013_has_no_oauth_value_and_says_s2s_is_not_supported():
    section = info(response(results('online', allow=True, providers=[DOCUMENTED], version='2013', pools=(FE, EDGE), service_name=None)))
    assert section['oauth_values'] == []
    assert ids(section['findings']) == ['manual_step'] and 'not supported in this release' in section['findings'][0]['message']


def test_info_without_exchange_online_and_with_a_skype_online_provider():
    office = {'Identity': 'Office365', 'ProxyFqdn': 'sipfed.online.lync.com', 'HostsOCSUsers': True}
    section = info(response(results('online', providers=[office])))
    assert ids(section['findings']) == ['skype_online_hosting_provider', 'exchange_online_not_configured']
    assert section['exchange_online_providers'] == []


def test_a_stale_replica_right_after_a_write_is_information_with_advice():
    found = exchange_online.replication_findings([{'replica_fqdn': 'e', 'up_to_date': False, 'last_update_creation': None}], just_written=True)
    assert found[0]['severity'] == 'info' and 'less than a minute' in found[0]['message']

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure, OptionError, RequestRefused
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import failure_result
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import partner_application as pa
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, Runner, build_request

URL = 'https://autodiscover.contoso.com/autodiscover/metadata/json/1'
OTHER_URL = 'https://ex19.contoso.local/autodiscover/metadata/json/1'
DOWNLOAD_ERROR = ('Cannot bind parameter \'MetadataUrl\' to the target. Exception setting "MetadataUrl": "The metadata document could not '
                  'be downloaded from the URL in the MetadataUrl parameter or downloaded data is not a valid metadata document."')


def app(identity='microsoft.exchange', url=URL, identifier=pa.EXCHANGE_APPLICATION_ID, trust='Full', enabled=True, oauth=False):
    return {'Identity': identity, 'ApplicationIdentifier': identifier, 'Realm': None, 'ApplicationTrustLevel': trust, 'Enabled': enabled,
            'MetadataUrl': url, 'AcceptSecurityIdentifierInformation': False, 'UseOAuthServer': oauth}


ONLINE = app('exchange-online', url=None, oauth=True)
SHAREPOINT = app('microsoft.sharepoint', url='https://sp.contoso.local/_layouts/15/metadata/json/1',
                 identifier='00000003-0000-0ff1-ce00-000000000000')


def response(rows, key='partner'):
    return Response({'host': {'computer_name': 'SFB19'}, 'results': [
        {'id': 'version', 'cmdlet': 'Get-CsServerVersion', 'status': 'ok', 'output': ['Skype for Business Server 2019 (7.0.2046.0): x']},
        {'id': key, 'cmdlet': 'Get-CsPartnerApplication', 'status': 'ok', 'output': list(rows)}]})


class FakeRunner:
    def __init__(self, read, write=None, fail=None):
        self.read_response, self.write_response, self.fail = read, write, fail
        self.reads, self.writes = [], []

    def read(self, shell, invocations):
        build_request('read', shell, invocations)
        self.reads.append(invocations)
        return self.read_response

    def write(self, shell, invocations):
        build_request('write', shell, invocations)
        self.writes.append(invocations)
        if self.fail:
            raise self.fail
        return self.write_response


class FakeModule:
    def __init__(self, runner, params, check_mode=False, diff=False):
        self.runner, self.params, self.check_mode, self._diff = runner, params, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


def params(**extra):
    base = {'state': 'present', 'metadata_url': URL, 'name': 'microsoft.exchange', 'application_trust_level': 'Full', 'enabled': True,
            'accept_security_identifier_information': None}
    base.update(extra)
    return base


def run(rows, after_rows=None, check_mode=False, diff=False, fail=None, **extra):
    runner = FakeRunner(response(rows), response(after_rows if after_rows is not None else rows, 'partner_after'), fail)
    module = FakeModule(runner, params(**extra), check_mode, diff)
    result = pa.run_module(module)
    sent = [(i.cmdlet, i.parameters) for i in runner.writes[0] if not i.cmdlet.startswith('Get-')] if runner.writes else []
    return result, sent, module


# -- input ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('extra, fragment', [
    ({'metadata_url': None}, 'metadata_url is required'),
    ({'metadata_url': 'http://autodiscover.contoso.com/autodiscover/metadata/json/1'}, 'must use https://'),
    ({'metadata_url': 'https://sfb19.contoso.local/metadata/json/1'}, "Skype for Business pool's own metadata path"),
    ({'metadata_url': 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'},
     'use https://autodiscover.contoso.com/autodiscover/metadata/json/1'),
    ({'metadata_url': URL + '?x=1'}, 'the Exchange metadata document is'),
    ({'metadata_url': 'autodiscover.contoso.com'}, 'metadata_url:'),
    ({'name': 'site:Redmond/exchange'}, 'name'),
    ({'application_trust_level': 'Total'}, 'application_trust_level must be one of'),
])
def test_bad_input_is_refused_before_anything_is_sent(extra, fragment):
    runner = FakeRunner(response([]))
    with pytest.raises(OptionError) as raised:
        pa.run_module(FakeModule(runner, params(**extra)))
    assert fragment in str(raised.value)
    assert runner.reads == [] and runner.writes == []


def test_url_case_and_trailing_slash_are_accepted_and_absent_needs_no_url():
    assert pa.validate(params(metadata_url='HTTPS://Autodiscover.Contoso.com/AutoDiscover/Metadata/JSON/1/'))['url'].startswith('HTTPS://')
    assert pa.validate({'state': 'absent'}) == {'state': 'absent', 'name': 'microsoft.exchange', 'url': None, 'trust': 'Full'}
    assert pa.validate(params(application_trust_level='full'))['trust'] == 'Full'


# -- create, idempotency, check mode, diff --------------------------------------------------------------------------

def test_missing_application_is_created_with_full_trust_from_the_metadata_url():
    result, sent, module = run([], after_rows=[app()], diff=True)
    assert sent == [('New-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'ApplicationTrustLevel': 'Full', 'MetadataUrl': URL,
                                                  'Enabled': True})]
    assert result['changed'] is True and result['skype_version'] == '2019'
    assert result['partner_application']['application_identifier'] == pa.EXCHANGE_APPLICATION_ID
    assert result['diff']['before'] is None and result['diff']['after']['metadata_url'] == URL
    assert module.warnings == []


def test_check_mode_sends_no_write_and_predicts_the_application():
    result, sent, _module = run([], check_mode=True)
    assert sent == [] and result['changed'] is True
    assert result['changes'] == ['New-CsPartnerApplication -Identity microsoft.exchange -ApplicationTrustLevel Full -MetadataUrl %s' % URL]
    assert result['partner_application']['identity'] == 'microsoft.exchange'
    # the runner itself refuses a write in check mode: the engine never tries
    with pytest.raises(RequestRefused):
        Runner(None, 'sfb19', check_mode=True).write({'type': 'none'}, [])


def test_matching_application_is_left_alone():
    # the URL differs only in host case and the default port: the same URL
    result, sent, _module = run([app(url='https://AUTODISCOVER.contoso.com:443/autodiscover/metadata/json/1')], diff=True)
    assert sent == [] and result['changed'] is False and result['changes'] == []
    assert result['diff']['before'] == result['diff']['after']


def test_differences_are_set_in_place_always_with_the_metadata_url():
    result, sent, _module = run([app(url=OTHER_URL, trust='User', enabled=False)], after_rows=[app()],
                                accept_security_identifier_information=True)
    assert sent == [('Set-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'MetadataUrl': URL, 'ApplicationTrustLevel': 'Full',
                                                  'Enabled': True, 'AcceptSecurityIdentifierInformation': True})]
    assert result['changed'] is True
    # only the trust level differs: the URL is still sent (parameter set; metadata read again)
    _result, sent, _module = run([app(trust='application')], after_rows=[app()])
    assert sent == [('Set-CsPartnerApplication', {'Identity': 'microsoft.exchange', 'MetadataUrl': URL, 'ApplicationTrustLevel': 'Full'})]


def test_trust_level_compares_case_insensitively_and_unset_options_are_not_compared():
    _result, sent, _module = run([app(trust='full')])
    assert sent == []
    row = dict(app(), AcceptSecurityIdentifierInformation=True)
    _result, sent, _module = run([row])
    assert sent == []


# -- adoption -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('identity', ['Exchange', 'MicrosoftExchange'])
def test_an_application_of_another_name_is_adopted_by_identifier_not_duplicated(identity):
    result, sent, module = run([SHAREPOINT, app(identity, url=OTHER_URL)], after_rows=[SHAREPOINT, app(identity)])
    assert sent == [('Set-CsPartnerApplication', {'Identity': identity, 'MetadataUrl': URL})]
    assert result['partner_application']['identity'] == identity
    assert any('cannot be renamed' in warning for warning in module.warnings)


def test_an_application_with_the_url_but_no_identifier_yet_is_adopted():
    result, sent, _module = run([app('Exchange', identifier=None)])
    assert sent == [] and result['partner_application']['identity'] == 'Exchange'


def test_two_exchange_applications_are_told_apart_by_name_then_by_url():
    rows = [app('Exchange', url=OTHER_URL), app('microsoft.exchange', url=OTHER_URL)]
    _result, sent, module = run(rows)
    assert sent[0][1]['Identity'] == 'microsoft.exchange'
    assert any('Other partner applications for Exchange exist besides microsoft.exchange: Exchange' in w for w in module.warnings)
    _result, sent, _module = run([app('Exchange', url=URL), app('MicrosoftExchange', url=OTHER_URL)], name='other')
    assert sent == []
    with pytest.raises(OptionError, match='2 partner applications for Exchange exist'):
        run([app('Exchange', url=OTHER_URL), app('MicrosoftExchange', url=OTHER_URL)], name='other')


def test_the_name_held_by_another_application_fails_before_any_write():
    with pytest.raises(OptionError, match='exists for another application'):
        run([dict(SHAREPOINT, Identity='microsoft.exchange')])
    with pytest.raises(OptionError, match='not configured from a metadata document'):
        run([dict(ONLINE, Identity='microsoft.exchange')])


def test_an_exchange_online_application_is_never_adopted_and_blocks_a_second_one():
    with pytest.raises(OptionError) as raised:
        run([ONLINE])
    assert 'exchange-online' in str(raised.value) and 'OAuth server' in str(raised.value)
    # absent leaves it alone
    result, sent, _module = run([ONLINE], state='absent', metadata_url=None)
    assert sent == [] and result['changed'] is False and result['partner_application'] is None


# -- absent ---------------------------------------------------------------------------------------------------------

def test_absent_removes_the_exchange_application_whatever_its_name():
    result, sent, _module = run([SHAREPOINT, app('Exchange')], after_rows=[SHAREPOINT], state='absent', metadata_url=None, diff=True)
    assert sent == [('Remove-CsPartnerApplication', {'Identity': 'Exchange', 'Confirm': False})]
    assert result['changed'] is True and result['partner_application'] is None
    assert result['diff']['before']['identity'] == 'Exchange' and result['diff']['after'] is None
    result, sent, _module = run([SHAREPOINT], state='absent', metadata_url=None)
    assert sent == [] and result['changed'] is False


# -- failed metadata download ----------------------------------------------------------------------------------------

def test_a_failed_download_names_the_checks_on_the_front_end():
    failure = CmdletFailure(DOWNLOAD_ERROR, host='sfb19.contoso.local', details={
        'cmdlet': 'New-CsPartnerApplication', 'message': DOWNLOAD_ERROR,
        'fully_qualified_error_id': 'ParameterBindingFailed,New-CsPartnerApplication'})
    with pytest.raises(CmdletFailure) as raised:
        run([], fail=failure)
    message = failure_result(raised.value)['msg']
    assert message.startswith('New-CsPartnerApplication failed on sfb19.contoso.local: Skype for Business could not download the '
                              'Exchange metadata document %s' % URL)
    for check in ('DNS: autodiscover.contoso.com resolves', 'trusts the certificate Exchange presents for autodiscover.contoso.com',
                  'Exchange answers over https from the Front End'):
        assert check in message
    assert DOWNLOAD_ERROR in message


def test_other_cmdlet_errors_pass_unchanged():
    failure = CmdletFailure('Access denied', host='sfb19', details={'cmdlet': 'New-CsPartnerApplication'})
    assert pa.explain(failure, URL) is failure
    with pytest.raises(CmdletFailure) as raised:
        run([], fail=failure)
    assert raised.value is failure


# -- skype_info section -----------------------------------------------------------------------------------------------

def test_info_reads_and_a_healthy_application():
    reads = pa.info_reads()
    assert [(i.key, i.cmdlet, i.parameters) for i in reads] == [('partner_apps', 'Get-CsPartnerApplication', {'Filter': '*'})]
    section = pa.info(response([app(), SHAREPOINT], key='partner_apps'))
    assert [entry['identity'] for entry in section['partner_applications']] == ['microsoft.exchange', 'microsoft.sharepoint']
    assert section['partner_application_findings'] == []


def test_info_findings():
    def ids(rows):
        found = pa.info(response(rows, key='partner_apps'))['partner_application_findings']
        assert all(set(item) == {'id', 'severity', 'feature', 'server', 'message', 'source'} for item in found)
        return sorted((item['id'], item['severity']) for item in found)

    assert ids([SHAREPOINT]) == [('partner_application_missing', 'error')]
    assert ids([app(), app('Exchange')]) == [('partner_application_duplicate', 'warning')]
    assert ids([app(enabled=False, trust='User')]) == [('partner_application_disabled', 'error'), ('partner_application_trust_level', 'warning')]
    assert ids([ONLINE]) == [('partner_application_oauth_server', 'info')]

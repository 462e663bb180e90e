# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import plan
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import owa_im
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.owa_im import (
    LYNC_2013_UNSUPPORTED, SettingOverride, WebConfigError, app_settings, edit_app_settings, info, info_reads, run_task,
    unsupported_pair, validate)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response

THUMB = 'CDF34A740E9D225A1A06193A9D44B2CE22775308'
PRESENT = {'state': 'present', 'im_server_name': 'skype01.contoso.com', 'im_certificate_thumbprint': THUMB, 'skype_version': '2019',
           'override_name': 'IM Override', 'reason': 'r'}
CRLF_CONFIG = ('<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <!-- <appSettings><add key="IMServerName" value="x"/> -->\r\n'
               '  <appSettings>\r\n    <add key="A" value=\'1\' />\r\n    <add value="old" key="imservername"/>\r\n  </appSettings>\r\n'
               '</configuration>\r\n')


# -- options ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('params, fragment', [
    ({'state': 'present', 'im_server_name': 'skype01.contoso.com'}, 'needs im_certificate_thumbprint, skype_version'),
    (dict(PRESENT, im_server_name='skype01'), 'im_server_name must be the FQDN'),
    (dict(PRESENT, im_certificate_thumbprint='12AB'), 'im_certificate_thumbprint must be the 40 hexadecimal digits'),
    (dict(PRESENT, servers=['ex01.contoso.com']), 'not FQDNs'),
    (dict(PRESENT, servers=[]), 'servers is empty'),
    ({'state': 'absent', 'im_server_name': 'skype01.contoso.com'}, 'are for state=present'),
    ({'state': 'absent', 'mailbox_policies': ['Default']}, 'nothing to set on the policies'),
    (dict(PRESENT, mailbox_policies=['*', 'Default']), "'*' (every policy) cannot be combined"),
])
def test_bad_input_names_the_option(params, fragment):
    with pytest.raises(OptionError) as raised:
        validate(params)
    assert fragment in str(raised.value)


def test_thumbprint_is_normalised_and_present_enables_ocs_by_default():
    desired = validate(dict(PRESENT, im_certificate_thumbprint=' cdf3 4a74 0e9d 225a 1a06 193a 9d44 b2ce 2277 5308 '))
    assert desired['im'] == {'IMServerName': 'skype01.contoso.com', 'IMCertificateThumbprint': THUMB}
    assert desired['settings'] == {'InstantMessagingEnabled': True, 'InstantMessagingType': 'Ocs'}
    # absent leaves the directories alone unless asked
    assert validate({'state': 'absent'})['settings'] == {}
    assert validate({'state': 'absent', 'instant_messaging_enabled': False})['settings'] == {'InstantMessagingEnabled': False}


@pytest.mark.parametrize('exchange', ['2016', '2019', 'se'])
def test_lync_2013_is_refused_with_exchange_2016_or_later_quoting_microsoft(exchange):
    refusal = unsupported_pair('2013', exchange)
    assert isinstance(refusal, OptionError)
    assert LYNC_2013_UNSUPPORTED in str(refusal) and 'Nothing was changed' in str(refusal)
    assert 'Exchange server ex01 (EX01) runs' in str(unsupported_pair('2013', exchange, 'ex01 (EX01)'))


@pytest.mark.parametrize('skype, exchange', [('2013', '2013'), ('2015', '2016'), ('2019', 'se'), ('se', '2013')])
def test_supported_pairs_pass(skype, exchange):
    assert unsupported_pair(skype, exchange) is None


# -- web.config ---------------------------------------------------------------------------------------------------------

def test_keys_are_added_and_removed_keeping_every_other_byte():
    text = ('<?xml version="1.0"?>\r\n<configuration>\r\n  <appSettings>\r\n    <add key="A" value="1" />\r\n  </appSettings>\r\n'
            '  <system.web />\r\n</configuration>\r\n')
    added = edit_app_settings(text, {'IMServerName': 'p.contoso.com', 'IMCertificateThumbprint': THUMB})
    assert added == text.replace('  </appSettings>', '    <add key="IMServerName" value="p.contoso.com" />\r\n'
                                 '    <add key="IMCertificateThumbprint" value="%s" />\r\n  </appSettings>' % THUMB)
    assert edit_app_settings(added, {'IMServerName': None, 'IMCertificateThumbprint': None}) == text


def test_an_existing_key_is_changed_in_place_whatever_its_case_and_comments_are_ignored():
    edited = edit_app_settings(CRLF_CONFIG, {'IMServerName': 'new.contoso.com'})
    # the value attribute keeps its place and quotes, the commented-out copy and the other key are untouched
    assert edited == CRLF_CONFIG.replace('<add value="old" key="imservername"/>', '<add value="new.contoso.com" key="imservername"/>')
    assert app_settings(edited) == {'a': '1', 'imservername': 'new.contoso.com'}


def test_lf_files_self_closed_sections_namespaces_and_escaping():
    text = '<configuration xmlns="http://schemas.microsoft.com/.NetConfiguration/v2.0">\n  <appSettings />\n</configuration>\n'
    edited = edit_app_settings(text, {'IMServerName': 'a&b"c'})
    assert '\r' not in edited
    assert '<add key="IMServerName" value="a&amp;b&quot;c" />' in edited
    assert app_settings(edited) == {'imservername': 'a&b"c'}


def test_a_file_that_is_not_xml_or_is_ambiguous_is_never_edited():
    with pytest.raises(WebConfigError, match='not well-formed XML'):
        edit_app_settings('<configuration><appSettings></configuration>', {'IMServerName': 'x'})
    with pytest.raises(WebConfigError, match='2 <appSettings> sections'):
        app_settings('<configuration><appSettings/><appSettings/></configuration>')
    with pytest.raises(WebConfigError, match='configSource'):
        app_settings('<configuration><appSettings configSource="app.config"/></configuration>')


def test_app_settings_follow_clear_and_remove_and_the_last_add_wins():
    text = ('<configuration><appSettings><add key="X" value="1"/><clear/><add key="IMServerName" value="a"/>'
            '<add key="imservername" value="b"/><add key="Y" value="2"/><remove key="Y"/></appSettings></configuration>')
    assert app_settings(text) == {'imservername': 'b'}


# -- the setting override ------------------------------------------------------------------------------------------------

def override_row(parameters, server=None, component='OwaServer', section='IMSettings'):
    return {'Name': 'IM Override', 'Identity': 'IM Override', 'ComponentName': component, 'SectionName': section,
            'Parameters': parameters, 'Server': server, 'Reason': 'old'}


def planned(rows, params=None, desired=None):
    params = dict(PRESENT, **(params or {}))
    resource = SettingOverride(params, desired if desired is not None else {
        'Parameters': owa_im.parameters_of('skype01.contoso.com', THUMB), 'Server': list(params.get('servers') or [])})
    response = Response({'host': {}, 'results': [{'id': 'owa_setting_overrides', 'output': rows}]})
    before = resource.objects(response, resource.current_key, {})
    return plan(resource, resource.desired(), before, {})


def test_parameters_compare_as_a_set_of_key_value_strings():
    rows = [override_row(['imcertificatethumbprint=%s' % THUMB.lower(), 'IMServerName=SKYPE01.contoso.com'])]
    after, writes, changed = planned(rows)
    assert writes == [] and changed == []


def test_a_new_thumbprint_is_set_by_identity_with_both_keys():
    after, writes, changed = planned([override_row(['IMServerName=skype01.contoso.com', 'IMCertificateThumbprint=' + '0' * 40])])
    assert changed == ['IM Override'] and len(writes) == 1
    assert writes[0].cmdlet == 'Set-SettingOverride'
    assert writes[0].parameters == {'Identity': 'IM Override', 'Reason': 'r',
                                    'Parameters': ['IMServerName=skype01.contoso.com', 'IMCertificateThumbprint=' + THUMB]}


def test_a_missing_override_is_created_with_component_and_section_and_an_unrelated_one_is_ignored():
    rows = [dict(override_row(['Enabled=true'], component='Global', section='ExchangeOnpremAsThirdPartyAppId'), Name='Other')]
    after, writes, changed = planned(rows, {'servers': ['EX0*']})
    assert [w.cmdlet for w in writes] == ['New-SettingOverride']
    assert writes[0].parameters == {'Name': 'IM Override', 'Component': 'OwaServer', 'Section': 'IMSettings', 'Reason': 'r',
                                    'Parameters': ['IMServerName=skype01.contoso.com', 'IMCertificateThumbprint=' + THUMB], 'Server': ['EX0*']}
    assert after['IM Override']['ComponentName'] == 'OwaServer'


def test_going_org_wide_sends_server_null_and_absent_removes_without_a_prompt():
    rows = [override_row(['IMServerName=skype01.contoso.com', 'IMCertificateThumbprint=' + THUMB], server=['EX01'])]
    after, writes, changed = planned(rows)
    assert writes[0].parameters == {'Identity': 'IM Override', 'Reason': 'r', 'Server': None}
    after, writes, changed = planned(rows, {'state': 'absent'}, desired={})
    assert [(w.cmdlet, w.parameters) for w in writes] == [
        ('Remove-SettingOverride', {'Identity': 'IM Override', 'Confirm': {'__ucops_type': 'switch', 'value': False}})]


# -- the task, with a fake runner ------------------------------------------------------------------------------------------

SERVERS = [{'Name': 'EX16', 'Fqdn': 'ex16.contoso.local', 'AdminDisplayVersion': 'Version 15.1 (Build 2507.6)', 'ServerRole': 'Mailbox'},
           {'Name': 'EX16B', 'Fqdn': 'ex16b.contoso.local', 'AdminDisplayVersion': 'Version 15.1 (Build 2507.6)', 'ServerRole': 'Mailbox'}]
SERVERS_2013 = [{'Name': 'EX13', 'Fqdn': 'ex13.contoso.local', 'AdminDisplayVersion': 'Version 15.0 (Build 1497.2)',
                 'ServerRole': 'Mailbox, ClientAccess'}]


def vdir(server, im_type='None'):
    return {'Identity': '%s\\owa (Default Web Site)' % server, 'Name': 'owa (Default Web Site)', 'Server': server,
            'InstantMessagingEnabled': True, 'InstantMessagingType': im_type}


def response(computer, **outputs):
    return Response({'host': {'computer_name': computer}, 'results': [{'id': key, 'output': rows} for key, rows in outputs.items()]})


class FakeRunner:
    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests = []

    def read(self, shell, invocations):
        self.requests.append(('read', shell['type'], [i.cmdlet for i in invocations], invocations))
        return self.responses.pop(0)

    def write(self, shell, invocations):
        self.requests.append(('write', shell['type'], [i.cmdlet for i in invocations], invocations))
        return self.responses.pop(0)


class FakeModule:
    host = 'ex16'

    def __init__(self, params, runner, check_mode=False, diff=False):
        self.params = dict({'state': 'present', 'override_name': 'IM Override', 'reason': 'r', 'allow_restarts': False}, **params)
        self.runner, self.check_mode, self._diff = runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'exchange_remote'}

    def warn(self, text):
        self.warnings.append(text)


def first_read_2016(overrides=()):
    return response('EX16', servers=SERVERS, owa_virtual_directories=[vdir('EX16'), vdir('EX16B')], owa_setting_overrides=list(overrides),
                    owa_install_path=[{'MsiInstallPath': 'D:\\Exchange\\'}])


def test_check_mode_plans_refresh_and_restart_without_any_write():
    runner = FakeRunner(first_read_2016())
    result = run_task(FakeModule(dict(PRESENT, allow_restarts=True), runner, check_mode=True, diff=True))
    assert [request[0] for request in runner.requests] == ['read']
    assert result['changed'] is True
    assert result['refreshed_servers'] == ['EX16', 'EX16B'] and result['restarted_servers'] == ['EX16']
    assert result['restart_pending_servers'] == ['EX16B']
    assert result['setting_override']['im_certificate_thumbprint'] == THUMB
    assert result['diff']['before']['setting_override'] == {}


def test_the_write_request_holds_the_writes_then_refreshes_then_the_local_restart_then_verifying_reads():
    written = response('EX16', owa_virtual_directories_after=[vdir('EX16', 'Ocs'), vdir('EX16B', 'Ocs')], owa_setting_overrides_after=[
        override_row(owa_im.parameters_of('skype01.contoso.com', THUMB))])
    runner = FakeRunner(first_read_2016(), written)
    module = FakeModule(dict(PRESENT, allow_restarts=True), runner)
    result = run_task(module)
    kind, shell, cmdlets, invocations = runner.requests[1]
    assert (kind, shell) == ('write', 'exchange_remote')
    assert cmdlets == ['Set-OwaVirtualDirectory', 'Set-OwaVirtualDirectory', 'New-SettingOverride', 'Get-ExchangeDiagnosticInfo',
                       'Get-ExchangeDiagnosticInfo', 'Restart-WebAppPool', 'Get-OwaVirtualDirectory', 'Get-SettingOverride']
    assert [i.parameters['Server'] for i in invocations if i.cmdlet == 'Get-ExchangeDiagnosticInfo'] == ['EX16', 'EX16B']
    assert 'Restart-WebAppPool MSExchangeOWAAppPool still has to run on EX16B' in ' '.join(module.warnings)
    assert result['setting_override']['name'] == 'IM Override'


def test_without_allow_restarts_nothing_is_restarted_and_the_user_is_told_what_remains():
    written = response('EX16', owa_virtual_directories_after=[vdir('EX16', 'Ocs'), vdir('EX16B', 'Ocs')],
                       owa_setting_overrides_after=[override_row(owa_im.parameters_of('skype01.contoso.com', THUMB))])
    runner = FakeRunner(first_read_2016(), written)
    module = FakeModule(PRESENT, runner)
    result = run_task(module)
    assert 'Restart-WebAppPool' not in runner.requests[1][2] and 'Get-ExchangeDiagnosticInfo' not in runner.requests[1][2]
    assert result['refreshed_servers'] == [] and result['restarted_servers'] == [] and result['restart_pending_servers'] == ['EX16', 'EX16B']
    assert any('uses the change only after' in warning for warning in module.warnings)


def test_lync_2013_with_exchange_2016_fails_after_the_read_and_before_any_write():
    runner = FakeRunner(first_read_2016())
    with pytest.raises(OptionError, match="Lync Server 2013 and Exchange 2016 or later isn't supported"):
        run_task(FakeModule(dict(PRESENT, skype_version='2013'), runner))
    assert [request[0] for request in runner.requests] == ['read']


def test_an_override_of_that_name_for_another_section_is_refused():
    runner = FakeRunner(first_read_2016([override_row(['Enabled=true'], component='Cafe', section='HttpRequestFiltering')]))
    with pytest.raises(OptionError, match='Choose another override_name'):
        run_task(FakeModule(PRESENT, runner))
    assert [request[0] for request in runner.requests] == ['read']


def test_exchange_2013_reads_the_file_at_the_install_path_without_a_product_shell_and_writes_it():
    config = ('<configuration>\r\n  <appSettings>\r\n    <add key="A" value="1" />\r\n  </appSettings>\r\n</configuration>\r\n')
    first = response('EX13', servers=SERVERS_2013, owa_virtual_directories=[vdir('EX13', 'Ocs')], owa_setting_overrides=[],
                     owa_install_path=[{'MsiInstallPath': 'D:\\Exchange Server\\V15\\'}])
    edited = edit_app_settings(config, {'IMServerName': 'skype01.contoso.com', 'IMCertificateThumbprint': THUMB})
    written = response('EX13', owa_virtual_directories_after=[vdir('EX13', 'Ocs')], owa_web_config_after=[edited])
    runner = FakeRunner(first, response('EX13', owa_web_config=[config]), written)
    module = FakeModule(dict(PRESENT, skype_version='2013'), runner)
    module.host = 'ex13'
    result = run_task(module)
    path = 'D:\\Exchange Server\\V15\\ClientAccess\\Owa\\web.config'
    assert runner.requests[1][:3] == ('read', 'none', ['Get-Content'])
    assert runner.requests[1][3][0].parameters['Path'] == [path]
    kind, shell, cmdlets, invocations = runner.requests[2]
    assert (kind, shell, cmdlets) == ('write', 'exchange_remote', ['Set-Content', 'Get-OwaVirtualDirectory', 'Get-Content'])
    assert invocations[0].parameters['Value'] + '\r\n' == edited and invocations[0].parameters['Encoding'] == 'UTF8'
    assert result['web_config'] == {'server': 'EX13', 'path': path, 'im_server_name': 'skype01.contoso.com', 'im_certificate_thumbprint': THUMB}
    assert result['setting_override'] is None


def test_the_host_cmdlets_are_marked_local_so_that_no_product_session_is_opened_for_them():
    # Import-PSSession of an Exchange remote session fails when it has none of the names asked for (runner.LOCAL_CMDLETS)
    assert owa_im.read_web_config('C:\\x').to_json()['local'] is True
    assert owa_im.read_install_path().to_json()['local'] is True
    assert 'local' not in owa_im.read_virtual_directories().to_json()


def test_a_failed_file_read_is_an_error_never_no_keys():
    first = response('EX13', servers=SERVERS_2013, owa_virtual_directories=[vdir('EX13', 'Ocs')], owa_setting_overrides=[],
                     owa_install_path=[{'MsiInstallPath': 'C:\\Exchange\\'}])
    runner = FakeRunner(first, response('EX13', owa_web_config=[]))
    with pytest.raises(WebConfigError, match='did not return the text'):
        run_task(FakeModule(dict(PRESENT, skype_version='2013'), runner))
    assert [request[0] for request in runner.requests] == ['read', 'read']


# -- exchange_info ---------------------------------------------------------------------------------------------------------

def test_info_reads_are_prefixed_and_info_reports_im_and_every_override():
    assert all(invocation.key.startswith('owa_') for invocation in info_reads())
    assert all(invocation.cmdlet.startswith('Get-') for invocation in info_reads())
    hybrid = dict(override_row(['Enabled=true'], component='Global', section='ExchangeOnpremAsThirdPartyAppId'), Name='EnableExchangeHybrid3PAppFeature')
    section = info(response('EX16', owa_virtual_directories=[vdir('EX16', 'Ocs')], owa_mailbox_policies=[
        {'Name': 'Default', 'InstantMessagingEnabled': True, 'InstantMessagingType': 'None'}],
        owa_setting_overrides=[override_row(owa_im.parameters_of('skype01.contoso.com', THUMB)), hybrid]))
    assert section['owa_virtual_directories'][0]['instant_messaging_type'] == 'Ocs'
    assert section['owa_mailbox_policies'] == [{'identity': 'Default', 'instant_messaging_enabled': True, 'instant_messaging_type': 'None'}]
    assert [item['name'] for item in section['owa_im_setting_overrides']] == ['IM Override']
    assert section['owa_im_setting_overrides'][0]['im_certificate_thumbprint'] == THUMB
    assert [(item['component'], item['section'], item['parameters']) for item in section['setting_overrides']][1] == (
        'Global', 'ExchangeOnpremAsThirdPartyAppId', ['Enabled=true'])

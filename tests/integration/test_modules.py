# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Modules run ad hoc against lab hosts: bad input, hostile values, faults, secrets."""

from __future__ import annotations

import json
import textwrap

import pytest

HOSTILE = 'q"u\'o`t $(Stop-Computer) ; Remove-Item C:\\ -Recurse\nline2\r\n\u00e9\u00df\u4e2d\u6587 \U0001F600 @{a=1} $env:PATH'
SVC = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'


def test_hostile_value_reaches_the_cmdlet_byte_for_byte(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2015', 'skype_oauth_configuration', {'realm': HOSTILE})
    assert rc == 0, output
    assert results['sfb2015']['oauth_configuration']['realm'] == HOSTILE
    sets = [i for i in lab.invocations()[before:] if i['cmdlet'] == 'Set-CsOAuthConfiguration']
    assert len(sets) == 1
    assert sets[0]['parameters']['Realm'] == HOSTILE
    rc, results, output = lab.module('sfb2015', 'skype_oauth_configuration', {'realm': HOSTILE})
    assert rc == 0 and results['sfb2015']['changed'] is False, output


def test_autodiscover_xml_url_is_refused_with_the_corrected_url_before_anything_is_sent(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('sfb2019', 'skype_oauth_configuration',
                                     {'exchange_autodiscover_url': 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'})
    assert rc != 0
    message = results['sfb2019']['msg']
    assert 'autodiscover.svc' in message and 'autodiscover.xml' in message
    assert message.endswith('Use https://autodiscover.contoso.com/Autodiscover/autodiscover.svc')
    assert lab.invocations()[before:] == []


def test_url_compares_the_way_the_server_stores_it(lab):
    rc, results, output = lab.module('sfb2019', 'skype_oauth_configuration', {'exchange_autodiscover_url': SVC})
    assert rc == 0 and results['sfb2019']['changed'] is True, output
    rc, results, output = lab.module('sfb2019', 'skype_oauth_configuration',
                                     {'exchange_autodiscover_url': 'HTTPS://AutoDiscover.Contoso.COM:443/autodiscover/autodiscover.svc'})
    assert rc == 0 and results['sfb2019']['changed'] is False, output


def test_exchange_uri_with_other_case_and_default_port_is_unchanged(lab):
    uri = 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'
    rc, results, output = lab.module('ex2016', 'exchange_client_access_server', {'autodiscover_internal_uri': uri})
    assert rc == 0, output
    rc, results, output = lab.module('ex2016', 'exchange_client_access_server',
                                     {'autodiscover_internal_uri': 'HTTPS://AUTODISCOVER.contoso.com:443/Autodiscover/Autodiscover.xml'})
    assert rc == 0 and results['ex2016']['changed'] is False, output
    assert results['ex2016']['servers'][0]['autodiscover_internal_uri'] == uri


def test_site_scope_add_and_remove_keep_the_sites_not_named(lab):
    def scope(args):
        rc, results, output = lab.module('ex2019', 'exchange_client_access_server', dict(args, identity='EX19'))
        assert rc == 0, output
        return results['ex2019']['changed'], results['ex2019']['servers'][0]['autodiscover_site_scope']

    assert scope({'autodiscover_site_scope': {'set': ['Paris', 'Oslo']}}) == (True, ['Paris', 'Oslo'])
    assert scope({'autodiscover_site_scope': {'add': ['oslo']}}) == (False, ['Paris', 'Oslo'])
    assert scope({'autodiscover_site_scope': {'add': ['Rome'], 'remove': ['PARIS']}}) == (True, ['Oslo', 'Rome'])
    assert scope({'autodiscover_site_scope': {'remove': ['Paris']}}) == (False, ['Oslo', 'Rome'])


def test_lync_2013_refuses_a_2015_only_setting_before_any_write(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('lync2013', 'skype_oauth_configuration',
                                     {'client_authorization_oauth_server_identity': 'https://sts.contoso.com/'})
    assert rc != 0
    assert 'client_authorization_oauth_server_identity is not available on Lync Server 2013' in results['lync2013']['msg']
    assert not [i for i in lab.invocations()[before:] if i['write']]


def test_exchange_2013_and_2019_report_their_cmdlet(lab):
    for host, cmdlet, version in (('ex2013', 'Set-ClientAccessServer', '2013'), ('ex2019', 'Set-ClientAccessService', '2019'),
                                  ('exse', 'Set-ClientAccessService', 'se')):
        rc, results, output = lab.module(host, 'exchange_client_access_server',
                                         {'autodiscover_internal_uri': 'https://mail.contoso.com/Autodiscover/Autodiscover.xml'}, '--check')
        assert rc == 0, output
        assert results[host]['cmdlet'] == cmdlet
        assert results[host]['exchange_version'] == version
        assert results[host]['changed'] is True


def test_info_modules_report_version_and_state(lab):
    rc, results, output = lab.module('ex2013:ex2019', 'exchange_info', {})
    assert rc == 0, output
    assert results['ex2013']['version'] == '2013'
    assert results['ex2019']['version'] == '2019'
    assert results['ex2013']['changed'] is False
    rc, results, output = lab.module('lync2013:sfb2019', 'skype_info', {})
    assert rc == 0, output
    assert (results['lync2013']['version'], results['lync2013']['module']) == ('2013', 'Lync')
    assert (results['sfb2019']['version'], results['sfb2019']['module']) == ('2019', 'SkypeForBusiness')
    # the same keys as skype_oauth_configuration returns
    assert sorted(results['sfb2019']['oauth_configuration']) == [
        'client_authorization_oauth_server_identity', 'exchange_autodiscover_allowed_domains', 'exchange_autodiscover_url',
        'identity', 'realm', 'service_name']


def _warnings_of(lab, tmp_path, host, module):
    """The warnings a module shows for one host (the default callback prints them; the oneline one does not)."""
    playbook = tmp_path / ('%s.yml' % host)
    playbook.write_text('- hosts: %s\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.%s:\n' % (host, module))
    rc, output = lab.playbook(playbook)
    assert rc == 0, output
    return ' '.join(output.split())


def test_info_modules_report_subscription_edition_and_support_status(lab, tmp_path):
    rc, results, output = lab.module('ex2019:exse', 'exchange_info', {})
    assert rc == 0, output
    exse, ex2019 = results['exse'], results['ex2019']
    assert (exse['version'], exse['product'], exse['support_status'], exse['end_of_support']) == (
        'se', 'Exchange Server Subscription Edition', 'supported', None)
    assert [s['admin_display_version'] for s in exse['servers'] if s['name'] == 'EXSE'] == ['Version 15.2 (Build 2562.17)']
    assert (ex2019['version'], ex2019['product'], ex2019['support_status'], ex2019['end_of_support']) == (
        '2019', 'Exchange Server 2019', 'out_of_support', '2025-10-14')
    warnings = _warnings_of(lab, tmp_path, 'ex2019', 'exchange_info')
    assert "[WARNING]: Exchange Server 2019 left Microsoft support on 2025-10-14 (version text: 'Version 15.2 (Build 1544.4)')" in warnings
    assert 'left Microsoft support' not in _warnings_of(lab, tmp_path, 'exse', 'exchange_info')

    rc, results, output = lab.module('sfb2019:sfbse1', 'skype_info', {})
    assert rc == 0, output
    sfbse1, sfb2019 = results['sfbse1'], results['sfb2019']
    assert (sfbse1['version'], sfbse1['product'], sfbse1['support_status'], sfbse1['end_of_support']) == (
        'se', 'Skype for Business Server Subscription Edition', 'supported', None)
    # one Enterprise pool with both Front Ends
    assert [(p['identity'], p['computers']) for p in sfbse1['pools']] == [
        ('sfbpool.contoso.local', ['sfbse1.contoso.local', 'sfbse2.contoso.local'])]
    assert (sfb2019['support_status'], sfb2019['end_of_support']) == ('out_of_support', '2025-10-14')
    assert 'Skype for Business Server 2019 left Microsoft support on 2025-10-14' in _warnings_of(lab, tmp_path, 'sfb2019', 'skype_info')
    assert 'left Microsoft support' not in _warnings_of(lab, tmp_path, 'sfbse1', 'skype_info')


def test_global_settings_change_once_per_deployment(lab):
    # sfbse1 and sfbse2 are Front Ends of one deployment: the second sees the change the first made
    url = 'https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc'
    before = len(lab.invocations())
    for host, changed in (('sfbse1', True), ('sfbse2', False)):
        rc, results, output = lab.module(host, 'skype_oauth_configuration', {'exchange_autodiscover_url': url})
        assert rc == 0, output
        assert (results[host]['changed'], results[host]['skype_version']) == (changed, 'se'), output
        assert results[host]['oauth_configuration']['exchange_autodiscover_url'] == url
    assert [i['host'] for i in lab.invocations()[before:] if i['write']] == ['sfbse1']


def _assert_no_secret(lab, host, output, extra=()):
    for secret in (lab.hostvars(host)['ansible_password'],) + tuple(extra):
        assert secret not in output


def _unreachable(output, host):
    """The msg of the oneline callback's "host | UNREACHABLE!: msg" line (it prints no JSON for an unreachable host)."""
    import re  # pylint: disable=import-outside-toplevel
    match = re.search(r'^%s \| UNREACHABLE!: (.*)$' % re.escape(host), output, re.M)
    assert match, output[-3000:]
    return match.group(1)


# Connection, TLS and credential failures are UNREACHABLE, as with ansible-core's winrm connection (its _winrm_connect
# raises AnsibleConnectionFailure for them, rejected credentials included).
@pytest.mark.parametrize('host', ['ex2019', 'sfb2015'])
def test_wrong_password_is_unreachable_naming_host_and_cause(lab, host):
    rc, results, output = lab.module(host, 'exchange_info' if host.startswith('ex') else 'skype_info', {'password': 'Wrong-Pa$$word1'}, '-vvv')
    assert rc != 0 and host not in results
    message = _unreachable(output, host)
    assert message.startswith('Authentication failed for 127.0.0.1:'), message
    assert 'rejected the credentials' in message
    _assert_no_secret(lab, host, output, ('Wrong-Pa$$word1',))


def test_unreachable_host_is_unreachable_naming_host_and_cause(lab, tmp_path):
    rc, results, output = lab.module('sfb2015', 'skype_info', {'port': 1}, '-vvv')
    assert rc != 0 and 'sfb2015' not in results
    message = _unreachable(output, 'sfb2015')
    assert message.startswith('Cannot connect to 127.0.0.1:') and 'Connection refused' in message, message
    _assert_no_secret(lab, 'sfb2015', output)
    playbook = tmp_path / 'wrong-port.yml'
    playbook.write_text(textwrap.dedent('''\
        - hosts: sfb2015
          gather_facts: false
          tasks:
            - ucops.skype_exchange.skype_info:
                port: 1
            - ansible.builtin.debug:
                msg: an unreachable host runs no further task
        '''))
    rc, output = lab.playbook(playbook)
    assert rc != 0
    from integration_support import recap  # pylint: disable=import-outside-toplevel
    assert recap(output)['sfb2015']['unreachable'] == 1, output[-3000:]
    assert recap(output)['sfb2015']['failed'] == 0 and recap(output)['sfb2015']['ok'] == 0, output[-3000:]


def test_untrusted_certificate_is_unreachable_naming_host_and_cause(lab, tmp_path):
    other_ca = tmp_path / 'other-ca.pem'
    trustme = pytest.importorskip('trustme')
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    rc, results, output = lab.module('sfb2015', 'skype_info', {'ca_trust_path': str(other_ca)}, '-vvv')
    assert rc != 0 and 'sfb2015' not in results
    message = _unreachable(output, 'sfb2015')
    assert message.startswith('TLS handshake failed with 127.0.0.1:'), message
    assert 'ca_trust_path' in message
    _assert_no_secret(lab, 'sfb2015', output)


def test_https_against_the_http_port_says_to_use_http(lab):
    rc, results, output = lab.module('ex2019', 'exchange_info', {'scheme': 'https'}, '-vvv')
    assert rc != 0
    message = _unreachable(output, 'ex2019')
    assert 'speaks plain HTTP, not HTTPS: use scheme=http' in message, message


def test_bad_input_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    for args, fragment in (({'realm': ['a', 'b']}, 'realm must be one string'),
                           ({'exchange_autodiscover_allowed_domains': ['']}, 'exchange_autodiscover_allowed_domains has an empty item'),
                           ({'realm': 'x', 'command_timeout': 0}, 'command_timeout=0 for server 127.0.0.1 must be at least 1')):
        rc, results, output = lab.module('sfb2015', 'skype_oauth_configuration', args)
        assert rc != 0 and fragment in results['sfb2015']['msg'], output
    rc, results, output = lab.module('ex2019', 'exchange_client_access_server',
                                     {'identity': '', 'autodiscover_internal_uri': 'https://mail.contoso.com/Autodiscover/Autodiscover.xml'})
    assert rc != 0 and 'identity is empty: omit identity to set every Client Access server' in results['ex2019']['msg'], output
    assert lab.invocations()[before:] == []


def test_cmdlet_error_fails_naming_cmdlet_host_and_message(lab):
    rc, results, output = lab.module('ex2019', 'exchange_client_access_server',
                                     {'identity': 'NOPE', 'autodiscover_internal_uri': 'https://mail.contoso.com/Autodiscover/Autodiscover.xml'}, '-vvv')
    assert rc != 0
    result = results['ex2019']
    assert result['msg'].startswith('Get-ClientAccessService failed on 127.0.0.1: '), result['msg']
    assert 'NOPE' in result['msg']
    assert result['error']['fully_qualified_error_id']
    _assert_no_secret(lab, 'ex2019', output)


def test_delegate_to_localhost_with_explicit_options(lab, tmp_path):
    hostvars = lab.hostvars('sfb2019')
    playbook = tmp_path / 'delegate.yml'
    playbook.write_text(textwrap.dedent('''\
        - hosts: localhost
          gather_facts: false
          tasks:
            - ucops.skype_exchange.skype_info:
                server: 127.0.0.1
                port: {port}
                scheme: {scheme}
                transport: ntlm
                username: '{user}'
                password: '{password}'
                ca_trust_path: '{ca}'
              delegate_to: localhost
              register: info
            - ansible.builtin.assert:
                that: info.version == '2019'
        ''').format(port=hostvars['ansible_port'], scheme=hostvars['ansible_winrm_scheme'], user=hostvars['ansible_user'],
                    password=hostvars['ansible_password'], ca=hostvars.get('ansible_winrm_ca_trust_path', '')))
    rc, output = lab.playbook(playbook)
    assert rc == 0, output


def test_a_read_is_one_powershell_run_and_a_change_adds_one(lab):
    runs = {}
    for mode in ('--check', None):
        before = len(lab.invocations())
        extra = [mode] if mode else []
        rc, results, output = lab.module('ex2019', 'exchange_client_access_server',
                                         {'autodiscover_internal_uri': 'https://runs.contoso.com/Autodiscover/Autodiscover.xml'}, *extra)
        assert rc == 0 and results['ex2019']['changed'] is True, output
        runs[mode] = {entry['request'] for entry in lab.invocations()[before:]}
    assert len(runs['--check']) == 1
    assert len(runs[None]) == 2


def test_a_request_larger_than_a_command_line_travels_on_stdin(lab, tmp_path):
    # ~300 KB of data: far beyond cmd.exe's 8191 characters, and more than one 200 000-byte stdin chunk once encoded.
    big = 'contoso-' + 'x' * 300000
    variables = tmp_path / 'big.json'
    variables.write_text(json.dumps({'big_realm': big}))
    playbook = tmp_path / 'big.yml'
    playbook.write_text(textwrap.dedent('''\
        - hosts: lync2013
          gather_facts: false
          tasks:
            - ucops.skype_exchange.skype_oauth_configuration:
                realm: "{{ big_realm }}"
              register: result
            - ansible.builtin.assert:
                that: result is changed and result.oauth_configuration.realm == big_realm
        '''))
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook, '-e', '@%s' % variables)
    assert rc == 0, output[-3000:]
    sets = [i for i in lab.invocations()[before:] if i['cmdlet'] == 'Set-CsOAuthConfiguration']
    assert sets[0]['parameters']['Realm'] == big

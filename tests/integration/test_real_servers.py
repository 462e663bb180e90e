# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What real servers refuse, through pywinrm against the lab: the second hop, local accounts, the other product."""

from __future__ import annotations

URL = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'


def _writes_since(lab, before):
    return [i for i in lab.invocations()[before:] if i['write']]


def test_skype_modules_use_ocspowershell_by_default_even_on_a_pool_whose_cms_is_elsewhere(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('lync2013:sfb2019:sfbse1', 'skype_info', {})
    assert rc == 0, output
    assert {host: result['shell'] for host, result in results.items()} == dict.fromkeys(('lync2013', 'sfb2019', 'sfbse1'), 'skype_remote')
    assert {i['shell'] for i in lab.invocations()[before:]} == {'skype_remote'}


def test_in_process_shells_are_refused_before_anything_is_sent_under_ntlm(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('ex2019', 'exchange_info', {'exchange_shell': 'snapin'})
    assert rc != 0
    assert 'exchange_shell=snapin' in results['ex2019']['msg'] and 'second hop' in results['ex2019']['msg']
    rc, results, output = lab.module('sfbse1', 'skype_info', {'skype_shell': 'module'})
    assert rc != 0
    assert 'skype_shell=module' in results['sfbse1']['msg'] and 'skype_module_without_delegation' in results['sfbse1']['msg']
    assert lab.invocations()[before:] == []


def test_the_skype_module_without_delegation_fails_on_the_enterprise_pool_and_says_why(lab):
    args = {'skype_shell': 'module', 'skype_module_without_delegation': True}
    rc, results, output = lab.module('sfbse1', 'skype_info', args)
    assert rc != 0, output
    message = results['sfbse1']['msg']
    assert "NT AUTHORITY\\ANONYMOUS LOGON" in message and 'skype_shell=remote' in message
    # a Standard Edition server that holds the CMS answers the CMS reads
    rc, results, output = lab.module('sfb2019', 'skype_info', args)
    assert rc == 0, output
    assert results['sfb2019']['shell'] == 'skype'


def test_a_local_account_is_refused_for_the_exchange_session_and_a_product_credential_fixes_it(lab):
    # ex2016 accepts only Basic over WinRM, that is local accounts: its inventory gives a domain product credential
    hostvars = lab.hostvars('ex2016')
    assert hostvars['ansible_winrm_transport'] == 'basic' and '\\' not in hostvars['ansible_user']
    assert '\\' in hostvars['ucops_product_username']
    rc, results, output = lab.module('ex2016', 'exchange_info', {})
    assert rc == 0, output
    before = len(lab.invocations())
    rc, results, output = lab.module('ex2016', 'exchange_info', {'product_username': '', 'product_password': ''}, '-e',
                                     'ucops_product_username= ucops_product_password=')
    assert rc != 0
    assert 'looks like a local account' in results['ex2016']['msg'] and 'product_username' in results['ex2016']['msg']
    assert lab.invocations()[before:] == []
    assert hostvars['ucops_product_password'] not in output


def test_a_module_run_against_the_other_product_says_what_the_host_looks_like(lab):
    rc, results, output = lab.module('ex2019', 'skype_info', {})
    assert rc != 0
    assert 'does not look like a Skype for Business or Lync Server Front End' in results['ex2019']['msg']
    assert 'inventory group' in results['ex2019']['msg']
    rc, results, output = lab.module('sfb2019', 'exchange_info', {})
    assert rc != 0
    assert 'does not look like an Exchange server' in results['sfb2019']['msg']

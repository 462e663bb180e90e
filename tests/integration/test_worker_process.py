# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Modules run in the Ansible worker process (the default) give the results they give in a process of their own
(ucops_module_process: subprocess / UCOPS_MODULE_PROCESS=subprocess), and secrets stay out of -vvv output both ways."""

from __future__ import annotations

import json

import pytest

from integration_support import started_lab

SUBPROCESS = ('-e', 'ucops_module_process=subprocess')


@pytest.fixture(scope='module', name='lab')
def worker_lab(tmp_path_factory):
    yield from started_lab(tmp_path_factory)


def comparable(result):
    """A result without what differs from run to run."""
    return dict((key, value) for key, value in result.items() if key not in ('invocation',))


def writes(lab, since):
    return [i for i in lab.invocations()[since:] if i['cmdlet'].startswith(('Set-', 'New-', 'Remove-'))]


def test_read_module_gives_the_same_result_in_the_worker_and_in_its_own_process(lab):
    rc, worker, output = lab.module('ex2019', 'exchange_info', {}, '-vvv')
    assert rc == 0, output
    # in the worker nothing is started for the module: no command goes through the local connection
    assert 'EXEC ' not in output and 'AnsiballZ' not in output
    rc, own, output = lab.module('ex2019', 'exchange_info', {}, '-vvv', *SUBPROCESS)
    assert rc == 0, output
    assert 'AnsiballZ_exchange_info.py' in output
    assert comparable(worker['ex2019']) == comparable(own['ex2019'])
    assert worker['ex2019']['changed'] is False and worker['ex2019']['exchange_version']


PLAYBOOK = """
- hosts: sfb2019
  gather_facts: false
  tasks:
    - {name: check, ucops.skype_exchange.skype_oauth_configuration: {realm: "{{ realm }}"}, check_mode: true, diff: true, register: check}
    - {name: apply, ucops.skype_exchange.skype_oauth_configuration: {realm: "{{ realm }}"}, diff: true, register: applied}
    - {name: again, ucops.skype_exchange.skype_oauth_configuration: {realm: "{{ realm }}"}, register: again}
    - name: keep the registered results (the ad hoc callbacks drop diff)
      ansible.builtin.copy:
        content: "{{ {'check': check, 'applied': applied, 'again': again} | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
      delegate_to: localhost
"""


def write_cycle(lab, tmp_path, realm, mode):
    """Check mode with diff, apply with diff, apply again: returns (check result, applied result)."""
    playbook, out = tmp_path / ('write-%s.yml' % realm), tmp_path / ('write-%s.json' % realm)
    playbook.write_text(PLAYBOOK)
    since = len(lab.invocations())
    rc, output = lab.playbook(playbook, '-e', 'realm=%s' % realm, '-e', 'out=%s' % out, *mode)
    assert rc == 0, output
    results = json.loads(out.read_text())
    # check mode changed and wrote nothing, the real run changed and wrote once, the next run found nothing to do
    assert results['check']['changed'] is True and results['applied']['changed'] is True and results['again']['changed'] is False
    assert len(writes(lab, since)) == 1
    return results['check'], results['applied']


def test_write_module_check_mode_diff_and_apply_alike_in_the_worker_and_in_its_own_process(lab, tmp_path):
    worker_check, worker_apply = write_cycle(lab, tmp_path, 'worker.contoso.com', ())
    own_check, own_apply = write_cycle(lab, tmp_path, 'subprocess.contoso.com', SUBPROCESS)
    for worker, own in ((worker_check, own_check), (worker_apply, own_apply)):
        assert set(worker) == set(own)
        assert worker['changed'] is True and own['changed'] is True
    # check mode predicted what the real run did, diff included, both ways
    assert worker_check['diff'] == worker_apply['diff'] and own_check['diff'] == own_apply['diff']
    assert worker_apply['diff']['after']['realm'] == 'worker.contoso.com'
    assert own_apply['diff']['before']['realm'] == 'worker.contoso.com'
    assert own_apply['diff']['after']['realm'] == 'subprocess.contoso.com'


@pytest.mark.parametrize('mode', [(), SUBPROCESS, ('-e', 'ucops_module_process=worker')], ids=['default', 'subprocess', 'worker'])
def test_a_password_given_as_option_never_appears_in_verbose_output(lab, mode):
    password = lab.hostvars('ex2019').get('ansible_password') or 'Lab-Passw0rd!'
    rc, results, output = lab.module('ex2019', 'exchange_info', {'password': password}, '-vvv', *mode)
    assert rc == 0, output
    assert results['ex2019']['changed'] is False
    assert password not in output


def test_the_environment_variable_turns_the_worker_off_and_a_bad_value_is_refused(lab):
    env = dict(lab.env)
    try:
        lab.env['UCOPS_MODULE_PROCESS'] = 'subprocess'
        rc, _results, output = lab.module('ex2019', 'exchange_info', {}, '-vvv')
        assert rc == 0 and 'AnsiballZ_exchange_info.py' in output, output
        rc, results, output = lab.module('ex2019', 'exchange_info', {}, '-e', 'ucops_module_process=thread')
        assert rc != 0
        assert 'ucops_module_process' in results['ex2019']['msg'], output
    finally:
        lab.env.clear()
        lab.env.update(env)

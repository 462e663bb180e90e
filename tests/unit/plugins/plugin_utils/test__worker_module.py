# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module run in the worker process writes what its own Python process writes, and the task result built from it is
the one ansible-core builds for a module process (warnings, deprecations, failed, no_log censoring, exceptions)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.plugins.action import ActionBase

from ansible_collections.ucops.skype_exchange.plugins.plugin_utils import _worker_module

MODULE = '''
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type='str', required=True),
        password=dict(type='str', no_log=True),
        behaviour=dict(type='str', default='ok', choices=['ok', 'fail', 'raise', 'return', 'leak']),
    ), supports_check_mode=True)
    behaviour = module.params['behaviour']
    module.warn('careful with %s' % module.params['name'])
    module.deprecate('old option', version='2.0.0', collection_name='ucops.skype_exchange')
    if behaviour == 'fail':
        module.fail_json(msg='could not set %s' % module.params['name'], error_kind='cmdlet')
    if behaviour == 'raise':
        raise KeyError('no such thing')
    if behaviour == 'return':
        return
    if behaviour == 'leak':
        module.exit_json(changed=True, echoed=module.params['password'], msg='set with %s' % module.params['password'])
    module.exit_json(changed=not module.check_mode, diff=dict(before={'a': 1}, after={'a': 2}) if module._diff else {},
                     name=module.params['name'])


if __name__ == '__main__':
    main()
'''


def internal_args(**overrides):
    """The _ansible_* keys _update_module_args adds (2.19: no _ansible_inject_invocation)."""
    args = dict(_ansible_check_mode=False, _ansible_no_log=False, _ansible_debug=False, _ansible_diff=False, _ansible_verbosity=0,
                _ansible_version='2.19.0', _ansible_module_name='ucops.skype_exchange.fake', _ansible_syslog_facility='LOG_USER',
                _ansible_selinux_special_fs=[], _ansible_socket=None, _ansible_shell_executable='/bin/sh',
                _ansible_keep_remote_files=False, _ansible_tmpdir=None, _ansible_remote_tmp='~/.ansible/tmp',
                _ansible_ignore_unknown_opts=False, _ansible_target_log_info=None, _ansible_tracebacks_for=[])
    args.update(overrides)
    return args


@pytest.fixture(name='fake')
def fake_module(tmp_path, monkeypatch):
    """A small AnsibleModule importable as a Python module; returns (fqn, path)."""
    path = tmp_path / 'ucops_fake_module.py'
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location('ucops_fake_module', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, 'ucops_fake_module', module)
    monkeypatch.setenv('ANSIBLE_NO_TARGET_SYSLOG', '1')
    return 'ucops_fake_module', path


def own_process(path, args, tmp_path):
    """The same module in a Python process of its own, given its arguments the way a module process reads them."""
    args_file = tmp_path / 'args.json'
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    done = subprocess.run([sys.executable, str(path), str(args_file)], capture_output=True, text=True, check=False)
    return done.returncode, done.stdout


class Parser(ActionBase):
    """Only ActionBase's parser is used: no task, connection or loader needed."""

    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


def parse(rc, stdout, stderr=''):
    """ansible-core's own parsing of a module's output into a task result (ActionBase._parse_returned_data)."""
    action = Parser.__new__(Parser)
    action._used_interpreter = None
    data = action._parse_returned_data(dict(rc=rc, stdout=stdout, stderr=stderr), 'legacy')
    return data if isinstance(data, dict) else data.as_result_dict()


def message(item):
    """The text of a warning, deprecation or exception entry (2.19+: WarningSummary/ErrorSummary objects; older: text)."""
    event = getattr(item, 'event', None)
    if event is not None:
        return event.msg
    return item.get('msg') if isinstance(item, dict) else str(item)


def failure_text(result):
    """The failure message: msg, or for an exception the summary TaskExecutor turns into msg (2.19+)."""
    return result.get('msg') or message(result.get('exception'))


def test_same_output_as_the_modules_own_process(fake, tmp_path):
    fqn, path = fake
    for overrides in ({}, {'_ansible_check_mode': True}, {'_ansible_diff': True}):
        args = dict(internal_args(**overrides), name='contoso')
        rc, stdout, _stderr = _worker_module.run_module(fqn, dict(args))
        own_rc, own_stdout = own_process(path, dict(args), tmp_path)
        assert rc == own_rc == 0
        assert json.loads(stdout) == json.loads(own_stdout)
    result = parse(rc, stdout)
    assert result['changed'] is True and result['diff'] == {'before': {'a': 1}, 'after': {'a': 2}}


def test_warnings_and_deprecations_are_in_the_result_not_on_the_display(fake):
    rc, stdout, _stderr = _worker_module.run_module(fake[0], dict(internal_args(), name='contoso'))
    result = parse(rc, stdout)
    assert [message(warning) for warning in result['warnings']] == ['careful with contoso']
    assert [message(deprecation) for deprecation in result['deprecations']] == ['old option']
    # the worker's own state is as before: controller semantics again, no warnings left over for the next module
    assert not module_warnings._global_warnings and not module_warnings._global_deprecations
    assert basic._ANSIBLE_ARGS is None


def test_a_module_failure_is_a_failed_result_with_rc_1(fake, tmp_path):
    args = dict(internal_args(), name='contoso', behaviour='fail')
    rc, stdout, _stderr = _worker_module.run_module(fake[0], dict(args))
    own = own_process(fake[1], dict(args), tmp_path)
    assert (rc, json.loads(stdout)) == (own[0], json.loads(own[1]))
    result = parse(rc, stdout)
    assert result['failed'] is True and result['msg'] == 'could not set contoso' and result['error_kind'] == 'cmdlet'


def test_no_log_values_are_censored_by_the_module(fake):
    secret = 'Sup3r-S3cret!'
    rc, stdout, stderr = _worker_module.run_module(fake[0], dict(internal_args(), name='contoso', password=secret, behaviour='leak'))
    assert rc == 0
    assert secret not in stdout and secret not in stderr
    result = parse(rc, stdout)
    assert result['echoed'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    if 'invocation' in result:  # 2.21 adds it only with _ansible_inject_invocation
        assert result['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_an_exception_in_main_is_a_failed_result_as_from_the_ansiballz_wrapper(fake):
    rc, stdout, _stderr = _worker_module.run_module(fake[0], dict(internal_args(), name='contoso', behaviour='raise'))
    assert rc == 1
    result = parse(rc, stdout)
    assert result['failed'] is True
    assert 'no such thing' in failure_text(result)


def test_a_main_that_returns_without_exiting_fails(fake):
    rc, stdout, _stderr = _worker_module.run_module(fake[0], dict(internal_args(), name='contoso', behaviour='return'))
    assert rc == 1
    assert 'did not handle its own exit' in failure_text(parse(rc, stdout))


def test_bad_arguments_fail_like_the_module_process(fake, tmp_path):
    args = dict(internal_args(), behaviour='nonsense')
    rc, stdout, _stderr = _worker_module.run_module(fake[0], dict(args))
    own_rc, own_stdout = own_process(fake[1], dict(args), tmp_path)
    assert rc == own_rc == 1
    assert json.loads(stdout) == json.loads(own_stdout)
    assert 'name' in parse(rc, stdout)['msg']


def test_the_task_environment_is_seen_by_the_module_and_removed_afterwards(fake, monkeypatch):
    seen = {}

    def main():
        import os  # pylint: disable=import-outside-toplevel
        seen['value'] = os.environ.get('UCOPS_TEST_ENV')
        print(json.dumps({'changed': False}))
        sys.exit(0)

    monkeypatch.setattr(sys.modules[fake[0]], 'main', main)
    monkeypatch.delenv('UCOPS_TEST_ENV', raising=False)
    rc, _stdout, _stderr = _worker_module.run_module(fake[0], {}, environment={'UCOPS_TEST_ENV': 42})
    assert (rc, seen['value']) == (0, '42')
    import os  # pylint: disable=import-outside-toplevel
    assert 'UCOPS_TEST_ENV' not in os.environ


def test_mode_variable_wins_over_the_environment_and_bad_values_name_the_option():
    assert _worker_module.module_process_mode(None, {}) == 'worker'
    assert _worker_module.module_process_mode(None, {'UCOPS_MODULE_PROCESS': 'subprocess'}) == 'subprocess'
    assert _worker_module.module_process_mode('Worker', {'UCOPS_MODULE_PROCESS': 'subprocess'}) == 'worker'
    with pytest.raises(ValueError, match='ucops_module_process'):
        _worker_module.module_process_mode('fork', {})
    with pytest.raises(ValueError, match='UCOPS_MODULE_PROCESS'):
        _worker_module.module_process_mode(None, {'UCOPS_MODULE_PROCESS': 'thread'})


def test_only_modules_of_this_collection_run_in_the_worker():
    package = importlib.import_module(_worker_module.COLLECTION_MODULES)
    folder = package.__path__[0]
    assert _worker_module.module_fqn(folder + '/exchange_info.py') == _worker_module.COLLECTION_MODULES + '.exchange_info'
    assert _worker_module.module_fqn('/usr/lib/python3/site-packages/ansible/modules/ping.py') is None
    assert _worker_module.module_fqn(None) is None


def test_modules_without_metadata_use_the_default_profile_and_need_no_payload(fake, monkeypatch):
    assert _worker_module.default_profile(fake[0]) is True
    monkeypatch.setattr(sys.modules[fake[0]], 'METADATA', 'schema_version: 1\nserialization_profile: modules_inherit\n', raising=False)
    assert _worker_module.default_profile(fake[0]) is False  # its own profile: the real build says which
    assert _worker_module.default_profile('ucops_no_such_module') is False  # its own process reports the import error
    build = _worker_module.InProcessBuild('#!/usr/bin/python3', 'legacy')
    assert (build.module_style, build.serialization_profile, build.get_command_args(None)) == ('new', 'legacy', None)

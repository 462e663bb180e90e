# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""autodiscover_dns_record (method rfc2136) through ansible-playbook against a real BIND 9 started on loopback."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys

import pytest

import bind_support
from bind_support import READONLY_KEY_NAME, free_port
from integration_support import REPO, _collections_path

from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import rfc2136

bind = bind_support.bind  # the BIND 9 fixture

PLAYBOOK = """- hosts: localhost
  gather_facts: false
  vars:
    ansible_connection: local
    ansible_python_interpreter: {python}
  tasks:
    - name: the module
      ucops.skype_exchange.autodiscover_dns_record: {args}
      register: outcome
      ignore_errors: true
    - name: save its result
      ansible.builtin.copy:
        content: "{{{{ outcome | to_json }}}}"
        dest: {dest}
      check_mode: false
      diff: false
"""


class Runner(object):
    def __init__(self, server, directory):
        self.server = server
        self.directory = directory
        self.count = 0
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                        PYTHONWARNINGS='ignore', ANSIBLE_DEPRECATION_WARNINGS='0')
        self.env.pop('ANSIBLE_STDOUT_CALLBACK', None)
        self.secrets = list(server.keys.values())

    def __call__(self, *flags, **args):
        """Run the module once with the server's options plus args; returns (result, output). The output (at -vvv) and
        the result never contain a TSIG secret."""
        self.count += 1
        module_args = self.server.module_args(**args)
        if module_args.get('tsig_secret') not in self.secrets:
            self.secrets.append(module_args['tsig_secret'])
        dest = os.path.join(self.directory, 'result-%d.json' % self.count)
        playbook = os.path.join(self.directory, 'play-%d.yml' % self.count)
        with open(playbook, 'w', encoding='utf-8') as handle:
            handle.write(PLAYBOOK.format(python=sys.executable, args=json.dumps(module_args), dest=dest))
        command = [shutil.which('ansible-playbook') or 'ansible-playbook', '-i', 'localhost,', playbook, '-vvv', *flags]
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300, check=False)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        with open(dest, encoding='utf-8') as handle:
            text = handle.read()
        for secret in self.secrets:
            assert secret not in output and secret not in text, 'a TSIG secret leaked'
        return json.loads(text), output


@pytest.fixture(scope='module')
def run(bind, tmp_path_factory):
    return Runner(bind, str(tmp_path_factory.mktemp('dnsplays')))


def test_create_a_record_check_mode_diff_and_idempotence(bind, run):
    args = dict(name='autodiscover', type='A', value=['192.0.2.10'])
    result, output = run('--check', '--diff', **args)
    assert result['changed'] and not result.get('failed')
    assert result['changes'] == ['update add autodiscover.contoso.test. 3600 IN A 192.0.2.10']
    assert result['diff'] == {'before': {'records': []},
                              'after': {'records': [{'name': 'autodiscover.contoso.test.', 'type': 'A', 'value': ['192.0.2.10'], 'ttl': 3600}]}}
    assert '--- before\n+++ after\n' in output and '-    "records": []\n+    "records": [' in output  # the diff is shown
    assert bind.lookup('autodiscover', 'A') is None  # check mode sent no update

    result = run('--diff', **args)[0]
    assert result['changed'] and result['prerequisites'] == ['prereq nxdomain autodiscover.contoso.test.']
    assert bind.lookup('autodiscover', 'A') == {'ttl': 3600, 'values': ['192.0.2.10']}
    assert result['records'] == [{'name': 'autodiscover.contoso.test.', 'type': 'A', 'value': ['192.0.2.10'], 'ttl': 3600}]

    result = run(**args)[0]
    assert not result['changed'] and result['changes'] == []


def test_change_to_cname_needs_replace_other_type(bind, run):
    args = dict(name='autodiscover.contoso.test', type='CNAME', value=['mail.contoso.test'], ttl=300)
    result = run(**args)[0]
    assert result['failed'] and result['error_kind'] == 'dns_conflict'
    assert 'holds an A record (192.0.2.10)' in result['msg'] and 'replace_other_type=true' in result['msg']
    assert bind.lookup('autodiscover', 'A') == {'ttl': 3600, 'values': ['192.0.2.10']}

    result = run('--check', replace_other_type=True, **args)[0]
    assert result['changed'] and bind.lookup('autodiscover', 'CNAME') is None

    result = run('--diff', replace_other_type=True, **args)[0]
    assert result['changed']
    assert result['diff']['before']['records'][0]['type'] == 'A' and result['diff']['after']['records'][0]['type'] == 'CNAME'
    assert bind.lookup('autodiscover', 'CNAME') == {'ttl': 300, 'values': ['mail.contoso.test.']}
    assert bind.lookup('autodiscover', 'A') is None

    result = run(replace_other_type=True, **args)[0]
    assert not result['changed']


def test_absent(bind, run):
    result = run('--check', name='autodiscover', type='CNAME', state='absent')[0]
    assert result['changed'] and bind.lookup('autodiscover', 'CNAME') is not None
    result = run(name='autodiscover', type='CNAME', state='absent')[0]
    assert result['changed'] and result['changes'] == ['update delete autodiscover.contoso.test. IN CNAME']
    assert result['records'] == [] and bind.lookup('autodiscover', 'CNAME') is None
    result = run(name='autodiscover', type='CNAME', state='absent')[0]
    assert not result['changed']


def test_cname_beside_other_data_is_reported_not_silently_ignored(bind, run):
    # BIND ignores a CNAME added where other data exists (RFC 2136 section 3.4.2.2): the verifying read catches it.
    result = run(name='txtonly', type='CNAME', value=['mail.contoso.test'])[0]
    assert result['failed'] and 'the server accepted the update but reading back gives no record' in result['msg']
    assert bind.lookup('txtonly', 'CNAME') is None


def _settings(bind, **extra):
    return rfc2136.Settings(dict(bind.module_args(**extra), state=extra.get('state', 'present')))


def test_concurrent_change_is_detected_not_overwritten(bind):
    settings = _settings(bind, name='race', type='A', value=['192.0.2.10'])
    assert bind.update(('add', 'race', 600, 'A', '192.0.2.1')) == 'NOERROR'
    plan = rfc2136.plan(settings, rfc2136.read(settings))  # read: 192.0.2.1
    # another client changes the record between our read and our update
    assert bind.update(('replace', 'race', 600, 'A', '192.0.2.2')) == 'NOERROR'
    with pytest.raises(rfc2136.DnsChanged, match='changed after the module read them .the server answered NXRRSET'):
        rfc2136.send(settings, rfc2136.build_update(settings, plan))
    assert bind.lookup('race', 'A') == {'ttl': 600, 'values': ['192.0.2.2']}


def test_concurrent_creation_is_detected(bind):
    settings = _settings(bind, name='race2', type='A', value=['192.0.2.10'])
    plan = rfc2136.plan(settings, rfc2136.read(settings))  # read: the name does not exist
    assert plan.prerequisites == [('nxdomain',)]
    assert bind.update(('add', 'race2', 600, 'CNAME', 'mail.contoso.test.')) == 'NOERROR'
    with pytest.raises(rfc2136.DnsChanged, match='YXDOMAIN'):
        rfc2136.send(settings, rfc2136.build_update(settings, plan))
    assert bind.lookup('race2', 'CNAME') == {'ttl': 600, 'values': ['mail.contoso.test.']}


def test_bad_tsig_secret(bind, run):
    wrong = base64.b64encode(b'this is not the key of the server!').decode('ascii')
    result = run(name='autodiscover', type='A', value=['192.0.2.10'], tsig_secret=wrong)[0]
    assert result['failed'] and result['error_kind'] == 'dns_tsig'
    assert '(BADSIG): tsig_secret is not the secret of that key on the server' in result['msg']


def test_unknown_tsig_key(bind, run):
    result = run(name='autodiscover', type='A', value=['192.0.2.10'], tsig_key_name='nosuchkey')[0]
    assert result['failed'] and result['error_kind'] == 'dns_tsig'
    assert 'does not know the TSIG key nosuchkey with algorithm hmac-sha256 (BADKEY)' in result['msg']


def test_update_refused_by_the_update_policy(bind, run):
    result = run(name='refused', type='A', value=['192.0.2.10'], tsig_key_name=READONLY_KEY_NAME,
                 tsig_secret=bind.keys[READONLY_KEY_NAME])[0]
    assert result['failed'] and result['error_kind'] == 'dns_refused'
    assert 'refused it (REFUSED)' in result['msg'] and 'update-policy' in result['msg']
    assert bind.lookup('refused', 'A') is None


def test_unreachable_server(run):
    result = run(name='autodiscover', type='A', value=['192.0.2.10'], port=free_port())[0]
    assert result['failed'] and result['error_kind'] == 'dns_unreachable'
    assert 'refused the TCP connection' in result['msg'] and 'check server and port' in result['msg']
    result = run(name='autodiscover', type='A', value=['192.0.2.10'], port=free_port(), protocol='udp', timeout=1)[0]
    assert result['failed'] and result['error_kind'] == 'dns_unreachable'
    assert 'no answer from the DNS server 127.0.0.1' in result['msg'] and '(UDP) within 1 seconds' in result['msg']


def test_udp_protocol(bind, run):
    result = run(name='udp', type='A', value=['192.0.2.11', '192.0.2.12'], protocol='udp')[0]
    assert result['changed'] and bind.lookup('udp', 'A') == {'ttl': 3600, 'values': ['192.0.2.11', '192.0.2.12']}
    result = run(name='udp', type='A', value=['192.0.2.12'], protocol='udp', state='absent')[0]
    assert result['changed'] and bind.lookup('udp', 'A') == {'ttl': 3600, 'values': ['192.0.2.11']}

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Session reuse through ansible-playbook (docs/design.md section 8): two tasks of one play on one host load the product
shell once; with session_reuse=false once per run; a session killed on the server between the tasks is replaced; two
identities never share a session; check mode sends no write through a reused session. Loads are counted in the lab's
events.jsonl (lab/log.py)."""

from __future__ import annotations

import textwrap

import pytest

from integration_support import derive_topology, started_lab

OTHER_PASSWORD = 'Other-Passw0rd!y'


@pytest.fixture(scope='module', name='lab')
def session_lab(tmp_path_factory):
    topology = derive_topology(keep=['sfb2015'])
    topology['users'] = list(topology.get('users') or []) + [{'username': 'labother', 'password': OTHER_PASSWORD}]
    yield from started_lab(tmp_path_factory, topology=topology)


@pytest.fixture(name='play')
def run_play(lab, tmp_path):
    """Run a play of the given tasks against sfb2015 with a session registry of this test; returns (rc, output, events)."""
    lab.env['UCOPS_SKYPE_EXCHANGE_SESSION_DIR'] = str(tmp_path / 'sessions')

    def play(tasks, *extra):
        before = len(lab.events())
        path = tmp_path / 'play.yml'
        path.write_text(textwrap.dedent('''\
            - hosts: sfb2015
              gather_facts: false
              tasks:
            ''') + textwrap.indent(textwrap.dedent(tasks), '    '))
        rc, output = lab.playbook(path, *extra)
        return rc, output, [event for event in lab.events()[before:] if event['host'] == 'sfb2015']
    return play


def loads(events):
    return [event for event in events if event['event'] == 'shell_load']


TWO_READS = '''\
- name: first
  ucops.skype_exchange.skype_oauth_configuration:
    realm: contoso.com
    session_reuse: "{{ reuse | default(true) | bool }}"
- name: second
  ucops.skype_exchange.skype_oauth_configuration:
    realm: contoso.com
    session_reuse: "{{ reuse | default(true) | bool }}"
'''


def test_two_tasks_of_a_play_load_the_shell_once(play):
    rc, output, events = play(TWO_READS)
    assert rc == 0, output
    assert len(loads(events)) == 1, events
    assert [event['event'] for event in events if event['event'] != 'shell_load'] == ['powershell_run', 'session_request']
    assert len(set(event['session'] for event in events)) == 1


def test_reuse_off_loads_the_shell_once_per_run(play):
    rc, output, events = play(TWO_READS, '-e', 'reuse=false')
    assert rc == 0, output
    assert len(loads(events)) == 2
    assert [event['event'] for event in events].count('powershell_run') == 2
    assert all('session' not in event for event in events)


def test_a_session_killed_between_two_tasks_is_replaced(play, lab):
    rc, output, events = play(TWO_READS[:TWO_READS.index('- name: second')] + '''\
- name: kill every shell on the lab
  ansible.builtin.file:
    path: %s
    state: touch
  delegate_to: localhost
''' % (lab.state_dir / 'kill-shells') + TWO_READS[TWO_READS.index('- name: second'):])
    assert rc == 0, output
    assert len(loads(events)) == 2
    assert len(set(event['session'] for event in loads(events))) == 2
    assert 'failed=0' in output


def test_two_identities_never_share_a_session(play):
    rc, output, events = play(TWO_READS + '''\
- name: another user
  ucops.skype_exchange.skype_oauth_configuration:
    realm: contoso.com
    username: CONTOSO\\labother
    password: %s
''' % OTHER_PASSWORD)
    assert rc == 0, output
    by_identity = {}
    for event in loads(events):
        by_identity.setdefault(event['identity'], set()).add(event['session'])
    assert sorted(by_identity) == ['CONTOSO\\labadmin', 'CONTOSO\\labother'], events
    assert not by_identity['CONTOSO\\labadmin'] & by_identity['CONTOSO\\labother']
    assert len(loads(events)) == 2
    assert OTHER_PASSWORD not in output


def test_check_mode_sends_no_write_through_a_reused_session(play, lab):
    before = len(lab.invocations())
    rc, output, events = play('''\
- name: read
  ucops.skype_exchange.skype_oauth_configuration:
    realm: contoso.com
- name: would change
  ucops.skype_exchange.skype_oauth_configuration:
    realm: check-mode.contoso.com
  check_mode: true
  register: checked
- ansible.builtin.assert:
    that: checked is changed
''')
    assert rc == 0, output
    assert len(loads(events)) == 1
    assert 'session_request' in [event['event'] for event in events]
    assert not [entry for entry in lab.invocations()[before:] if entry['write']]


def test_the_environment_turns_reuse_off_for_a_whole_run(play, lab):
    tasks = TWO_READS.replace('    session_reuse: "{{ reuse | default(true) | bool }}"\n', '')
    lab.env['UCOPS_SKYPE_EXCHANGE_SESSION_REUSE'] = 'false'
    try:
        rc, output, events = play(tasks)
    finally:
        del lab.env['UCOPS_SKYPE_EXCHANGE_SESSION_REUSE']
    assert rc == 0, output
    assert len(loads(events)) == 2 and all('session' not in event for event in events)
    rc, output, events = play(tasks)
    assert rc == 0, output
    assert len(loads(events)) == 1

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of the integration tests: the real playbooks and modules, through pywinrm over HTTP(S), against the lab simulator.

Needs ansible-playbook on PATH and the collection importable (ANSIBLE_COLLECTIONS_PATH pointing at a
directory holding ansible_collections/ucops/skype_exchange); tools/test.sh sets both.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _collections_path():
    configured = os.environ.get('ANSIBLE_COLLECTIONS_PATH')
    if configured:
        return configured
    build = REPO / '.build'
    if (build / 'ansible_collections' / 'ucops' / 'skype_exchange').is_dir():
        return str(build)
    pytest.skip('set ANSIBLE_COLLECTIONS_PATH (tools/test.sh does) so that ucops.skype_exchange is importable')
    return None


class Lab:
    """A running lab simulator with its own state directory."""

    def __init__(self, state_dir):
        self.state_dir = Path(state_dir)
        self.inventory_path = self.state_dir / 'inventory.yml'
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_HOST_KEY_CHECKING='False',
                        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0', PYTHONWARNINGS='ignore')
        self.env.pop('ANSIBLE_STDOUT_CALLBACK', None)

    def cli(self, *args):
        # the latency model stays off in the tests whatever the shell sets (lab/latency.py; the benchmark turns it on)
        env = dict(os.environ)
        env.pop('UCOPS_LAB_LATENCY', None)
        return subprocess.run([sys.executable, '-m', 'lab', *args, '--state-dir', str(self.state_dir)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    def events(self):
        """The lab's events (lab/log.py events.jsonl): one per PowerShell run and per product-shell load."""
        path = self.state_dir / 'events.jsonl'
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()]

    @property
    def inventory(self):
        return yaml.safe_load(self.inventory_path.read_text())

    def hostvars(self, host):
        """The inventory variables of one lab host."""
        found = {}

        def walk(group):
            for name, values in (group.get('hosts') or {}).items():
                if name == host:
                    found.update(values or {})
            for child in (group.get('children') or {}).values():
                walk(child or {})
        walk(self.inventory['all'])
        return found

    def invocations(self):
        """Every invocation the lab logged, oldest first."""
        path = self.state_dir / 'invocations.jsonl'
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines() if line.strip()]

    def playbook(self, playbook, *extra):
        """Run ansible-playbook; returns (rc, output)."""
        command = [shutil.which('ansible-playbook') or 'ansible-playbook', '-i', str(self.inventory_path), str(playbook), *extra]
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=600, check=False)
        return done.returncode, done.stdout + done.stderr

    def module(self, pattern, module, args, *extra):
        """Run one module ad hoc with the oneline callback; returns (rc, {host: result}, output)."""
        command = [shutil.which('ansible') or 'ansible', pattern, '-i', str(self.inventory_path), '-m', 'ucops.skype_exchange.' + module,
                   '-o', *extra]
        if args:
            command += ['-a', json.dumps(args)]
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=600, check=False)
        output = done.stdout + done.stderr
        results = {}
        for line in done.stdout.splitlines():
            match = re.match(r'^(\S+) \| (\w+!?) => (\{.*\})\s*$', line)
            if match:
                results[match.group(1)] = json.loads(match.group(3))
        return done.returncode, results, output


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    """A fresh lab (its own state) for one test module, stopped afterwards."""
    yield from started_lab(tmp_path_factory)


def _merged(values, changes):
    """``values`` updated with ``changes``; a change to None removes the key."""
    merged = dict(values or {})
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def derive_topology(keep=None, add=None, settings=None, inventory_vars=None):
    """The default lab topology (lab/topology.yml) as a dict, derived for a lab of its own.

    ``keep``: the names of the hosts to keep (in the default topology's order); None keeps every host.
    ``add``: ``{name: {'like': host, key: value}}``: new hosts, each a copy of the default topology's host ``like``
    with the keys given (``computer_name`` at least: computer names are unique; ``settings`` replace the copied ones;
    the port is picked at start), after the kept hosts.
    ``settings``: ``{host: {setting: value}}`` merged into the settings of a kept or added host (None removes one).
    ``inventory_vars``: merged into the topology's ``inventory_vars`` (None removes one).
    Unknown host names are errors, so that a misspelt name cannot leave a host unchanged."""
    topology = yaml.safe_load((REPO / 'lab' / 'topology.yml').read_text())
    by_name = dict((host['name'], host) for host in topology['hosts'])
    for name in list(keep or ()) + [spec.get('like') for spec in (add or {}).values()]:
        if name not in by_name:
            raise ValueError('derive_topology: no host %r in lab/topology.yml (hosts: %s)' % (name, ', '.join(by_name)))
    hosts = [host for host in topology['hosts'] if keep is None or host['name'] in keep]
    for name, spec in (add or {}).items():
        host = copy.deepcopy(by_name[spec['like']])
        host.update(dict((key, copy.deepcopy(value)) for key, value in spec.items() if key != 'like'))
        host.update(name=name, port=0)
        hosts.append(host)
    names = [host['name'] for host in hosts]
    for name, changes in (settings or {}).items():
        if name not in names:
            raise ValueError('derive_topology: settings for %r, which is not a host of the derived topology (%s)' % (name, ', '.join(names)))
        host = hosts[names.index(name)]
        host['settings'] = _merged(host.get('settings'), changes)
    topology['hosts'] = hosts
    topology['inventory_vars'] = _merged(topology.get('inventory_vars'), inventory_vars)
    return topology


def started_lab(tmp_path_factory, settings=None, topology=None):
    """Start a lab with its own state and stop it afterwards. ``topology`` (a dict, e.g. from :func:`derive_topology`;
    default: lab/topology.yml) is the lab's topology; ``settings`` ({host: {setting: value}}) are added to its hosts'
    settings (for example lab/products/exchange/auth.py's ``auth_certificate``)."""
    state_dir = tmp_path_factory.mktemp('lab')
    arguments = ['start']
    if settings or topology is not None:
        data = copy.deepcopy(topology) if topology is not None else yaml.safe_load((REPO / 'lab' / 'topology.yml').read_text())
        names = [host['name'] for host in data['hosts']]
        unknown = sorted(set(settings or {}) - set(names))
        if unknown:
            raise ValueError('started_lab: settings for %s, not hosts of the topology (%s)' % (', '.join(unknown), ', '.join(names)))
        for host in data['hosts']:
            host['settings'] = dict(host.get('settings') or {}, **(settings or {}).get(host['name'], {}))
        path = state_dir.parent / ('%s-topology.yml' % state_dir.name)
        path.write_text(yaml.safe_dump(data))
        arguments += ['--topology', str(path)]
    instance = Lab(state_dir)
    started = instance.cli(*arguments)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield instance
    finally:
        instance.cli('stop')


def recap(output):
    """{host: {'ok': n, 'changed': n, 'failed': n, ...}} from a PLAY RECAP."""
    totals = {}
    for line in output.splitlines():
        match = re.match(r'^(\S+)\s+: (ok=.*)$', line.strip())
        if match:
            totals[match.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', match.group(2)))
    return totals

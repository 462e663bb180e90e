# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark of the collection against the lab: run it through tools/bench.sh (it sets up .venv and the collection copy).

    bash tools/bench.sh                  # full run: 1 Exchange + 50 Skype hosts, 3 repetitions (about 15 minutes)
    bash tools/bench.sh --quick          # 1 + 10 hosts, 1 repetition, latency scale 0.2 (a few minutes)
    bash tools/bench.sh --help

Every figure is printed with the baseline it is compared to, measured in the same run, and their ratio
(docs/performance.md explains each one):

1. product-shell loads and PowerShell runs per host and play, from the lab's event log (lab/log.py events.jsonl), for
   the check-mode audit (playbooks/audit.yml) and the full integration (playbooks/integration.yml); baseline: one per
   host per play (the plays that ran PowerShell on the host, found with a small callback that logs each play's start);
2. controller CPU seconds per module task (ansible-playbook and all its children: resource.getrusage(RUSAGE_CHILDREN) of
   a wrapper process) and peak RSS of the task's module process (VmHWM sampled from /proc) and of the whole process tree
   (ru_maxrss of the children), against ansible.builtin.ping on localhost; per task = (N tasks - 0 tasks) / N;
3. wall time of the check-mode audit of 1 Exchange + N Skype hosts against 1 + 1, at forks 25, with the lab's latency
   model (lab/latency.py) off and on;
4. modelled server time per playbook run (the sum of the events' modelled seconds) against what it would be with one
   shell load and one PowerShell start per host and play (session reuse).
"""

from __future__ import annotations

import argparse
import bisect
import copy
import datetime
import json
import os
import pathlib
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lab.latency import ENV as LATENCY_ENV, FIGURES  # noqa: E402  pylint: disable=wrong-import-position


def collection_root() -> pathlib.Path:
    """The collection copy that ANSIBLE_COLLECTIONS_PATH names (tools/bench.sh makes one): its playbooks and its lab run,
    so that edits to the work tree during a run change nothing. The work tree when there is no copy."""
    for entry in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        candidate = pathlib.Path(entry or '.') / 'ansible_collections' / 'ucops' / 'skype_exchange'
        if (candidate / 'lab' / 'topology.yml').exists() and (candidate / 'playbooks').is_dir():
            return candidate.resolve()
    return REPO


ROOT = collection_root()
AUDIT = ROOT / 'playbooks' / 'audit.yml'
INTEGRATION = ROOT / 'playbooks' / 'integration.yml'
FALLBACK_INTEGRATION = ROOT / 'playbooks' / 'autodiscover.yml'
# Front Ends per Enterprise pool in the generated topologies (Skype for Business Server supports up to 12)
POOL_SIZE = 10
WALL_GOAL = 2.5
CALLBACK_NAME = 'ucops_bench_plays'
CALLBACK = '''# Written by tools/bench.py: one JSON line per play start (and one at the end) to $UCOPS_BENCH_PLAYS.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: ucops_bench_plays
    type: aggregate
    short_description: play start times for tools/bench.py
    description: Writes the start time of each play to the file named by UCOPS_BENCH_PLAYS.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'ucops_bench_plays'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, record):
        with open(os.environ['UCOPS_BENCH_PLAYS'], 'a', encoding='utf-8') as stream:
            stream.write(json.dumps(record) + '\\n')

    def v2_playbook_on_play_start(self, play):
        self._write({'play': play.get_name(), 'time': time.time()})

    def v2_playbook_on_stats(self, stats):
        self._write({'end': True, 'time': time.time()})
'''


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and where its log is."""


# ----------------------------------------------------------------------------------------------------------------------
# Measuring a command


def rusage_wrapper(out: str, command: list[str]) -> int:
    """``bench.py --rusage-to OUT -- COMMAND``: run COMMAND, write its children's resource usage to OUT (JSON)."""
    code = subprocess.call(command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    pathlib.Path(out).write_text(json.dumps({'cpu': usage.ru_utime + usage.ru_stime, 'maxrss_kib': usage.ru_maxrss, 'rc': code}))
    return code


class ProcSampler(threading.Thread):
    """Polls /proc for the descendants of one process and keeps the peak RSS (VmHWM) of each kind of process: ``module``
    (an AnsiballZ module run) and ``other``. VmHWM only grows, so a late sample holds the process's peak."""

    def __init__(self, root: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_kib = {'module': 0, 'other': 0}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> dict[str, int]:
        """Stop sampling; returns the peaks (KiB)."""
        self._halt.set()
        self.join(5)
        return dict(self.peak_kib)

    def sample(self) -> None:
        """One pass over /proc."""
        children: dict[int, list[int]] = {}
        for entry in os.scandir('/proc'):
            if not entry.name.isdigit():
                continue
            try:
                stat = pathlib.Path(entry.path, 'stat').read_text(encoding='ascii', errors='replace')
            except OSError:
                continue
            ppid = int(stat.rsplit(')', 1)[-1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        stack = list(children.get(self.root, []))
        while stack:
            pid = stack.pop()
            stack.extend(children.get(pid, []))
            try:
                status = pathlib.Path('/proc/%d/status' % pid).read_text(encoding='ascii', errors='replace')
                cmdline = pathlib.Path('/proc/%d/cmdline' % pid).read_bytes()
            except OSError:
                continue
            found = re.search(r'^VmHWM:\s+(\d+) kB', status, re.M)
            if found:
                kind = 'module' if b'AnsiballZ_' in cmdline else 'other'
                self.peak_kib[kind] = max(self.peak_kib[kind], int(found.group(1)))


def measure(command: list[str], env: dict[str, str], log: pathlib.Path, sample: bool = False) -> dict[str, Any]:
    """Run a command through the rusage wrapper: wall seconds, CPU seconds of it and its children, peak RSS."""
    out = log.with_suffix('.rusage.json')
    with open(log, 'wb') as stream:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, __file__, '--rusage-to', str(out), '--', *command],  # pylint: disable=consider-using-with
                                   stdout=stream, stderr=subprocess.STDOUT, env=env, cwd=str(REPO))
        sampler = ProcSampler(process.pid) if sample else None
        if sampler is not None:
            sampler.start()
        process.wait()
        wall = time.monotonic() - started
        peaks = sampler.stop() if sampler is not None else {}
    usage = json.loads(out.read_text())
    if usage['rc'] != 0:
        raise BenchError('%s exited with %d; see %s' % (' '.join(command[:3]), usage['rc'], log))
    return {'wall': wall, 'cpu': usage['cpu'], 'tree_rss_kib': usage['maxrss_kib'], 'module_rss_kib': peaks.get('module'),
            'log': str(log)}


# ----------------------------------------------------------------------------------------------------------------------
# Lab topologies and labs


def make_topology(skype_hosts: int) -> dict[str, Any]:
    """1 Exchange 2019 server + ``skype_hosts`` Skype for Business Server 2019 Front Ends, from lab/topology.yml: one
    Standard Edition server, or one deployment of Enterprise pools of POOL_SIZE Front Ends (CMS on sql01)."""
    data = yaml.safe_load((ROOT / 'lab' / 'topology.yml').read_text(encoding='utf-8'))
    by_name = dict((host['name'], host) for host in data['hosts'])
    exchange = copy.deepcopy(by_name['ex2019'])
    if skype_hosts == 1:
        skype = [copy.deepcopy(by_name['sfb2019'])]
    else:
        skype = []
        for number in range(1, skype_hosts + 1):
            host = copy.deepcopy(by_name['sfb2019'])
            host['name'] = 'sfb%02d' % number
            host['computer_name'] = 'SFB%02d' % number
            host['settings'] = {'deployment': 'bench', 'pool_fqdn': 'pool%02d.contoso.local' % ((number - 1) // POOL_SIZE + 1),
                                'edition': 'Enterprise', 'cms_server': 'sql01.contoso.local'}
            skype.append(host)
    data['hosts'] = [exchange] + skype
    # lab/dns.py points the Autodiscover name at the first Exchange host
    target = '%s.%s' % (exchange['computer_name'].lower(), data['domain'])
    data['inventory_vars'] = dict(data.get('inventory_vars') or {}, skype_exchange_autodiscover_target=target)
    return data


class Lab:
    """One lab server of a generated topology, with its own state directory."""

    def __init__(self, work: pathlib.Path, name: str, skype_hosts: int, latency: float, env: dict[str, str]) -> None:
        self.name = name
        self.skype_hosts = skype_hosts
        self.latency = latency
        self.state_dir = work / name
        self.topology_path = work / ('%s-topology.yml' % name)
        self.topology_path.write_text(yaml.safe_dump(make_topology(skype_hosts), sort_keys=False), encoding='utf-8')
        self.env = dict(env)
        self.env.pop(LATENCY_ENV, None)

    @property
    def inventory(self) -> pathlib.Path:
        return self.state_dir / 'inventory.yml'

    @property
    def events_path(self) -> pathlib.Path:
        return self.state_dir / 'events.jsonl'

    def _lab(self, *arguments: str) -> None:
        command = [sys.executable, '-m', 'lab', *arguments, '--state-dir', str(self.state_dir)]
        done = subprocess.run(command, cwd=str(ROOT), env=self.env, capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0:
            raise BenchError('python -m lab %s failed (%d): %s' % (arguments[0], done.returncode, (done.stderr or done.stdout).strip()))

    def __enter__(self) -> Lab:
        arguments = ['start', '--topology', str(self.topology_path)]
        if self.latency:
            arguments += ['--latency', '%g' % self.latency]
        latency = 'x%g' % self.latency if self.latency else 'off'
        log('starting lab %s (1 Exchange + %d Skype, latency %s)' % (self.name, self.skype_hosts, latency))
        self._lab(*arguments)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lab('stop')

    def event_offset(self) -> int:
        """How many events are logged so far."""
        return len(self.events())

    def events(self, offset: int = 0) -> list[dict[str, Any]]:
        """The events logged after the first ``offset``."""
        if not self.events_path.exists():
            return []
        with open(self.events_path, encoding='utf-8') as stream:
            return [json.loads(line) for line in stream if line.strip()][offset:]


# ----------------------------------------------------------------------------------------------------------------------
# Counting shell loads per host and play


def read_plays(path: pathlib.Path) -> list[tuple[float, str]]:
    """(start time, name) of each play the callback logged, in order."""
    if not path.exists():
        return []
    plays = []
    for line in path.read_text(encoding='utf-8').splitlines():
        record = json.loads(line)
        if 'play' in record:
            plays.append((record['time'], record['play']))
    return plays


def event_time(event: dict[str, Any]) -> float:
    return datetime.datetime.fromisoformat(event['time']).timestamp()


def shell_figures(events: list[dict[str, Any]], plays: list[tuple[float, str]]) -> dict[str, Any]:
    """Loads and runs per host and play, and the modelled server time with and without session reuse.

    An event belongs to the last play that started before it (plays run one after the other). With reuse, each host and
    play that ran PowerShell would start it once and load each product shell it used once, then run the same cmdlets.
    """
    starts = [start for start, _name in plays]
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        play = max(bisect.bisect_right(starts, event_time(event)) - 1, 0)
        cell = cells.setdefault((event['host'], play), {'runs': 0, 'requests': 0, 'loads': 0, 'modelled': 0.0, 'cmdlets': 0.0,
                                                        'start': 0.0, 'shells': {}})
        cell['modelled'] += event['modelled_seconds']
        # with session reuse a later request of a task is a session_request: no new PowerShell, no new load
        if event['event'] in ('powershell_run', 'session_request'):
            cell['requests'] += 1
            components = event['components']
            cell['cmdlets'] += components.get('cmdlet_read', 0.0) + components.get('cmdlet_write', 0.0)
        if event['event'] == 'powershell_run':
            cell['runs'] += 1
            cell['start'] = event['components'].get('powershell_start', 0.0)
        elif event['event'] == 'shell_load':
            cell['loads'] += 1
            cell['shells'].setdefault(event['shell'], event['modelled_seconds'])
    hosts = sorted({host for host, _play in cells})
    per_host_loads = [sum(cell['loads'] for (host, _play), cell in cells.items() if host == name) for name in hosts]
    per_host_runs = [sum(cell['runs'] for (host, _play), cell in cells.items() if host == name) for name in hosts]
    plays_per_host = [len([1 for (host, _play), cell in cells.items() if host == name and cell['requests']]) for name in hosts]
    values = list(cells.values())
    reuse = sum(cell['start'] + sum(cell['shells'].values()) + cell['cmdlets'] for cell in values if cell['requests'])
    return {
        'hosts': len(hosts),
        'host_plays': len([cell for cell in values if cell['requests']]),
        'plays_per_host': statistics.mean(plays_per_host) if hosts else 0.0,
        'loads_per_host': statistics.mean(per_host_loads) if hosts else 0.0,
        'runs_per_host': statistics.mean(per_host_runs) if hosts else 0.0,
        'loads_per_host_play': statistics.mean([cell['loads'] for cell in values if cell['requests']]) if values else 0.0,
        'max_loads_per_host_play': max([cell['loads'] for cell in values] or [0]),
        'runs_per_host_play': statistics.mean([cell['runs'] for cell in values if cell['requests']]) if values else 0.0,
        'max_runs_per_host_play': max([cell['runs'] for cell in values] or [0]),
        'modelled_seconds': sum(cell['modelled'] for cell in values),
        'modelled_seconds_reuse': reuse,
    }


# ----------------------------------------------------------------------------------------------------------------------
# The benchmark


def log(message: str) -> None:
    print('>>> %s' % message, file=sys.stderr, flush=True)


class Bench:
    """The measurements of one run; ``results`` is what the table is made of."""

    def __init__(self, args: argparse.Namespace, work: pathlib.Path) -> None:
        self.args = args
        self.work = work
        self.results: dict[str, Any] = {'notes': []}
        bin_dir = pathlib.Path(sys.executable).parent
        self.playbook = str(bin_dir / 'ansible-playbook') if (bin_dir / 'ansible-playbook').exists() else shutil.which('ansible-playbook')
        if not self.playbook:
            raise BenchError('ansible-playbook not found: run the benchmark through tools/bench.sh')
        if not os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
            raise BenchError('ANSIBLE_COLLECTIONS_PATH is not set: run the benchmark through tools/bench.sh')
        callbacks = work / 'callback_plugins'
        callbacks.mkdir()
        (callbacks / ('%s.py' % CALLBACK_NAME)).write_text(CALLBACK, encoding='utf-8')
        self.env = dict(os.environ, PATH='%s%s%s' % (bin_dir, os.pathsep, os.environ.get('PATH', '')), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_CALLBACK_PLUGINS=str(callbacks))
        self.env.pop(LATENCY_ENV, None)
        self._count = 0

    def _log_path(self, label: str) -> pathlib.Path:
        self._count += 1
        return self.work / ('%02d-%s.log' % (self._count, label))

    def group_vars(self) -> list[str]:
        return ['-e', 'skype_exchange_exchange_group=exchange', '-e', 'skype_exchange_skype_group=skype']

    def run_playbook(self, lab: Lab, playbook: pathlib.Path, label: str, *extra: str, plays: bool = False,
                     sample: bool = False, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
        """One ansible-playbook run against ``lab``: its measurement, and with ``plays`` its events and play starts."""
        env = dict(self.env, **(env_extra or {}))
        plays_log = self.work / ('%s-%d.plays.jsonl' % (label, self._count + 1))
        if plays:
            env.update(ANSIBLE_CALLBACKS_ENABLED=CALLBACK_NAME, UCOPS_BENCH_PLAYS=str(plays_log))
        offset = lab.event_offset()
        command = [self.playbook, '-i', str(lab.inventory), '-f', str(self.args.forks), str(playbook), *extra]
        result = measure(command, env, self._log_path(label), sample=sample)
        if plays:
            result['events'] = lab.events(offset)
            result['plays'] = read_plays(plays_log)
            recap = re.findall(r'^(\S+)\s+:\s+ok=\d+.*?failed=(\d+).*?ignored=(\d+)', pathlib.Path(result['log']).read_text(), re.M)
            bad = [host for host, failed, ignored in recap if int(failed) or int(ignored)]
            if bad:
                self.results['notes'].append('%s: failed or ignored tasks on %s (see %s)' % (label, ', '.join(bad[:5]), result['log']))
        return result

    # -- 2. controller cost per task -------------------------------------------------------------------------------

    def controller_cost(self, lab: Lab) -> None:
        tasks = self.args.tasks
        plays = {
            'empty_local': ('localhost', []),
            'ping': ('localhost', [{'name': 'Ping %d' % i, 'ansible.builtin.ping': None} for i in range(tasks)]),
            'empty_exchange': ('ex2019', []),
            'exchange_info': ('ex2019', [{'name': 'Read %d' % i, 'ucops.skype_exchange.exchange_info': None} for i in range(tasks)]),
            'empty_skype': ('sfb2019', []),
            'skype_info': ('sfb2019', [{'name': 'Read %d' % i, 'ucops.skype_exchange.skype_info': None} for i in range(tasks)]),
        }
        samples: dict[str, list[dict[str, Any]]] = dict((name, []) for name in plays)
        for repetition in range(self.args.reps):
            for name, (hosts, task_list) in plays.items():
                path = self.work / ('cost-%s.yml' % name)
                path.write_text(yaml.safe_dump([{'name': 'Benchmark %s' % name, 'hosts': hosts, 'gather_facts': False,
                                                 'tasks': task_list}], sort_keys=False), encoding='utf-8')
                log('controller cost: %s (%d tasks), repetition %d/%d' % (name, len(task_list), repetition + 1, self.args.reps))
                samples[name].append(self.run_playbook(lab, path, 'cost-%s' % name, sample=True))

        def median(name: str, key: str) -> float:
            return statistics.median(sample[key] or 0 for sample in samples[name])

        cost: dict[str, Any] = {'tasks': tasks}
        for name, empty in (('ping', 'empty_local'), ('exchange_info', 'empty_exchange'), ('skype_info', 'empty_skype')):
            cost[name] = {
                'cpu_per_task': (median(name, 'cpu') - median(empty, 'cpu')) / tasks,
                'module_rss_mib': median(name, 'module_rss_kib') / 1024,
                'tree_rss_mib': median(name, 'tree_rss_kib') / 1024,
                'wall_per_task': (median(name, 'wall') - median(empty, 'wall')) / tasks,
            }
        self.results['controller'] = cost

    # -- 1, 3, 4: the audit ----------------------------------------------------------------------------------------

    def audit(self, lab: Lab, label: str) -> None:
        runs = []
        for repetition in range(self.args.reps):
            report = self.work / ('report-%s-%d' % (label, repetition))
            log('audit %s, repetition %d/%d' % (label, repetition + 1, self.args.reps))
            runs.append(self.run_playbook(lab, AUDIT, 'audit-%s' % label, *self.group_vars(), '-e',
                                          'skype_exchange_audit_report_dir=%s' % report, plays=True))
        entry = {'wall': statistics.median(run['wall'] for run in runs), 'walls': [run['wall'] for run in runs],
                 'cpu': statistics.median(run['cpu'] for run in runs)}
        if not lab.latency:
            # the figures of the events; with the model on they are scaled, so they come from the runs without it
            entry['shell'] = shell_figures(runs[0]['events'], runs[0]['plays'])
        self.results.setdefault('audit', {})[label] = entry

    def integration(self, lab: Lab, key: str = 'integration', env_extra: dict[str, str] | None = None) -> None:
        playbook = INTEGRATION if INTEGRATION.exists() else FALLBACK_INTEGRATION
        if playbook is FALLBACK_INTEGRATION:
            self.results['notes'].append('playbooks/integration.yml does not exist: playbooks/autodiscover.yml was measured instead')
        log('integration (%s) on a fresh lab%s' % (playbook.name, ' without session reuse' if env_extra else ''))
        try:
            run = self.run_playbook(lab, playbook, key, *self.group_vars(), plays=True, env_extra=env_extra)
        except BenchError as error:
            self.results['notes'].append('%s failed: %s; its figures count the plays that ran' % (playbook.name, error))
            plays_log = sorted(self.work.glob('%s-*.plays.jsonl' % key))
            run = {'events': lab.events(0), 'plays': read_plays(plays_log[-1]) if plays_log else [], 'wall': None}
        self.results[key] = {'playbook': str(playbook.relative_to(ROOT)), 'wall': run.get('wall'),
                             'shell': shell_figures(run['events'], run['plays'])}

    def run(self) -> dict[str, Any]:
        args = self.args
        self.results.update(machine_info(), reps=args.reps, forks=args.forks, skype_hosts=args.skype_hosts, latency_scale=args.latency_scale)
        with Lab(self.work, 'small', 1, 0.0, self.env) as lab:
            if not args.skip_controller:
                self.controller_cost(lab)
        with Lab(self.work, 'small-off', 1, 0.0, self.env) as lab:
            self.audit(lab, 'small-off')
        with Lab(self.work, 'large-off', args.skype_hosts, 0.0, self.env) as lab:
            self.audit(lab, 'large-off')
        if args.latency_scale:
            with Lab(self.work, 'small-on', 1, args.latency_scale, self.env) as lab:
                self.audit(lab, 'small-on')
            with Lab(self.work, 'large-on', args.skype_hosts, args.latency_scale, self.env) as lab:
                self.audit(lab, 'large-on')
        if not args.skip_integration:
            with Lab(self.work, 'integration', 1, 0.0, self.env) as lab:
                self.integration(lab)
            # the same run the old way (one shell per request), for the modelled server time without session reuse
            with Lab(self.work, 'integration-no-reuse', 1, 0.0, self.env) as lab:
                self.integration(lab, 'integration_no_reuse', {'UCOPS_SKYPE_EXCHANGE_SESSION_REUSE': 'false'})
        return self.results


def machine_info() -> dict[str, Any]:
    model = ''
    try:
        model = next((line.split(':', 1)[1].strip() for line in pathlib.Path('/proc/cpuinfo').read_text().splitlines()
                      if line.startswith('model name')), '')
    except OSError:
        pass
    try:
        import ansible.release  # pylint: disable=import-outside-toplevel
        ansible_version = ansible.release.__version__
    except ImportError:
        ansible_version = 'unknown'
    return {'date': datetime.date.today().isoformat(), 'cpus': os.cpu_count(), 'cpu_model': model, 'python': platform.python_version(),
            'ansible_core': ansible_version}


# ----------------------------------------------------------------------------------------------------------------------
# The table


def ratio(value: float | None, baseline: float | None) -> str:
    if value is None or not baseline:
        return 'n/a'
    return '%.2f' % (value / baseline)


def table(results: dict[str, Any]) -> str:
    """The results as Markdown: every figure, its baseline from the same run, and the ratio."""
    n = results['skype_hosts']
    lines = ['Benchmark of ucops.skype_exchange against the lab, %s: %s CPUs (%s), Python %s, ansible-core %s; median of %d '
             'repetition(s), forks %d, latency model scale %g when on.'
             % (results['date'], results['cpus'], results['cpu_model'] or 'unknown CPU', results['python'], results['ansible_core'],
                results['reps'], results['forks'], results['latency_scale']), '',
             '| Figure | Baseline (same run) | Value | Ratio |', '|---|---|---:|---:|']

    def row(figure: str, baseline_text: str, value_text: str, ratio_text: str) -> None:
        lines.append('| %s | %s | %s | %s |' % (figure, baseline_text, value_text, ratio_text))

    shells = [('audit, 1+1', results.get('audit', {}).get('small-off', {}).get('shell')),
              ('audit, 1+%d' % n, results.get('audit', {}).get('large-off', {}).get('shell'))]
    if 'integration' in results:
        shells.append(('integration (%s), 1+1' % pathlib.Path(results['integration']['playbook']).name, results['integration']['shell']))
    for label, figures in shells:
        if not figures:
            continue
        row('%s: shell loads per host (max per host and play: %d)' % (label, figures['max_loads_per_host_play']),
            '%.2f plays with PowerShell per host' % figures['plays_per_host'], '%.2f' % figures['loads_per_host'],
            ratio(figures['loads_per_host'], figures['plays_per_host']))
        row('%s: PowerShell runs per host (max per host and play: %d)' % (label, figures['max_runs_per_host_play']),
            '%.2f plays with PowerShell per host' % figures['plays_per_host'], '%.2f' % figures['runs_per_host'],
            ratio(figures['runs_per_host'], figures['plays_per_host']))
    cost = results.get('controller')
    if cost:
        ping = cost['ping']
        for name in ('exchange_info', 'skype_info'):
            row('controller CPU-s per %s task' % name, 'ansible.builtin.ping (local): %.3f s' % ping['cpu_per_task'],
                '%.3f s' % cost[name]['cpu_per_task'], ratio(cost[name]['cpu_per_task'], ping['cpu_per_task']))
            row('peak RSS of the %s module process' % name, 'ping module: %.1f MiB' % ping['module_rss_mib'],
                '%.1f MiB' % cost[name]['module_rss_mib'], ratio(cost[name]['module_rss_mib'], ping['module_rss_mib']))
            row('peak RSS of the ansible-playbook process tree, %s' % name, 'ping: %.1f MiB' % ping['tree_rss_mib'],
                '%.1f MiB' % cost[name]['tree_rss_mib'], ratio(cost[name]['tree_rss_mib'], ping['tree_rss_mib']))
    audit = results.get('audit', {})
    for mode in ('off', 'on'):
        small, large = audit.get('small-%s' % mode), audit.get('large-%s' % mode)
        if small and large:
            row('check-mode audit wall time, 1+%d, forks %d, latency %s (goal: ratio <= %g)' % (n, results['forks'], mode, WALL_GOAL),
                '1+1: %.1f s' % small['wall'], '%.1f s' % large['wall'], ratio(large['wall'], small['wall']))
    if audit.get('small-on') and audit.get('small-off'):
        row('check-mode audit wall time, 1+1, latency on', '1+1 latency off: %.1f s' % audit['small-off']['wall'],
            '%.1f s' % audit['small-on']['wall'], ratio(audit['small-on']['wall'], audit['small-off']['wall']))
    for label, figures in shells:
        if figures:
            row('%s: modelled server time per playbook run' % label,
                'one load per host and play (reuse): %.1f s' % figures['modelled_seconds_reuse'],
                '%.1f s' % figures['modelled_seconds'], ratio(figures['modelled_seconds'], figures['modelled_seconds_reuse']))
    reuse, no_reuse = results.get('integration', {}).get('shell'), results.get('integration_no_reuse', {}).get('shell')
    if reuse and no_reuse:
        row('integration, 1+1: product-shell loads per host, session reuse on', 'reuse off (session_reuse false): %.2f'
            % no_reuse['loads_per_host'], '%.2f' % reuse['loads_per_host'], ratio(reuse['loads_per_host'], no_reuse['loads_per_host']))
        row('integration, 1+1: modelled server time per playbook run, session reuse on', 'reuse off: %.1f s' % no_reuse['modelled_seconds'],
            '%.1f s' % reuse['modelled_seconds'], ratio(reuse['modelled_seconds'], no_reuse['modelled_seconds']))
    lines.append('')
    lines.append('Latency model (lab/latency.py): ' + '; '.join('%s %g s' % (name, figure.seconds) for name, figure in FIGURES.items()) + '.')
    for note in results.get('notes', []):
        lines.append('')
        lines.append('Note: %s' % note)
    return '\n'.join(lines) + '\n'


# ----------------------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='tools/bench.sh', description=__doc__.split('\n\n', 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true',
                        help='a run of a few minutes: 1 repetition, 3 tasks per cost playbook, 10 Skype hosts, latency scale 0.2 '
                             '(options given explicitly still win)')
    parser.add_argument('--reps', type=int, help='repetitions of each measurement, the median is reported (default 3)')
    parser.add_argument('--tasks', type=int, help='tasks per controller-cost playbook (default 10)')
    parser.add_argument('--skype-hosts', type=int, help='Skype hosts of the large topology (default 50)')
    parser.add_argument('--forks', type=int, default=25, help='ansible forks (default 25)')
    parser.add_argument('--latency-scale', type=float, help='scale of the latency model when on; 0 skips the runs with it (default 1)')
    parser.add_argument('--skip-controller', action='store_true', help='skip the controller-cost measurement')
    parser.add_argument('--skip-integration', action='store_true', help='skip the integration playbook')
    parser.add_argument('--output', type=pathlib.Path, help='also write the table (Markdown) to this file')
    parser.add_argument('--json', type=pathlib.Path, help='also write every figure (JSON) to this file')
    parser.add_argument('--keep', action='store_true', help='keep the working directory (logs, lab state)')
    args = parser.parse_args(argv)
    defaults = {'reps': (1, 3), 'tasks': (3, 10), 'skype_hosts': (10, 50), 'latency_scale': (0.2, 1.0)}
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.reps < 1 or args.tasks < 1 or args.skype_hosts < 2 or args.forks < 1 or args.latency_scale < 0:
        parser.error('--reps, --tasks and --forks must be at least 1, --skype-hosts at least 2, --latency-scale not negative')
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ['--rusage-to']:
        return rusage_wrapper(argv[1], argv[3:])
    args = parse_args(argv)
    work = pathlib.Path(tempfile.mkdtemp(prefix='ucops-bench-'))
    failed = False
    try:
        results = Bench(args, work).run()
    except BenchError as error:
        print('bench: %s' % error, file=sys.stderr)
        failed = True
        return 1
    finally:
        if args.keep or failed:
            log('working directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = table(results)
    print(text)
    if args.output:
        args.output.write_text(text, encoding='utf-8')
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + '\n', encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

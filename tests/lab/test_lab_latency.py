# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's event log (events.jsonl: one event per PowerShell run and per product-shell load) and its latency model
(lab/latency.py). No wall-clock timing is asserted: the model's sleep is observed through a recording stand-in."""

from __future__ import annotations

import pathlib
import threading

import pytest

from simulator_support import ARGUMENTS, PASSWORD, REMOTE, SKYPE, SNAPIN, Simulator, build_stdin, invocation, request
from lab import __main__ as lab_cli
from lab.engine import Engine
from lab.latency import ENV, FIGURES, SHELL_LOAD_STEPS, LatencyModel, parse_scale
from lab.log import read_events, read_invocations

NONE = {'type': 'none'}
REGISTRY = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'


class RecordingModel(LatencyModel):
    """A latency model that records what it would sleep, and whether the engine lock was held then."""

    def __init__(self, scale: float, engine_lock: list) -> None:
        super().__init__(scale)
        self.slept: list[tuple[float, bool]] = []
        self._engine_lock = engine_lock

    def sleep(self, seconds: float) -> None:
        self.slept.append((seconds, self._engine_lock[0].locked()))


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.delenv(ENV, raising=False)
    return Simulator(tmp_path / 'state')


def events_of(sim: Simulator, kind: str | None = None) -> list[dict]:
    return [event for event in read_events(sim.state_dir) if kind is None or event['event'] == kind]


def figure(step: str, count: int = 1) -> float:
    return FIGURES[step].seconds * count


def test_a_read_request_logs_one_run_and_one_shell_load(sim):
    response = sim.run('ex2019', request('read', REMOTE, invocation('Get-ExchangeServer', properties=['Name'])))
    assert response['error'] is None
    runs, loads = events_of(sim, 'powershell_run'), events_of(sim, 'shell_load')
    assert len(runs) == 1 and len(loads) == 1
    run, load = runs[0], loads[0]
    assert (run['host'], run['identity'], run['shell'], run['exit_code'], run['cmdlets']) == \
        ('ex2019', 'CONTOSO\\winrm', 'exchange_remote', 0, {'read': 1, 'write': 0})
    assert (load['host'], load['run'], load['shell'], load['status'], load['module'], load['session_identity']) == \
        ('ex2019', run['run'], 'exchange_remote', 'ok', None, 'CONTOSO\\admin')
    # the model is off: nothing was slept, the plain figures are recorded for the benchmark
    assert run['latency'] == 0 and load['latency'] == 0
    assert run['components'] == {'powershell_start': figure('powershell_start'), 'cmdlet_read': figure('cmdlet_read')}
    assert load['components'] == {'exchange_new_pssession': figure('exchange_new_pssession'),
                                  'exchange_import_pssession': figure('exchange_import_pssession')}
    assert load['modelled_seconds'] == pytest.approx(figure('exchange_new_pssession') + figure('exchange_import_pssession'))
    assert 'time' in run and 'password' not in str(load).lower()
    # the password of the product session's credential is nowhere in the log
    assert PASSWORD not in (sim.state_dir / 'events.jsonl').read_text()


def test_each_run_loads_its_shell_again(sim):
    for _attempt in range(3):
        sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsServerVersion')))
    loads = events_of(sim, 'shell_load')
    assert [(load['shell'], load['module'], load['status']) for load in loads] == [('skype', 'SkypeForBusiness', 'ok')] * 3
    assert len({load['run'] for load in loads}) == 3
    assert loads[0]['components'] == {'skype_import_module': figure('skype_import_module')}
    assert sim.run('lync2013', request('read', SKYPE, invocation('Get-CsServerVersion')))['shell']['module'] == 'Lync'
    assert events_of(sim, 'shell_load')[-1]['module'] == 'Lync'


def test_a_request_of_local_cmdlets_logs_a_run_and_no_shell_load(sim):
    read = dict(invocation('Get-ItemProperty', {'Path': [REGISTRY], 'Name': ['MsiInstallPath']}, ['MsiInstallPath']), local=True)
    response = sim.run('ex2019', request('read', dict(REMOTE, credential=None), read))
    assert response['error'] is None
    assert [event['event'] for event in events_of(sim)] == ['powershell_run']
    assert events_of(sim)[0]['cmdlets'] == {'read': 1, 'write': 0}
    # shell type none: no load either
    sim.run('ex2019', request('read', NONE, dict(read, local=False)))
    assert [event['event'] for event in events_of(sim)] == ['powershell_run', 'powershell_run']
    assert events_of(sim)[1]['shell'] == 'none'


def test_writes_and_failed_cmdlets_are_charged(sim):
    response = sim.run('ex2019', request('write', SNAPIN, invocation('Get-ExchangeServer', properties=['Name']),
                                         invocation('Set-ClientAccessService', {'Identity': 'EX19', 'AutoDiscoverServiceInternalUri': None}),
                                         invocation('Get-ClientAccessService', {'Identity': 'EX99'}, ['Name']),
                                         invocation('Get-ExchangeServer')))
    # the third invocation fails (no such server) and the runner stops there: three cmdlet calls ran
    assert response['error']['index'] == 2
    run = events_of(sim, 'powershell_run')[0]
    assert run['cmdlets'] == {'read': 2, 'write': 1}
    assert run['modelled_seconds'] == pytest.approx(figure('powershell_start') + figure('cmdlet_read', 2) + figure('cmdlet_write'))
    load = events_of(sim, 'shell_load')[0]
    assert (load['shell'], load['module']) == ('exchange_snapin', 'Microsoft.Exchange.Management.PowerShell.SnapIn')


def test_a_failed_load_is_logged_as_an_error(sim):
    wrong = dict(REMOTE, credential={'username': 'CONTOSO\\admin', 'password': 'nope'})
    assert sim.run('ex2016', request('read', wrong, invocation('Get-ExchangeServer')))['error']['stage'] == 'shell'
    load = events_of(sim, 'shell_load')[0]
    # the session was refused: its first step only, no cmdlet ran
    assert (load['status'], load['components']) == ('error', {'exchange_new_pssession': figure('exchange_new_pssession')})
    assert events_of(sim, 'powershell_run')[0]['cmdlets'] == {'read': 0, 'write': 0}
    # the Skype module on an Exchange server: not found
    assert sim.run('ex2019', request('read', SKYPE, invocation('Get-CsPool')))['error']['stage'] == 'shell'
    assert [(load['shell'], load['status']) for load in events_of(sim, 'shell_load')] == [('exchange_remote', 'error'), ('skype', 'error')]


def test_a_command_that_is_not_powershell_logs_nothing(sim):
    stdout, _stderr, code = sim.engine.run_command(sim.host('ex2019'), 'u', 'ntlm', 'cmd.exe', ARGUMENTS, build_stdin(request('read', NONE)))
    assert (stdout, code) == (b'', 1)
    assert read_events(sim.state_dir) == []
    # powershell.exe with another script still starts PowerShell
    sim.engine.run_command(sim.host('ex2019'), 'u', 'ntlm', 'powershell.exe', ['-Command', 'Get-Date'], b'')
    assert [(event['event'], event['shell'], event['exit_code']) for event in read_events(sim.state_dir)] == [('powershell_run', None, 1)]


def test_latency_on_records_the_scaled_seconds_and_sleeps_outside_the_lock(sim):
    lock: list = []
    model = RecordingModel(0.001, lock)
    sim.engine = Engine(sim.topology, sim.state_dir, latency=model)
    lock.append(sim.engine._lock)  # pylint: disable=protected-access
    assert sim.run('sfb2019', request('read', SKYPE, invocation('Get-CsServerVersion')))['error'] is None
    run, load = events_of(sim, 'powershell_run')[0], events_of(sim, 'shell_load')[0]
    assert run['latency'] == load['latency'] == 0.001
    assert run['modelled_seconds'] == pytest.approx((figure('powershell_start') + figure('cmdlet_read')) * 0.001)
    assert load['modelled_seconds'] == pytest.approx(figure('skype_import_module') * 0.001)
    # one sleep per run, of the run's modelled time, with the engine lock released (other hosts' runs go on meanwhile)
    assert model.slept == [(pytest.approx(run['modelled_seconds'] + load['modelled_seconds']), False)]
    # the invocation log is unchanged by the model
    assert [entry['cmdlet'] for entry in read_invocations(sim.state_dir)] == ['Get-CsServerVersion']


def test_runs_on_other_hosts_proceed_while_one_sleeps(tmp_path):
    release = threading.Event()
    entered = threading.Event()

    class BlockingModel(LatencyModel):
        def sleep(self, seconds: float) -> None:
            entered.set()
            assert release.wait(30)

    sim = Simulator(tmp_path / 'state')
    sim.engine = Engine(sim.topology, sim.state_dir, latency=BlockingModel(1.0))
    first = threading.Thread(target=sim.run, args=('sfb2019', request('read', SKYPE, invocation('Get-CsServerVersion'))))
    first.start()
    try:
        assert entered.wait(30)
        # sfb2019's run is "sleeping"; the engine still serves ex2019 (its own sleep is not blocked on the first one)
        sim.engine.latency = LatencyModel(0.0)
        assert sim.run('ex2019', request('read', NONE, invocation('Get-Date')))['host']['computer_name'] == 'EX19'
    finally:
        release.set()
        first.join(30)
    assert [event['host'] for event in events_of(sim, 'powershell_run')] == ['sfb2019', 'ex2019']


def test_the_model_and_its_switch():
    assert LatencyModel.from_environment({}).enabled is False
    assert [parse_scale(text) for text in ('', '0', 'off', '1', 'on', 'TRUE', '0.25', ' 2 ')] == [0, 0, 0, 1, 1, 1, 0.25, 2]
    for bad in ('fast', '-1', 'nan', 'inf'):
        with pytest.raises(ValueError, match=ENV):
            parse_scale(bad)
    assert LatencyModel.from_environment({ENV: '0.5'}).seconds('cmdlet_write', 2) == pytest.approx(FIGURES['cmdlet_write'].seconds)
    # every figure names its source or says it is an estimate; every shell type the runner knows has load steps
    assert all(item.source and item.seconds > 0 for item in FIGURES.values())
    assert set(SHELL_LOAD_STEPS) == {'exchange_remote', 'exchange_snapin', 'skype_remote', 'skype'}
    assert all(step in FIGURES for steps in SHELL_LOAD_STEPS.values() for step in steps)


def test_the_start_command_refuses_a_bad_latency(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert lab_cli.main(['start', '--latency', 'fast', '--state-dir', str(tmp_path)]) == 1
    assert "--latency 'fast'" in capsys.readouterr().err
    monkeypatch.setenv(ENV, 'sometimes')
    assert lab_cli.main(['start', '--state-dir', str(tmp_path)]) == 1
    assert ENV in capsys.readouterr().err

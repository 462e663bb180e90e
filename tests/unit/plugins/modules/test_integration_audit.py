# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""integration_audit: the module's arguments, the report files (private, one per format) and fail_on_drift."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.ucops.skype_exchange.tests.unit.plugins.modules.test_inputs_modules import module_args

from ansible_collections.ucops.skype_exchange.plugins.modules import integration_audit as mod

FAILED = {'failed': True, 'msg': 'connection refused'}


def run(capsys, **args):
    with module_args(args):
        with pytest.raises(SystemExit) as exited:
            mod.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def test_writes_every_format_privately(tmp_path, capsys):
    target = tmp_path / 'reports'
    code, result = run(capsys, exchange_results={'ex1': FAILED}, skype_results={'fe1': FAILED}, autodiscover_fqdn='autodiscover.contoso.com',
                       report_dir=str(target))
    assert code == 0 and result['changed'] is False
    assert sorted(os.path.basename(path) for path in result['files']) == ['audit-report.html', 'audit-report.json', 'audit-report.md']
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    for path in result['files']:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    written = json.loads((target / 'audit-report.json').read_text())
    assert written == result['report']
    # unreadable hosts are failed results, and failed means drift
    assert result['summary']['status'] == 'failed' and result['drift'] is True


def test_fail_on_drift_fails_after_writing_the_report(tmp_path, capsys):
    code, result = run(capsys, exchange_results={'ex1': FAILED}, skype_results={'fe1': FAILED}, autodiscover_fqdn='autodiscover.contoso.com',
                       report_dir=str(tmp_path), formats=['json'], fail_on_drift=True)
    assert code == 1 and result['failed'] is True
    assert 'prerequisites (failed)' in result['msg'] and str(tmp_path / 'audit-report.json') in result['msg']
    assert (tmp_path / 'audit-report.json').exists() and not (tmp_path / 'audit-report.md').exists()


def test_empty_autodiscover_name_is_refused(capsys):
    code, result = run(capsys, exchange_results={}, skype_results={}, autodiscover_fqdn=' ')
    assert code == 1 and 'autodiscover_fqdn is empty' in result['msg']

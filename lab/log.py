# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The invocation log ``<state_dir>/invocations.jsonl``: one JSON object per cmdlet invocation the lab received.

Fields: ``time`` (UTC ISO 8601), ``request`` (one id per PowerShell run, so tests can count runs),
``host`` (inventory name), ``user`` (WinRM user), ``shell``, ``id``, ``cmdlet``,
``parameters`` (as sent, with every parameter whose name contains "Password" or "Credential" replaced by
``********``), ``mode``, ``write`` (verb not Get/Test) and ``status`` (``ok``, ``error``, ``refused`` or ``not_run``).
The shell credential's password is never written.

The event log ``<state_dir>/events.jsonl``: one JSON object per PowerShell run and per product-shell load, so tests and
tools/bench.py can count them per host. Fields: ``time``, ``run`` (one id per WinRS command that started PowerShell; a
shell load has the id of its run), ``host``, ``identity`` (WinRM user), ``event`` (``powershell_run`` or ``shell_load``),
``shell`` (the request's shell type: ``exchange_remote``, ``exchange_snapin``, ``skype_remote``, ``skype``, ``none``, or
null when the request was not read), ``modelled_seconds`` (the latency model's time of the step, lab/latency.py; the
plain figures when the model is off), ``latency`` (the model's scale factor, 0 = off: nothing was slept) and
``components`` ({step: seconds}). A ``powershell_run`` also has ``exit_code`` and ``cmdlets`` ({"read": n, "write": n},
every cmdlet call including each foreach item); a ``shell_load`` has ``status`` (``ok`` or ``error``), ``module`` (the
Skype module or the Exchange snap-in, else null) and ``session_identity`` (the user of the product session's credential,
else the WinRM user).

Session reuse (docs/design.md section 8): in a LOOP_PS1 process the first request is the ``powershell_run``; every later
request is a ``session_request`` event (the fields of a run, without the ``powershell_start`` component) and logs a
``shell_load`` only when it loads a product shell the process had not loaded yet. Events of a loop carry ``session``
(the WinRS ShellId).
"""

from __future__ import annotations

import datetime
import decimal
import json
import pathlib
import uuid
from typing import Any

REDACTED = '********'
LOG_NAME = 'invocations.jsonl'
EVENTS_NAME = 'events.jsonl'


def is_secret_name(name: str) -> bool:
    """Whether a parameter name designates a secret."""
    lowered = name.lower()
    return 'password' in lowered or 'credential' in lowered


def redact(value: Any) -> Any:
    """A copy of a JSON value with every secret-named member replaced by ``********``."""
    if isinstance(value, dict):
        return {key: (REDACTED if is_secret_name(str(key)) else redact(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def append_invocations(state_dir: pathlib.Path, entries: list[dict[str, Any]]) -> None:
    """Append entries (each gets a ``time``) to the log."""
    if not entries:
        return
    state_dir = pathlib.Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    request = uuid.uuid4().hex
    with open(state_dir / LOG_NAME, 'a', encoding='utf-8') as stream:
        for entry in entries:
            record = {'time': now, 'request': request}
            record.update(entry)
            record['parameters'] = redact(record.get('parameters'))
            stream.write(json.dumps(record, ensure_ascii=False, default=_json_default) + '\n')


def read_invocations(state_dir: pathlib.Path) -> list[dict[str, Any]]:
    """Every logged invocation, oldest first (empty when nothing was logged)."""
    return _read_lines(pathlib.Path(state_dir) / LOG_NAME)


def append_events(state_dir: pathlib.Path, events: list[dict[str, Any]]) -> None:
    """Append events (each gets a ``time`` unless it has one) to the event log."""
    if not events:
        return
    state_dir = pathlib.Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    with open(state_dir / EVENTS_NAME, 'a', encoding='utf-8') as stream:
        for event in events:
            record = {'time': now}
            record.update(event)
            stream.write(json.dumps(record, ensure_ascii=False, default=_json_default) + '\n')


def read_events(state_dir: pathlib.Path) -> list[dict[str, Any]]:
    """Every logged event, oldest first (empty when nothing was logged)."""
    return _read_lines(pathlib.Path(state_dir) / EVENTS_NAME)


def _read_lines(path: pathlib.Path) -> list[dict[str, Any]]:
    """The JSON records of a log file, one per line, oldest first (empty when the file does not exist)."""
    if not path.exists():
        return []
    with open(path, encoding='utf-8') as stream:
        return [json.loads(line) for line in stream if line.strip()]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What happens on a simulated server after the WS-Management layer: the command line, the bootstrap, the runner.

The lab runs nothing but the collection's shipped PowerShell (``BOOTSTRAP_PS1`` and ``RUNNER_PS1`` from
``plugins/module_utils/powershell/_scripts.py``, loaded by file path). It checks that the command line and the
script on stdin are exactly those, then does step by step what RUNNER_PS1 does (docs/design.md sections 1-3):
request decoding, the read-only and cmdlet-name refusals, loading the product shell, choosing among
alternatives, binding every invocation like PowerShell's parameter binder (lab/binder.py), running the product
model (lab/products/), stopping at the first error, and normalising the output. It prints the same single
``UCOPS-RESULT:`` line the runner prints.

Every PowerShell run and every product-shell load is an event of ``events.jsonl`` (lab/log.py) with its modelled server
time (lab/latency.py); with the latency model on, the run's command sleeps that time after the engine lock is released.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import decimal
import importlib.util
import json
import pathlib
import re
import threading
import uuid
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from .binder import is_valid_cmdlet_name
from .latency import LatencyModel
from .log import append_events, append_invocations
from .products.exchange import ExchangeModel, init_org
from .products.windows import WindowsHost
from .products.second_hop import SecondHopBlocked
from .products.skype import SkypeModel, init_deployment
from .pserrors import METHOD_INVOCATION_EXCEPTION, PARAMETER_BINDING_VALIDATION_EXCEPTION, PSError, thrown_string
from .psvalues import PSObject, member, normalise, ps_is_true, ps_string
from .remoting import ENDPOINTS, open_remote
from .session import Session
from .state import StateStore

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS_PATH = REPO_ROOT / 'plugins' / 'module_utils' / 'powershell' / '_scripts.py'

REFUSED_SCRIPT = ("ucops lab: this simulator only runs the collection's shipped PowerShell bootstrap and runner "
                  "(plugins/module_utils/powershell/_scripts.py); the command line or the script on stdin is not exactly "
                  "those, and the lab cannot run arbitrary PowerShell. Ansible's own Windows modules and fact gathering "
                  "do not run here: set gather_facts: false for plays against the lab (real servers run them).")

# $PSVersionTable.PSVersion of the simulated servers. No source: plausible Windows PowerShell 5.1 builds for the
# Windows Server release each product usually runs on (WMF 5.1 on 2012 R2, Server 2016, Server 2019).
PS_VERSIONS = {
    ('exchange', '2013'): '5.1.14409.1005',
    ('exchange', '2016'): '5.1.14393.693',
    ('exchange', '2019'): '5.1.17763.6414',
    # Exchange Server SE on Windows Server 2025 (Windows PowerShell 5.1 build 26100). No source: plausible.
    ('exchange', 'se'): '5.1.26100.2161',
    # Lync Server 2013 runs on Windows PowerShell 3.0 (Windows Server 2012, the WMF 3.0 that Lync 2013 setup requires):
    # the runner must work there, so the lab reports the oldest engine it must support.
    ('skype', '2013'): '3.0',
    ('skype', '2015'): '5.1.14393.693',
    ('skype', '2019'): '5.1.17763.6414',
    # Skype for Business Server SE on Windows Server 2022 (Windows PowerShell 5.1 build 20348). No source: plausible.
    ('skype', 'se'): '5.1.20348.2849',
    # Windows Server 2019 domain controller (DNS Server role): Windows PowerShell 5.1 build 17763. No source: plausible.
    ('windows', '2019'): '5.1.17763.6414',
}


class _Escaped(Exception):
    """An error thrown while RUNNER_PS1 converts an argument (ConvertTo-UcopsArgument); it becomes that invocation's error."""

    def __init__(self, error: PSError) -> None:
        super().__init__(error.message)
        self.error = error


class CIDict(dict):
    """A PowerShell hashtable: case-insensitive keys, the first spelling of a key is kept."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[str, str] = {}

    def set(self, key: str, value: Any) -> None:
        """``$table[key] = value``."""
        existing = self._keys.get(key.lower())
        if existing is None:
            self._keys[key.lower()] = key
            existing = key
        self[existing] = value

    def lookup(self, key: str) -> tuple[bool, Any]:
        """(found, value) for a case-insensitive key."""
        existing = self._keys.get(key.lower())
        return (False, None) if existing is None else (True, self[existing])


def _load_scripts() -> tuple[str, str]:
    """BOOTSTRAP_PS1 and RUNNER_PS1 of the collection, loaded by file path (the file has no imports)."""
    module = _scripts_module()
    return module.BOOTSTRAP_PS1, module.RUNNER_PS1


def _scripts_module() -> Any:
    """plugins/module_utils/powershell/_scripts.py, loaded by file path."""
    spec = importlib.util.spec_from_file_location('ucops_lab_shipped_scripts', SCRIPTS_PATH)
    if spec is None or spec.loader is None:
        raise RuntimeError('cannot load %s' % SCRIPTS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_array(value: Any) -> list[Any]:
    """``@($value)``: $null is an array holding $null; a scalar becomes a one-element array."""
    if isinstance(value, list):
        return list(value)
    return [value]


def ps_properties(value: Any) -> list[tuple[str, Any]]:
    """``$value.PSObject.Properties`` as (name, value) pairs, for what ConvertFrom-Json can produce."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, str):
        return [('Length', len(value.encode('utf-16-le')) // 2)]
    if isinstance(value, list):
        count = len(value)
        return [('Length', count), ('LongLength', count), ('Rank', 1), ('SyncRoot', value), ('IsReadOnly', False),
                ('IsFixedSize', True), ('IsSynchronized', False), ('Count', count)]
    return []


def clixml_error(text: str) -> bytes:
    """stderr of powershell.exe -EncodedCommand for a script that failed: the error record as CLIXML (#< CLIXML)."""
    lines = text.split('\r\n')
    elements = ''.join('<S S="Error">%s_x000D__x000A_</S>' % xml_escape(line).replace('\n', '_x000A_') for line in lines)
    return ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">%s</Objs>'
            % elements).encode('utf-8')


def format_error_record(error: PSError) -> str:
    """How the console host formats an uncaught error record (message, CategoryInfo, FullyQualifiedErrorId)."""
    short_type = (error.exception_type or 'Exception').rsplit('.', 1)[-1]
    return '%s\r\n    + CategoryInfo          : %s: (:) [], %s\r\n    + FullyQualifiedErrorId : %s\r\n ' % (
        error.message, error.category, short_type, error.fqid)


def _parse_json(text: str) -> Any:
    """ConvertFrom-Json (Windows PowerShell 5.1, JavaScriptSerializer): integers, decimals, case-insensitive keys."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for key, value in items:
            lowered = key.lower()
            if lowered in seen and seen[lowered] != key:
                # Source: PowerShell JsonObject resource DuplicateKeysInJsonString
                raise PSError("Cannot convert the JSON string because a dictionary that was converted from the string contains "
                              "the duplicated keys '%s' and '%s'." % (seen[lowered], key),
                              'DuplicateKeysInJsonString,Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
                              'InvalidOperation', 'System.InvalidOperationException')
            seen.setdefault(lowered, key)
            result[key] = value
        return result

    def constant(name: str) -> Any:
        raise ValueError(name)

    return json.loads(text, object_pairs_hook=pairs, parse_float=decimal.Decimal, parse_constant=constant)


def _json_error(text: str) -> PSError:
    """ConvertFrom-Json's failure for text that is not JSON.

    Approximation: JavaScriptSerializer reports "Invalid JSON primitive: <token>." for a bad primitive and other texts for
    bad objects; the FullyQualifiedErrorId and category are those of Windows PowerShell 5.1 ConvertFrom-Json.
    """
    token = re.split(r'[\s,:{}\[\]]', text.strip(), maxsplit=1)[0]
    return PSError('Invalid JSON primitive: %s.' % token, 'System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
                   'NotSpecified', 'System.ArgumentException')


def _parse_roundtrip_datetime(text: str) -> datetime.datetime:
    """``[datetime]::Parse(text, InvariantCulture, RoundtripKind)`` for ISO 8601 and invariant "MM/dd/yyyy" forms."""
    candidate = text.strip()
    try:
        value = datetime.datetime.fromisoformat(candidate.replace('Z', '+00:00').replace('z', '+00:00'))
        return value.astimezone(datetime.timezone.utc) if value.tzinfo else value
    except ValueError:
        pass
    for pattern in ('%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%Y/%m/%d'):
        try:
            return datetime.datetime.strptime(candidate, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def convert_argument(value: Any, outputs: dict[str, list[Any]] | None = None) -> Any:
    """``ConvertTo-UcopsArgument`` of RUNNER_PS1; its throws escape the runner (no catch around them). ``outputs`` are
    the objects earlier invocations of the request returned, by id ($ucopsOutputs)."""
    if value is None:
        return None
    if isinstance(value, dict):
        kind = None
        found = False
        for key, item in value.items():
            if key.lower() == '__ucops_type':
                kind, found = item, True
                break
        if not found:
            raise _Escaped(thrown_string('ucops: a parameter value is an object without __ucops_type'))
        kind_text = ps_string(kind)
        if kind_text.lower() == 'datetime':
            text = ps_string(member(value, 'value'))
            try:
                return _parse_roundtrip_datetime(text)
            except ValueError:
                raise _Escaped(PSError('Exception calling "Parse" with "3" argument(s): "String was not recognized as a valid DateTime."',
                                       'FormatException', 'NotSpecified', METHOD_INVOCATION_EXCEPTION)) from None
        if kind_text.lower() == 'switch':
            return ps_is_true(member(value, 'value'))
        if kind_text.lower() == 'ref':
            key = ps_string(member(value, 'id'))
            source = (outputs or {}).get(key) or []
            if not source or source[0] is None:
                raise _Escaped(thrown_string('ucops: invocation ' + key + ' returned no object to refer to'))
            name = ps_string(member(value, 'property'))
            found = source[0].property(name) if isinstance(source[0], PSObject) else (False, None)
            if not found[0]:
                raise _Escaped(thrown_string('ucops: the output of invocation ' + key + ' has no property ' + name))
            return found[1]
        raise _Escaped(thrown_string('ucops: unknown __ucops_type ' + kind_text))
    if isinstance(value, list):
        return [convert_argument(item, outputs) for item in value]
    return value


@dataclasses.dataclass
class _Invocation:
    """Bookkeeping of one request invocation for the response and the log."""

    id: str
    requested: str
    parameters: Any
    result: dict[str, Any]
    status: str = 'not_run'


# The Exchange snap-in RUNNER_PS1 adds (the event log names it as the shell's module)
EXCHANGE_SNAPIN = 'Microsoft.Exchange.Management.PowerShell.SnapIn'


@dataclasses.dataclass
class _RunTrace:
    """What one WinRS command did on the modelled server: for the event log (lab/log.py) and the latency model."""

    host: str
    identity: str
    # whether the command started PowerShell (powershell.exe, whatever its arguments: the process starts either way)
    powershell: bool
    run: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    shell: str | None = None
    reads: int = 0
    writes: int = 0
    loads: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # a LOOP_PS1 process (session reuse): the product shells it loaded (kind, uri, authentication, user), its WinRS
    # ShellId, and whether this request is its first (the process start)
    loaded: set | None = None
    session: str | None = None
    first: bool = True


def is_write(cmdlet: str | None) -> bool:
    """Whether a cmdlet name is a write (its verb is not Get, Test or Resolve), as the invocation log says."""
    return bool(cmdlet) and str(cmdlet).split('-', maxsplit=1)[0].lower() not in ('get', 'test', 'resolve')


class _Loop:
    """One LOOP_PS1 process (session reuse): fed stdin as WinRS Send messages arrive, it answers each complete request line
    at once. Lines, as LOOP_PS1 reads them: the runner (base64 UTF-8), the idle seconds, then "<nonce> <request>" lines
    or UCOPS-CLOSE. Its own idle exit is not modelled: it comes after WinRS removes the idle shell (lab/wsman.py)."""

    def __init__(self, engine: 'Engine', host: Any, username: str, auth_method: str, shell_id: str) -> None:
        self.engine, self.host, self.username, self.auth_method, self.shell_id = engine, host, username, auth_method, shell_id
        self.buffer = b''
        self.lines = 0
        self.requests = 0
        self.loaded: set = set()
        self.exit_code: int | None = None

    def start(self) -> tuple[bytes, bytes, int | None]:
        """Output before any input: LOOP_PS1's language-mode check, as BOOTSTRAP_PS1's."""
        language_mode = str((getattr(self.host, 'settings', None) or {}).get('language_mode', 'FullLanguage'))
        if language_mode != 'FullLanguage':
            self.exit_code = 3
            return ('UCOPS-LANGUAGE-MODE:%s\r\n' % language_mode).encode('ascii'), b'', 3
        return b'', b'', None

    def feed(self, data: bytes, end: bool = False) -> tuple[bytes, bytes, int | None]:
        """(stdout, stderr, exit code or None while it runs) for the complete lines received so far; ``end``: stdin closed."""
        stdout, stderr, delay = b'', b'', 0.0
        self.buffer += data
        while self.exit_code is None and b'\n' in self.buffer:
            raw, self.buffer = self.buffer.split(b'\n', 1)
            out, err, seconds = self._line(raw.rstrip(b'\r').decode('utf-8', 'replace'))
            stdout, stderr, delay = stdout + out, stderr + err, delay + seconds
        if end and self.exit_code is None:
            # LOOP_PS1: ReadLine returns $null at the end of stdin: the loop ends, exit 0
            self.exit_code = 0
        self.engine.latency.sleep(delay)
        return stdout, stderr, self.exit_code

    def _line(self, line: str) -> tuple[bytes, bytes, float]:
        self.lines += 1
        if self.lines == 1:
            try:
                runner = base64.b64decode(line, validate=True).decode('utf-8')
            except (binascii.Error, UnicodeDecodeError):
                runner = None
            if runner != self.engine.runner_ps1:
                self.exit_code = 1
                return b'', clixml_error(REFUSED_SCRIPT), 0.0
            return b'', b'', 0.0
        if self.lines == 2:
            if not re.fullmatch(r'\s*[0-9]+\s*', line):
                # [int]'text' throws: a terminating error under ErrorActionPreference Stop
                self.exit_code = 1
                return b'', clixml_error('Cannot convert value "%s" to type "System.Int32".' % line), 0.0
            return b'', b'', 0.0
        if line == 'UCOPS-CLOSE':
            self.exit_code = 0
            return b'', b'', 0.0
        frame = line.split(' ')
        if len(frame) != 2 or not re.fullmatch(r'[0-9a-f]{32}', frame[0]):
            self.exit_code = 2
            return b'', b'ucops: a request line is malformed\r\n', 0.0
        begin = ('UCOPS-BEGIN:%s\r\n' % frame[0]).encode('ascii')
        if frame[1] == '':
            # RUNNER_PS1's mandatory [string]$EncodedRequest refuses an empty string: a terminating error ends the loop
            self.exit_code = 1
            error = PSError("Cannot bind argument to parameter 'EncodedRequest' because it is an empty string.",
                            'ParameterArgumentValidationErrorEmptyStringNotAllowed', 'InvalidData', PARAMETER_BINDING_VALIDATION_EXCEPTION)
            return begin, clixml_error(format_error_record(error)), 0.0
        stdout, delay = self.engine._loop_request(self, frame[1])  # pylint: disable=protected-access
        return begin + stdout + ('UCOPS-END:%s\r\n' % frame[0]).encode('ascii'), b'', delay


class Engine:
    """The simulated servers' side of one WinRS command."""

    def __init__(self, topology: Any, state_dir: pathlib.Path, latency: LatencyModel | None = None) -> None:
        """``latency`` defaults to the model ``UCOPS_LAB_LATENCY`` asks for (lab/latency.py; off when unset)."""
        self.topology = topology
        self.state_dir = pathlib.Path(state_dir)
        self.store = StateStore(self.state_dir)
        self.latency = latency if latency is not None else LatencyModel.from_environment()
        self._lock = threading.Lock()
        # the trace of the command being run (set and read under _lock only)
        self._trace: _RunTrace | None = None
        self.bootstrap_ps1, self.runner_ps1 = _load_scripts()
        encoded = base64.b64encode(self.bootstrap_ps1.encode('utf-16-le')).decode('ascii')
        self.expected_arguments = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded]
        self.loop_ps1 = _scripts_module().LOOP_PS1
        encoded = base64.b64encode(self.loop_ps1.encode('utf-16-le')).decode('ascii')
        self.expected_loop_arguments = self.expected_arguments[:-1] + [encoded]

    # -- public interface -------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Delete persisted state (state.json) so the next run starts from the topology."""
        with self._lock:
            self.store.delete()

    def run_command(self, host: Any, username: str, auth_method: str, command: str, arguments: list[str],
                    stdin: bytes) -> tuple[bytes, bytes, int]:
        """(stdout, stderr, exit_code) of one WinRS command; thread-safe. With the latency model on, returns after the
        modelled server time of the run, slept outside the lock so that other commands run meanwhile."""
        with self._lock:
            trace = self._trace = _RunTrace(host=str(host.name), identity=username, powershell=str(command).lower() == 'powershell.exe')
            try:
                result = self._run_command(host, username, auth_method, command, list(arguments), stdin)
            finally:
                self._trace = None
            delay = self._record_events(trace, result[2])
        self.latency.sleep(delay)
        return result

    def start_loop(self, host: Any, username: str, auth_method: str, command: str, arguments: list[str],
                   shell_id: str) -> '_Loop | None':
        """A LOOP_PS1 process (session reuse, docs/design.md section 8) for this WinRS command, or None when the command is
        anything else (it then runs through run_command once its stdin is complete)."""
        if command != 'powershell.exe' or list(arguments) != self.expected_loop_arguments:
            return None
        return _Loop(self, host, username, auth_method, shell_id)

    def _loop_request(self, loop: '_Loop', encoded_request: str) -> tuple[bytes, int]:
        """One request of a LOOP_PS1 process: (stdout of RUNNER_PS1, modelled seconds)."""
        with self._lock:
            trace = self._trace = _RunTrace(host=str(loop.host.name), identity=loop.username, powershell=True, loaded=loop.loaded,
                                            session=loop.shell_id, first=loop.requests == 0)
            loop.requests += 1
            try:
                response = self._run_runner(loop.host, loop.username, loop.auth_method, encoded_request)
            finally:
                self._trace = None
            delay = self._record_events(trace, 0)
        payload = json.dumps(response, ensure_ascii=False, default=_json_default).encode('utf-8')
        return ('UCOPS-RESULT:' + base64.b64encode(payload).decode('ascii') + '\r\n').encode('ascii'), delay

    def _record_events(self, trace: _RunTrace, exit_code: int) -> float:
        """Write the run's events (lab/log.py events.jsonl); returns the run's modelled seconds."""
        if not trace.powershell:
            return 0.0
        # a later request of a LOOP_PS1 process starts no PowerShell: a session_request event, without powershell_start
        components = {'powershell_start': self.latency.seconds('powershell_start')} if trace.first else {}
        if trace.reads:
            components['cmdlet_read'] = self.latency.seconds('cmdlet_read', trace.reads)
        if trace.writes:
            components['cmdlet_write'] = self.latency.seconds('cmdlet_write', trace.writes)
        common = {'run': trace.run, 'host': trace.host, 'identity': trace.identity}
        if trace.loaded is not None:
            common['session'] = trace.session
        events = [dict(common, event='powershell_run' if trace.first else 'session_request', shell=trace.shell, exit_code=exit_code,
                       cmdlets={'read': trace.reads, 'write': trace.writes}, modelled_seconds=round(sum(components.values()), 6),
                       latency=self.latency.scale, components=components)]
        events += [dict(common, latency=self.latency.scale, **load) for load in trace.loads]
        append_events(self.state_dir, events)
        return sum(event['modelled_seconds'] for event in events)

    def _note_shell_load(self, kind: str, error: PSError | None, module: str | None = None, session_identity: str | None = None) -> None:
        """Record one product-shell load of the current run. A failed load is modelled as its first step (the session
        refused, the module or snap-in missing), or both steps when Import-PSSession failed."""
        trace = self._trace
        if trace is None:
            return
        if trace.loaded is not None and error is None:
            # LOOP_PS1: RUNNER_PS1 reuses a product shell an earlier request of the process loaded (keyed like $shellKey)
            key = (kind, session_identity or '')
            if key in trace.loaded:
                return
            trace.loaded.add(key)
        steps = list(self.latency.shell_load(kind).items())
        if error is not None and 'ImportPSSession' not in error.fqid:
            steps = steps[:1]
        trace.loads.append({'event': 'shell_load', 'shell': kind, 'status': 'ok' if error is None else 'error', 'module': module,
                            'session_identity': session_identity or trace.identity,
                            'modelled_seconds': round(sum(seconds for _step, seconds in steps), 6), 'components': dict(steps)})

    # -- command line and bootstrap ---------------------------------------------------------------------------

    def _run_command(self, host: Any, username: str, auth_method: str, command: str, arguments: list[str],
                     stdin: bytes) -> tuple[bytes, bytes, int]:
        if command != 'powershell.exe' or arguments != self.expected_arguments:
            return b'', clixml_error(REFUSED_SCRIPT), 1
        language_mode = str((getattr(host, 'settings', None) or {}).get('language_mode', 'FullLanguage'))
        if language_mode != 'FullLanguage':
            # BOOTSTRAP_PS1's first check: AppLocker or WDAC put the session in ConstrainedLanguage (or another) mode
            # (ansible-core's bootstrap makes the same check; docs/real-servers.md section 4)
            return ('UCOPS-LANGUAGE-MODE:%s\r\n' % language_mode).encode('ascii'), b'', 3
        try:
            text = stdin.decode('ascii')
        except UnicodeDecodeError:
            text = None
        parts = None
        if text is not None:
            # $input yields stdin line by line; the bootstrap joins the lines with "`n"
            lines = re.split(r'\r?\n', text)
            if lines and lines[-1] == '':
                lines.pop()
            parts = '\n'.join(lines).split('\0\0\0\0', 1)
        if parts is None or len(parts) != 2:
            # BOOTSTRAP_PS1: [Console]::Error.WriteLine('ucops: the payload on stdin is malformed'); exit 2
            return b'', b'ucops: the payload on stdin is malformed\r\n', 2
        if parts[0] != self.runner_ps1:
            return b'', clixml_error(REFUSED_SCRIPT), 1
        encoded_request = parts[1].strip()
        if encoded_request == '':
            # the runner's mandatory [string]$EncodedRequest refuses an empty string; the bootstrap stops
            error = PSError("Cannot bind argument to parameter 'EncodedRequest' because it is an empty string.",
                            'ParameterArgumentValidationErrorEmptyStringNotAllowed', 'InvalidData', PARAMETER_BINDING_VALIDATION_EXCEPTION)
            return b'', clixml_error(format_error_record(error)), 1
        response = self._run_runner(host, username, auth_method, encoded_request)
        payload = json.dumps(response, ensure_ascii=False, default=_json_default).encode('utf-8')
        stdout = ('UCOPS-RESULT:' + base64.b64encode(payload).decode('ascii') + '\r\n').encode('ascii')
        return stdout, b'', 0

    # -- RUNNER_PS1 -------------------------------------------------------------------------------------------

    def _run_runner(self, host: Any, username: str, auth_method: str, encoded_request: str) -> dict:
        response: dict[str, Any] = {
            'version': 1,
            'host': {'computer_name': str(host.computer_name).upper(), 'ps_version': PS_VERSIONS[(host.product, str(host.version))]},
            'shell': {'type': None, 'module': None},
            'results': [],
            'error': None,
        }
        if response['host']['ps_version'].split('.')[0] == '3':
            # RUNNER_PS1 on Windows PowerShell 3.0: Get-HotFix -Id KB2842230 (WinRM memory fix for WMF 3.0;
            # docs/real-servers.md section 5). Topology: settings.hotfixes lists the installed ones.
            hotfixes = [str(item).upper() for item in (getattr(host, 'settings', None) or {}).get('hotfixes', [])]
            response['host']['kb2842230'] = 'KB2842230' in hotfixes
        try:
            request = self._decode_request(encoded_request)
        except PSError as error:
            response['error'] = error.record('request', None, None)
            return response

        invocations: list[_Invocation] = []
        for item in as_array(member(request, 'invocations')):
            result = {'id': ps_string(member(item, 'id')), 'cmdlet': None, 'status': 'not_run', 'output': [], 'warnings': [],
                      'item_errors': []}
            invocations.append(_Invocation(id=result['id'], requested=ps_string(member(item, 'cmdlet')),
                                           parameters=member(item, 'parameters'), result=result))
        response['results'] = [invocation.result for invocation in invocations]
        raw_invocations = as_array(member(request, 'invocations'))
        mode = ps_string(member(request, 'mode'))
        shell = member(request, 'shell')
        log_context = {'host': host.name, 'user': username, 'mode': mode, 'shell': ps_string(member(shell, 'type')) or None}
        if self._trace is not None:
            self._trace.shell = log_context['shell']

        refusal = None
        if mode.lower() not in ('read', 'write'):
            refusal = 'ucops: mode must be read or write'
        names: list[str] = []
        for item in raw_invocations:
            for name in [ps_string(member(item, 'cmdlet'))] + as_array(member(item, 'alternatives')):
                if name is None or name == '':
                    continue
                text = ps_string(name)
                # later refusals overwrite earlier ones, as in the script
                if not is_valid_cmdlet_name(text):
                    refusal = 'ucops: not a cmdlet name: ' + text
                elif mode.lower() == 'read' and text.split('-')[0].lower() not in ('get', 'test', 'resolve'):
                    refusal = 'ucops: a read-only request may not run ' + text
                if not ps_is_true(member(item, 'local')):
                    # RUNNER_PS1: a local (host) cmdlet is not imported from the product session
                    names.append(text)
        if refusal is not None:
            response['error'] = {'stage': 'request', 'index': None, 'cmdlet': None, 'message': refusal,
                                 'fully_qualified_error_id': 'UcopsRequestRefused', 'category': 'InvalidArgument', 'exception_type': None}
            for invocation in invocations:
                invocation.status = 'refused'
            self._log(log_context, invocations)
            return response

        shell_type = ps_string(member(shell, 'type'))
        response['shell']['type'] = shell_type
        state = self.store.load()
        try:
            session = self._load_shell(host, auth_method, shell, shell_type, names, state, response)
        except PSError as error:
            response['error'] = error.record('shell', None, None)
            self._log(log_context, invocations)
            return response

        session.attach_host(WindowsHost(state, host, self.topology), topology=self.topology)
        self._run_invocations(session, raw_invocations, invocations, response, state)
        self._log(log_context, invocations)
        return response

    @staticmethod
    def _decode_request(encoded: str) -> Any:
        """``[Convert]::FromBase64String`` + UTF-8 + ``ConvertFrom-Json`` (errors are stage ``request``)."""
        compact = re.sub(r'[ \t\r\n]', '', encoded)
        message = None
        if len(compact) % 4 != 0:
            message = 'Invalid length for a Base-64 char array or string.'
        elif not re.fullmatch(r'[A-Za-z0-9+/]*={0,2}', compact):
            message = ('The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding '
                       'characters, or an illegal character among the padding characters. ')
        raw = b''
        if message is None:
            try:
                raw = base64.b64decode(compact, validate=True)
            except binascii.Error:
                message = ('The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding '
                           'characters, or an illegal character among the padding characters. ')
        if message is not None:
            raise PSError('Exception calling "FromBase64String" with "1" argument(s): "%s"' % message, 'FormatException',
                          'NotSpecified', METHOD_INVOCATION_EXCEPTION)
        text = raw.decode('utf-8', errors='replace')
        if text == '':
            raise PSError("Cannot bind argument to parameter 'InputObject' because it is an empty string.",
                          'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
                          'InvalidData', PARAMETER_BINDING_VALIDATION_EXCEPTION)
        if text.strip() == '':
            return None
        try:
            return _parse_json(text)
        except ValueError:
            raise _json_error(text) from None

    # -- product shells ---------------------------------------------------------------------------------------

    @staticmethod
    def _can_delegate(auth_method: str) -> bool:
        """Whether the WinRM logon can reach a second server as the caller. The lab's listeners speak NTLM and Basic
        only (network logons without delegation); engine tests may name 'credssp' to model a delegating logon."""
        return auth_method.lower() in ('credssp', 'kerberos-delegated')

    def _load_shell(self, host: Any, auth_method: str, shell: Any, shell_type: str, names: list[str], state: dict,
                    response: dict) -> Session:
        kind = shell_type.lower()
        if kind == 'none':
            return Session('none')
        if kind in ENDPOINTS:
            if not names:
                # RUNNER_PS1: a request of local cmdlets only opens no product session
                return Session('none')
            credential = member(shell, 'credential')
            user = ps_string(member(credential, 'username')) if credential is not None else None
            try:
                session = open_remote(self.topology, host, auth_method, shell, kind, names, state)
            except PSError as error:
                self._note_shell_load(kind, error, session_identity=user)
                raise
            self._note_shell_load(kind, None, session_identity=user)
            return session
        settings = dict(getattr(host, 'settings', None) or {})
        if kind == 'exchange_snapin':
            if host.product != 'exchange':
                # Source: Add-PSSnapin's error for a snap-in that is not registered (Windows PowerShell 5.1)
                error = PSError("The Windows PowerShell snap-in 'Microsoft.Exchange.Management.PowerShell.SnapIn' is not installed on "
                                "this computer.", 'AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand', 'InvalidArgument',
                                'System.Management.Automation.PSArgumentException')
                self._note_shell_load(kind, error, EXCHANGE_SNAPIN)
                raise error
            org = init_org(state, host, self.topology)
            model = ExchangeModel(org, str(host.computer_name).upper(), remote=False, topology=self.topology)
            if not self._can_delegate(auth_method):
                # an NTLM or Basic WinRM logon cannot be delegated: the snap-in's directory calls fail
                model = SecondHopBlocked(model, 'exchange', host, settings, org['domain_controller'])
            self._note_shell_load(kind, None, EXCHANGE_SNAPIN)
            return Session(kind, 'exchange', str(host.version), model)
        if kind == 'skype':
            # RUNNER_PS1: SkypeForBusiness if Get-Module -ListAvailable finds it (SfB Server 2015/2019), else Lync
            module = 'SkypeForBusiness' if host.product == 'skype' and str(host.version) in ('2015', '2019', 'se') else 'Lync'
            if host.product != 'skype':
                # Source: brief (Import-Module text, Modules_ModuleNotFound, ResourceUnavailable)
                error = PSError("The specified module '%s' was not loaded because no valid module file was found in any module "
                                "directory." % module, 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand',
                                'ResourceUnavailable', 'System.IO.FileNotFoundException')
                self._note_shell_load(kind, error, module)
                raise error
            response['shell']['module'] = module
            deployment = init_deployment(state, host, self.topology)
            model = SkypeModel(deployment, str(host.version), settings, server=host.fqdn, topology=self.topology)
            if not self._can_delegate(auth_method):
                # an NTLM or Basic WinRM logon cannot be delegated: CMS calls fail unless the CMS is on this server
                model = SecondHopBlocked(model, 'skype', host, settings, '')
            self._note_shell_load(kind, None, module)
            return Session(kind, 'skype', str(host.version), model)
        raise thrown_string('ucops: unknown shell type ' + shell_type)

    # -- invocations ------------------------------------------------------------------------------------------

    def _run_invocations(self, session: Session, raw_invocations: list[Any], invocations: list[_Invocation],
                         response: dict, state: dict) -> None:
        outputs: dict[str, list[Any]] = {}
        for index, (item, invocation) in enumerate(zip(raw_invocations, invocations)):
            result = invocation.result
            command = None
            for name in [ps_string(member(item, 'cmdlet'))] + as_array(member(item, 'alternatives')):
                if name is not None and name != '' and session.find(name) is not None:
                    command = ps_string(name)
                    break
            if command is None:
                command = ps_string(member(item, 'cmdlet'))
            result['cmdlet'] = command
            invocation.requested = command
            parameters = CIDict()
            raw_parameters = member(item, 'parameters')
            each = member(item, 'each')
            try:
                # RUNNER_PS1 converts the arguments inside the invocation's try: a bad value is this invocation's error
                if raw_parameters is not None:
                    for name, value in ps_properties(raw_parameters):
                        parameters.set(name, convert_argument(value, outputs))
                parameters.set('ErrorAction', 'Stop')
                objects, values = self._invoke_items(session, command, parameters, each, ps_is_true(member(item, 'tolerate_errors')),
                                                     index, result, outputs, lambda: self.store.save(state))
            except _Escaped as escaped:
                error = escaped.error
                result['status'] = 'error'
                result['error'] = error.record('invocation', index, command)
                response['error'] = result['error']
                invocation.status = 'error'
                return
            except PSError as error:
                result['status'] = 'error'
                result['error'] = error.record('invocation', index, command)
                result['warnings'].extend(error.warnings)
                response['error'] = result['error']
                invocation.status = 'error'
                return
            rows = self._rows(objects, as_array(member(item, 'properties')))
            if each is not None:
                for row, tag in zip(rows, values):
                    if isinstance(row, dict):
                        row['__item'] = normalise(tag)
            result['output'] = rows
            outputs[invocation.id] = list(objects)
            result['status'] = 'ok'
            invocation.status = 'ok'

    def _invoke_items(self, session: Session, command: str, parameters: CIDict, each: Any, tolerate: bool, index: int, result: dict,
                      outputs: dict[str, list[Any]], persist: Any) -> tuple[list[Any], list[Any]]:
        """The foreach loop of RUNNER_PS1: once (no foreach) or once per value of an earlier output's property; returns the
        objects and, for each, the item value it came from.

        Warnings go to ``result`` as they come; with ``tolerate`` an item's error is recorded in ``result['item_errors']``
        and the loop goes on; otherwise it propagates (the caller records it as the invocation's error). ``persist``
        saves the state after each cmdlet that changed it, so a later failure never undoes an earlier write.
        """
        items: list[Any] = [None]
        if each is not None:
            items = []
            for source in outputs.get(ps_string(member(each, 'id')), []) or []:
                if source is None:
                    continue
                found = source.property(ps_string(member(each, 'property'))) if isinstance(source, PSObject) else (False, None)
                if found[0]:
                    items.append(found[1])
        objects: list[Any] = []
        values: list[Any] = []
        for value in items:
            if each is not None:
                parameters.set(ps_string(member(each, 'parameter')), value)
            if self._trace is not None:
                # the latency model charges every cmdlet call, failed ones too
                if is_write(command):
                    self._trace.writes += 1
                else:
                    self._trace.reads += 1
            try:
                outcome = session.invoke(command, list(parameters.items()))
            except PSError as error:
                result['warnings'].extend(error.warnings)
                if not tolerate:
                    raise
                record = error.record('item', index, command)
                record['item'] = normalise(value)
                result['item_errors'].append(record)
                continue
            result['warnings'].extend(outcome.warnings)
            if outcome.changed:
                persist()
            objects.extend(outcome.objects)
            values.extend([value] * len(outcome.objects))
        return objects, values

    @staticmethod
    def _rows(objects: list[Any], property_names: list[Any]) -> list[Any]:
        """Property selection and normalisation (RUNNER_PS1: missing property -> null; no properties -> the object; a dotted
        name walks nested properties)."""

        def lookup(obj: Any, key: str) -> tuple[bool, Any]:
            # $obj.PSObject.Properties[key]: (found, value)
            if isinstance(obj, PSObject):
                return obj.property(key)
            if isinstance(obj, str) and key.lower() == 'length':
                return True, len(obj.encode('utf-16-le')) // 2
            return False, None

        rows: list[Any] = []
        for obj in objects:
            if not property_names:
                rows.append(normalise(obj))
                continue
            row = CIDict()
            for property_name in property_names:
                key = ps_string(property_name)
                found = lookup(obj, key)
                if found[0] and getattr(found[1], 'getter_error', None) is not None:
                    # RUNNER_PS1 reads a whole name without a catch: the getter's exception is the invocation's error.
                    # Not reachable in the lab (the row building is outside the invocation's try here): no lab object
                    # exposes a throwing getter at the top level.
                    raise found[1].getter_error
                if not found[0] and '.' in key:
                    # RUNNER_PS1: a dotted name walks nested properties; a missing segment, a $null on the way or a
                    # getter that throws (lab: a value with getter_error, products/windows.py ThrowingGetter) gives null
                    value: Any = obj
                    for segment in key.split('.'):
                        if value is None:
                            break
                        step = lookup(value, segment)
                        value = step[1] if step[0] and getattr(step[1], 'getter_error', None) is None else None
                    found = (True, value)
                row.set(key, normalise(found[1]) if found[0] else None)
            rows.append(dict(row))
        return rows

    def _log(self, context: dict[str, Any], invocations: list[_Invocation]) -> None:
        entries = []
        for invocation in invocations:
            name = invocation.result.get('cmdlet') or invocation.requested
            entries.append(dict(context, id=invocation.id, cmdlet=name or None, parameters=invocation.parameters,
                                write=is_write(name), status=invocation.status))
        append_invocations(self.state_dir, entries)


def _json_default(value: Any) -> Any:
    """JSON for decimals coming from the request (ConvertFrom-Json makes them System.Decimal)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)

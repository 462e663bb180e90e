# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() inside the worker process instead of a new Python process (docs/design.md, "Modules in the
worker process").

Only the step that starts the module process is replaced: ActionBase._execute_module still builds the module arguments
(_update_module_args), and its own code parses the module's JSON output and cleans the result (_parse_returned_data,
remove_internal_keys), so the task result is the one the AnsiballZ path gives. What this file does is what the AnsiballZ
wrapper does in the module process (ansible.module_utils._internal._ansiballz._loader.run_module): hand the JSON
arguments to AnsibleModule (basic._ANSIBLE_ARGS / _ANSIBLE_PROFILE, as ansible.module_utils.testing.patch_module_args
does), run the module, and turn an exception into a failed result.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.json import Direction, get_module_encoder

try:
    from ansible.module_utils import _internal as module_internal
    from ansible.module_utils._internal import _traceback as module_traceback
except ImportError:  # ansible-core before 2.19: modules never saw a controller context
    module_internal = module_traceback = None

try:
    # the AnsiballZ wrapper's own handler of an exception that escapes main() (ansible-core 2.19+)
    from ansible.module_utils._internal._ansiballz._loader import _handle_exception
except ImportError:
    _handle_exception = None

# ucops_module_process (a variable) or UCOPS_MODULE_PROCESS (the environment): 'worker' (default) or 'subprocess'
MODE_VARIABLE = 'ucops_module_process'
MODE_ENV = 'UCOPS_MODULE_PROCESS'
MODES = ('worker', 'subprocess')
COLLECTION_MODULES = 'ansible_collections.ucops.skype_exchange.plugins.modules'


def module_process_mode(value=None, environ=None):
    """The mode a task asked for: its variable wins over the environment; anything else is an error naming both."""
    environ = os.environ if environ is None else environ
    source = MODE_VARIABLE
    if value in (None, ''):
        value, source = environ.get(MODE_ENV) or 'worker', MODE_ENV
    mode = str(value).strip().lower()
    if mode not in MODES:
        raise ValueError('%s is %r: give worker (run the module in the Ansible worker process, the default) or subprocess '
                         '(a new Python process per task, as ansible-core does)' % (source, value))
    return mode


def module_fqn(module_path):
    """The Python name of a module file of this collection, or None for any other module (those keep their process)."""
    name = os.path.splitext(os.path.basename(module_path or ''))[0]
    if not name.isidentifier():
        return None
    fqn = '%s.%s' % (COLLECTION_MODULES, name)
    try:
        package = sys.modules.get(COLLECTION_MODULES) or __import__(COLLECTION_MODULES, fromlist=['__path__'])
    except ImportError:
        return None
    folders = [os.path.realpath(folder) for folder in getattr(package, '__path__', [])]
    return fqn if os.path.realpath(os.path.dirname(module_path)) in folders else None


def default_profile(fqn):
    """True when the module has no METADATA of its own (module_common._get_module_metadata), so its serialization
    profile is ansible-core's default, 'legacy'; False also when it cannot be imported (its own process reports that)."""
    try:
        module = sys.modules.get(fqn) or __import__(fqn, fromlist=['main'])
    except Exception:  # pylint: disable=broad-except
        return False
    return not hasattr(module, 'METADATA') and callable(getattr(module, 'main', None))


class InProcessBuild:
    """What ActionBase._execute_module reads of the built module (module_common._BuiltModule, 2.19 and 2.21) when the
    module runs in the worker: a pipelined new-style Python module; no payload is built."""

    module_style = 'new'
    b_module_data = b''
    has_async = False
    has_environment = False
    has_become = False
    process_result = None

    def __init__(self, shebang, serialization_profile):
        self.shebang = shebang
        self.serialization_profile = serialization_profile

    @staticmethod
    def get_command_args(_remote_module_path):
        return None


@contextlib.contextmanager
def _module_context(json_params, profile, environment):
    """The module-side globals of ansible-core as the AnsiballZ wrapper leaves them, restored afterwards.

    In the worker ansible.module_utils knows it runs on the controller (_internal.is_controller): warn() and deprecate()
    would go straight to the display instead of into the result, and tracebacks would follow the controller's setting
    instead of the task's _ansible_tracebacks_for. The module sees module semantics, as in its own process."""
    saved_basic = dict((name, getattr(basic, name, None)) for name in ('_ANSIBLE_ARGS', '_ANSIBLE_PROFILE', '_PARSED_MODULE_ARGS'))
    saved_controller = getattr(module_internal, 'is_controller', None)
    saved_traceback = getattr(module_traceback, '_is_traceback_enabled', None)
    saved_events = getattr(module_traceback, '_module_tracebacks_enabled_events', None)
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    registries = [getattr(module_warnings, name) for name in ('_global_warnings', '_global_deprecations')
                  if isinstance(getattr(module_warnings, name, None), (dict, list))]
    saved_registries = [registry.copy() for registry in registries]
    try:
        basic._ANSIBLE_ARGS = json_params
        basic._ANSIBLE_PROFILE = profile
        if module_internal is not None and hasattr(module_internal, 'is_controller'):
            module_internal.is_controller = False
        if hasattr(module_traceback, '_is_module_traceback_enabled'):
            module_traceback._is_traceback_enabled = module_traceback._is_module_traceback_enabled
            module_traceback._module_tracebacks_enabled_events = None
        for registry in registries:
            registry.clear()  # a module process starts with none
        # the task's `environment:`, which the AnsiballZ path puts before the module's command
        os.environ.update((str(key), str(value)) for key, value in environment.items())
        yield
    finally:
        for name, value in saved_basic.items():
            setattr(basic, name, value)
        if saved_controller is not None:
            module_internal.is_controller = saved_controller
        if saved_traceback is not None:
            module_traceback._is_traceback_enabled = saved_traceback
            module_traceback._module_tracebacks_enabled_events = saved_events
        for registry, saved in zip(registries, saved_registries):
            registry.clear()
            if isinstance(registry, dict):
                registry.update(saved)
            else:
                registry.extend(saved)
        os.environ.clear()
        os.environ.update(saved_environ)
        with contextlib.suppress(OSError):
            os.chdir(saved_cwd)  # AnsibleModule may change to a readable directory


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit('text'): the interpreter prints it and exits with 1
    return 1


def run_module(fqn, module_args, profile='legacy', environment=None):
    """Run ``fqn``'s main() with ``module_args`` (as _update_module_args built them); returns (rc, stdout, stderr) as text,
    the way the module's own process would have written them."""
    encoder = get_module_encoder(profile, Direction.CONTROLLER_TO_MODULE)
    # the same JSON the AnsiballZ payload carries: values are encoded (vault, tagged strings) exactly as for a process
    json_params = json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=encoder).encode()
    stdout, stderr = io.StringIO(), io.StringIO()
    rc = 1  # set by the SystemExit every path ends with
    with _module_context(json_params, profile, environment or {}):
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                try:
                    module = sys.modules.get(fqn) or __import__(fqn, fromlist=['main'])
                    module.main()
                    raise RuntimeError('New-style module did not handle its own exit.')
                except Exception as error:  # pylint: disable=broad-except  # not BaseException: modules raise SystemExit
                    _report_exception(error, profile)
            except SystemExit as done:
                rc = _exit_code(done.code)
    return rc, stdout.getvalue(), stderr.getvalue()


def _report_exception(error, profile):
    """What the AnsiballZ wrapper prints for an exception that escapes main(); exits with 1."""
    if _handle_exception is not None:
        _handle_exception(error, profile)
    print(json.dumps({'failed': True, 'msg': 'Module failed: %s' % error,
                      'exception': ''.join(traceback.format_exception(type(error), error, error.__traceback__))}))
    sys.exit(1)


def preload(action_module_name):
    """Import the module of an action plugin of this collection (in the process that loads the plugin class).

    The strategy loads the action class in the main ansible-playbook process (action_loader.get(..., class_only=True))
    and every task runs in a fork of it (WorkerProcess), so what is imported here is imported once per run, not once per
    task. Nothing happens in subprocess mode or when the import fails: the task then imports (and reports) itself."""
    prefix = 'ansible_collections.ucops.skype_exchange.plugins.action.'
    if not action_module_name.startswith(prefix) or os.environ.get(MODE_ENV, '').strip().lower() == 'subprocess':
        return
    try:
        __import__('%s.%s' % (COLLECTION_MODULES, action_module_name[len(prefix):]), fromlist=['main'])
    except Exception:  # pylint: disable=broad-except
        pass

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a collection module on the controller, against the Windows host the task targets.

When the task's connection is ``winrm`` or ``psrp``, every connection option that the task does not set is
taken from that connection's settings (``ansible_host``, ``ansible_port``, ``ansible_user``,
``ansible_password``, ``ansible_winrm_*`` / ``ansible_psrp_*``), as resolved by the connection plugin
itself. The task is then switched to the local connection and the module runs with the controller's
Python, the way ansible.posix's synchronize switches to a local connection. Options set on the task
always win. A task delegated to another winrm/psrp host uses that host's settings; with
``delegate_to: localhost`` or a local connection nothing is filled in: the task states its options
(or ``module_defaults``).
"""

from __future__ import annotations

import sys

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import connection_loader, shell_loader

from ansible_collections.ucops.skype_exchange.plugins.plugin_utils import _worker_module

WINRM_CONNECTIONS = ('winrm', 'ansible.builtin.winrm')
PSRP_CONNECTIONS = ('psrp', 'ansible.builtin.psrp')

# ansible_winrm_transport values -> our transport option (ssl and plaintext are Basic in pywinrm).
WINRM_TRANSPORTS = {'ntlm': 'ntlm', 'kerberos': 'kerberos', 'credssp': 'credssp', 'basic': 'basic',
                    'plaintext': 'basic', 'ssl': 'basic', 'certificate': 'certificate'}
# ansible_psrp_auth values -> our transport option (pywinrm has no Negotiate: NTLM is what it falls back to).
PSRP_TRANSPORTS = {'ntlm': 'ntlm', 'negotiate': 'ntlm', 'kerberos': 'kerberos', 'credssp': 'credssp',
                   'basic': 'basic', 'certificate': 'certificate'}


# Host variables ucops_product_username / ucops_product_password fill the product session's credential (a domain
# account for the Exchange /PowerShell or Skype /OcsPowershell session when the WinRM logon is a local account).
PRODUCT_CREDENTIAL = ('product_username', 'product_password')


def _option(connection, name):
    try:
        return connection.get_option(name)
    except KeyError:
        return None


def winrm_settings(connection):
    """Connection options from an ansible.builtin.winrm connection plugin's resolved settings."""
    extras = _option(connection, '_extras') or {}
    settings = {
        'server': _option(connection, 'remote_addr'),
        'port': _option(connection, 'port'),
        'scheme': _option(connection, 'scheme'),
        'path': _option(connection, 'path'),
        'username': _option(connection, 'remote_user'),
        'password': _option(connection, 'remote_password'),
    }
    # The defaults ansible-core's winrm plugin applies when it connects (_build_winrm_kwargs): scheme http on port
    # 5985, else https; transport kerberos for a user@REALM name, else Basic (its 'ssl'/'plaintext').
    if not settings['scheme']:
        settings['scheme'] = 'http' if settings['port'] == 5985 else 'https'
    transports = _option(connection, 'transport')
    if isinstance(transports, str):
        transports = [t.strip() for t in transports.split(',')]
    if not transports or transports[0] is None:
        transports = ['kerberos'] if '@' in (settings['username'] or '') else ['basic']
    first = transports[0]
    settings['transport'] = 'certificate' if first == 'ssl' and extras.get('ansible_winrm_cert_pem') else WINRM_TRANSPORTS.get(first)
    if 'ansible_winrm_server_cert_validation' in extras:
        settings['validate_certs'] = to_text(extras['ansible_winrm_server_cert_validation']).lower() != 'ignore'
    simple = {'ansible_winrm_ca_trust_path': 'ca_trust_path', 'ansible_winrm_message_encryption': 'message_encryption',
              'ansible_winrm_cert_pem': 'client_cert', 'ansible_winrm_cert_key_pem': 'client_key'}
    for extra, option in simple.items():
        if extras.get(extra) not in (None, ''):
            settings[option] = to_text(extras[extra])
    for extra, option in (('ansible_winrm_operation_timeout_sec', 'operation_timeout'), ('ansible_winrm_read_timeout_sec', 'read_timeout')):
        if extras.get(extra) not in (None, ''):
            settings[option] = int(extras[extra])
    if extras.get('ansible_winrm_kerberos_delegation') not in (None, ''):
        settings['kerberos_delegation'] = boolean(extras['ansible_winrm_kerberos_delegation'], strict=False)
    timeout = _option(connection, 'connection_timeout')
    if timeout and 'operation_timeout' not in settings:
        settings['operation_timeout'], settings['read_timeout'] = int(timeout), int(timeout) + 10
    return settings


def psrp_settings(connection):
    """Connection options from an ansible.builtin.psrp connection plugin's resolved settings."""
    settings = {
        'server': _option(connection, 'remote_addr'),
        'port': _option(connection, 'port'),
        'scheme': _option(connection, 'protocol'),
        'path': _option(connection, 'path'),
        'username': _option(connection, 'remote_user'),
        'password': _option(connection, 'remote_password'),
        'transport': PSRP_TRANSPORTS.get(_option(connection, 'auth')),
        'ca_trust_path': _option(connection, 'ca_cert'),
        'message_encryption': _option(connection, 'message_encryption'),
        'client_cert': _option(connection, 'certificate_pem'),
        'client_key': _option(connection, 'certificate_key_pem'),
    }
    validation = _option(connection, 'cert_validation')
    if validation:
        settings['validate_certs'] = validation != 'ignore'
    if settings['path'] and not settings['path'].startswith('/'):
        settings['path'] = '/' + settings['path']
    return settings


# Module failures that mean "the host could not be reached", reported as `unreachable` the way ansible-core's own winrm
# connection does: lib/ansible/plugins/connection/winrm.py (_winrm_connect) raises AnsibleConnectionFailure, which
# TaskExecutor turns into unreachable, for refused connections, TLS errors and rejected credentials ("the specified
# credentials were rejected by the server") alike. A timeout is unreachable too (ansible-core's ssh plugin reports it
# so; its winrm plugin raises a plain AnsibleError for "the connection attempt timed out"). The module reports
# 'connection_lost' (a write may have been applied) with changed=true: that stays a failure, never unreachable.
UNREACHABLE_KINDS = ('connection', 'tls', 'authentication')


def mark_unreachable(result):
    """Turn a module failure whose error_kind is a connection problem into an unreachable result (msg kept).

    The strategy checks ``failed`` before ``unreachable`` (ansible-core plugins/strategy/__init__.py), so ``failed`` is
    removed, as in the result TaskExecutor builds from AnsibleConnectionFailure.
    """
    if (result.get('failed') and result.get('error_kind') in UNREACHABLE_KINDS and not result.get('possible_changes')
            and not result.get('changes_made')):
        result.pop('failed', None)
        result['unreachable'] = True
    return result


# A module option naming other inventory hosts (the Front Ends of a pool) that the module reads too; the action plugin
# fills in their connection settings from their own variables, the way the task's own host gets them.
PEERS_OPTION = 'front_ends'


def resolve_option_variables(connection, variables, templar):
    """The variables a connection plugin consumes, templated (ansible-core's Connection._resolve_option_variables,
    2.19 and later; the same loop as TaskExecutor._set_connection_options of 2.16 to 2.18)."""
    if hasattr(connection, '_resolve_option_variables'):
        return connection._resolve_option_variables(variables, templar)  # pylint: disable=protected-access
    options = {'_extras': {}}
    for name in C.config.get_plugin_vars('connection', connection._load_name):  # pylint: disable=protected-access
        if name in variables:
            options[name] = templar.template(variables[name])
    if getattr(connection, 'allow_extras', False):
        for name in variables:
            if name.startswith('ansible_%s_' % connection.extras_prefix) and name not in options:
                options['_extras'][name] = templar.template(variables[name])
    return options


class ControllerModuleAction(ActionBase):
    """Action plugin base for every module of the collection."""

    TRANSFERS_FILES = False
    # False for modules that speak no WinRM (the DNS modules): nothing is filled in from the host's connection
    FILLS_CONNECTION = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # each plugins/action/<module>.py: import its module once in the process that loads the class (see preload)
        _worker_module.preload(cls.__module__)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # set by run() in worker mode; then _configure_module and _low_level_execute_command run the module in-process
        self._in_process = False
        self._in_process_module = None
        self._in_process_args = None

    def run(self, tmp=None, task_vars=None):
        task_vars = dict(task_vars or {})
        result = super().run(tmp, task_vars)
        try:
            mode = _worker_module.module_process_mode(self._templar.template(task_vars.get(_worker_module.MODE_VARIABLE)))
        except ValueError as error:
            result.update(failed=True, msg=to_text(error), error_kind='option')
            return result
        args = dict(self._task.args)
        connection_name = self._connection.transport
        settings = {}
        if not self.FILLS_CONNECTION:
            pass
        elif connection_name in WINRM_CONNECTIONS:
            settings = winrm_settings(self._connection)
        elif connection_name in PSRP_CONNECTIONS:
            settings = psrp_settings(self._connection)
        for name in PRODUCT_CREDENTIAL if self.FILLS_CONNECTION else ():
            if task_vars.get('ucops_' + name) is not None:
                settings[name] = self._templar.template(task_vars['ucops_' + name])
        for name, value in settings.items():
            if value not in (None, '') and args.get(name) in (None, ''):
                args[name] = value
        if args.get(PEERS_OPTION):
            try:
                args['front_end_connections'], args['front_end_passwords'] = self._peers(args[PEERS_OPTION], task_vars)
            except AnsibleError as error:
                result.update(failed=True, msg=to_text(error), error_kind='option')
                return result

        if connection_name not in ('local', 'ansible.builtin.local'):
            self._switch_to_local(task_vars)
        # async needs a process of its own (async_wrapper): those tasks keep the AnsiballZ path
        self._in_process = mode == 'worker' and not self._task.async_val
        try:
            result.update(self._execute_module(module_name=self._task.action, module_args=args, task_vars=task_vars))
        finally:
            self._in_process = False
        return mark_unreachable(result)

    # -- the module in the worker process (docs/design.md, "Modules in the worker process") --------------------------
    # _execute_module keeps doing everything but start the module: it builds the arguments (_update_module_args), parses
    # the output (_parse_returned_data) and cleans the result (remove_internal_keys), in 2.19 and in 2.21 alike. Only
    # the pipelined command that would start the module's Python is run here instead, with the same JSON arguments.

    def _is_pipelining_enabled(self, module_style, wrap_async=False):
        if self._in_process and module_style == 'new' and not wrap_async:
            return True  # no temporary directory, no file transfer: the module's input goes straight to it
        return super()._is_pipelining_enabled(module_style, wrap_async)

    def _update_module_args(self, module_name, module_args, task_vars, *args, **kwargs):
        super()._update_module_args(module_name, module_args, task_vars, *args, **kwargs)
        self._in_process_args = module_args

    def _configure_module(self, module_name, module_args, task_vars):
        self._in_process_module = None
        if self._in_process:
            module_path = self._module_path(module_name)
            fqn = _worker_module.module_fqn(module_path)
            if fqn and _worker_module.default_profile(fqn):
                # no AnsiballZ payload: building it (module_common.recursive_finder compiles every module_util) is most of
                # a task's cost when nothing runs it
                self._in_process_module = (fqn, 'legacy')
                shebang = '#!' + str(task_vars.get('ansible_python_interpreter') or sys.executable)
                return _worker_module.InProcessBuild(shebang, 'legacy'), module_path
        module_bits, module_path = super()._configure_module(module_name, module_args, task_vars)
        fqn = _worker_module.module_fqn(module_path) if self._in_process else None
        if fqn and getattr(module_bits, 'module_style', None) == 'new':
            # a module with its own serialization profile (METADATA): the payload was built for its profile only
            self._in_process_module = (fqn, getattr(module_bits, 'serialization_profile', None) or 'legacy')
        return module_bits, module_path

    def _module_path(self, module_name):
        """The module's file, found as _configure_module finds it (None when it is not found: that path reports it)."""
        for kind in self._connection.module_implementation_preferences:
            found = self._shared_loader_obj.module_loader.find_plugin_with_context(module_name, kind, collection_list=self._task.collections)
            if found.resolved and found.plugin_resolved_path:
                return found.plugin_resolved_path
        return None

    def _low_level_execute_command(self, cmd, *args, **kwargs):
        pending, self._in_process_module = self._in_process_module, None
        if pending is None:
            return super()._low_level_execute_command(cmd, *args, **kwargs)
        fqn, profile = pending
        environment = {}
        self._compute_environment_string(environment)
        rc, stdout, stderr = _worker_module.run_module(fqn, self._in_process_args, profile, environment)
        process_result = kwargs.get('process_result')
        if process_result:  # ansible-core 2.21: a module type's post-processing of its raw output
            rc, out, err = process_result(rc, stdout.encode('utf-8', 'surrogateescape'), stderr.encode('utf-8', 'surrogateescape'))
            stdout, stderr = to_text(out, errors='surrogate_then_replace'), to_text(err, errors='surrogate_then_replace')
        return dict(rc=rc, stdout=stdout, stdout_lines=stdout.splitlines(), stderr=stderr, stderr_lines=stderr.splitlines())

    def _peers(self, names, task_vars):
        """Connection settings of other inventory hosts (secrets apart, for no_log) from their own variables."""
        if not isinstance(names, list) or not all(isinstance(name, str) and name.strip() for name in names):
            raise AnsibleError('%s must be a list of inventory host names' % PEERS_OPTION)
        hostvars = task_vars.get('hostvars') or {}
        connections, passwords = [], {}
        for name in names:
            if name == task_vars.get('inventory_hostname'):
                continue  # the task's own host: the module reads it through its own connection
            if name not in hostvars:
                raise AnsibleError('%s: %s is not a host of the inventory; give inventory host names (for example '
                                   '{{ groups[\'skype\'] }})' % (PEERS_OPTION, name))
            variables = hostvars[name]
            kind = self._templar.template(variables.get('ansible_connection') or '')
            if kind not in WINRM_CONNECTIONS + PSRP_CONNECTIONS:
                raise AnsibleError('%s: %s does not use the winrm or psrp connection (ansible_connection is %r), so its '
                                   'connection settings are unknown' % (PEERS_OPTION, name, kind or None))
            connection = connection_loader.get(kind, self._play_context, None)
            connection.set_options(var_options=resolve_option_variables(connection, variables, self._templar))
            settings = winrm_settings(connection) if kind in WINRM_CONNECTIONS else psrp_settings(connection)
            for option in PRODUCT_CREDENTIAL:
                if variables.get('ucops_' + option) is not None:
                    settings[option] = self._templar.template(variables['ucops_' + option])
            passwords[name] = dict((key, settings.pop(key, None)) for key in ('password', 'product_password'))
            connections.append(dict((key, value) for key, value in dict(settings, name=name).items() if value not in (None, '')))
        return connections, passwords

    def _switch_to_local(self, task_vars):
        """Run the module on the controller: local connection, POSIX shell, the controller's Python."""
        shell = shell_loader.get('sh')
        shell.set_options()
        self._play_context.shell = 'sh'
        connection = connection_loader.get('local', self._play_context, shell=shell)
        connection.set_options()
        self._connection = connection
        interpreter = task_vars.get('ansible_playbook_python')
        for key in list(task_vars):
            if key.startswith('ansible_') and key.endswith('_interpreter'):
                del task_vars[key]
        task_vars['ansible_python_interpreter'] = interpreter
        for key in ('ansible_shell_type', 'ansible_shell_executable', 'ansible_become', 'ansible_become_method'):
            task_vars.pop(key, None)
        self._task.become = False

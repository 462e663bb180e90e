# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A thin AnsibleModule subclass: connection options, a lazily built runner, one error path."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.argspec import (
    CONNECTION_OPTIONS,
    connection_argument_spec,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common import shells
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import UcopsError, failure_result, redact
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Runner
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm as transport


class UcopsModule(AnsibleModule):
    """Base of every module. ``product`` is 'exchange' or 'skype' and picks the product shell."""

    def __init__(self, argument_spec=None, product=None, not_blank=None, **kwargs):
        """``not_blank``: option name -> how to say "everything" instead, for options where an empty value would be
        read as "every object" (a template that renders empty must not widen a change to the whole organisation)."""
        spec = connection_argument_spec()
        if product == 'exchange':
            spec.update(shells.exchange_shell_argument_spec())
        elif product == 'skype':
            spec.update(shells.skype_shell_argument_spec())
        clash = set(spec) & set(argument_spec or {})
        if clash:
            # a module option named like a connection or shell option would silently take its place
            raise ValueError('module options %s clash with the connection options' % ', '.join(sorted(clash)))
        spec.update(argument_spec or {})
        self.product = product
        self._runner = None
        self._connection_options = None
        # AnsibleModule turns a list or dict given for a str option into its Python text ("['a', 'b']") with only a
        # warning, so the raw arguments are checked before it converts them.
        problems = self._raw_type_problems(spec)
        super().__init__(argument_spec=spec, **kwargs)
        problems += self._blank_value_problems(spec, not_blank or {})
        if problems:
            where = ' (server %s)' % self.params['server'] if self.params.get('server') else ''
            self.fail_json(msg='Bad input%s, nothing was sent: %s' % (where, ' '.join(problems)), error_kind='option')

    @staticmethod
    def _raw_type_problems(spec):
        """Options of type str/path (and list items of those types) given a list or dict, in the raw module arguments."""
        # imported late: ansible-test replaces basic._load_params while it reads the argument spec
        from ansible.module_utils.basic import _load_params  # pylint: disable=import-outside-toplevel

        try:
            raw = _load_params()
        except Exception:  # pylint: disable=broad-except
            return []  # AnsibleModule reads the same arguments next and reports the problem itself
        if not isinstance(raw, dict):
            return []  # no arguments (ansible-test's argument spec introspection fakes _load_params)
        return UcopsModule._nested_type_problems(spec, raw, '')

    @staticmethod
    def _nested_type_problems(spec, raw, prefix):
        problems = []
        for name, option in spec.items():
            for key in [name] + list(option.get('aliases') or []):
                value = raw.get(key)
                if value is None:
                    continue
                kind = option.get('type') or 'str'
                if kind in ('str', 'path') and isinstance(value, (list, dict)):
                    problems.append('%s%s must be one string, but a %s was given: give a single value (a template that renders '
                                    'a list needs a filter such as first or join).' % (prefix, key, type(value).__name__))
                elif (kind == 'list' and (option.get('elements') or 'str') in ('str', 'path') and isinstance(value, list)
                      and any(isinstance(item, (list, dict)) for item in value)):
                    problems.append('%s%s must be a list of strings, but it holds a nested list or dict: flatten it (for example '
                                    'with the flatten filter).' % (prefix, key))
                elif kind == 'dict' and option.get('options') and isinstance(value, dict):
                    problems += UcopsModule._nested_type_problems(option['options'], value, '%s%s.' % (prefix, key))
        return problems

    def _blank_value_problems(self, spec, not_blank, params=None, prefix=''):
        """List-of-str options (also inside a dict option such as add/remove/set) with blank items, and ``not_blank``
        options given '' or whitespace."""
        params = self.params if params is None else params
        problems = []
        for name, option in spec.items():
            value = params.get(name)
            if value is None:
                continue
            if option.get('type') == 'list' and (option.get('elements') or 'str') in ('str', 'path'):
                if any(isinstance(item, str) and not item.strip() for item in value):
                    problems.append('%s%s has an empty item: remove it (an empty list, [], is the way to clear the setting; an '
                                    'empty item usually comes from a template variable that rendered empty).' % (prefix, name))
            elif option.get('type') == 'dict' and option.get('options') and isinstance(value, dict):
                problems += self._blank_value_problems(option['options'], {}, value, '%s%s.' % (prefix, name))
            elif name in not_blank and isinstance(value, str) and not value.strip():
                problems.append('%s is empty: %s. An empty value usually comes from a template variable that rendered empty.'
                                % (name, not_blank[name]))
        return problems

    @property
    def host(self):
        """The server name used in messages."""
        return self.params.get('server') or 'the server'

    def secrets(self):
        """Values that must never leave the module."""
        found = [self.params.get('password'), self.params.get('product_password')]
        for peer in (self.params.get('front_end_passwords') or {}).values():
            found += list((peer or {}).values())
        return found

    def peers(self):
        """[(inventory name, server, Runner, shell)] for the other hosts the task reads (``front_end_connections``, filled
        in by the action plugin from ``front_ends``): each with its own connection settings and the task's shell options."""
        defaults = dict((name, spec.get('default')) for name, spec in connection_argument_spec().items())
        found = []
        for connection in self.params.get('front_end_connections') or []:
            secrets = (self.params.get('front_end_passwords') or {}).get(connection.get('name')) or {}
            values = dict(defaults)
            values.update((name, connection[name]) for name in CONNECTION_OPTIONS if connection.get(name) is not None)
            values.update((name, value) for name, value in secrets.items() if name == 'password' and value is not None)
            options = transport.resolve_options(values)
            params = dict(self.params, **options)
            # the peer's own product credential (its ucops_product_* variables) only, never the task host's
            params['product_username'] = connection.get('product_username')
            params['product_password'] = secrets.get('product_password')
            shell = shells.exchange_shell(params) if self.product == 'exchange' else shells.skype_shell(params)
            runner = Runner(transport.WinRMClient(options), options['server'], check_mode=self.check_mode)
            found.append((connection.get('name'), options['server'], runner, shell))
        return found

    def connection_options(self):
        """Validated connection options (OptionError names the option and the fix), resolved once."""
        if self._connection_options is None:
            self._connection_options = transport.resolve_options(dict((name, self.params.get(name)) for name in CONNECTION_OPTIONS))
        return self._connection_options

    @property
    def runner(self):
        """The PowerShell runner for this server, created on first use."""
        if self._runner is None:
            if not transport.HAS_WINRM:
                self.fail_json(msg=missing_required_lib('pywinrm'), exception=transport.WINRM_IMPORT_ERROR)
            options = self.connection_options()
            self._runner = Runner(transport.WinRMClient(options), options['server'], check_mode=self.check_mode)
        return self._runner

    def shell(self):
        """The product shell part of a request (OptionError for a combination that cannot work, before sending)."""
        if self.product not in ('exchange', 'skype'):
            return {'type': 'none'}
        # the resolved transport (defaults applied) decides whether the WinRM logon can be delegated
        params = dict(self.params, **self.connection_options())
        return shells.exchange_shell(params) if self.product == 'exchange' else shells.skype_shell(params)

    def run(self, work):
        """Call ``work()`` (which returns the result dict) and exit; every collection error becomes one failure message."""
        try:
            result = work()
        except UcopsError as error:
            self.fail_json(**failure_result(error, self.secrets()))
        self.exit_json(**redact(result, self.secrets()))

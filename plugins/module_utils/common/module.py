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
    exchange_shell_argument_spec,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, UcopsError, failure_result, redact
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Runner
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm as transport


class UcopsModule(AnsibleModule):
    """Base of every module. ``product`` is 'exchange' or 'skype' and picks the product shell."""

    def __init__(self, argument_spec=None, product=None, **kwargs):
        spec = connection_argument_spec()
        if product == 'exchange':
            spec.update(exchange_shell_argument_spec())
        spec.update(argument_spec or {})
        self.product = product
        self._runner = None
        self._connection_options = None
        super().__init__(argument_spec=spec, **kwargs)

    @property
    def host(self):
        """The server name used in messages."""
        return self.params.get('server') or 'the server'

    def secrets(self):
        """Values that must never leave the module."""
        return [self.params.get('password')]

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
        """The product shell part of a request."""
        if self.product == 'skype':
            return {'type': 'skype'}
        if self.product != 'exchange':
            return {'type': 'none'}
        if self.params['exchange_shell'] == 'snapin':
            return {'type': 'exchange_snapin'}
        credential = None
        if self.params['exchange_credential'] == 'connection':
            if not self.params.get('username') or not self.params.get('password'):
                raise OptionError('exchange_credential=connection passes username and password to the Exchange remote session, '
                                  'but they are not set: set them, or use exchange_credential=logon with transport=credssp or '
                                  'transport=kerberos and kerberos_delegation=true.')
            credential = {'username': self.params['username'], 'password': self.params['password']}
        return {'type': 'exchange_remote', 'connection_uri': self.params.get('exchange_connection_uri'),
                'authentication': self.params['exchange_authentication'], 'credential': credential}

    def run(self, work):
        """Call ``work()`` (which returns the result dict) and exit; every collection error becomes one failure message."""
        try:
            result = work()
        except UcopsError as error:
            self.fail_json(**failure_result(error, self.secrets()))
        self.exit_json(**redact(result, self.secrets()))

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Windows side of a server: the few local cmdlets the collection sends besides the products' (service and IIS
application pool restarts, a configuration file, a registry value).

They run in the WinRM session itself, never through a product's remote session, so the Exchange or Skype endpoint
plays no part in them. Signatures are in ``lab/reference/windows.json`` (hand-written from Microsoft's reference
pages named there); the binder checks every call against them as it does for the products.

State (``state.json`` under ``windows``, one entry per host)::

    {"ex2019": {"services": {"MSExchangeServiceHost": {"status": "Running", "restarts": 0}},
                "app_pools": {"MSExchangeOWAAppPool": {"restarts": 0}},
                "files": {"c:\\\\...\\\\web.config": "<configuration>..."},
                "registry": {"hklm:\\\\software\\\\...": {"MsiInstallPath": "..."}}}}
"""

from __future__ import annotations

from typing import Any, Callable

from ..binder import BoundCall
from ..pserrors import PSError
from ..psvalues import PSObject
from .common import Outcome, ProductModel, refuse_unmodelled

# Label of the Windows PowerShell cmdlets in lab/reference/windows.json (they exist on every version the lab runs).
LABEL = 'Windows PowerShell'

# Exchange install path. Source: Exchange Setup's registry value HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup
# MsiInstallPath (CSS-Exchange Shared/Get-ExchangeInstallDirectory.ps1 reads it; default path: Exchange Setup's
# default "C:\Program Files\Microsoft\Exchange Server\V15\").
EXCHANGE_SETUP_KEY = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'
EXCHANGE_INSTALL_PATH = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\'

# Services and IIS application pools of an Exchange server that the collection may restart. Source:
# integration-procedure.md section 2 (Auth certificate: "Restart-Service MSExchangeServiceHost", "Restart-WebAppPool
# MSExchangeOWAAppPool / MSExchangeECPAppPool") and section 8.1 (OWA app pool). Other names: no source (lab choice).
EXCHANGE_SERVICES = ('MSExchangeServiceHost', 'MSExchangeTransport', 'MSExchangeFrontEndTransport', 'MSExchangeIS', 'W3SVC')
EXCHANGE_APP_POOLS = ('MSExchangeOWAAppPool', 'MSExchangeECPAppPool', 'MSExchangeAutodiscoverAppPool', 'MSExchangeServicesAppPool',
                      'MSExchangePowerShellAppPool', 'MSExchangeSyncAppPool')
SKYPE_SERVICES = ('RTCSRV', 'RTCMRAUTH', 'REPLICA', 'W3SVC')

# Files a product feature places on its hosts: callables (host) -> {path: text}. Features append to it at import
# time (for example lab/products/exchange/owa.py seeds the OWA web.config of Exchange 2013).
FILE_SEEDS: list[Callable[[Any], dict[str, str]]] = []


def init_host(state: dict[str, Any], host: Any) -> dict[str, Any]:
    """The host's entry, created from its product on first use."""
    hosts = state.setdefault('windows', {})
    entry = hosts.get(host.name)
    if entry is None:
        exchange = host.product == 'exchange'
        entry = {
            'services': {name: {'status': 'Running', 'restarts': 0} for name in (EXCHANGE_SERVICES if exchange else SKYPE_SERVICES)},
            'app_pools': {name: {'restarts': 0} for name in (EXCHANGE_APP_POOLS if exchange else ())},
            'files': {},
            'registry': {EXCHANGE_SETUP_KEY.lower(): {'MsiInstallPath': EXCHANGE_INSTALL_PATH}} if exchange else {},
        }
        for seed in FILE_SEEDS:
            entry['files'].update((path.lower(), text) for path, text in seed(host).items())
        hosts[host.name] = entry
    return entry


def _path_not_found(cmdlet: str, path: str) -> PSError:
    # Source: PowerShell SessionStateStrings.PathNotFound "Cannot find path '{0}' because it does not exist."
    # (ItemNotFoundException, ObjectNotFound, FQID PathNotFound,<command class>)
    command = cmdlet.replace('-', '') + 'Command'
    return PSError("Cannot find path '%s' because it does not exist." % path, 'PathNotFound,Microsoft.PowerShell.Commands.%s' % command,
                   'ObjectNotFound', 'System.Management.Automation.ItemNotFoundException')


class WindowsHost(ProductModel):
    """The local cmdlets of one host."""

    IMPLEMENTED = ('Restart-Service', 'Restart-WebAppPool', 'Get-Content', 'Set-Content', 'Get-ItemProperty')

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.handlers = {'Restart-Service': self.restart_service, 'Restart-WebAppPool': self.restart_web_app_pool,
                         'Get-Content': self.get_content, 'Set-Content': self.set_content, 'Get-ItemProperty': self.get_item_property}

    def restart_service(self, call: BoundCall) -> Outcome:
        """Restart-Service -Name <names> [-Force]."""
        refuse_unmodelled(call, {'Name', 'Force', 'WhatIf'})
        names = call.values['Name']
        services = self.entry['services']
        by_lower = {name.lower(): name for name in services}
        for name in names:
            if name.lower() not in by_lower:
                # Source: PowerShell ServiceResources.NoServiceFoundForGivenName "Cannot find any service with service name
                # '{0}'." (ServiceCommandException, ObjectNotFound)
                raise PSError("Cannot find any service with service name '%s'." % name,
                              'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.RestartServiceCommand', 'ObjectNotFound',
                              'Microsoft.PowerShell.Commands.ServiceCommandException')
        if call.switch('WhatIf'):
            return Outcome()
        for name in names:
            services[by_lower[name.lower()]]['restarts'] += 1
        return Outcome(changed=True)

    def restart_web_app_pool(self, call: BoundCall) -> Outcome:
        """Restart-WebAppPool -Name <pool> (WebAdministration)."""
        refuse_unmodelled(call, {'Name', 'WhatIf'})
        name = call.values['Name']
        pools = self.entry['app_pools']
        by_lower = {pool.lower(): pool for pool in pools}
        if name.lower() not in by_lower:
            # No source for the text: the lab fails for an application pool IIS does not have.
            raise PSError("Cannot find application pool '%s'." % name, 'InvalidArgument,Microsoft.IIs.PowerShell.Provider.RestartAppPoolCommand',
                          'InvalidArgument', 'System.ArgumentException')
        if call.switch('WhatIf'):
            return Outcome()
        pools[by_lower[name.lower()]]['restarts'] += 1
        return Outcome(changed=True)

    def get_content(self, call: BoundCall) -> Outcome:
        """Get-Content -Path <file> -Raw (without -Raw PowerShell returns one string per line)."""
        refuse_unmodelled(call, {'Path', 'Raw', 'Encoding'})
        paths = call.values['Path']
        objects: list[Any] = []
        for path in paths:
            text = self.entry['files'].get(path.lower())
            if text is None:
                raise _path_not_found(call.cmdlet, path)
            objects.extend([text] if call.switch('Raw') else text.splitlines())
        return Outcome(objects=objects)

    def set_content(self, call: BoundCall) -> Outcome:
        """Set-Content -Path <file> -Value <text> [-Encoding] [-NoNewline]: replaces the file's text (an existing file only,
        the collection never creates one; no source for refusing a new path: lab choice)."""
        refuse_unmodelled(call, {'Path', 'Value', 'Encoding', 'NoNewline', 'WhatIf'})
        values = call.values.get('Value')
        values = values if isinstance(values, list) else [values]
        text = ('' if call.switch('NoNewline') else '\r\n').join('' if item is None else str(item) for item in values)
        if not call.switch('NoNewline'):
            text += '\r\n'
        for path in call.values['Path']:
            if path.lower() not in self.entry['files']:
                raise _path_not_found(call.cmdlet, path)
        if call.switch('WhatIf'):
            return Outcome()
        for path in call.values['Path']:
            self.entry['files'][path.lower()] = text
        return Outcome(changed=True)

    def get_item_property(self, call: BoundCall) -> Outcome:
        """Get-ItemProperty -Path <key> [-Name <value names>] on the registry provider."""
        refuse_unmodelled(call, {'Path', 'Name'})

        objects = []
        for path in call.values['Path']:
            values = self.entry['registry'].get(path.lower())
            if values is None:
                raise _path_not_found(call.cmdlet, path)
            wanted = call.values.get('Name')
            selected = dict(values) if not wanted else {name: values[name] for name in values if name.lower() in [w.lower() for w in wanted]}
            if wanted and not selected:
                # Source: PowerShell's "Property {0} does not exist at path {1}." (PSArgumentException, InvalidArgument)
                raise PSError('Property %s does not exist at path %s.' % (wanted[0], path),
                              'System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand',
                              'InvalidArgument', 'System.Management.Automation.PSArgumentException')
            objects.append(PSObject(text='@{%s}' % '; '.join('%s=%s' % item for item in selected.items()), properties=dict(selected)))
        return Outcome(objects=objects)

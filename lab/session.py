# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A loaded product shell: which commands exist, how an invocation is bound and run, and what comes back.

In-process shells (the Exchange snap-in, the Skype module) bind and run for real. Sessions opened through implicit
remoting (lab/remoting.py) behave like the proxies ``Import-PSSession`` generates: parameter names resolve on the
client, everything else is bound on the server and fails as a remote error, values come back deserialized, and
``-WarningAction`` is left to the server.
"""

from __future__ import annotations

from typing import Any

from .binder import VERSION_LABELS, Binder, load_reference
from .products.common import Outcome
from .products.dns_server import REFERENCE as DNS_REFERENCE, DnsServerHost
from .products.windows import LABEL as WINDOWS_LABEL
from .pserrors import (LAB_NOT_IMPLEMENTED_EXCEPTION, REMOTE_EXCEPTION, RUNTIME_EXCEPTION, PSError, command_not_found,
                       lab_not_implemented)
from .psvalues import deserialize, ps_string

# Windows PowerShell 5.1 core cmdlets that exist in every session: requesting one is "exists but not modelled",
# never "not recognized". No source: a selection of Microsoft.PowerShell.* cmdlets (not exhaustive).
CORE_CMDLETS = (
    'Add-Content', 'Add-PSSnapin', 'Clear-Content', 'ConvertFrom-Json', 'ConvertTo-Json', 'ConvertTo-SecureString',
    'Exit-PSSession', 'ForEach-Object', 'Get-Acl', 'Get-ChildItem', 'Get-CimInstance', 'Get-Command', 'Get-Content',
    'Get-Credential', 'Get-Culture', 'Get-Date', 'Get-EventLog', 'Get-FormatData', 'Get-Help', 'Get-HotFix', 'Get-Host',
    'Get-Item', 'Get-ItemProperty', 'Get-Location', 'Get-Member', 'Get-Module', 'Get-Process', 'Get-PSSession', 'Get-PSSnapin',
    'Get-Random', 'Get-Service', 'Get-Variable', 'Get-WinEvent', 'Get-WmiObject', 'Import-Module', 'Import-PSSession',
    'Invoke-Command', 'Invoke-Expression', 'Invoke-WebRequest', 'Measure-Object', 'New-Item', 'New-Object', 'New-PSSession',
    'Out-Default', 'Out-String', 'Remove-Item', 'Remove-PSSession', 'Restart-Service', 'Select-Object', 'Set-Content',
    'Set-Item', 'Set-ItemProperty', 'Set-Location', 'Set-Variable', 'Sort-Object', 'Start-Service', 'Stop-Service',
    'Test-Connection', 'Test-Path', 'Test-WSMan', 'Where-Object', 'Write-Host', 'Write-Output',
)

# Binding errors that the generated proxy function raises on the client: it declares every parameter name of the
# remote command, so name resolution happens locally. Type conversion, ValidateSet, Mandatory and parameter-set
# errors come from the server: the proxy's parameters are rehydrated as object/switch, in one set, none Mandatory
# (PowerShell ImplicitRemotingCommands.cs; real-server-behaviour.md, "Implicit remoting").
CLIENT_SIDE_BINDING_ERRORS = ('NamedParameterNotFound,', 'AmbiguousParameter,', 'ParameterAlreadyBound,')

# Preferences a proxy passes on to the server instead of honouring them ($parametersToLeaveRemote in the generated
# module; real-server-behaviour.md): with -WarningAction SilentlyContinue/Ignore the server never sends the warning.
SILENT_ACTIONS = ('silentlycontinue', 'ignore')


class Session:
    """The commands a loaded product shell provides, and how they run."""

    def __init__(self, kind: str, product: str | None = None, version: str | None = None, model: Any = None,
                 remote: bool = False) -> None:
        self.kind = kind
        self.product = product
        self.version = version
        self.model = model
        self.remote = remote
        self._core = {name.lower(): name for name in CORE_CMDLETS}
        self._product: dict[str, str] = {}
        # the host's own cmdlets (lab/products/windows.py), run in the WinRM session whatever the product shell
        self._local: dict[str, str] = {}
        self.local_model: Any = None
        self.local_binder: Binder | None = None
        # a server role's module (the DnsServer cmdlets of a DNS server): (model, binder) and its cmdlet names
        self._role: tuple[Any, Binder] | None = None
        self._role_names: dict[str, str] = {}
        if product is not None and version is not None:
            reference = load_reference(product)
            self.reference = reference
            self.binder = Binder(reference, VERSION_LABELS[(product, version)], remote_proxy=remote)
            self._product = {name.lower(): name for name in reference.names_for(VERSION_LABELS[(product, version)])}

    def attach_host(self, model: Any, topology: Any = None) -> None:
        """Make the host's local cmdlets (a lab.products.windows.WindowsHost) callable in this session; on a Windows DNS
        server (topology product ``windows``) also the DnsServer module's (lab/products/dns_server.py)."""
        self.local_model = model
        self.local_binder = Binder(load_reference('windows'), WINDOWS_LABEL)
        self._local = {name.lower(): name for name in model.IMPLEMENTED}
        host = getattr(model, 'host', None)
        if topology is not None and getattr(host, 'product', None) == 'windows':
            label = VERSION_LABELS[('windows', str(host.version))]
            reference = load_reference(DNS_REFERENCE)
            # every cmdlet of the module exists (one the lab does not model fails as not implemented, never "not recognized")
            self._role = (DnsServerHost(model.state, host, topology), Binder(reference, label))
            self._role_names = {name.lower(): name for name in reference.names_for(label)}

    def restrict_to(self, names: list[str]) -> None:
        """Keep only the named product commands (Import-PSSession -CommandName imports nothing else)."""
        imported = {name.lower() for name in names}
        self._product = {key: value for key, value in self._product.items() if key in imported}

    def find(self, name: Any) -> str | None:
        """``Get-Command -Name $name``: the canonical name, or None."""
        if not isinstance(name, str):
            name = ps_string(name)
        lowered = name.lower()
        return self._product.get(lowered) or self._local.get(lowered) or self._role_names.get(lowered) or self._core.get(lowered)

    def invoke(self, command: str, arguments: list[tuple[str, Any]]) -> Outcome:
        """``& $command @parameters`` with ``-ErrorAction Stop``."""
        if command == '':
            # Source: PowerShell ParserStrings.BadExpression for "& ''"
            raise PSError("The expression after '&' in a pipeline element produced an object that was not valid. It must result "
                          "in a command name, a script block, or a CommandInfo object.", 'BadExpression', 'InvalidOperation',
                          RUNTIME_EXCEPTION)
        lowered = command.lower()
        canonical = self._product.get(lowered)
        if canonical is None:
            if lowered in self._local:
                return self.local_model.invoke(self.local_binder.bind(self._local[lowered], arguments))
            if lowered in self._role_names and self._role is not None:
                role, binder = self._role
                return role.invoke(binder.bind(self._role_names[lowered], arguments))
            if lowered in self._core:
                raise lab_not_implemented('the PowerShell cmdlet %s' % self._core[lowered])
            raise command_not_found(command)
        if canonical not in self.reference.cmdlets:
            raise lab_not_implemented('the cmdlet %s' % canonical)
        if not self.remote:
            return self.model.invoke(self.binder.bind(canonical, arguments))
        return self._invoke_remote(canonical, arguments)

    def _invoke_remote(self, canonical: str, arguments: list[tuple[str, Any]]) -> Outcome:
        """An implicit-remoting proxy call: server-side errors arrive as RemoteException, values deserialized."""
        silent = any(name.lower().lstrip('-') in ('warningaction', 'wa') and ps_string(value).lower() in SILENT_ACTIONS
                     for name, value in arguments)
        try:
            call = self.binder.bind(canonical, arguments)
            outcome = self.model.invoke(call)
        except PSError as error:
            if silent:
                error.warnings = []
            if error.fqid.startswith(CLIENT_SIDE_BINDING_ERRORS) or error.exception_type == LAB_NOT_IMPLEMENTED_EXCEPTION:
                raise
            # The caught record's exception is a RemoteException; FullyQualifiedErrorId and category are the server's.
            raise PSError(error.message, error.fqid, error.category, REMOTE_EXCEPTION, error.warnings) from None
        warnings = [] if silent else list(outcome.warnings)
        return Outcome(objects=[deserialize(item) for item in outcome.objects], warnings=warnings, changed=outcome.changed)

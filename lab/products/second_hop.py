# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The second hop for product cmdlets loaded into the WinRM process itself (Exchange snap-in, Skype module).

Those cmdlets reach other servers as the caller: Exchange tasks read and write Active Directory on a domain
controller; Skype for Business cmdlets read and write the Central Management store (a SQL database: on an Enterprise
pool, or a Front End that does not hold the CMS, another server) and Active Directory. A WinRM logon by NTLM or Basic
is a network logon whose credentials cannot be passed on (docs/real-servers.md, "The second hop"), so those calls fail
there. The lab has no CredSSP or Kerberos logon, so every in-process product shell it serves is in that situation.
"""

from __future__ import annotations

from typing import Any

from ..binder import BoundCall
from ..pserrors import PSError
from .common import Outcome

# Cmdlets that answer from the local server alone (registry/files): no second hop. Get-CsServerVersion reads the
# installed product version (no source that it avoids the CMS: inferred from what it returns).
SKYPE_LOCAL_CMDLETS = frozenset({'Get-CsServerVersion'})


class SecondHopBlocked:
    """Wraps a product model: calls that need a server other than this one fail as they would without delegation."""

    def __init__(self, model: Any, product: str, host: Any, settings: dict[str, Any], domain_controller: str) -> None:
        self.model = model
        self.product = product
        self.host = host
        self.cms_server = str(settings.get('cms_server') or host.fqdn).lower()
        self.domain_controller = domain_controller

    def invoke(self, call: BoundCall) -> Outcome:
        """Refuse what would leave this server, else run the model."""
        if self.product == 'exchange':
            # Exchange's directory session binds to the DC with the caller's (anonymous, undelegated) token. No source for
            # the exact text: the form of Exchange's ADOperationException messages.
            raise PSError('Active Directory operation failed on %s. This error is not retriable. Additional information: '
                          'The supplied credential is invalid.' % self.domain_controller,
                          'ADOperationException,Microsoft.Exchange.Management.SystemConfigurationTasks.%s' % call.cmdlet.replace('-', ''),
                          'NotSpecified', 'Microsoft.Exchange.Data.Directory.ADOperationException')
        if call.cmdlet not in SKYPE_LOCAL_CMDLETS and self.cms_server != str(self.host.fqdn).lower():
            # SQL refuses the undelegated logon as anonymous (docs/real-servers.md section 8: "Login failed for user
            # 'NT AUTHORITY\\ANONYMOUS LOGON'"). No source for how a Cs cmdlet wraps it: the SQL text, category
            # ResourceUnavailable, a SqlException.
            raise PSError("Cannot open database \"xds\" requested by the login. The login failed. Login failed for user "
                          "'NT AUTHORITY\\ANONYMOUS LOGON'. (SQL server: %s)" % self.cms_server,
                          'Microsoft.Rtc.Management.Store.StoreException,%s' % call.cmdlet, 'ResourceUnavailable',
                          'System.Data.SqlClient.SqlException')
        return self.model.invoke(call)

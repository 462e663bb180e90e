# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """How the product cmdlets are loaded on the server (argument spec: module_utils/common/shells.py)."""

    DOCUMENTATION = r"""
options:
  product_username:
    description:
      - Domain account for the product session (the Exchange C(/PowerShell) or Skype for Business C(/OcsPowershell)
        remote session), when it must differ from O(username).
      - Needed when the WinRM logon is a local account, for example with O(transport=basic), which accepts only
        local accounts; the product session needs a domain account that holds an RBAC role of the product, and
        Kerberos refuses local accounts.
      - Falls back to the host variable C(ucops_product_username) when the task targets an inventory host.
    type: str
  product_password:
    description:
      - Password of O(product_username). Never logged, returned or shown in a diff.
      - Falls back to the host variable C(ucops_product_password).
    type: str
notes:
  - Exchange and Skype for Business cmdlets reach Active Directory, SQL and other servers as the caller. A WinRM
    logon by NTLM, Basic or certificate (or Kerberos without delegation) cannot pass its credential on to a third
    server (the second hop), so the products' own remoting endpoints, which run the cmdlets on the server under a
    fresh logon with the credential passed to them, are the default.
"""

    EXCHANGE = r"""
options:
  exchange_shell:
    description:
      - How the Exchange cmdlets are loaded on the server.
      - V(remote) (default) opens a remote session to the server's own C(/PowerShell) endpoint, as the
        Exchange Management Shell does. It is the way Microsoft supports, RBAC applies, and no delegation is needed with
        O(exchange_credential=connection).
      - V(snapin) loads C(Microsoft.Exchange.Management.PowerShell.SnapIn) into the WinRM process. Its tasks reach
        the domain controllers as the caller, which is a second hop. It needs O(transport=credssp), or
        O(transport=kerberos) with O(kerberos_delegation=true), and is refused otherwise. Microsoft supports the
        snap-in only for transport agent cmdlets and RBAC is bypassed.
    type: str
    choices: [remote, snapin]
    default: remote
  exchange_connection_uri:
    description:
      - URI of the Exchange remote PowerShell endpoint for O(exchange_shell=remote), an absolute C(http://) or
        C(https://) URL.
      - Defaults to C(http://<the server's own FQDN>/PowerShell/), computed on the server.
    type: str
  exchange_authentication:
    description: Authentication of the Exchange remote session (C(New-PSSession -Authentication)).
    type: str
    choices: [Kerberos, Negotiate, Default, Basic]
    default: Kerberos
  exchange_credential:
    description:
      - Credential of the Exchange remote session.
      - V(connection) (default) passes O(product_username) and O(product_password), or else O(username) and
        O(password), explicitly, so the session to the endpoint is a fresh logon and no delegation is needed. The
        account must be a domain account (C(DOMAIN\\user) or C(user@domain)) with an Exchange management role.
      - V(logon) reuses the WinRM logon itself, a second hop. It needs O(transport=credssp), or
        O(transport=kerberos) with O(kerberos_delegation=true), and is refused otherwise.
    type: str
    choices: [connection, logon]
    default: connection
"""

    SKYPE = r"""
options:
  skype_shell:
    description:
      - How the Skype for Business Server (or Lync Server 2013) cmdlets are loaded on the server.
      - V(remote) (default) opens a remote session to the Front End's C(/OcsPowershell) endpoint (its internal web
        site, https) and imports the cmdlets, the way Microsoft's own examples connect. The cmdlets run on the
        server under a fresh logon with the credential given, RBAC roles (C(CsAdministrator) and the others) apply,
        and no delegation is needed. The server's certificate must be trusted by the server itself (it connects to
        its own FQDN).
      - V(module) imports the C(SkypeForBusiness) module (C(Lync) on Lync Server 2013) into the WinRM process. Its
        cmdlets read and write the Central Management store (SQL; on an Enterprise pool, or a Front End that does not
        hold the store, another server) and Active Directory as the caller, which is a second hop. It needs
        O(transport=credssp), or O(transport=kerberos) with O(kerberos_delegation=true), and is refused otherwise
        unless O(skype_module_without_delegation=true).
    type: str
    choices: [remote, module]
    default: remote
  skype_connection_uri:
    description:
      - URI of the Skype for Business remote PowerShell endpoint for O(skype_shell=remote), an absolute C(https://)
        URL such as C(https://pool01.contoso.local/OcsPowershell).
      - Defaults to C(https://<the server's own FQDN>/OcsPowershell), computed on the server.
    type: str
  skype_authentication:
    description:
      - Authentication of the OcsPowershell session (C(New-PSSession -Authentication)). Microsoft's examples use the
        default, Negotiate.
    type: str
    choices: [Kerberos, Negotiate, Default, Basic]
    default: Negotiate
  skype_credential:
    description:
      - Credential of the OcsPowershell session.
      - V(connection) (default) passes O(product_username) and O(product_password), or else O(username) and
        O(password), a domain account that holds a Skype for Business RBAC role.
      - V(logon) reuses the WinRM logon itself, a second hop. It needs O(transport=credssp), or
        O(transport=kerberos) with O(kerberos_delegation=true).
    type: str
    choices: [connection, logon]
    default: connection
  skype_module_without_delegation:
    description:
      - Allow O(skype_shell=module) over a WinRM logon that cannot be delegated (NTLM, Basic, certificate, Kerberos
        without delegation).
      - Set it only when the cmdlets the task runs reach no other server as the caller. That is rarely true. A
        Standard Edition server that holds the Central Management store still reaches Active Directory as the caller,
        and on an Enterprise pool the store is on the SQL back end. Reading the product version works; reading or
        writing configuration usually does not.
    type: bool
    default: false
"""

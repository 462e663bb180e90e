# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The WinRM connection options shared by every module (argument spec: module_utils/common/argspec.py)."""

    DOCUMENTATION = r"""
options:
  server:
    description:
      - Host name or address of the Exchange or Skype for Business server to connect to with WinRM.
      - When the task runs against an inventory host whose connection is C(winrm) or C(psrp), the
        connection settings of that host (C(ansible_host), C(ansible_port), C(ansible_user),
        C(ansible_password), C(ansible_winrm_transport), C(ansible_winrm_scheme),
        C(ansible_winrm_server_cert_validation), C(ansible_winrm_ca_trust_path), ...) fill every
        connection option that the task does not set. Options set on the task always win.
      - Required when the task runs with C(delegate_to=localhost) or on a local connection.
      - Falls back to the E(UCOPS_SKYPE_EXCHANGE_SERVER) environment variable.
    type: str
  port:
    description:
      - WinRM port. Defaults to V(5986) for O(scheme=https) and V(5985) for O(scheme=http).
      - A value outside 1-65535 is refused before anything is sent.
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_PORT).
    type: int
  scheme:
    description:
      - V(https) (default) or V(http). Over V(http), V(ntlm), V(kerberos) and V(credssp) encrypt every
        message (WinRM message encryption); V(basic) is refused unless O(allow_basic_over_http=true).
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_SCHEME).
    type: str
    choices: [http, https]
  path:
    description: URL path of the WinRM listener.
    type: str
    default: /wsman
  transport:
    description:
      - WinRM authentication. Defaults to V(ntlm).
      - V(kerberos) needs pywinrm's kerberos extra (C(pip install pywinrm[kerberos]), after the system Kerberos
        packages) and a ticket (or O(username) and O(password)); V(credssp) needs pywinrm's credssp extra
        (C(pip install pywinrm[credssp])); without them the task fails before anything is sent, naming the extra.
        V(certificate) needs O(client_cert) and O(client_key) and O(scheme=https).
      - V(basic) sends O(username) and O(password) as Latin-1 (as HTTP Basic in requests does), so other characters are
        refused before anything is sent; use V(ntlm) or V(kerberos), which take Unicode.
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_TRANSPORT).
    type: str
    choices: [ntlm, kerberos, credssp, basic, certificate]
  username:
    description:
      - User to authenticate as, for example V(CONTOSO\\admin) or V(admin@contoso.local).
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). Never logged, returned or shown in a diff.
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_PASSWORD).
    type: str
  validate_certs:
    description:
      - Validate the server's TLS certificate (default). Set V(false) only for a lab.
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_VALIDATE_CERTS).
    type: bool
    default: true
  ca_trust_path:
    description:
      - A PEM file (or directory) of CA certificates that sign the server's certificate.
      - With O(scheme=https) and O(validate_certs=true), a path that does not exist is refused before anything is sent.
      - Falls back to E(UCOPS_SKYPE_EXCHANGE_CA_TRUST_PATH).
    type: path
  client_cert:
    description: PEM client certificate for O(transport=certificate).
    type: path
  client_key:
    description: PEM private key of O(client_cert).
    type: path
  message_encryption:
    description:
      - WinRM message encryption. V(auto) encrypts over V(http) and relies on TLS over V(https);
        V(always) also encrypts over V(https); V(never) turns it off and is refused over V(http).
    type: str
    choices: [auto, always, never]
    default: auto
  allow_basic_over_http:
    description:
      - Allow O(transport=basic) over O(scheme=http), which sends the password in clear text.
        Refused unless set, as the server's own C(AllowUnencrypted) refuses it by default.
    type: bool
    default: false
  kerberos_delegation:
    description:
      - Ask for a forwardable, delegated Kerberos ticket, so that cmdlets that reach another server
        (a second hop) can authenticate. Only with O(transport=kerberos).
    type: bool
    default: false
  operation_timeout:
    description: WS-Management OperationTimeout in seconds (how long the server holds a Receive). At least V(1).
    type: int
    default: 20
  read_timeout:
    description: HTTP read timeout in seconds; must be greater than O(operation_timeout). At least V(1).
    type: int
    default: 30
  command_timeout:
    description:
      - Overall limit in seconds for one PowerShell run on the server. When it is reached the command is
        stopped and the task fails, naming the host. At least V(1).
    type: int
    default: 600
  session_reuse:
    description:
      - Reuse one PowerShell process, with its product shell (Exchange or Skype for Business session, snap-in or module)
        loaded once, for the requests of every task against the same server, WinRM user and product identity, instead
        of one PowerShell process and one product-shell load per request.
      - The session stays open on the server between tasks until O(session_idle_timeout) passes without a request; a
        session that died, expired or was closed by the server is replaced once.
      - Only the shell and command IDs are kept on the controller, in a private directory
        (C(~/.ansible/ucops/sessions), or E(UCOPS_SKYPE_EXCHANGE_SESSION_DIR)); no secret is written.
      - Set V(false) to start a new PowerShell process for every request.
      - Can also be set with the environment variable E(UCOPS_SKYPE_EXCHANGE_SESSION_REUSE).
    type: bool
    default: true
  session_idle_timeout:
    description:
      - Seconds a reused session stays open on the server without a request (the WinRS shell's idle timeout). Between
        V(30) and V(7200).
      - Can also be set with the environment variable E(UCOPS_SKYPE_EXCHANGE_SESSION_IDLE_TIMEOUT).
    type: int
    default: 300
notes:
  - The module runs on the Ansible controller and connects to the server with pywinrm. Target the
    Windows host itself (its C(winrm)/C(psrp) connection settings are used) or use
    C(delegate_to=localhost) with explicit connection options.
  - Every request is sent as data on stdin to a static PowerShell script shipped with the collection;
    no option value is ever pasted into PowerShell code.
  - The WinRS shell is opened with the user profile loaded, as pywinrm and ansible-core's winrm connection do.
  - When the server cannot be reached (connection refused, name not resolved, timeout, TLS handshake or certificate
    failure) or rejects the credentials, the task is reported C(unreachable), as with ansible-core's winrm connection.
    When the connection is lost after a write request was delivered, the task fails with C(changed=true) and
    C(possible_changes) lists the changes that may have been applied.
  - String options refuse a list or dictionary, and list options refuse empty items, before anything is sent.
requirements:
  - pywinrm >= 0.5.0 (on the controller)
"""

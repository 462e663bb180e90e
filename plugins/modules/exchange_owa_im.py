#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_owa_im
short_description: Integrate Outlook on the web (OWA) instant messaging with Skype for Business Server
version_added: 1.0.0
description:
  - Enables instant messaging and presence in Outlook on the web through Skype for Business Server (or Lync Server 2013
    with Exchange 2013), the Exchange side of the integration.
  - Sets C(InstantMessagingEnabled) and C(InstantMessagingType=Ocs) on the OWA virtual directories in scope
    (C(Set-OwaVirtualDirectory)) and, when O(mailbox_policies) is given, on OWA mailbox policies (C(Set-OwaMailboxPolicy)).
  - "Exchange 2016, 2019 and Subscription Edition (SE): sets the IM server name and certificate thumbprint in one setting
    override (C(New-SettingOverride -Component OwaServer -Section IMSettings -Parameters IMServerName=...,IMCertificateThumbprint=...)),
    org-wide or for the servers in O(servers). An override of that name is corrected with C(Set-SettingOverride -Identity)
    (which has no C(-Name), C(-Component) or C(-Section)) and removed with C(Remove-SettingOverride) for O(state=absent).
    Its C(Parameters) are compared as a set of C(Key=Value) strings. Editing web.config has no effect on these versions."
  - "Exchange 2013: sets the C(IMServerName) and C(IMCertificateThumbprint) keys of C(<appSettings>) in the OWA web.config
    (C(<install path>ClientAccess\\Owa\\web.config), install path read from the registry) of the server the task runs on.
    The file is read and written with C(Get-Content) and C(Set-Content); the edit is made by the module as text, so every
    other line of the file stays as it was. The task must target every Exchange 2013 Mailbox server, and must run again
    after every Cumulative Update, which overwrites web.config."
  - Lync Server 2013 with Exchange 2016 or later is refused before any change, with Microsoft's statement
    I(IM integration between Lync Server 2013 and Exchange 2016 or later isn't supported.) The module cannot see the
    Skype for Business side, so O(skype_version) says which version the IM server runs.
  - "OWA uses a change only after the variant configuration is refreshed (2016 and later) and the C(MSExchangeOWAAppPool)
    application pool is restarted. With O(allow_restarts=true), and only when something changed, the module runs
    C(Get-ExchangeDiagnosticInfo -Process Microsoft.Exchange.Directory.TopologyService -Component VariantConfiguration
    -Argument Refresh) for every Exchange 2016 or later server in scope and C(Restart-WebAppPool MSExchangeOWAAppPool) on the
    server it runs on. The application pool of the other servers must be restarted on each of them (RV(restart_pending_servers)
    lists them). Otherwise it warns what remains to be done."
  - The Skype for Business side (a trusted application pool and application for OWA, C(Enable-CsTopology)) is not part of
    this module.
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.exchange
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_exchange
attributes:
  check_mode:
    support: full
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports what would change, be refreshed and be restarted.
  diff_mode:
    support: full
options:
  state:
    description:
      - V(present) sets the IM server name and thumbprint (setting override or web.config) and enables IM on the virtual directories.
      - V(absent) removes the setting override (2016 and later) or the two web.config keys (2013). The virtual directories and
        policies are changed only when O(instant_messaging_enabled) or O(instant_messaging_type) is given.
    type: str
    choices: [present, absent]
    default: present
  im_server_name:
    description:
      - FQDN of the Skype for Business pool where the trusted application pool for Outlook on the web was created (C(IMServerName)).
        With several Front End pools, the pool closest to the Exchange AD site.
      - Required with O(state=present).
    type: str
  im_certificate_thumbprint:
    description:
      - Thumbprint of the Exchange certificate assigned to IIS, trusted by Skype for Business (C(IMCertificateThumbprint)).
        Spaces and case do not count; it is stored in upper case without spaces.
      - Required with O(state=present).
    type: str
  skype_version:
    description:
      - The version of the Skype for Business or Lync Server that O(im_server_name) runs.
      - V(2013) (Lync Server 2013) with Exchange 2016, 2019 or SE is refused, as Microsoft does not support it.
      - Required with O(state=present).
    type: str
    choices: ['2013', '2015', '2019', 'se']
  servers:
    description:
      - Names (not FQDNs; wildcards C(*) allowed) of the Exchange servers in scope. Their OWA virtual directories are set and,
        on 2016 and later, the setting override applies to them only (C(New-SettingOverride -Server)).
      - Omit it for every server of the organization (an org-wide override). An empty list is refused.
      - On Exchange 2013 the web.config changed is always that of the server the task runs on.
    type: list
    elements: str
  override_name:
    description:
      - Name of the setting override (2016 and later). It must be unique in the organization; an override of this name for
        another component or section is refused.
    type: str
    default: IM Override
  reason:
    description:
      - The C(-Reason) recorded on the setting override when it is created or changed.
    type: str
    default: Outlook on the web IM integration with Skype for Business Server
  instant_messaging_enabled:
    description:
      - C(InstantMessagingEnabled) of the OWA virtual directories (and of O(mailbox_policies)).
      - Defaults to V(true) with O(state=present); with O(state=absent) they are left alone unless given (V(false) disables IM, which
        Microsoft recommends when OWA is not integrated, to avoid presence errors).
    type: bool
  instant_messaging_type:
    description:
      - C(InstantMessagingType) of the OWA virtual directories (and of O(mailbox_policies)).
      - Defaults to V(Ocs) with O(state=present); with O(state=absent) left alone unless given.
    type: str
    choices: [None, Ocs]
  mailbox_policies:
    description:
      - Names of OWA mailbox policies to set O(instant_messaging_enabled) and O(instant_messaging_type) on as well, or V(['*']) for
        every policy (the documented C(Get-OwaMailboxPolicy | Set-OwaMailboxPolicy)). A policy that does not exist is refused.
      - Omit it to leave the policies alone.
    type: list
    elements: str
  allow_restarts:
    description:
      - Let the module refresh the variant configuration of the servers in scope and restart C(MSExchangeOWAAppPool) on the server it
        runs on, when (and only when) something changed. Restarting the application pool interrupts Outlook on the web sessions
        on that server.
    type: bool
    default: false
notes:
  - Exchange 2013 keeps the settings in each Mailbox server's web.config. Run the task against every Exchange 2013 Mailbox server,
    and again after each Cumulative Update (a CU replaces web.config and the IM keys are lost).
  - Microsoft recommends enabling IM on the front-end (Client Access) OWA virtual directories only, the ones
    C(Get-OwaVirtualDirectory) returns by default; back-end directories are not touched.
  - In an organization with both Exchange 2013 and later versions, run the task against the Exchange 2013 servers (web.config) and
    against one later server (the setting override).
seealso:
  - module: ucops.skype_exchange.exchange_info
  - name: Configure Instant Messaging integration with Outlook on the web
    description: Microsoft's procedure for Exchange 2016 and later.
    link: https://learn.microsoft.com/exchange/plan-and-deploy/post-installation-tasks/configure-im-integration-with-owa
  - name: New-SettingOverride
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/new-settingoverride
"""

EXAMPLES = r"""
- name: Integrate OWA with Skype for Business Server 2019, org-wide (Exchange 2016 or later), applying it now
  ucops.skype_exchange.exchange_owa_im:
    im_server_name: skype01.contoso.com
    im_certificate_thumbprint: CDF34A740E9D225A1A06193A9D44B2CE22775308
    skype_version: '2019'
    allow_restarts: true

- name: One server only, with its own override name
  ucops.skype_exchange.exchange_owa_im:
    im_server_name: skype01.contoso.com
    im_certificate_thumbprint: "{{ owa_iis_thumbprint }}"
    skype_version: '2015'
    servers: [Mailbox01]
    override_name: Mailbox01 IM Override

- name: Exchange 2013 with Lync Server 2013 - every Mailbox server's web.config, and every OWA mailbox policy (re-run after each CU)
  ucops.skype_exchange.exchange_owa_im:
    im_server_name: atl-cs-001.litwareinc.com
    im_certificate_thumbprint: EA5A332496CC05DA69B75B66111C0F78A110D22D
    skype_version: '2013'
    mailbox_policies: ['*']
    allow_restarts: true
  # run against each Exchange 2013 Mailbox server of the inventory group

- name: Remove the integration and disable IM in OWA
  ucops.skype_exchange.exchange_owa_im:
    state: absent
    instant_messaging_enabled: false
"""

RETURN = r"""
exchange_version:
  description: Product version of the Exchange server the module connected to (V(2013), V(2016), V(2019), or V(se)).
  returned: always
  type: str
  sample: '2019'
virtual_directories:
  description: The OWA virtual directories in scope, as they are after the task (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    identity:
      description: Identity of the virtual directory.
      type: str
      sample: EX01\owa (Default Web Site)
    server:
      description: Server that hosts it.
      type: str
      sample: EX01
    instant_messaging_enabled:
      description: C(InstantMessagingEnabled).
      type: bool
    instant_messaging_type:
      description: C(InstantMessagingType).
      type: str
      sample: Ocs
changed_virtual_directories:
  description: Identities of the virtual directories that were (or would be) changed.
  returned: always
  type: list
  elements: str
mailbox_policies:
  description: The OWA mailbox policies of O(mailbox_policies) after the task (C(identity), C(instant_messaging_enabled), C(instant_messaging_type)).
  returned: always
  type: list
  elements: dict
changed_mailbox_policies:
  description: Names of the policies that were (or would be) changed.
  returned: always
  type: list
  elements: str
setting_override:
  description: The IM setting override after the task (Exchange 2016 and later); null when there is none or on Exchange 2013.
  returned: always
  type: dict
  contains:
    name:
      description: Override name.
      type: str
      sample: IM Override
    component:
      description: C(ComponentName).
      type: str
      sample: OwaServer
    section:
      description: C(SectionName).
      type: str
      sample: IMSettings
    parameters:
      description: C(Parameters), C(Key=Value) strings.
      type: list
      elements: str
    servers:
      description: The servers it applies to; empty for every server.
      type: list
      elements: str
    reason:
      description: C(Reason).
      type: str
    im_server_name:
      description: The C(IMServerName) value.
      type: str
    im_certificate_thumbprint:
      description: The C(IMCertificateThumbprint) value.
      type: str
web_config:
  description: The IM keys of the OWA web.config after the task (Exchange 2013; null on later versions).
  returned: always
  type: dict
  contains:
    server:
      description: The server whose file it is.
      type: str
    path:
      description: Path of the file.
      type: str
      sample: C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\Owa\web.config
    im_server_name:
      description: C(IMServerName), null when absent.
      type: str
    im_certificate_thumbprint:
      description: C(IMCertificateThumbprint), null when absent.
      type: str
refreshed_servers:
  description: Servers whose variant configuration was (or in check mode would be) refreshed.
  returned: always
  type: list
  elements: str
restarted_servers:
  description: Servers whose C(MSExchangeOWAAppPool) was (or would be) restarted; at most the server the module ran on.
  returned: always
  type: list
  elements: str
restart_pending_servers:
  description: Servers that must still restart C(MSExchangeOWAAppPool) (and, without O(allow_restarts), refresh) for OWA to use the change.
  returned: always
  type: list
  elements: str
  sample: [EX02]
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.owa_im import DEFAULT_OVERRIDE_NAME, DEFAULT_REASON, run_task


def main():
    module = UcopsModule(
        product='exchange',
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            im_server_name=dict(type='str'),
            im_certificate_thumbprint=dict(type='str'),
            skype_version=dict(type='str', choices=['2013', '2015', '2019', 'se']),
            servers=dict(type='list', elements='str'),
            override_name=dict(type='str', default=DEFAULT_OVERRIDE_NAME),
            reason=dict(type='str', default=DEFAULT_REASON),
            instant_messaging_enabled=dict(type='bool'),
            instant_messaging_type=dict(type='str', choices=['None', 'Ocs']),
            mailbox_policies=dict(type='list', elements='str'),
            allow_restarts=dict(type='bool', default=False),
        ),
        not_blank={'override_name': 'give the name of the setting override', 'reason': 'give a reason or omit it for the default'},
        supports_check_mode=True,
    )
    module.run(lambda: run_task(module))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_exchange_online
short_description: Configure on-premises Skype for Business Server or Lync Server 2013 for Exchange Online (shared SIP address space and hosting provider)
version_added: 1.0.0
description:
  - The Exchange Online branch of the integration (IM and presence in Outlook on the web for mailboxes in Exchange
    Online, users on premises), as Microsoft documents it in "Configure integration between on-premises Skype for
    Business Server and Outlook Web App".
  - Shared SIP address space - sets C(AllowFederatedUsers) to C(True) on the global Access Edge configuration
    (C(Set-CsAccessEdgeConfiguration -AllowFederatedUsers $True)). Nothing else of that configuration is changed.
  - Hosting provider - creates the Exchange Online hosting provider with the documented values
    (C(New-CsHostingProvider -Identity "Exchange Online" -Enabled $True -EnabledSharedAddressSpace $True -HostsOCSUsers $False
    -ProxyFqdn <cloud> -IsLocal $False -VerificationLevel UseSourceVerification)) and corrects the values that differ with
    C(Set-CsHostingProvider). C(ProxyFqdn) cannot be changed in place (Microsoft - "this value cannot be modified"), so a
    provider with another C(ProxyFqdn) is removed and created again in the same request.
  - Replication - reads C(Get-CsManagementStoreReplicationStatus) (Microsoft - "Check if UpToDate value is showing TRUE
    for all Replicas") and reports every replica; a replica that is not up to date is a finding. Checking
    C(Get-CsHostingProvider -LocalStore) on the Edge Server itself is not possible from a Front End and is left to you.
  - OAuth - the server-to-server procedure with Microsoft 365 sets C(Set-CsOAuthConfiguration -ServiceName
    00000004-0000-0ff1-ce00-000000000000). This module does not write it (M(ucops.skype_exchange.skype_oauth_configuration)
    does, option O(ucops.skype_exchange.skype_oauth_configuration#module:service_name)); it reads the OAuth configuration,
    returns the value in RV(oauth_values) and reports a different one as a finding.
  - Steps in Microsoft Entra ID or with Microsoft Graph (uploading certificates to service principals, the dedicated
    hybrid applications) cannot be done over WinRM; RV(findings) lists them and C(docs/exchange-online.md) describes them.
  - Skype for Business Online was retired on 2021-07-31; a task aimed at it (O(cloud=skype_for_business_online), or a
    hosting provider identity that names the Skype for Business Online provider, C(ProxyFqdn sipfed.online.lync.com))
    fails before anything is changed, saying to use Microsoft Teams instead.
  - These are global settings of the deployment (the Central Management store), the same through every Front End - run
    the task on one Front End per deployment (C(run_once), or target one host).
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.skype
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_skype
attributes:
  check_mode:
    support: full
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change it would make.
  diff_mode:
    support: full
options:
  cloud:
    description:
      - The Microsoft 365 cloud of the Exchange Online organization; it gives the hosting provider's C(ProxyFqdn) as
        Microsoft documents it - V(worldwide) C(exap.um.outlook.com), V(21vianet) (Office 365 operated by 21Vianet)
        C(exap.um.partner.outlook.cn), V(gcc_high) (Office 365 GCC High) C(exap.um.office365.us).
      - V(skype_for_business_online) is refused - Skype for Business Online was retired on 2021-07-31.
      - Changing the cloud of an existing provider removes it and creates it again.
    type: str
    choices: [worldwide, 21vianet, gcc_high, skype_for_business_online]
    default: worldwide
  hosting_provider_identity:
    description:
      - C(Identity) of the hosting provider (Microsoft's example is C(Exchange Online)).
      - When another hosting provider already points at Exchange Online, the task fails and names it, so that it is
        managed (give its identity here) or removed rather than duplicated.
      - A provider of this identity that points at Skype for Business Online (C(sipfed.online.lync.com), or
        C(HostsOCSUsers) true) is never replaced or removed - the task fails.
    type: str
    default: Exchange Online
  state:
    description:
      - V(present) sets C(AllowFederatedUsers) and creates or corrects the hosting provider.
      - V(absent) removes the hosting provider; C(AllowFederatedUsers) is left as it is, since it also governs federation
        with every other domain.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The cmdlets exist in Lync Server 2013 and Skype for Business Server 2015, 2019 and Subscription Edition.
  - On Lync Server 2013, users who sign in to IM from Outlook on the web count as remote users and need an external
    access policy that enables communications with remote users (Microsoft's Lync Server 2013 page); this module does not
    set it.
seealso:
  - module: ucops.skype_exchange.skype_oauth_configuration
  - module: ucops.skype_exchange.skype_info
  - name: Configure integration between on-premises Skype for Business Server and Outlook Web App
    description: Microsoft's procedure this module follows.
    link: https://learn.microsoft.com/skypeforbusiness/deploy/integrate-with-exchange-server/outlook-web-app
  - name: New-CsHostingProvider
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/new-cshostingprovider
"""

EXAMPLES = r"""
- name: Shared SIP address space and hosting provider for Exchange Online (one Front End per deployment)
  ucops.skype_exchange.skype_exchange_online:
  run_once: true
  register: exo

- name: Show what else needs doing (replication, OAuth value, steps in Entra ID)
  ansible.builtin.debug:
    var: exo.findings
  run_once: true

- name: Exchange Online in Office 365 GCC High (re-creates a provider that points at another cloud)
  ucops.skype_exchange.skype_exchange_online:
    cloud: gcc_high
  run_once: true

- name: Set the OAuth value of the server-to-server procedure with Microsoft 365 (Skype for Business Server 2015 and later)
  ucops.skype_exchange.skype_oauth_configuration:
    service_name: 00000004-0000-0ff1-ce00-000000000000
  run_once: true

- name: Remove the Exchange Online hosting provider
  ucops.skype_exchange.skype_exchange_online:
    state: absent
  run_once: true
"""

RETURN = r"""
changes:
  description: The cmdlets sent (or that check mode would send), one line each; empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample:
    - Set-CsAccessEdgeConfiguration -Identity Global -AllowFederatedUsers $True
    - New-CsHostingProvider -Identity "Exchange Online" -ProxyFqdn exap.um.outlook.com
skype_version:
  description: Product version of the server the module connected to (V(2013) is Lync Server 2013, V(se) Skype for Business Server Subscription Edition).
  returned: always
  type: str
  sample: '2019'
access_edge:
  description: The global Access Edge configuration after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    identity:
      description: Always C(Global).
      type: str
      sample: Global
    allow_federated_users:
      description: C(AllowFederatedUsers).
      type: bool
      sample: true
hosting_provider:
  description: The hosting provider after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    identity:
      description: C(Identity).
      type: str
      sample: Exchange Online
    exists:
      description: Whether the provider exists.
      type: bool
      sample: true
    proxy_fqdn:
      description: C(ProxyFqdn); null when the provider does not exist.
      type: str
      sample: exap.um.outlook.com
    cloud:
      description: The cloud that C(ProxyFqdn) belongs to; null for another value.
      type: str
      sample: worldwide
    enabled:
      description: C(Enabled).
      type: bool
      sample: true
    enabled_shared_address_space:
      description: C(EnabledSharedAddressSpace).
      type: bool
      sample: true
    hosts_ocs_users:
      description: C(HostsOCSUsers).
      type: bool
      sample: false
    is_local:
      description: C(IsLocal).
      type: bool
      sample: false
    verification_level:
      description: C(VerificationLevel).
      type: str
      sample: UseSourceVerification
replication:
  description: C(Get-CsManagementStoreReplicationStatus), read after the change (or before, when nothing was sent).
  returned: always
  type: list
  elements: dict
  contains:
    replica_fqdn:
      description: C(ReplicaFqdn).
      type: str
      sample: fe01.contoso.local
    up_to_date:
      description: C(UpToDate).
      type: bool
      sample: true
    last_update_creation:
      description: C(LastUpdateCreation) (ISO 8601, UTC).
      type: str
      sample: '2026-11-30T10:00:00.0000000Z'
oauth_configuration:
  description: The global OAuth configuration as read, with the keys of M(ucops.skype_exchange.skype_oauth_configuration)'s return.
  returned: always
  type: dict
  sample: {identity: Global, service_name: 00000004-0000-0ff1-ce00-000000000000}
oauth_values:
  description:
    - The OAuth configuration value of the server-to-server procedure with Microsoft 365, for
      M(ucops.skype_exchange.skype_oauth_configuration) (this module does not write it). Empty on Lync Server 2013,
      where that procedure is not supported.
  returned: always
  type: list
  elements: dict
  sample: [{option: service_name, parameter: ServiceName, value: 00000004-0000-0ff1-ce00-000000000000,
            module: ucops.skype_exchange.skype_oauth_configuration}]
findings:
  description:
    - What needs attention, with C(id), C(severity) (error, warning, info), C(feature), C(server), C(message), C(source).
    - For example C(replica_not_up_to_date), C(no_edge_server), C(oauth_service_name), C(skype_online_hosting_provider),
      C(manual_step) (a step in Microsoft Entra ID or with Microsoft Graph that WinRM cannot see).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.exchange_online import DEFAULT_IDENTITY, ExchangeOnline


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            cloud=dict(type='str', default='worldwide', choices=['worldwide', '21vianet', 'gcc_high', 'skype_for_business_online']),
            hosting_provider_identity=dict(type='str', default=DEFAULT_IDENTITY),
            state=dict(type='str', default='present', choices=['present', 'absent']),
        ),
        supports_check_mode=True,
    )
    module.run(lambda: run(module, ExchangeOnline(module.params)))


if __name__ == '__main__':
    main()

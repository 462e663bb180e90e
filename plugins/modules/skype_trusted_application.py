#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_trusted_application
short_description: Manage the trusted application pool and trusted application for Outlook on the web IM on Skype for Business Server or Lync Server 2013
version_added: 1.0.0
description:
  - Creates, corrects or removes the trusted application pool named after Outlook on the web (Outlook Web App) and its
    trusted application, the Skype for Business side of Outlook on the web IM and presence integration with an
    on-premises Exchange server, as Microsoft's procedure does it
    (C(New-CsTrustedApplicationPool -Identity <OWA FQDN> -Registrar <pool> -Site <SiteId> -RequiresReplication $false),
    C(New-CsTrustedApplication -ApplicationId OutlookWebApp -TrustedApplicationPoolFqdn <OWA FQDN> -Port 5199),
    C(Enable-CsTopology)).
  - The pool and its application are managed together, as one object. One read request compares them with the options;
    only what differs is sent, in one write request that ends with C(Enable-CsTopology) and reads the result back. When
    nothing differs, nothing is sent and C(Enable-CsTopology) does not run.
  - The site is given by name, by Identity (C(Site:<name>)) or by SiteId number, and the module sends the SiteId that
    C(New-CsTrustedApplicationPool -Site) requires (Microsoft; C(Get-CsTrustedApplicationPool) later shows the site
    Identity). The Registrar must be a Registrar pool of the topology (C(Get-CsPool) services). Both are checked before
    anything is changed.
  - C(Set-CsTrustedApplicationPool) has no C(-Site), so a new O(site) for an existing pool removes the pool and creates it
    again (with its application) in the same request. Removing a pool also removes every application in it, so this is
    refused when the pool holds applications other than O(application_id).
  - The topology is deployment-wide. Run the module on B(one Front End per deployment) (C(run_once=true)); the other
    Front Ends of the deployment see the same pool.
  - B(Cautions) (Microsoft's procedure). The pool FQDN must be the name that appears in the Subject Name and Subject
    Alternative Name of the certificate that provides access to Outlook on the web. The pool is B(not) needed, and must
    not be created, when the Exchange Unified Messaging Call Router and UM services run on the same computer hosting a
    SIP URI (SipName) dial plan; Skype for Business then discovers that server into its Known Servers list, and a trusted
    application pool for it too makes duplicate entries that stop Outlook on the web integration from working (the fix is
    O(state=absent)). The module cannot read the Known Servers list and does not detect this. With Exchange UM, the
    Exchange Client Access and Mailbox servers must also be added to all SIP URI dial plans (not done by this module).
    C(New-CsTrustedApplication) does not open the port in any firewall.
  - Microsoft does not support IM integration between Lync Server 2013 and Exchange 2016 or later (see
    M(ucops.skype_exchange.exchange_owa_im)).
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the changes, including whether C(Enable-CsTopology) would run.
  diff_mode:
    support: full
options:
  state:
    description:
      - V(present) creates the pool and the application, or corrects what differs.
      - V(absent) removes the application; the pool is removed too unless other applications live in it (then it is
        kept, with a warning). A pool without a Registrar cannot be removed (Microsoft), so give O(registrar) and it is set first.
    type: str
    choices: [present, absent]
    default: present
  pool_fqdn:
    description:
      - The FQDN of Outlook on the web, the C(Identity) of the trusted application pool (stored as C(PoolFqdn)). It must be
        the name in the Subject and Subject Alternative Name of the certificate that provides access to Outlook on the web.
      - A pool of the Skype for Business topology (C(Get-CsPool)) is refused.
    type: str
    required: true
  registrar:
    description:
      - The FQDN (or service ID C(Registrar:<FQDN>)) of the Registrar pool (Front End pool) the trusted application pool
        depends on. Required to create the pool (a pool without a Registrar cannot be removed later).
      - Compared in either form. Changing it orphans contacts attached to the application (they must be moved with
        C(Move-CsApplicationEndpoint)); a warning says so.
    type: str
  site:
    description:
      - The site of the pool, by name (C(Get-CsSite) C(DisplayName)), Identity (C(Site:Redmond)) or SiteId number.
      - Default when creating the pool is the site of the O(registrar) pool; when omitted for an existing pool its site is not compared.
      - A different site re-creates the pool (see the description).
    type: str
  requires_replication:
    description:
      - C(RequiresReplication). Microsoft sets it to V(false) for Outlook Web Access (the product default is V(true)).
    type: bool
    default: false
  throttle_as_server:
    description:
      - C(ThrottleAsServer). The product default is V(true); when omitted it is not compared.
    type: bool
  treat_as_authenticated:
    description:
      - C(TreatAsAuthenticated). The product default is V(true); when omitted it is not compared.
    type: bool
  application_id:
    description:
      - The C(ApplicationId) of the trusted application, one word without spaces; the product stores it as
        C(urn:application:<id>) (either form is accepted here) and the application's Identity is
        C(<pool_fqdn>/urn:application:<id>). Compared case-insensitively.
      - Other applications of the pool are left alone.
    type: str
    default: OutlookWebApp
  application_port:
    description:
      - The C(Port) of the trusted application, any free port unique within the pool; a port used by another application
        of the pool is refused before anything is changed.
    type: int
    default: 5199
notes:
  - The cmdlets used exist on Lync Server 2013 and Skype for Business Server 2015, 2019 and Subscription Edition.
seealso:
  - module: ucops.skype_exchange.exchange_owa_im
  - module: ucops.skype_exchange.skype_info
  - name: New-CsTrustedApplicationPool
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/new-cstrustedapplicationpool
  - name: New-CsTrustedApplication
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/new-cstrustedapplication
"""

EXAMPLES = r"""
- name: Trusted application pool and application for Outlook on the web IM (once per deployment)
  ucops.skype_exchange.skype_trusted_application:
    pool_fqdn: mail.contoso.com
    registrar: pool01.contoso.local
  run_once: true

- name: Same, with the site named, from the controller with explicit connection options
  ucops.skype_exchange.skype_trusted_application:
    server: fe01.contoso.local
    username: CONTOSO\sfbadmin
    password: "{{ vault_sfb_password }}"
    pool_fqdn: mail.contoso.com
    registrar: pool01.contoso.local
    site: Redmond
    application_id: OutlookWebApp
    application_port: 5199
    throttle_as_server: true
    treat_as_authenticated: true
  delegate_to: localhost
  run_once: true

- name: Remove it (for example when Exchange UM servers are already Known Servers)
  ucops.skype_exchange.skype_trusted_application:
    pool_fqdn: mail.contoso.com
    state: absent
  run_once: true
"""

RETURN = r"""
changes:
  description:
    - The cmdlets sent (or that check mode would send), one line each; empty when nothing differs.
    - C(Enable-CsTopology), which ends every write request, is not listed (see RV(topology_enabled)).
  returned: always
  type: list
  elements: str
  sample: [New-CsTrustedApplicationPool -Identity mail.contoso.com -Registrar pool01.contoso.local -Site 1 -RequiresReplication $false,
           New-CsTrustedApplication -ApplicationId OutlookWebApp -TrustedApplicationPoolFqdn mail.contoso.com -Port 5199]
topology_enabled:
  description: Whether C(Enable-CsTopology) ran after the changes (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
trusted_application_pool:
  description: The pool after the task (in check mode, as it would be); null when it does not exist.
  returned: always
  type: dict
  contains:
    pool_fqdn:
      description: C(PoolFqdn).
      type: str
      sample: mail.contoso.com
    identity:
      description: C(Identity), the pool's service identity.
      type: str
      sample: TrustedApplicationPool:mail.contoso.com
    service_id:
      description: C(ServiceId); null in check mode for a pool not created yet.
      type: str
      sample: 1-ExternalServer-1
    site:
      description: C(SiteId) as the product shows it, the site Identity.
      type: str
      sample: Site:Redmond
    registrar:
      description: C(Registrar).
      type: str
      sample: Registrar:pool01.contoso.local
    requires_replication:
      description: C(RequiresReplication).
      type: bool
      sample: false
    throttle_as_server:
      description: C(ThrottleAsServer).
      type: bool
      sample: true
    treat_as_authenticated:
      description: C(TreatAsAuthenticated).
      type: bool
      sample: true
    other_applications:
      description: Identities of the other applications in the pool (not managed).
      type: list
      elements: str
      sample: []
trusted_application:
  description: The trusted application after the task; null when it does not exist.
  returned: always
  type: dict
  contains:
    identity:
      description: C(Identity).
      type: str
      sample: mail.contoso.com/urn:application:OutlookWebApp
    application_id:
      description: C(ApplicationId) as stored.
      type: str
      sample: urn:application:OutlookWebApp
    port:
      description: C(Port).
      type: int
      sample: 5199
skype_version:
  description: Product version of the server the module connected to (V(2013) is Lync Server 2013, V(se) Skype for Business Server Subscription Edition).
  returned: always
  type: str
  sample: '2019'
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.trusted_application import (
    DEFAULT_APPLICATION_ID,
    DEFAULT_PORT,
    TrustedApplication,
)


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            pool_fqdn=dict(type='str', required=True),
            registrar=dict(type='str'),
            site=dict(type='str'),
            requires_replication=dict(type='bool', default=False),
            throttle_as_server=dict(type='bool'),
            treat_as_authenticated=dict(type='bool'),
            application_id=dict(type='str', default=DEFAULT_APPLICATION_ID),
            # not 'port': that is the WinRM port of the connection options
            application_port=dict(type='int', default=DEFAULT_PORT),
        ),
        supports_check_mode=True,
    )
    module.run(lambda: run(module, TrustedApplication(module.params)))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_client_access_server
short_description: Set the Exchange Autodiscover internal URI (SCP) of Client Access servers
version_added: 1.0.0
description:
  - Sets C(AutoDiscoverServiceInternalUri) (and optionally C(AutoDiscoverSiteScope)) on one or all
    Exchange Client Access servers, the Autodiscover service connection point that domain-joined clients
    use. Skype for Business Server integration needs it configured before its OAuth configuration
    points at Exchange Autodiscover.
  - Uses C(Set-ClientAccessService) on Exchange 2016, 2019 and Subscription Edition (SE) and C(Set-ClientAccessServer) on
    Exchange 2013, chosen from the version of the Exchange server the module connects to (its C(AdminDisplayVersion));
    an unrecognised version fails the task instead of guessing.
  - Only the properties given are compared and only the ones that differ are sent.
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change.
  diff_mode:
    support: full
options:
  identity:
    description:
      - Name or FQDN of the Client Access server to set.
      - Omit it to set every Client Access server of the organization, as the documented
        C(Get-ClientAccessServer | Set-ClientAccessServer) pipeline does.
      - An empty or blank value is refused (it is not read as "every server"), so that a template variable that
        renders empty cannot change the whole organization.
    type: str
  autodiscover_internal_uri:
    description:
      - The C(AutoDiscoverServiceInternalUri), an absolute C(https://) URL, normally
        C(https://autodiscover.<domain>/Autodiscover/Autodiscover.xml).
      - Compared the way Exchange stores a URI (C(System.Uri.AbsoluteUri)). Scheme and host case and
        the default port do not count; the path does.
      - An empty string clears the value.
    type: str
  autodiscover_site_scope:
    description:
      - The Active Directory sites whose clients use this server's internal URI (C(AutoDiscoverSiteScope)).
      - Compared case-insensitively, in any order. An empty item is refused.
    type: dict
    suboptions:
      add:
        description:
          - Sites to add; sites already in the scope and not named are kept.
        type: list
        elements: str
      remove:
        description:
          - Sites to remove; sites not named are kept.
        type: list
        elements: str
      set:
        description:
          - The whole scope; sites not named are removed. An empty list clears it.
          - Cannot be combined with O(autodiscover_site_scope.add) or O(autodiscover_site_scope.remove).
        type: list
        elements: str
seealso:
  - module: ucops.skype_exchange.skype_oauth_configuration
  - module: ucops.skype_exchange.exchange_info
  - name: Set-ClientAccessService
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-clientaccessservice
"""

EXAMPLES = r"""
- name: Point every Client Access server's SCP at the Autodiscover name (targets an inventory Exchange host)
  ucops.skype_exchange.exchange_client_access_server:
    autodiscover_internal_uri: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml

- name: Set one server, with explicit connection options, from the controller
  ucops.skype_exchange.exchange_client_access_server:
    server: ex01.contoso.local
    username: CONTOSO\exadmin
    password: "{{ vault_exchange_password }}"
    identity: EX01
    autodiscover_internal_uri: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml
    autodiscover_site_scope:
      set: [Redmond]
  delegate_to: localhost

- name: Add a site to every server's scope, keeping the sites already there
  ucops.skype_exchange.exchange_client_access_server:
    autodiscover_site_scope:
      add: [Paris]
"""

RETURN = r"""
changes:
  description: The cmdlets sent (or that check mode would send), one line each; empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample: [Set-ClientAccessService -Identity EX01 (AutoDiscoverServiceInternalUri)]
cmdlet:
  description: The Set cmdlet used (or that would be used in check mode) for this Exchange version.
  returned: always
  type: str
  sample: Set-ClientAccessService
exchange_version:
  description: Product version of the Exchange server the module connected to (V(2013), V(2016), V(2019), or V(se) for Exchange Server Subscription Edition).
  returned: always
  type: str
  sample: '2019'
servers:
  description: The Client Access servers in scope, as they are after the task (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Server name.
      type: str
      sample: EX01
    autodiscover_internal_uri:
      description: C(AutoDiscoverServiceInternalUri) as Exchange stores it.
      type: str
      sample: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml
    autodiscover_site_scope:
      description: C(AutoDiscoverSiteScope).
      type: list
      elements: str
      sample: [Redmond]
changed_servers:
  description: Names of the servers that were (or would be) changed.
  returned: always
  type: list
  elements: str
  sample: [EX01]
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.argspec import list_action_spec
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.client_access import ClientAccessServers


def main():
    module = UcopsModule(
        product='exchange',
        argument_spec=dict(
            identity=dict(type='str'),
            autodiscover_internal_uri=dict(type='str'),
            autodiscover_site_scope=list_action_spec(),
        ),
        not_blank={'identity': 'omit identity to set every Client Access server of the organization'},
        supports_check_mode=True,
    )
    module.run(lambda: run(module, ClientAccessServers(module.params, module.host)))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_info
short_description: Read the Exchange organization's servers, versions and Autodiscover internal URIs
version_added: 1.0.0
description:
  - Reads C(Get-ExchangeServer) and C(Get-ClientAccessService) (C(Get-ClientAccessServer) on Exchange 2013)
    from the Exchange server it connects to. Sends only Get cmdlets.
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.exchange
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.info_module
  - ucops.skype_exchange.attributes.actiongroup_exchange
seealso:
  - module: ucops.skype_exchange.exchange_client_access_server
"""

EXAMPLES = r"""
- name: Read the Exchange version and servers of an inventory Exchange host
  ucops.skype_exchange.exchange_info:
  register: exchange
"""

RETURN = r"""
version:
  description:
    - Product version of the server connected to, from its C(AdminDisplayVersion) (V(2013), V(2016), V(2019), or V(se) for
      Exchange Server Subscription Edition, build 15.2.2562 and later; V(2010) for Exchange 2010).
    - Null when the version is not recognised (a warning then says what text was seen).
  returned: always
  type: str
  sample: se
product:
  description: Product name of the server connected to; null when the version is not recognised.
  returned: always
  type: str
  sample: Exchange Server Subscription Edition
support_status:
  description:
    - Microsoft support status of that product version on the day the module runs.
    - V(out_of_support) and V(unknown) also add a warning.
  returned: always
  type: str
  choices: [supported, out_of_support, unknown]
  sample: supported
end_of_support:
  description:
    - Last day of Microsoft support (ISO 8601 date) of that product version.
    - Null for the Subscription Edition (no end date published) and for an unknown version.
  returned: always
  type: str
  sample: '2025-10-14'
computer_name:
  description: Computer name of the server connected to.
  returned: always
  type: str
  sample: EX01
powershell_version:
  description: Windows PowerShell version on the server.
  returned: always
  type: str
  sample: 5.1.17763.1
servers:
  description: Every Exchange server of the organization.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Server name.
      type: str
      sample: EX01
    fqdn:
      description: Server FQDN.
      type: str
      sample: ex01.contoso.local
    admin_display_version:
      description: C(AdminDisplayVersion) as Exchange shows it.
      type: str
      sample: Version 15.2 (Build 1544.4)
    version:
      description: Product version derived from C(admin_display_version) (V(se) for Exchange Server Subscription Edition).
      type: str
      sample: '2019'
    server_role:
      description: C(ServerRole).
      type: str
      sample: Mailbox
client_access_servers:
  description: Client Access servers and their Autodiscover settings.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Server name.
      type: str
      sample: EX01
    autodiscover_internal_uri:
      description: C(AutoDiscoverServiceInternalUri), null when not set.
      type: str
      sample: https://autodiscover.contoso.com/autodiscover/autodiscover.xml
    autodiscover_site_scope:
      description: C(AutoDiscoverSiteScope).
      type: list
      elements: str
      sample: []
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import support_of, support_warning
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import client_access
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS, local_server, product_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation


def main():
    module = UcopsModule(product='exchange', argument_spec={}, supports_check_mode=True)

    def work():
        module.connection_options()
        response = module.runner.read(module.shell(), [
            SERVERS,
            Invocation('cas', 'Get-ClientAccessService', alternatives=['Get-ClientAccessServer'], properties=client_access.PROPERTIES),
        ])
        servers = [{'name': row.get('Name'), 'fqdn': row.get('Fqdn'), 'admin_display_version': row.get('AdminDisplayVersion'),
                    'version': product_of(row.get('AdminDisplayVersion')), 'server_role': row.get('ServerRole')}
                   for row in response.output('servers')]
        computer = response.host.get('computer_name') or ''
        local = local_server(response)
        product = product_of(local.get('AdminDisplayVersion')) if local else None
        support = support_of('exchange', product)
        seen = local.get('AdminDisplayVersion') if local else 'Get-ExchangeServer listed no server named %s' % computer
        result = {
            'changed': False,
            'version': product,
            'product': support['product'],
            'support_status': support['support_status'],
            'end_of_support': support['end_of_support'],
            'computer_name': computer,
            'powershell_version': response.host.get('ps_version'),
            'servers': servers,
            'client_access_servers': [client_access.report(row.get('Name'), client_access.state_of(row)) for row in response.output('cas')],
        }
        # module.warn (passing warnings to exit_json is deprecated since ansible-core 2.19); the texts hold no secret
        warning = support_warning('exchange', support, seen)
        if warning:
            module.warn(warning)
        return result

    module.run(work)


if __name__ == '__main__':
    main()

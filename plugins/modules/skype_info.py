#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_info
short_description: Read the Skype for Business Server (or Lync Server 2013) version, pools and OAuth configuration
version_added: 1.0.0
description:
  - Reads C(Get-CsServerVersion), C(Get-CsPool) and C(Get-CsOAuthConfiguration) on the server it connects to.
    Sends only Get cmdlets.
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.skype
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.info_module
  - ucops.skype_exchange.attributes.actiongroup_skype
seealso:
  - module: ucops.skype_exchange.skype_oauth_configuration
"""

EXAMPLES = r"""
- name: Read the Skype for Business version and pools of an inventory Front End host
  ucops.skype_exchange.skype_info:
  register: skype
"""

RETURN = r"""
version:
  description:
    - Product version (V(2013) is Lync Server 2013, V(2015) and V(2019) Skype for Business Server, V(se) Skype for
      Business Server Subscription Edition).
    - SE is recognised only by the product name in the C(Get-CsServerVersion) text (assumed to contain
      C(Skype for Business Server Subscription Edition); what a real SE server prints is unverified). SE keeps the
      7.0.2046 version numbers of 2019, so a text without a recognised name but with a 7.x version is reported as
      V(2019), with a warning.
    - Null when the version is not recognised (a warning then says what text was seen).
  returned: always
  type: str
  sample: '2015'
product:
  description: Product name; null when the version is not recognised.
  returned: always
  type: str
  sample: Skype for Business Server 2015
support_status:
  description:
    - Microsoft support status of that product version on the day the module runs.
    - V(out_of_support) and V(unknown) also add a warning.
  returned: always
  type: str
  choices: [supported, out_of_support, unknown]
  sample: out_of_support
end_of_support:
  description:
    - Last day of Microsoft support (ISO 8601 date) of that product version.
    - Null for the Subscription Edition (no end date published) and for an unknown version.
  returned: always
  type: str
  sample: '2025-10-14'
server_version:
  description: The text C(Get-CsServerVersion) returned.
  returned: always
  type: str
  sample: 'Skype for Business Server 2015 (6.0.9319.0): Volume license key installed.'
module:
  description:
    - The product's PowerShell module the cmdlets come from (C(SkypeForBusiness), or C(Lync) on Lync Server 2013).
    - With O(skype_shell=remote) the module is loaded on the server's side of the OcsPowershell session.
  returned: always
  type: str
  sample: SkypeForBusiness
shell:
  description: How the cmdlets were loaded (V(skype_remote) for O(skype_shell=remote), V(skype) for O(skype_shell=module)).
  returned: always
  type: str
  sample: skype_remote
computer_name:
  description: Computer name of the server connected to.
  returned: always
  type: str
  sample: FE01
pools:
  description: The pools of the topology.
  returned: always
  type: list
  elements: dict
  contains:
    identity:
      description: Pool FQDN.
      type: str
      sample: pool01.contoso.local
    site:
      description: Site of the pool.
      type: str
      sample: 'Site:Redmond'
    services:
      description: Services of the pool.
      type: list
      elements: str
      sample: ['Registrar:pool01.contoso.local']
    computers:
      description: Computers in the pool.
      type: list
      elements: str
      sample: [fe01.contoso.local]
oauth_configuration:
  description: The global OAuth configuration (C(Get-CsOAuthConfiguration)), with the keys of M(ucops.skype_exchange.skype_oauth_configuration)'s return.
  returned: always
  type: dict
  sample: {exchange_autodiscover_url: null, realm: contoso.com}
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import support_of, support_warning
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import oauth
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version


def main():
    module = UcopsModule(product='skype', argument_spec={}, supports_check_mode=True)

    def work():
        module.connection_options()
        response = module.runner.read(module.shell(), [
            Invocation('version', 'Get-CsServerVersion'),
            Invocation('pools', 'Get-CsPool', properties=['Identity', 'Site', 'Services', 'Computers']),
            Invocation('oauth', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=oauth.PROPERTIES),
        ])
        text = (response.output('version') or [''])[0]
        version = parse_server_version(text)
        support = support_of('skype', version['product'])
        result = {
            'changed': False,
            'version': version['product'],
            'product': support['product'],
            'support_status': support['support_status'],
            'end_of_support': support['end_of_support'],
            'server_version': text,
            'module': response.shell.get('module') or ('Lync' if version['product'] == '2013' else 'SkypeForBusiness'),
            'shell': response.shell.get('type'),
            'computer_name': response.host.get('computer_name'),
            'pools': [{'identity': row.get('Identity'), 'site': row.get('Site'), 'services': list(row.get('Services') or []),
                       'computers': list(row.get('Computers') or [])} for row in response.output('pools')],
            'oauth_configuration': oauth.report((response.output('oauth') or [{}])[0]),
        }
        # module.warn (passing warnings to exit_json is deprecated since ansible-core 2.19); the texts hold no secret
        if version['note']:
            module.warn(version['note'] + '.')
        warning = support_warning('skype', support, text)
        if warning:
            module.warn(warning)
        return result

    module.run(work)


if __name__ == '__main__':
    main()

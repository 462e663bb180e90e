#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_oauth_configuration
short_description: Manage the global OAuth configuration of Skype for Business Server or Lync Server 2013
version_added: 1.0.0
description:
  - Sets the on-premises settings of the single, global OAuth configuration with
    C(Set-CsOAuthConfiguration), above all C(ExchangeAutodiscoverUrl), which tells Skype for Business
    Server where Exchange Autodiscover is.
  - Only the options given are compared, and only the settings that differ are sent.
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change.
  diff_mode:
    support: full
options:
  exchange_autodiscover_url:
    description:
      - C(ExchangeAutodiscoverUrl), the URL of the Autodiscover B(service) of Exchange, for example
        C(https://autodiscover.contoso.com/autodiscover/autodiscover.svc).
      - Microsoft's procedure requires C(autodiscover.svc), not C(autodiscover.xml) (the XML file the
        service uses); an C(autodiscover.xml) URL is refused with the corrected URL.
      - Compared as a URL (scheme and host case, default port, empty path), as the server would resolve it.
      - An empty string clears it.
    type: str
  exchange_autodiscover_allowed_domains:
    description:
      - C(ExchangeAutodiscoverAllowedDomains), the domains that Autodiscover requests may be redirected to,
        for example V(*.contoso.com). Sent as one C(;)-separated string; compared case-insensitively, in any order.
      - An empty list clears it; an empty item is refused.
    type: list
    elements: str
  realm:
    description:
      - C(Realm), the server-to-server security container. By default Skype for Business Server uses the
        default SIP domain; set it only when the documented procedure for your topology requires it.
    type: str
  service_name:
    description:
      - C(ServiceName), the GUID of the OAuth service, for example V(00000004-0000-0ff1-ce00-000000000000) in the
        on-premises partner application procedure.
    type: str
  client_authorization_oauth_server_identity:
    description:
      - C(ClientAuthorizationOAuthServerIdentity), the OAuth server used for client (modern) authentication.
      - Skype for Business Server 2015 and 2019 only; refused on Lync Server 2013 before anything is changed.
    type: str
seealso:
  - module: ucops.skype_exchange.exchange_client_access_server
  - module: ucops.skype_exchange.skype_info
  - name: Set-CsOAuthConfiguration
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/set-csoauthconfiguration
"""

EXAMPLES = r"""
- name: Point Skype for Business at Exchange Autodiscover (targets an inventory Front End host)
  ucops.skype_exchange.skype_oauth_configuration:
    exchange_autodiscover_url: https://autodiscover.contoso.com/autodiscover/autodiscover.svc

- name: Same, from the controller with explicit connection options
  ucops.skype_exchange.skype_oauth_configuration:
    server: fe01.contoso.local
    username: CONTOSO\sfbadmin
    password: "{{ vault_sfb_password }}"
    exchange_autodiscover_url: https://autodiscover.contoso.com/autodiscover/autodiscover.svc
    exchange_autodiscover_allowed_domains: ['*.contoso.com']
  delegate_to: localhost
"""

RETURN = r"""
changes:
  description: The cmdlets sent (or that check mode would send), one line each; empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample: [Set-CsOAuthConfiguration -Identity Global (ExchangeAutodiscoverUrl)]
oauth_configuration:
  description: The global OAuth configuration after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    identity:
      description: Always C(Global).
      type: str
      sample: Global
    exchange_autodiscover_url:
      description: C(ExchangeAutodiscoverUrl) as stored.
      type: str
      sample: https://autodiscover.contoso.com/autodiscover/autodiscover.svc
    exchange_autodiscover_allowed_domains:
      description: C(ExchangeAutodiscoverAllowedDomains) as stored.
      type: str
      sample: '*.contoso.com'
    realm:
      description: C(Realm).
      type: str
      sample: contoso.com
    service_name:
      description: C(ServiceName).
      type: str
      sample: 00000004-0000-0ff1-ce00-000000000000
    client_authorization_oauth_server_identity:
      description: C(ClientAuthorizationOAuthServerIdentity); null on Lync Server 2013, which does not have it.
      type: str
      sample: null
skype_version:
  description: Product version of the server the module connected to (V(2013) is Lync Server 2013, V(se) Skype for Business Server Subscription Edition).
  returned: always
  type: str
  sample: '2015'
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth import OAuthConfiguration


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            exchange_autodiscover_url=dict(type='str'),
            exchange_autodiscover_allowed_domains=dict(type='list', elements='str'),
            realm=dict(type='str'),
            service_name=dict(type='str'),
            client_authorization_oauth_server_identity=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    module.run(lambda: run(module, OAuthConfiguration(module.params)))


if __name__ == '__main__':
    main()

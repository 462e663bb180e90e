#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_partner_application
short_description: Make Exchange a partner application of Skype for Business Server or Lync Server 2013
version_added: 1.0.0
description:
  - Creates, corrects or removes the partner application for Exchange in Skype for Business Server
    (server-to-server OAuth, Skype for Business side), as Microsoft documents it with
    C(New-CsPartnerApplication -Identity <name> -ApplicationTrustLevel Full -MetadataUrl https://<autodiscover FQDN>/autodiscover/metadata/json/1).
    Skype for Business downloads the Exchange metadata document and takes the application identifier
    (C(00000002-0000-0ff1-ce00-000000000000) for Exchange) and the realm from it.
  - "B(Found by identifier and URL, not only by name.) Microsoft's pages name the application C(Exchange),
    C(microsoft.exchange) or C(MicrosoftExchange). An existing application configured from a metadata document is adopted,
    whatever its name, when it has the Exchange identifier or the O(metadata_url); it keeps its name (a partner application
    cannot be renamed) and a warning says so. Two such applications that O(name) or O(metadata_url) cannot tell apart fail
    the task before any change."
  - An application with the Exchange identifier that trusts the OAuth server (C(-UseOAuthServer), the Exchange Online
    hybrid form) or holds a certificate is never adopted, changed or removed, and the module refuses to create a second
    application with the same identifier beside it. An application of another kind that holds O(name) fails the task too.
  - The metadata URL, the trust level, O(enabled) and O(accept_security_identifier_information) are changed in place
    with C(Set-CsPartnerApplication -Identity <name> -MetadataUrl <url>); the module always sends the URL, which makes
    Skype for Business download the metadata again.
  - "B(When the metadata cannot be downloaded) the cmdlet fails while binding C(-MetadataUrl) (I(The metadata document
    could not be downloaded from the URL in the MetadataUrl parameter or downloaded data is not a valid metadata
    document.)); the module's error says so and lists the checks to make on the Front End: the name resolves in DNS,
    the Front End trusts the certificate Exchange presents for it, and Exchange answers over https from the Front End."
  - "Microsoft's script for this step (I(Configure an on-premises partner application)) ends with
    C(Set-CsOAuthConfiguration -ServiceName 00000004-0000-0ff1-ce00-000000000000): use
    M(ucops.skype_exchange.skype_oauth_configuration) with O(ucops.skype_exchange.skype_oauth_configuration#module:service_name)
    for it; this module does not set it."
  - Exchange's side of the partnership (Skype for Business as a partner application of Exchange) is
    M(ucops.skype_exchange.exchange_partner_application).
  - "B(A global setting.) Partner applications are stored in the Central Management store and shared by every Front
    End of the deployment: run the task on one Front End per deployment (C(run_once: true), or one host per deployment
    in the inventory)."
  - One read request, then at most one write request that ends with the read whose result is returned.
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports what would change.
  diff_mode:
    support: full
options:
  state:
    description:
      - V(present) creates the application when no Exchange application exists, and corrects what differs.
      - V(absent) removes the Exchange application configured from metadata (found as with V(present)); nothing else.
    type: str
    choices: [present, absent]
    default: present
  metadata_url:
    description:
      - The Exchange authentication metadata document, C(https://<FQDN>/autodiscover/metadata/json/1), where the FQDN is
        the Exchange Autodiscover name (C(autodiscover.contoso.com), as in Microsoft's example) or an Exchange server.
      - Required with O(state=present). Must be C(https://) and end with C(/autodiscover/metadata/json/1) (case does not
        count); anything else is refused before anything is sent.
      - Compared as a URL (scheme and host case and the default port do not count); a different URL is set in place.
    type: str
  name:
    description:
      - Identity of the application when the module creates it. Microsoft's pages use C(microsoft.exchange),
        C(Exchange) and C(MicrosoftExchange).
      - An existing Exchange application of another name is adopted under its own name. With several, O(name) says which.
      - Letters, digits, dots, underscores and hyphens, at most 64.
    type: str
    default: microsoft.exchange
  application_trust_level:
    description:
      - C(ApplicationTrustLevel). Microsoft sets V(Full), so that Exchange can represent itself and any user of the realm.
    type: str
    choices: [Full, Application, User]
    default: Full
  enabled:
    description:
      - C(Enabled).
    type: bool
    default: true
  accept_security_identifier_information:
    description:
      - C(AcceptSecurityIdentifierInformation) (security identifiers accepted for authentication; the product default is
        false). Not compared when omitted.
    type: bool
notes:
  - Lync Server 2013, Skype for Business Server 2015, 2019 and Subscription Edition have the same partner application cmdlets.
seealso:
  - module: ucops.skype_exchange.exchange_partner_application
  - module: ucops.skype_exchange.skype_oauth_configuration
  - module: ucops.skype_exchange.skype_info
  - name: New-CsPartnerApplication
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/new-cspartnerapplication
  - name: Configure partner applications in Skype for Business Server and Exchange Server
    description: Microsoft's procedure.
    link: https://learn.microsoft.com/skypeforbusiness/deploy/integrate-with-exchange-server/configure-partner-applications
"""

EXAMPLES = r"""
- name: Trust Exchange from Skype for Business (once per deployment)
  ucops.skype_exchange.skype_partner_application:
    metadata_url: https://autodiscover.contoso.com/autodiscover/metadata/json/1
  run_once: true

- name: The rest of Microsoft's script (Set-CsOAuthConfiguration -ServiceName)
  ucops.skype_exchange.skype_oauth_configuration:
    service_name: 00000004-0000-0ff1-ce00-000000000000
  run_once: true

- name: Name the application as SFB-PARTNER does, from the controller
  ucops.skype_exchange.skype_partner_application:
    server: fe01.contoso.local
    username: CONTOSO\sfbadmin
    password: "{{ vault_sfb_password }}"
    name: Exchange
    metadata_url: https://ex01.contoso.local/autodiscover/metadata/json/1
  delegate_to: localhost
  run_once: true

- name: Remove the Exchange partner application
  ucops.skype_exchange.skype_partner_application:
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
    - New-CsPartnerApplication -Identity microsoft.exchange -ApplicationTrustLevel Full -MetadataUrl
      https://autodiscover.contoso.com/autodiscover/metadata/json/1
partner_application:
  description:
    - The Exchange partner application after the task (in check mode, as it would be; values Skype for Business takes
      from the metadata are null then). Null when there is none.
  returned: always
  type: dict
  contains:
    identity:
      description: C(Identity) (an adopted application keeps its own).
      type: str
      sample: microsoft.exchange
    exists:
      description: Always true (the key is null when there is no application).
      type: bool
      sample: true
    application_identifier:
      description: C(ApplicationIdentifier), from the metadata.
      type: str
      sample: 00000002-0000-0ff1-ce00-000000000000
    realm:
      description: C(Realm), from the metadata.
      type: str
      sample: null
    metadata_url:
      description: C(MetadataUrl) as stored.
      type: str
      sample: https://autodiscover.contoso.com/autodiscover/metadata/json/1
    application_trust_level:
      description: C(ApplicationTrustLevel).
      type: str
      sample: Full
    enabled:
      description: C(Enabled).
      type: bool
      sample: true
    accept_security_identifier_information:
      description: C(AcceptSecurityIdentifierInformation).
      type: bool
      sample: false
    use_oauth_server:
      description: C(UseOAuthServer) (false for an application configured from metadata).
      type: bool
      sample: false
skype_version:
  description: Product version of the server the module connected to (V(2013) is Lync Server 2013, V(se) Skype for Business Server Subscription Edition).
  returned: always
  type: str
  sample: '2019'
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.partner_application import DEFAULT_NAME, TRUST_LEVELS, run_module


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            metadata_url=dict(type='str'),
            name=dict(type='str', default=DEFAULT_NAME),
            application_trust_level=dict(type='str', choices=list(TRUST_LEVELS), default='Full'),
            enabled=dict(type='bool', default=True),
            accept_security_identifier_information=dict(type='bool'),
        ),
        supports_check_mode=True,
    )
    module.run(lambda: run_module(module))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_partner_application
short_description: Make Skype for Business Server a partner application of Exchange (what Configure-EnterprisePartnerApplication.ps1 sets up)
version_added: 1.0.0
description:
  - Sets up, in Exchange, what C(Configure-EnterprisePartnerApplication.ps1 -ApplicationType Lync -AuthMetadataUrl
    https://<pool>/metadata/json/1) sets up, idempotently, with Exchange cmdlets instead of the script
    (Skype for Business / Lync Server as a partner application of Exchange, server-to-server OAuth).
  - "B(What the module creates and how it maps to the script.) Microsoft documents only that the script
    configures an enterprise partner application from the metadata URL and assigns RBAC roles to it
    (Exchange page I(Configure OAuth authentication between Exchange and SharePoint / Skype for Business));
    no public copy of the script was found, so its object names and its behaviour on a second run are not
    documented. The module creates:"
  - "1. The linked account C(LyncEnterprise-ApplicationAccount) (option O(linked_account)), the name the script gives
    it according to administrators' notes (C(Get-ManagementRoleAssignment -RoleAssignee LyncEnterprise-ApplicationAccount));
    no Microsoft source. It is created as Microsoft documents an application account for the Skype Online partner
    application: C(New-MailUser -Name <account> -ExternalEmailAddress <address>) (no password, so a disabled account),
    then C(Set-MailUser -HiddenFromAddressListsEnabled $true)."
  - "2. The role assignments C(UserApplication) and C(ArchiveApplication) (option O(roles)) with
    C(New-ManagementRoleAssignment -Role <role> -User <account>): the roles Microsoft documents for the Skype Online
    application account and the ones CSS-Exchange FreeBusyChecker checks on an application account. Which roles the
    script assigns is not published."
  - "3. The partner application with C(New-PartnerApplication -Name <name> -AuthMetadataUrl <url> -LinkedAccount <account>
    -Enabled $true). Exchange downloads the metadata document and takes the application identifier
    (C(00000004-0000-0ff1-ce00-000000000000) for Skype for Business), the realm and the signing certificate from it.
    The script's name for the application is not published (administrators check it with C(Get-PartnerApplication Lync*));
    the module uses C(LyncEnterprise) (option O(name))."
  - Each part is created only when it is missing and corrected when it differs (metadata URL, enabled, linked account,
    hidden from address lists, roles). Role assignments of the account other than O(roles) are removed.
  - An existing partner application is adopted instead of creating a duplicate, whatever its name, when it has the
    O(auth_metadata_url) or the Skype for Business identifier and was configured from metadata. An application of that
    identifier that trusts an auth server (for example C(SfBLegacy) of Skype for Business Online) is never adopted, changed or
    removed; Microsoft says not to delete it yet. Two candidate applications fail the task (give O(name)).
  - The metadata is read again (C(Set-PartnerApplication -RefreshAuthMetadata)) when O(refresh_metadata=true), or when
    O(skype_certificate_thumbprint) is given and none of the certificates the partner application holds
    (its C(CertificateStrings)) has that thumbprint, that is after a Skype for Business OAuthTokenIssuer certificate
    rotation. C(Get-PartnerApplication) has no thumbprint property; the module computes the SHA-1 thumbprint of each
    C(CertificateStrings) value (base64 certificates; Microsoft does not document the form, and a value that is not one fails
    the comparison with a message that says to use O(refresh_metadata) instead).
  - Microsoft recommends restarting IIS on the Exchange servers after configuring the partner application
    (C(iisreset)); the module does not do it.
  - One read request reads every part; one write request makes every change and ends with the same reads, whose result is
    returned.
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports what would change.
  diff_mode:
    support: full
options:
  state:
    description:
      - V(present) creates what is missing and corrects what differs.
      - V(absent) removes the partner application, the role assignments of the linked account and the account itself when
        it is a mail user (another kind of account is left in place, with a warning).
    type: str
    choices: [present, absent]
    default: present
  auth_metadata_url:
    description:
      - The Skype for Business Server (Lync Server 2013) authentication metadata document,
        C(https://<pool FQDN>/metadata/json/1), the script's C(-AuthMetadataUrl).
      - Required with O(state=present). Compared as a URL (scheme and host case and the default port do not count).
      - Must be C(https://) and end with C(/metadata/json/1); anything else is refused before anything is sent.
    type: str
  name:
    description:
      - Name of the partner application when the module creates it. An adopted application keeps its name.
      - An existing application of this name is always the one managed; it must be configured from metadata.
    type: str
    default: LyncEnterprise
  enabled:
    description: Whether the partner application is enabled.
    type: bool
    default: true
  linked_account:
    description:
      - Name of the linked account (the RBAC roles apply to it). Letters, digits, spaces, dots, underscores and hyphens.
    type: str
    default: LyncEnterprise-ApplicationAccount
  linked_account_address:
    description:
      - External e-mail address of the linked account when the module creates it (C(New-MailUser -ExternalEmailAddress)).
        No mail is sent to it.
      - Default C(<linked_account>@<domain of the pool FQDN>).
    type: str
  roles:
    description:
      - Management roles assigned to the linked account. Compared as a set; other assignments of the account are removed.
    type: list
    elements: str
    default: [UserApplication, ArchiveApplication]
  refresh_metadata:
    description:
      - Read the metadata document again (C(Set-PartnerApplication -RefreshAuthMetadata)) on every run. The task then always
        reports a change.
    type: bool
    default: false
  skype_certificate_thumbprint:
    description:
      - Thumbprint of the Skype for Business OAuthTokenIssuer certificate in use (C(Get-CsCertificate -Type OAuthTokenIssuer),
        as P(ucops.skype_exchange.skype_info#module) reports it). When the partner application holds no certificate with this
        thumbprint, the metadata is read again. If it still does not hold it afterwards, a warning says so.
    type: str
  trust_any_ssl_certificate:
    description:
      - Pass C(-TrustAnySSLCertificate) when creating the application or changing its URL. Microsoft does not recommend it in
        production; a warning repeats that.
    type: bool
    default: false
notes:
  - Sources (also in C(plugins/module_utils/exchange/partner_application.py)) are Microsoft's pages I(Configure OAuth authentication
    between Exchange and SharePoint / Skype for Business) and I(Configure partner applications in Skype for Business Server and
    Exchange Server), the Skype Online procedure I(Configure OAuth between Skype for Business Online and Exchange on premises),
    CSS-Exchange FreeBusyChecker and HealthChecker (property names of C(Get-PartnerApplication)), and, not from Microsoft,
    an administrators' wiki for the account name.
seealso:
  - module: ucops.skype_exchange.exchange_info
  - module: ucops.skype_exchange.skype_info
  - name: Configure OAuth authentication between Exchange and Skype for Business
    description: Microsoft's page on the Configure-EnterprisePartnerApplication.ps1 script.
    link: https://learn.microsoft.com/exchange/plan-and-deploy/integration-with-sharepoint-and-skype/configure-oauth
  - name: New-PartnerApplication
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/new-partnerapplication
"""

EXAMPLES = r"""
- name: Make the Skype for Business pool a partner application of Exchange (what the script does, idempotently)
  ucops.skype_exchange.exchange_partner_application:
    auth_metadata_url: https://atl-cs-001.litwareinc.com/metadata/json/1

- name: After a Skype for Business OAuth certificate rotation, refresh the metadata when Exchange holds the old one
  block:
    - name: Read the Skype deployment
      ucops.skype_exchange.skype_info:
      delegate_to: "{{ groups['skype'][0] }}"
      register: skype
    - name: Compare and refresh
      ucops.skype_exchange.exchange_partner_application:
        auth_metadata_url: https://atl-cs-001.litwareinc.com/metadata/json/1
        skype_certificate_thumbprint: "{{ skype_oauth_thumbprint }}"

- name: Refresh the metadata now (always reports a change)
  ucops.skype_exchange.exchange_partner_application:
    auth_metadata_url: https://atl-cs-001.litwareinc.com/metadata/json/1
    refresh_metadata: true

- name: Remove the partner application, its role assignments and its account
  ucops.skype_exchange.exchange_partner_application:
    state: absent
"""

RETURN = r"""
exchange_version:
  description: Product version of the Exchange server the module connected to (V(2013), V(2016), V(2019), V(se)); null when unknown.
  returned: always
  type: str
  sample: '2019'
partner_application:
  description: The partner application and its account after the task (in check mode, as they would be); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the partner application.
      type: str
      sample: LyncEnterprise
    exists:
      description: Whether the partner application exists.
      type: bool
    auth_metadata_url:
      description: C(AuthMetadataUrl).
      type: str
      sample: https://atl-cs-001.litwareinc.com/metadata/json/1
    enabled:
      description: C(Enabled).
      type: bool
    application_identifier:
      description: C(ApplicationIdentifier) read from the metadata (null in check mode for a new application).
      type: str
      sample: 00000004-0000-0ff1-ce00-000000000000
    realm:
      description: C(Realm) read from the metadata.
      type: str
      sample: litwareinc.com
    linked_account:
      description: C(LinkedAccount) as Exchange shows it.
      type: str
      sample: litwareinc.com/Users/LyncEnterprise-ApplicationAccount
    certificate_thumbprints:
      description: SHA-1 thumbprints of the certificates the application holds (C(CertificateStrings)).
      type: list
      elements: str
    account:
      description: The linked account, C(name), C(exists), C(hidden_from_address_lists) and its C(roles).
      type: dict
changes:
  description: The cmdlets sent (or that check mode would send), one line each.
  returned: always
  type: list
  elements: str
  sample:
    - New-MailUser -Name LyncEnterprise-ApplicationAccount
    - New-PartnerApplication -Name LyncEnterprise -AuthMetadataUrl https://atl-cs-001.litwareinc.com/metadata/json/1
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.partner_application import (
    DEFAULT_ACCOUNT,
    DEFAULT_NAME,
    DEFAULT_ROLES,
    SkypePartnerApplication,
)


def main():
    module = UcopsModule(
        product='exchange',
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            auth_metadata_url=dict(type='str'),
            name=dict(type='str', default=DEFAULT_NAME),
            enabled=dict(type='bool', default=True),
            linked_account=dict(type='str', default=DEFAULT_ACCOUNT),
            linked_account_address=dict(type='str'),
            roles=dict(type='list', elements='str', default=list(DEFAULT_ROLES)),
            refresh_metadata=dict(type='bool', default=False),
            skype_certificate_thumbprint=dict(type='str'),
            trust_any_ssl_certificate=dict(type='bool', default=False),
        ),
        not_blank={'name': 'omit it for the default LyncEnterprise',
                   'linked_account': 'omit it for the default %s' % DEFAULT_ACCOUNT},
        supports_check_mode=True,
    )
    module.run(lambda: run(module, SkypePartnerApplication(module.params, module.host)))


if __name__ == '__main__':
    main()

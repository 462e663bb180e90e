#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_info
short_description: Read what the Exchange side of the Skype for Business integration needs, in one request
version_added: 1.0.0
description:
  - Reads, in one PowerShell run on the Exchange server it connects to and with Get cmdlets only, everything the
    integration and its audit need, and returns it structured so that an audit can be computed from it without another
    request.
  - Product, version, build and Microsoft support status of the connected server; every server with its roles
    (C(Get-ExchangeServer)).
  - The Autodiscover service connection point of each Client Access server (C(Get-ClientAccessService), or
    C(Get-ClientAccessServer) on Exchange 2013).
  - The Autodiscover and EWS virtual directories of each server (C(Get-AutodiscoverVirtualDirectory -Server) and
    C(Get-WebServicesVirtualDirectory -Server), as Microsoft's FreeBusyChecker reads them), with their authentication
    settings; a server whose directories cannot be read is reported in RV(virtual_directories.errors) and as a
    finding, the other servers are still read.
  - Whether the dedicated Exchange hybrid application is configured, decided as Microsoft's HealthChecker does
    (C(Get-AuthServer), C(Get-SettingOverride), C(Get-PartnerApplication)).
  - RV(findings) lists what is wrong for the integration. It warns when the version is out of support or unknown,
    when a server's directories cannot be read, and when an Autodiscover SCP points to C(autodiscover.svc) (the URL
    that Skype for Business takes, not the SCP's C(Autodiscover.xml)).
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
  - name: HealthChecker (Exchange hybrid application check)
    description: Microsoft's check that this module's RV(hybrid_application) follows.
    link: https://aka.ms/HC-ExchangeHybridApplication
"""

EXAMPLES = r"""
- name: Read the Exchange organization for the integration audit
  ucops.skype_exchange.exchange_info:
  register: exchange

- name: Fail on any finding of severity error
  ansible.builtin.assert:
    that: exchange.findings | selectattr('severity', 'equalto', 'error') | list | length == 0
    fail_msg: "{{ exchange.findings | selectattr('severity', 'equalto', 'error') | map(attribute='message') | list }}"

- name: Servers whose EWS virtual directory has OAuth off
  ansible.builtin.debug:
    msg: "{{ exchange.virtual_directories.web_services | rejectattr('oauth_authentication') | map(attribute='server') | list }}"
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
exchange_version:
  description: The same as RV(version), under the name the other Exchange modules use.
  returned: always
  type: str
  sample: se
product:
  description: Product name of the server connected to; null when the version is not recognised.
  returned: always
  type: str
  sample: Exchange Server Subscription Edition
build:
  description: Build of the server connected to (major.minor.build.revision); null when its version is not known.
  returned: always
  type: str
  sample: 15.2.2562.17
admin_display_version:
  description: C(AdminDisplayVersion) of the server connected to, as Exchange shows it; null when Get-ExchangeServer does not list it.
  returned: always
  type: str
  sample: Version 15.2 (Build 2562.17)
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
    build:
      description: Build derived from C(admin_display_version); null when it holds no version.
      type: str
      sample: 15.2.1544.4
    server_role:
      description: C(ServerRole).
      type: str
      sample: Mailbox
    roles:
      description: The roles of C(server_role), one per item.
      type: list
      elements: str
      sample: [Mailbox, ClientAccess]
    edition:
      description: C(Edition).
      type: str
      sample: Enterprise
    site:
      description: C(Site), the Active Directory site.
      type: str
      sample: contoso.local/Configuration/Sites/Default-First-Site-Name
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
    fqdn:
      description: Server FQDN.
      type: str
      sample: ex01.contoso.local
    autodiscover_internal_uri:
      description: C(AutoDiscoverServiceInternalUri), null when not set.
      type: str
      sample: https://autodiscover.contoso.com/autodiscover/autodiscover.xml
    autodiscover_site_scope:
      description: C(AutoDiscoverSiteScope).
      type: list
      elements: str
      sample: []
virtual_directories:
  description: The Autodiscover and EWS virtual directories of every server, sorted by server.
  returned: always
  type: dict
  contains:
    autodiscover:
      description: C(Get-AutodiscoverVirtualDirectory -Server) of each server.
      type: list
      elements: dict
      contains: &vdir
        server:
          description: Server of the directory.
          type: str
          sample: EX01
        name:
          description: C(Name).
          type: str
          sample: Autodiscover (Default Web Site)
        identity:
          description: C(Identity).
          type: str
          sample: EX01\Autodiscover (Default Web Site)
        internal_url:
          description: C(InternalUrl); null when not set.
          type: str
          sample: https://ex01.contoso.local/EWS/Exchange.asmx
        external_url:
          description: C(ExternalUrl); null when not set.
          type: str
          sample: https://mail.contoso.com/EWS/Exchange.asmx
        internal_authentication_methods:
          description: C(InternalAuthenticationMethods).
          type: list
          elements: str
          sample: [Ntlm, WindowsIntegrated, WSSecurity, OAuth]
        external_authentication_methods:
          description: C(ExternalAuthenticationMethods).
          type: list
          elements: str
          sample: [Ntlm, WindowsIntegrated, WSSecurity, OAuth]
        basic_authentication:
          description: C(BasicAuthentication).
          type: bool
          sample: false
        digest_authentication:
          description: C(DigestAuthentication).
          type: bool
          sample: false
        windows_authentication:
          description: C(WindowsAuthentication).
          type: bool
          sample: true
        oauth_authentication:
          description: C(OAuthAuthentication); null where the server has no such property (Exchange 2010).
          type: bool
          sample: true
        ws_security_authentication:
          description: C(WSSecurityAuthentication).
          type: bool
          sample: true
    web_services:
      description: C(Get-WebServicesVirtualDirectory -Server) of each server.
      type: list
      elements: dict
      contains: *vdir
    errors:
      description: The servers whose directories could not be read, with the error.
      type: list
      elements: dict
      contains:
        kind:
          description: V(autodiscover) or V(web_services).
          type: str
          sample: web_services
        cmdlet:
          description: The cmdlet that failed.
          type: str
          sample: Get-WebServicesVirtualDirectory
        server:
          description: The server it was run for.
          type: str
          sample: EX02
        message:
          description: The error message.
          type: str
          sample: An error occurred while trying to access IIS (Internet Information Services) metabase on the remote computer.
        fully_qualified_error_id:
          description: The error's FullyQualifiedErrorId.
          type: str
          sample: 8D2F6A4A,Microsoft.Exchange.Management.SystemConfigurationTasks.GetWebServicesVirtualDirectory
hybrid_application:
  description:
    - The dedicated Exchange hybrid application, decided as HealthChecker does.
  returned: always
  type: dict
  contains:
    configured:
      description:
        - True when exactly one C(Global)/C(ExchangeOnpremAsThirdPartyAppId) setting override exists and an enabled
          C(AzureAD) auth server has a GUID as C(ApplicationIdentifier); null when more than one such override exists
          (the status cannot be determined).
      type: bool
      sample: false
    status:
      description: Why.
      type: str
      choices: [configured, not_configured, multiple_setting_overrides, no_valid_auth_server]
      sample: not_configured
    hybrid_detected:
      description:
        - Whether the organization is hybrid, as HealthChecker decides it (RV(hybrid_application.hybrid_configuration) or
          RV(hybrid_application.oauth_with_exchange_online)). Findings about the hybrid application are only raised then.
      type: bool
      sample: false
    hybrid_configuration:
      description: Whether C(Get-HybridConfiguration) returns an object.
      type: bool
      sample: false
    oauth_with_exchange_online:
      description:
        - Whether OAuth with Exchange Online is configured (an enabled C(AzureAD) or C(MicrosoftACS) auth server and the
          enabled partner application C(00000002-0000-0ff1-ce00-000000000000)).
      type: bool
      sample: false
    setting_overrides:
      description: The C(Global)/C(ExchangeOnpremAsThirdPartyAppId) setting overrides.
      type: list
      elements: dict
      contains:
        name:
          description: C(Name).
          type: str
          sample: EnableExchangeHybridApp
        component:
          description: C(ComponentName).
          type: str
          sample: Global
        section:
          description: C(SectionName).
          type: str
          sample: ExchangeOnpremAsThirdPartyAppId
        parameters:
          description: C(Parameters).
          type: list
          elements: str
          sample: [Enabled=true]
        reason:
          description: C(Reason).
          type: str
          sample: Created by ConfigureExchangeHybridApplication.ps1
        server:
          description: C(Server) (empty for the whole organization).
          type: list
          elements: str
          sample: []
    auth_servers:
      description: The enabled C(AzureAD) auth servers whose C(ApplicationIdentifier) is a GUID.
      type: list
      elements: dict
      contains:
        name:
          description: C(Name).
          type: str
          sample: EvoSts - 2a1b...
        application_identifier:
          description: C(ApplicationIdentifier).
          type: str
          sample: 6a7c32b5-1f7d-4c4a-9d5e-0f3c2b1a0e9d
        realm:
          description: C(Realm), the tenant ID.
          type: str
          sample: 0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b
        domain_name:
          description: C(DomainName).
          type: list
          elements: str
          sample: [contoso.com]
auth_servers:
  description: Every auth server (C(Get-AuthServer)).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(Name).
      type: str
      sample: EvoSts - 0e1f2a3b
    type:
      description: C(Type) (V(AzureAD), V(MicrosoftACS), V(ADFS)...).
      type: str
      sample: AzureAD
    enabled:
      description: C(Enabled).
      type: bool
      sample: true
    application_identifier:
      description: C(ApplicationIdentifier).
      type: str
      sample: 6a7c32b5-1f7d-4c4a-9d5e-0f3c2b1a0e9d
    realm:
      description: C(Realm).
      type: str
      sample: 0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b
    domain_name:
      description: C(DomainName).
      type: list
      elements: str
      sample: [contoso.com]
    auth_metadata_url:
      description: C(AuthMetadataUrl).
      type: str
      sample: https://login.windows.net/contoso.com/federationmetadata/2007-06/federationmetadata.xml
auth_certificate:
  description:
    - The Auth certificate (C(Get-AuthConfig) and the certificates it names on every server, with their public data), the
      transport certificates and the hybrid signals, as the Auth certificate feature computes them
      (C(current), C(next), C(previous), C(service_name), C(servers), C(unreachable_servers), C(transport), C(hybrid),
      C(findings), C(replace_required), C(stage_required)); its findings are also in RV(findings).
  returned: always
  type: dict
partner_applications:
  description: The partner applications (C(Get-PartnerApplication)), as the partner application feature reports them.
  returned: always
  type: list
  elements: dict
skype_application_account:
  description:
    - The Skype for Business partner application's linked account (C(LyncEnterprise-ApplicationAccount)) with its role
      assignments; null when it does not exist.
  returned: always
  type: dict
partner_application_findings:
  description: What FreeBusyChecker would flag about the Skype for Business partner application, in the form of RV(findings) (where they also appear).
  returned: always
  type: list
  elements: dict
owa_virtual_directories:
  description: The IM settings of every OWA virtual directory (C(Get-OwaVirtualDirectory)).
  returned: always
  type: list
  elements: dict
owa_mailbox_policies:
  description: The IM settings of every OWA mailbox policy (C(Get-OwaMailboxPolicy)).
  returned: always
  type: list
  elements: dict
owa_im_setting_overrides:
  description: The C(OwaServer)/C(IMSettings) setting overrides (OWA IM on Exchange 2016 and later).
  returned: always
  type: list
  elements: dict
setting_overrides:
  description: Every setting override (C(Get-SettingOverride)).
  returned: always
  type: list
  elements: dict
findings:
  description:
    - What is wrong for the integration, computed from the values above. Empty when nothing is.
    - Includes the findings of the Auth certificate (ids C(auth_certificate_*)) and partner application (id
      C(partner_application)) features.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description:
        - Stable identifier, for example V(scp_autodiscover_svc), V(scp_blank), V(web_services_oauth_disabled),
          V(autodiscover_oauth_disabled), V(virtual_directory_read_failed), V(version_out_of_support),
          V(hybrid_application_not_configured).
      type: str
      sample: scp_autodiscover_svc
    severity:
      description: How bad it is.
      type: str
      choices: [error, warning, info]
      sample: warning
    feature:
      description: The result section it is about (V(organization) for the top-level keys).
      type: str
      sample: client_access_servers
    server:
      description: The server it is about; null for the organization.
      type: str
      sample: EX01
    message:
      description: What is wrong and how to fix it.
      type: str
      sample: "The Autodiscover SCP (AutoDiscoverServiceInternalUri) of EX01 is https://autodiscover.contoso.com/autodiscover/autodiscover.svc: ..."
    source:
      description: Where the rule comes from; null when it is the read itself.
      type: str
      sample: integration-procedure.md sections 4 and 5 (SFB-PLAN)
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import info


def main():
    module = UcopsModule(product='exchange', argument_spec={}, supports_check_mode=True)

    def work():
        module.connection_options()
        invocations, aliases = info.plan_reads()
        # one request for every feature: the audit is computed from it without another round trip
        response = module.runner.read(module.shell(), invocations)
        result = dict(info.collect(response, aliases), changed=False)
        # module.warn (passing warnings to exit_json is deprecated since ansible-core 2.19); the texts hold no secret
        for warning in info.warnings(result):
            module.warn(warning)
        return result

    module.run(work)


if __name__ == '__main__':
    main()

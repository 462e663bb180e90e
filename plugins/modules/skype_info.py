#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_info
short_description: Read what the Skype for Business side of the Exchange integration needs, in one request
version_added: 1.0.0
description:
  - Reads, in one PowerShell run on the Front End it connects to and with Get cmdlets only, everything the integration
    with Exchange and its audit need, and returns it structured so that an audit can be computed from it without another
    request (Lync Server 2013, Skype for Business Server 2015, 2019 and Subscription Edition).
  - Product, version and Microsoft support status (C(Get-CsServerVersion)); pools, sites, Front Ends and registrars
    (C(Get-CsPool), C(Get-CsSite)).
  - The global OAuth configuration (C(Get-CsOAuthConfiguration)) and the OAuth servers (C(Get-CsOAuthServer)).
  - Partner applications (C(Get-CsPartnerApplication)); trusted application pools and applications; hosting providers,
    the Access Edge configuration and Central Management store replication (the Exchange Online branch).
  - The OAuthTokenIssuer certificate (keys C(cert_*)) when the collection's certificate feature is installed.
  - Server-side conversation history (C(Get-CsConversationHistoryConfiguration), Skype for Business Server 2015 and
    later) and the conversation history settings of the client policies (C(Get-CsClientPolicy)).
  - RV(findings) lists what is wrong for the integration; the version support status also warns.
  - Global settings are the same through every Front End of a deployment, so run it on one Front End per deployment
    (C(run_once)) unless you want each server's own version.
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
  - module: ucops.skype_exchange.skype_exchange_storage_test
"""

EXAMPLES = r"""
- name: Read the Skype for Business side of the integration (one Front End per deployment)
  ucops.skype_exchange.skype_info:
  run_once: true
  register: skype

- name: Fail on any finding of severity error
  ansible.builtin.assert:
    that: skype.findings | selectattr('severity', 'equalto', 'error') | list | length == 0
    fail_msg: "{{ skype.findings | selectattr('severity', 'equalto', 'error') | map(attribute='message') | list }}"

- name: The Front Ends of the deployment
  ansible.builtin.debug:
    msg: "{{ skype.front_ends | map(attribute='fqdn') | list }}"
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
    fqdn:
      description: Pool FQDN (C(Fqdn)).
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
skype_version:
  description: The same as RV(version) (the name the other skype modules return).
  returned: always
  type: str
  sample: '2015'
build:
  description: The version number (major.minor.build) in the C(Get-CsServerVersion) text; null when there is none.
  returned: always
  type: str
  sample: 6.0.9319
version_note:
  description: Why the product is uncertain (a bare 7.x version is reported as V(2019)), else null.
  returned: always
  type: str
powershell_version:
  description: Windows PowerShell version of the server.
  returned: always
  type: str
  sample: 5.1.14393.693
sites:
  description: The sites of the topology (C(Get-CsSite)).
  returned: always
  type: list
  elements: dict
  contains:
    identity:
      description: Site identity.
      type: str
      sample: 'Site:Redmond'
    name:
      description: Display name.
      type: str
      sample: Redmond
    site_id:
      description: Numeric site id.
      type: int
      sample: 1
    site_type:
      description: Site type.
      type: str
      sample: CentralSite
front_ends:
  description: The Front End servers (computers of the pools that run the User Server service).
  returned: always
  type: list
  elements: dict
  contains:
    fqdn:
      description: Computer FQDN.
      type: str
      sample: fe01.contoso.local
    pool:
      description: Its pool.
      type: str
      sample: pool01.contoso.local
    site:
      description: Site of the pool.
      type: str
      sample: 'Site:Redmond'
registrars:
  description: The registrar services (pools with a C(Registrar:) service).
  returned: always
  type: list
  elements: dict
  contains:
    identity:
      description: Service identity.
      type: str
      sample: 'Registrar:pool01.contoso.local'
    pool:
      description: Pool FQDN.
      type: str
      sample: pool01.contoso.local
    site:
      description: Site of the pool.
      type: str
      sample: 'Site:Redmond'
    director:
      description: Whether the pool is a Director (a Registrar without the User Server service).
      type: bool
      sample: false
oauth_servers:
  description: The OAuth (security token) servers (C(Get-CsOAuthServer)); empty on a deployment without hybrid OAuth.
  returned: always
  type: list
  elements: dict
  contains:
    identity:
      description: Name of the OAuth server, for example V(microsoft.sts).
      type: str
    metadata_url:
      description: Its metadata URL.
      type: str
    realm:
      description: Its realm (the tenant id for microsoft.sts).
      type: str
    issuer_identifier:
      description: Issuer identifier.
      type: str
    type:
      description: Type (Skype for Business Server 2015 and later; null on Lync Server 2013).
      type: str
    accept_security_identifier_information:
      description: Whether SIDs are accepted (2015 and later).
      type: bool
    authorization_uri_override:
      description: Authorization URI override (2015 and later).
      type: str
partner_applications:
  description: The partner applications (C(Get-CsPartnerApplication)), in the form of M(ucops.skype_exchange.skype_partner_application)'s return.
  returned: always
  type: list
  elements: dict
partner_application_findings:
  description: What is wrong with the partner applications, in the form of RV(findings) (where they also appear).
  returned: always
  type: list
  elements: dict
trusted_application_pools:
  description: The trusted application pools (C(Get-CsTrustedApplicationPool)).
  returned: always
  type: list
  elements: dict
trusted_applications:
  description: The trusted applications (C(Get-CsTrustedApplication)).
  returned: always
  type: list
  elements: dict
trusted_application_findings:
  description: What is wrong with the trusted applications, in the form of RV(findings) (where they also appear).
  returned: always
  type: list
  elements: dict
oauth_certificate:
  description:
    - The certificates of the connected Front End, in the form of M(ucops.skype_exchange.skype_oauth_certificate)'s read, with
      C(certificates) (every C(Get-CsCertificate) entry by type, with the public data of the certificate parsed with
      C(cryptography) from the machine store), C(sip_domain) (the default SIP domain), C(oauth_token_issuer) (the current
      and previous OAuthTokenIssuer certificate against the documented rules), C(findings) (also in RV(findings)).
    - Other Front Ends are compared by M(ucops.skype_exchange.skype_oauth_certificate) with its C(front_ends) option.
  returned: always
  type: dict
exchange_online:
  description:
    - The Exchange Online branch (integration-procedure.md section 7), in the form of
      M(ucops.skype_exchange.skype_exchange_online)'s read, with C(access_edge) (the global Access Edge configuration),
      C(hosting_providers), C(exchange_online_providers), C(edge_server), C(replication) (Central Management store
      replicas), C(oauth_values), C(findings) (also in RV(findings)).
  returned: always
  type: dict
conversation_history:
  description: Server-side conversation history (integration-procedure.md section 17).
  returned: always
  type: dict
  contains:
    available:
      description:
        - Whether the server has C(Get-CsConversationHistoryConfiguration) (Skype for Business Server 2015 and later).
          False on Lync Server 2013; any other failure of that read fails the task.
      type: bool
      sample: true
    enable_server_conversation_history:
      description: C(EnableServerConversationHistory) of the global configuration; null when not available.
      type: bool
      sample: false
    max_continued_conversation_retry:
      description: C(MaxContinuedConversationRetry); null when not available.
      type: int
      sample: 3
    enable_display_name_resolution:
      description: C(EnableDisplayNameResolution); null when not available.
      type: bool
    client_policies:
      description: Every client policy's conversation history settings (C(Get-CsClientPolicy)).
      type: list
      elements: dict
      contains:
        identity:
          description: Policy identity.
          type: str
          sample: Global
        enable_server_conversation_history:
          description: C(EnableServerConversationHistory) (null on Lync Server 2013, where the property does not exist).
          type: bool
        enable_im_auto_archiving:
          description: C(EnableIMAutoArchiving) (IM transcripts in the Conversation History folder); null when not set.
          type: bool
        enable_call_log_auto_archiving:
          description: C(EnableCallLogAutoArchiving); null when not set.
          type: bool
        disable_saving_im:
          description: C(DisableSavingIM); null when not set.
          type: bool
findings:
  description:
    - What is wrong for the integration, computed from the values above. Empty when nothing is.
    - Includes the findings of the partner applications, trusted applications, Exchange Online and (when installed) the
      OAuthTokenIssuer certificate features.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description:
        - Stable identifier, for example V(version_out_of_support), V(version_unknown), V(version_ambiguous),
          V(oauth_autodiscover_url_missing), V(oauth_autodiscover_url_invalid), V(oauth_server_no_tenant_id),
          V(oauth_server_metadata_url), V(conversation_history_no_client_policy).
      type: str
      sample: oauth_autodiscover_url_missing
    severity:
      description: How bad it is.
      type: str
      choices: [error, warning, info]
      sample: warning
    feature:
      description: The result section it is about (V(deployment) for the top-level keys).
      type: str
      sample: oauth_configuration
    server:
      description: The server it is about, or null for a deployment-wide finding.
      type: str
    message:
      description: What is wrong and what fixes it.
      type: str
    source:
      description: Where the rule comes from.
      type: str
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import info


def main():
    module = UcopsModule(product='skype', argument_spec={}, supports_check_mode=True)

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

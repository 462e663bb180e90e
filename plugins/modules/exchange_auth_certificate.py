#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_auth_certificate
short_description: Audit, stage or replace the Exchange server-to-server Auth certificate
version_added: 1.0.0
description:
  - Reads the organization's C(Get-AuthConfig) and, on every Exchange server, the current, next and previous Auth
    certificates ("Microsoft Exchange Server Auth Certificate"), and reports their public data (subject, thumbprint,
    validity, key size, parsed with the Python C(cryptography) library from the certificate's raw data), the next
    certificate's effective date, on which servers each one is present, each server's internal transport certificate,
    hybrid signs and findings.
  - O(action=audit) (the default) only reads. O(action=stage) creates a new Auth certificate and configures it as the next
    one with an effective date, when the current one is due for renewal (Microsoft's C(MonitorExchangeAuthCertificate)
    thresholds, O(renew_current_days) and O(renew_next_days)). O(action=replace) creates one and makes it current now
    (C(Set-AuthConfig -PublishCertificate), then C(-ClearPreviousCertificate)) when the current one is expired, missing on
    a server, not configured or has a key under 2048 bits.
  - The certificate is created the unattended way Microsoft's C(MonitorExchangeAuthCertificate) script does it.
    C(New-ExchangeCertificate -Force) makes the new certificate the server's SMTP (internal transport) certificate, so the
    module remembers the transport certificate and enables it again right after, in the same request, and checks it in
    the verifying read. The documented command would instead prompt "Overwrite the existing default SMTP certificate?",
    which a remote session cannot answer.
  - Idempotent on the AuthConfig thumbprints, never on friendly names (the new certificate's friendly name carries a
    timestamp, as Microsoft's script names it).
  - In a hybrid deployment (C(Get-HybridConfiguration), or an enabled AzureAD or MicrosoftACS AuthServer, such as the
    dedicated Exchange hybrid application) the new certificate must also be uploaded to Exchange Online. Like Microsoft's
    script, the module then refuses to change anything unless O(allow_hybrid=true), and says what must be done.
  - The certificate is created on the server the module connects to; Exchange deploys it to the other servers of the AD
    site. A server in another AD site needs C(Export-ExchangeCertificate) / C(Import-ExchangeCertificate).
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
    details: Before and after are the AuthConfig thumbprints and the connected server's internal transport certificate.
options:
  action:
    description:
      - V(audit) reads and reports only.
      - V(stage) configures a new next certificate when the current one has less than O(renew_current_days) days left (or a
        key under 2048 bits) and no usable next certificate with at least O(renew_next_days) days is staged. Refused when the
        current certificate cannot be used any more (use V(replace)).
      - V(replace) makes a new certificate current now when the current one is expired, missing on a server, on no server,
        not configured, or has a key under 2048 bits. OAuth tokens signed with the old certificate stop working.
    type: str
    choices: [audit, stage, replace]
    default: audit
  effective_date:
    description:
      - When the staged certificate becomes current (O(action=stage) only), as an ISO 8601 date-time
        (V(2027-01-31T08:00:00+01:00); without an offset it is UTC) or a number of hours from now (V(72)).
      - Less than 48 hours ahead is refused unless O(force=true) (Microsoft says to plan at least 48 hours, 49 at the
        earliest, so that every server has the certificate first). A date after the current certificate expires is refused
        unless O(force=true).
      - Default 30 days ahead (Microsoft's script), or 49 hours when the current certificate expires before that.
      - Used only when a certificate is staged; an already staged certificate keeps its date.
    type: str
  renew_current_days:
    description: Stage a next certificate when the current one has fewer days left than this (Microsoft's script uses 60).
    type: int
    default: 60
  renew_next_days:
    description: A staged next certificate with fewer days left than this is replaced by a new one (Microsoft's script uses 120).
    type: int
    default: 120
  key_size:
    description: RSA key size of the new certificate (C(New-ExchangeCertificate -KeySize)).
    type: int
    choices: [2048, 4096]
    default: 2048
  allow_hybrid:
    description:
      - Change the certificate although a hybrid deployment is detected. The task then warns with the steps needed in
        Exchange Online (Hybrid Configuration Wizard, or upload to the Exchange hybrid application; Teams / Cloud Voicemail
        principals).
    type: bool
    default: false
  ignore_unreachable_servers:
    description: Change the certificate although the certificate store of some Exchange server could not be read.
    type: bool
    default: false
  allow_restarts:
    description:
      - With O(action=replace), restart C(MSExchangeServiceHost) and the C(MSExchangeOWAAppPool) and C(MSExchangeECPAppPool)
        application pools of the connected server after the replacement, as Microsoft documents. Without it the task warns
        that they must be restarted (the servicelet publishes the certificate within an hour otherwise).
    type: bool
    default: false
  force:
    description: Accept an effective date less than 48 hours ahead or after the current certificate expires.
    type: bool
    default: false
notes:
  - Get-ExchangeCertificate objects of a remote session lose every property but C(RawData) when the configured Auth
    certificate has expired and serialization data signing is on; the module reads the public data from C(RawData)
    always, so an expired certificate is still reported. The thumbprint of a certificate just created is then known only
    from its raw data, and the module sends C(Set-AuthConfig) in a second write request.
seealso:
  - module: ucops.skype_exchange.exchange_info
  - name: Maintain (rotate) the Exchange Server Auth certificate
    description: Microsoft's procedure.
    link: https://learn.microsoft.com/exchange/plan-and-deploy/integration-with-sharepoint-and-skype/maintain-oauth-certificate
  - name: MonitorExchangeAuthCertificate
    description: Microsoft's script whose checks and unattended method this module follows.
    link: https://aka.ms/MonitorExchangeAuthCertificate
"""

EXAMPLES = r"""
- name: Report the Auth certificate state and its findings
  ucops.skype_exchange.exchange_auth_certificate:
  register: auth

- name: Fail when the Auth certificate has an error finding
  ansible.builtin.assert:
    that: auth.findings | selectattr('severity', 'equalto', 'error') | list | length == 0

- name: Stage the next Auth certificate when due, active in 72 hours
  ucops.skype_exchange.exchange_auth_certificate:
    action: stage
    effective_date: "72"

- name: Stage a new certificate now whatever the current one's age (for example after a key compromise)
  ucops.skype_exchange.exchange_auth_certificate:
    action: stage
    renew_current_days: 100000
    effective_date: "2027-02-01T06:00:00Z"

- name: Replace an expired or missing Auth certificate now, restarting the services Microsoft names
  ucops.skype_exchange.exchange_auth_certificate:
    action: replace
    allow_restarts: true
"""

RETURN = r"""
exchange_version:
  description: Product version of the connected Exchange server (V(2013), V(2016), V(2019) or V(se)).
  returned: always
  type: str
  sample: '2019'
action:
  description: What the task did (or would do in check mode), V(stage) or V(replace); null when nothing.
  returned: always
  type: str
  sample: stage
reason:
  description: Why the task did or did not change anything.
  returned: always
  type: str
  sample: the current Auth certificate has 42 days left
new_thumbprint:
  description: Thumbprint of the certificate created (null in check mode and when nothing changed).
  returned: always
  type: str
effective_date:
  description: When the new certificate becomes current (ISO 8601 UTC), for a staged or replaced certificate.
  returned: always
  type: str
current:
  description:
    - The current Auth certificate after the task (before it in check mode), null when none is configured.
    - The same keys describe RV(next) and RV(previous).
  returned: always
  type: dict
  contains:
    thumbprint: {description: Thumbprint from AuthConfig., type: str}
    subject: {description: Subject (RFC 4514)., type: str, sample: CN=Microsoft Exchange Server Auth Certificate}
    issuer: {description: Issuer., type: str}
    serial_number: {description: Serial number (hex)., type: str}
    not_before: {description: Start of validity (ISO 8601 UTC)., type: str}
    not_after: {description: End of validity (ISO 8601 UTC)., type: str}
    days_left: {description: Whole days until it expires (negative when expired)., type: int}
    expired: {description: Whether it has expired., type: bool}
    key_type: {description: Public key algorithm., type: str, sample: RSA}
    key_size: {description: Public key size in bits., type: int, sample: 2048}
    key_size_ok: {description: Whether the key has at least 2048 bits (null when unknown)., type: bool}
    signature_hash: {description: Signature hash algorithm., type: str, sample: sha256}
    friendly_name: {description: Friendly name as listed (null when the object came with raw data only)., type: str}
    source: {description: "V(raw_data) when parsed from the certificate, V(listed) when only the listed properties were available.", type: str}
    present_on: {description: Servers holding it., type: list, elements: str}
    missing_on: {description: Servers that do not hold it (a finding)., type: list, elements: str}
    unreachable: {description: "Servers whose store could not be read, with the error.", type: list, elements: dict}
    effective_date: {description: "For the next certificate, when it becomes current.", type: str}
next:
  description: The next (staged) Auth certificate, same keys as RV(current); null when none is staged.
  returned: always
  type: dict
previous:
  description: The previous Auth certificate, same keys as RV(current); null when none.
  returned: always
  type: dict
servers:
  description: The Exchange servers that must hold the Auth certificate (2013 or later, not Edge).
  returned: always
  type: list
  elements: str
transport:
  description: Each server's internal transport certificate thumbprint (after the task) and whether it is an Auth certificate.
  returned: always
  type: list
  elements: dict
hybrid:
  description: Hybrid signs (C(Get-HybridConfiguration), enabled AzureAD / MicrosoftACS AuthServers, the dedicated hybrid application).
  returned: always
  type: dict
findings:
  description: What needs attention, each with C(severity) (error, warning, info), a stable C(code), C(message) and C(servers).
  returned: always
  type: list
  elements: dict
  sample: [{severity: error, code: current_missing_on_server, message: The current Auth certificate ... is missing on EX02, servers: [EX02]}]
replace_required:
  description: Whether the current certificate cannot be used (what O(action=replace) acts on), as read before the task.
  returned: always
  type: bool
stage_required:
  description: Whether a next certificate is due (what O(action=stage) acts on), as read before the task.
  returned: always
  type: bool
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.auth_certificate import run


def main():
    module = UcopsModule(
        product='exchange',
        argument_spec=dict(
            action=dict(type='str', choices=['audit', 'stage', 'replace'], default='audit'),
            effective_date=dict(type='str'),
            renew_current_days=dict(type='int', default=60),
            renew_next_days=dict(type='int', default=120),
            key_size=dict(type='int', choices=[2048, 4096], default=2048),
            allow_hybrid=dict(type='bool', default=False),
            ignore_unreachable_servers=dict(type='bool', default=False),
            allow_restarts=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()

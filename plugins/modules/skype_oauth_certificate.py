#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_oauth_certificate
short_description: Audit and assign the OAuthTokenIssuer certificate of Skype for Business Server or Lync Server 2013
version_added: 1.0.0
description:
  - Reads the global OAuthTokenIssuer certificate (C(Get-CsCertificate), current and previous) and the machine certificate
    store (C(Cert:\LocalMachine\My)) of the Front End, and validates the certificate with the Python library C(cryptography)
    against Microsoft's rules for server-to-server authentication with Exchange (the SIP domain in the Subject, a key of at
    least 2048 bits, within its validity, an exportable private key, and the same certificate on every Front End of the
    pool).
  - With O(front_ends), reads each other Front End too (one read each) and names the servers and thumbprints that differ,
    or the Front Ends whose store lacks the certificate.
  - With O(thumbprint) or O(use_default_certificate), assigns the certificate with
    C(Set-CsCertificate -Identity Global -Type OAuthTokenIssuer), which the Central Management store replicates to every
    Front End. Only when the current one differs (by thumbprint). A certificate that breaks a rule is refused, naming the
    rule, before anything is changed.
  - With O(effective_date), schedules a roll-over (C(-Roll -EffectiveDate)), at least 24 hours before the current
    certificate expires; the date is sent as a date, never as text in the server's region format.
  - The assignment is global, once per deployment. Run the task on B(one) Front End per deployment (C(run_once), or a host
    pattern naming one Front End), never once per Front End.
  - Without O(thumbprint) and O(use_default_certificate), only audits.
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.skype
  - ucops.skype_exchange.front_ends
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_skype
attributes:
  check_mode:
    support: full
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change.
  diff_mode:
    support: full
requirements:
  - cryptography (on the controller)
options:
  thumbprint:
    description:
      - Thumbprint of the certificate to make the OAuthTokenIssuer. It must be in the machine store of the task's Front End
        with its private key (import it there first).
      - Spaces are ignored, case does not matter. Mutually exclusive with O(use_default_certificate).
    type: str
  use_default_certificate:
    description:
      - Use the Front End's Default certificate (C(Get-CsCertificate -Type Default), read in the same request), as
        Microsoft's procedure allows.
    type: bool
    default: false
  effective_date:
    description:
      - Schedule a roll-over instead of an immediate assignment (C(-Roll -EffectiveDate)). The new certificate becomes current
        at this time and the current one becomes the previous one.
      - An ISO 8601 date and time (V(2027-01-31T08:00:00Z), V(2027-01-31T09:00:00+01:00); UTC when no offset is given) or a number
        of hours from now (V(72)). Locale-formatted text such as V(7/1/2027) is refused.
      - Must be in the future and at least 24 hours before the current OAuthTokenIssuer expires (Microsoft's minimum lead time).
    type: str
  sip_domain:
    description:
      - The SIP domain that must be in the certificate's Subject.
      - Default is the default SIP domain (C(Get-CsSipDomain), C(IsDefault)), read in the same request.
    type: str
notes:
  - Check mode and the audit send only C(Get-CsServerVersion), C(Get-CsCertificate), C(Get-CsSipDomain) and
    C(Get-ChildItem Cert:\LocalMachine\My).
  - Exportability is read from the private key's CryptoAPI container; for a CNG key (or a key the account cannot read) it is
    reported as unknown in RV(findings) (a warning), not guessed.
  - Importing a PFX file (C(Import-CsCertificate)) and removing the previous certificate (C(Remove-CsCertificate -Previous))
    are not done by this module.
seealso:
  - module: ucops.skype_exchange.skype_oauth_configuration
  - module: ucops.skype_exchange.skype_info
  - name: Set-CsCertificate
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skype/set-cscertificate
  - name: Stage AV and OAuth certificates using -Roll in Set-CsCertificate
    description: Microsoft's roll-over procedure (24 hours lead time for OAuthTokenIssuer).
    link: https://learn.microsoft.com/skypeforbusiness/manage/authentication/stage-av-and-oauth-certificates
"""

EXAMPLES = r"""
- name: Audit the OAuthTokenIssuer on every Front End of the pool (one task, reads all of them)
  ucops.skype_exchange.skype_oauth_certificate:
    front_ends: "{{ groups['skype_pool1'] }}"
  run_once: true

- name: Use the Default certificate as OAuthTokenIssuer, once per deployment
  ucops.skype_exchange.skype_oauth_certificate:
    use_default_certificate: true
    front_ends: "{{ groups['skype_pool1'] }}"
  run_once: true

- name: Schedule a roll-over to a new certificate in 72 hours
  ucops.skype_exchange.skype_oauth_certificate:
    thumbprint: B142918E463981A76503828BB1278391B7162809
    effective_date: "72"
  run_once: true

- name: Roll over at a fixed time (ISO 8601)
  ucops.skype_exchange.skype_oauth_certificate:
    thumbprint: B142918E463981A76503828BB1278391B7162809
    effective_date: "2027-01-31T08:00:00Z"
  run_once: true
"""

RETURN = r"""
changes:
  description: The cmdlets sent (or that check mode would send), one line each; empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample: [Set-CsCertificate -Identity Global -Type OAuthTokenIssuer -Thumbprint B142918E463981A76503828BB1278391B7162809]
reason:
  description: Why the task did (or would do) what it did.
  returned: always
  type: str
  sample: the certificate B142918E463981A76503828BB1278391B7162809 is already the OAuthTokenIssuer
thumbprint:
  description: The thumbprint assigned (or that check mode would assign); null when nothing is assigned.
  returned: always
  type: str
effective_date:
  description: The roll-over date sent (ISO 8601 UTC); null without a roll-over.
  returned: always
  type: str
sip_domain:
  description: The SIP domain checked in the Subject.
  returned: always
  type: str
  sample: contoso.com
skype_version:
  description: Product version of the task's Front End (V(2013) is Lync Server 2013, V(se) Subscription Edition).
  returned: always
  type: str
  sample: '2019'
default_certificate:
  description: Thumbprint of the task's Front End's Default certificate.
  returned: always
  type: str
oauth_certificate:
  description: The OAuthTokenIssuer as the task's Front End shows it after the task (in check mode, before); null when none is assigned.
  returned: always
  type: dict
  contains:
    thumbprint:
      description: C(Thumbprint) (current; with a pending roll-over, the certificate that becomes current at RV(oauth_certificate.effective_date)).
      type: str
    previous_thumbprint:
      description: C(PreviousThumbprint).
      type: str
    effective_date:
      description: C(EffectiveDate) of a roll-over (ISO 8601 UTC).
      type: str
    subject:
      description: C(Subject).
      type: str
    not_after:
      description: Expiry (ISO 8601 UTC), from the certificate itself when it is in the store.
      type: str
    days_left:
      description: Whole days until expiry.
      type: int
    key_size:
      description: Key size in bits (from the certificate in the store).
      type: int
    sip_domain_in_subject:
      description: Whether the SIP domain is in the Subject.
      type: bool
    exportable:
      description: Whether the private key is exportable; null when unknown (a CNG key).
      type: bool
    in_store:
      description: Whether the certificate is in the Front End's machine store.
      type: bool
front_ends:
  description: Each Front End read (the task's host first) with the OAuthTokenIssuer it shows and whether its store has it.
  returned: always
  type: list
  elements: dict
  sample: [{name: fe01.contoso.local, oauth_thumbprint: B142918E463981A76503828BB1278391B7162809, in_store: true}]
findings:
  description: What breaks a rule or needs attention, each with C(id), C(severity) (error, warning, info), C(feature),
    C(server), C(message), C(source).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.argspec import front_ends_spec
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth_certificate import run


def main():
    argument_spec = dict(
        thumbprint=dict(type='str'),
        use_default_certificate=dict(type='bool', default=False),
        effective_date=dict(type='str'),
        sip_domain=dict(type='str'),
    )
    argument_spec.update(front_ends_spec())
    # thumbprint and use_default_certificate exclude each other: checked in module_utils (validate), before anything is sent
    module = UcopsModule(product='skype', argument_spec=argument_spec, supports_check_mode=True)
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: windows_dns_record
short_description: Create, correct or remove the Autodiscover A or CNAME record on a Windows DNS server
version_added: 1.0.0
description:
  - Keeps one A or CNAME record (normally C(autodiscover.<domain>)) in a zone of a Windows DNS server, the usual place of
    the zones of an Exchange organisation (Active Directory-integrated zones on the domain controllers).
  - Runs the DnsServer module's cmdlets on the targeted host over WinRM (no product shell), so target a domain controller
    (or member server) that hosts the zone. C(Get-DnsServerZone) and C(Get-DnsServerResourceRecord) read the zone and the
    records at the name in one request; the module compares them with the options and sends the changes in one request
    (C(Remove-DnsServerResourceRecord), C(Add-DnsServerResourceRecordA), C(Add-DnsServerResourceRecordCName)) that ends
    by reading the records again to verify them.
  - The options mean what they mean for M(ucops.skype_exchange.autodiscover_dns_record), the same record kept by RFC 2136
    on other DNS servers.
  - A name holds either a CNAME or other records, never both (RFC 1034 section 3.6.2). A record of the other type at the
    name is only replaced when O(replace_other_type=true); otherwise the task fails and nothing is sent.
  - A TTL or address change is made by removing the record set and adding it again in the same request
    (C(Set-DnsServerResourceRecord) needs record objects, which the collection never builds in PowerShell).
  - The zone is replicated by Active Directory, so run the task once, on one DNS server (C(run_once)), the other domain
    controllers receive the record by replication.
author:
  - ucops.skype_exchange contributors (@ucops)
requirements:
  - dnspython >= 2.0.0 (on the controller, to validate names)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_connection
attributes:
  check_mode:
    support: full
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the changes.
  diff_mode:
    support: full
    details: Before and after, the A and CNAME records at the name.
options:
  zone:
    description:
      - The zone that holds the record, for example V(contoso.com). It must exist on the DNS server; a missing zone fails
        the task.
    type: str
    required: true
  name:
    description:
      - The record name. An absolute name (trailing dot), a name that ends with O(zone), or a name relative to O(zone)
        (V(autodiscover)); V(@) is the zone apex.
    type: str
    required: true
  type:
    description:
      - The record type.
    type: str
    choices: [A, CNAME]
    required: true
  value:
    description:
      - With V(A), the IPv4 addresses (the record set is made exactly these); with V(CNAME), the one target name (a fully
        qualified name, a trailing dot is optional).
      - Required with O(state=present). With O(state=absent), only these values are removed; without it, the whole record
        set of O(type) is removed.
    type: list
    elements: str
  ttl:
    description:
      - TTL in seconds. When omitted, an existing record keeps its TTL and a new one gets 3600.
    type: int
  state:
    description:
      - V(present) makes the record set of O(type) exactly O(value); V(absent) removes it (or only the values given).
    type: str
    choices: [present, absent]
    default: present
  replace_other_type:
    description:
      - Allow replacing a record of the other type at the name (a CNAME by an A record, or A records by a CNAME).
    type: bool
    default: false
notes:
  - The account needs the right to change the zone (a member of C(DnsAdmins) or C(Domain Admins), or delegated rights on
    the zone's Active Directory object).
seealso:
  - module: ucops.skype_exchange.autodiscover_dns_record
  - module: ucops.skype_exchange.autodiscover_dns_info
  - name: DnsServer module
    description: Microsoft's reference of the DnsServer cmdlets.
    link: https://learn.microsoft.com/powershell/module/dnsserver/
"""

EXAMPLES = r"""
- name: Point autodiscover.contoso.com at the Exchange load balancer (on one domain controller)
  ucops.skype_exchange.windows_dns_record:
    zone: contoso.com
    name: autodiscover
    type: A
    value: [192.0.2.10]
  when: inventory_hostname in groups['dns_servers']
  run_once: true

- name: Make it a CNAME to the mail host with a short TTL, replacing an A record that is there
  ucops.skype_exchange.windows_dns_record:
    zone: contoso.com
    name: autodiscover.contoso.com
    type: CNAME
    value: [mail.contoso.com]
    ttl: 300
    replace_other_type: true
  delegate_to: "{{ groups['dns_servers'][0] }}"
  run_once: true

- name: Remove the record
  ucops.skype_exchange.windows_dns_record:
    zone: contoso.com
    name: autodiscover
    type: CNAME
    state: absent
  delegate_to: "{{ groups['dns_servers'][0] }}"
  run_once: true
"""

RETURN = r"""
name:
  description: The record's absolute name.
  returned: always
  type: str
  sample: autodiscover.contoso.com.
zone:
  description: The zone.
  returned: always
  type: str
  sample: contoso.com
zone_type:
  description: The zone's C(ZoneType) as C(Get-DnsServerZone) reports it.
  returned: always
  type: str
  sample: Primary
ds_integrated:
  description: Whether the zone is stored in Active Directory (C(IsDsIntegrated)).
  returned: always
  type: bool
  sample: true
records:
  description: The A and CNAME records at the name after the task (in check mode, as they would be), read back from the server.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Absolute name.
      type: str
      sample: autodiscover.contoso.com.
    type:
      description: V(A) or V(CNAME).
      type: str
      sample: A
    value:
      description: Addresses of an A record set, or the absolute target of a CNAME.
      type: list
      elements: str
      sample: [192.0.2.10]
    ttl:
      description: TTL in seconds.
      type: int
      sample: 3600
changes:
  description: The cmdlets sent (or that check mode would send); empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample:
    - Remove-DnsServerResourceRecord -ZoneName contoso.com -Name autodiscover -RRType CName -Force
    - Add-DnsServerResourceRecordA -ZoneName contoso.com -Name autodiscover -IPv4Address 192.0.2.10 -TimeToLive 01:00:00
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import windows


def main():
    # product=None: the DnsServer cmdlets are local on the DNS server, no product shell is loaded
    module = UcopsModule(
        product=None,
        argument_spec=dict(
            zone=dict(type='str', required=True),
            name=dict(type='str', required=True),
            type=dict(type='str', required=True, choices=list(windows.RECORD_TYPES)),
            value=dict(type='list', elements='str'),
            ttl=dict(type='int'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            replace_other_type=dict(type='bool', default=False),
        ),
        not_blank={'zone': 'give the zone that holds the name', 'name': 'give the record name, for example autodiscover'},
        required_if=[('state', 'present', ('value',))],
        supports_check_mode=True,
    )
    module.run(lambda: windows.run(module))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: autodiscover_dns_record
short_description: Create, correct or remove the Autodiscover A or CNAME record where the zone lives
version_added: 1.0.0
description:
  - Keeps one A or CNAME record (normally C(autodiscover.<domain>), the name Outlook, Exchange clients and Skype for
    Business look up) in the zone that holds it.
  - With O(method=rfc2136), on a standards-based DNS server (BIND and the like) by RFC 2136 dynamic update, signed with a
    TSIG key (RFC 8945). The module reads the A and CNAME records at the name by querying O(server) directly, compares
    them with the options, and sends B(one) update message whose prerequisites (RFC 2136 section 2.4) pin the records it
    read. If they changed in the meantime the server refuses the whole update and the task fails saying so, instead of
    overwriting the other change. The records are read again after the update to verify it.
  - A name holds either a CNAME or other records, never both (RFC 1034 section 3.6.2). A record of the other type at the
    name is only replaced when O(replace_other_type=true); otherwise the task fails and nothing is sent.
  - Runs on the controller (no connection to the targeted host is used); it needs C(dnspython) there.
author:
  - ucops.skype_exchange contributors (@ucops)
requirements:
  - dnspython >= 2.0.0 (on the controller)
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: Check mode only reads (DNS queries); no update is sent.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: full
    details: Before and after, the A and CNAME records at the name.
  platform:
    description: Runs on the Ansible controller and talks DNS to O(server); no connection to the targeted host is used.
    support: full
    platforms: posix
options:
  method:
    description:
      - How the record is written. V(rfc2136) is a dynamic update (RFC 2136) to O(server).
    type: str
    choices: [rfc2136]
    default: rfc2136
  zone:
    description:
      - The zone that holds the record, for example V(contoso.com). The update is addressed to this zone.
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
  server:
    description:
      - IP address or name of the DNS server to read from and send the update to, normally the zone's primary server.
    type: str
    required: true
  port:
    description:
      - DNS port of O(server).
    type: int
    default: 53
  protocol:
    description:
      - Transport of the queries and the update. A UDP answer that is truncated is asked again over TCP.
    type: str
    choices: [tcp, udp]
    default: tcp
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: int
    default: 10
  tsig_key_name:
    description:
      - Name of the TSIG key (as in the server's C(key) statement) that signs the queries and the update.
      - Omit it together with O(tsig_secret) to send unsigned messages (only for servers that allow updates by address).
    type: str
  tsig_secret:
    description:
      - The base64 secret of the TSIG key. It is never shown in results, messages or logs.
    type: str
  tsig_algorithm:
    description:
      - The HMAC algorithm of the TSIG key.
    type: str
    choices: [hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512]
    default: hmac-sha256
notes:
  - The server's zone must allow the key to update the name (BIND C(update-policy) such as
    C(grant ansible-key name autodiscover.contoso.com. A CNAME;)); a refusal names the policy to change.
  - A rejected TSIG key (BADKEY, BADSIG, BADTIME), a refused update, a server that is not authoritative for O(zone) and an
    unreachable server each fail the task with the cause and the fix; these failures have C(error_kind) V(dns_tsig),
    V(dns_refused), V(dns_notauth) and V(dns_unreachable). A record changed concurrently gives V(dns_changed).
seealso:
  - name: RFC 2136
    description: Dynamic Updates in the Domain Name System (DNS UPDATE).
    link: https://www.rfc-editor.org/rfc/rfc2136
  - name: RFC 8945
    description: Secret Key Transaction Authentication for DNS (TSIG).
    link: https://www.rfc-editor.org/rfc/rfc8945
  - module: ucops.skype_exchange.exchange_client_access_server
"""

EXAMPLES = r"""
- name: Point autodiscover.contoso.com at the Exchange load balancer (BIND, TSIG key)
  ucops.skype_exchange.autodiscover_dns_record:
    server: ns1.contoso.com
    zone: contoso.com
    name: autodiscover
    type: A
    value: [192.0.2.10]
    tsig_key_name: ansible-key
    tsig_secret: "{{ vault_tsig_secret }}"
  delegate_to: localhost
  run_once: true

- name: Make it a CNAME to the mail host, replacing an A record that is there
  ucops.skype_exchange.autodiscover_dns_record:
    server: 192.0.2.53
    zone: contoso.com
    name: autodiscover.contoso.com
    type: CNAME
    value: [mail.contoso.com]
    ttl: 300
    replace_other_type: true
    tsig_key_name: ansible-key
    tsig_secret: "{{ vault_tsig_secret }}"
    tsig_algorithm: hmac-sha512
  delegate_to: localhost
  run_once: true

- name: Remove the record
  ucops.skype_exchange.autodiscover_dns_record:
    server: ns1.contoso.com
    zone: contoso.com
    name: autodiscover
    type: CNAME
    state: absent
    tsig_key_name: ansible-key
    tsig_secret: "{{ vault_tsig_secret }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
name:
  description: The record's absolute name.
  returned: always
  type: str
  sample: autodiscover.contoso.com.
zone:
  description: The zone updated.
  returned: always
  type: str
  sample: contoso.com.
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
  description: The update sent (or that check mode would send), in nsupdate syntax; empty when nothing differs.
  returned: always
  type: list
  elements: str
  sample: [update delete autodiscover.contoso.com. IN CNAME, update add autodiscover.contoso.com. 3600 IN A 192.0.2.10]
prerequisites:
  description: The prerequisites of the update (RFC 2136 section 2.4) that pin the records read, in nsupdate syntax.
  returned: always
  type: list
  elements: str
  sample: [prereq yxrrset autodiscover.contoso.com. IN CNAME mail.contoso.com., prereq nxrrset autodiscover.contoso.com. IN A]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import UcopsError, failure_result, redact
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import rfc2136


def main():
    module = AnsibleModule(
        argument_spec=dict(
            method=dict(type='str', default='rfc2136', choices=['rfc2136']),
            zone=dict(type='str', required=True),
            name=dict(type='str', required=True),
            type=dict(type='str', required=True, choices=list(rfc2136.RECORD_TYPES)),
            value=dict(type='list', elements='str'),
            ttl=dict(type='int'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            replace_other_type=dict(type='bool', default=False),
            server=dict(type='str', required=True),
            port=dict(type='int', default=53),
            protocol=dict(type='str', default='tcp', choices=['tcp', 'udp']),
            timeout=dict(type='int', default=10),
            tsig_key_name=dict(type='str', no_log=False),
            tsig_secret=dict(type='str', no_log=True),
            tsig_algorithm=dict(type='str', default='hmac-sha256', choices=list(rfc2136.ALGORITHMS)),
        ),
        required_if=[('state', 'present', ('value',))],
        required_together=[('tsig_key_name', 'tsig_secret')],
        supports_check_mode=True,
    )
    secrets = [module.params.get('tsig_secret')]
    try:
        result = rfc2136.run(module.params, check_mode=module.check_mode)
    except UcopsError as error:
        module.fail_json(**failure_result(error, secrets))
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**redact(result, secrets))


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: autodiscover_dns_info
short_description: Check that the Exchange Autodiscover name resolves, through the resolvers that matter, to the expected target
version_added: 1.0.0
description:
  - Asks each resolver for the Autodiscover name (C(autodiscover.<domain>) by default) with dnspython, follows the CNAME
    chain in the answer and compares the result with the expected target name and/or addresses.
  - Skype for Business Server integration with Exchange needs "a DNS record for autodiscover.<domain> that resolves to the
    fully qualified domain name of your Exchange Server" (Microsoft's integration documentation); this module checks it
    without changing anything.
  - Reports, per resolver, exactly what it answered (CNAME chain, addresses, response code) and a status C(ok),
    C(nxdomain), C(nodata), C(wrong_target), C(timeout), C(servfail), C(refused) or C(error), and whether all resolvers
    agreed. Split DNS is common, so when resolvers disagree the message says which resolver answered what.
  - Only DNS queries are sent, over UDP (TCP when a reply is truncated), with recursion desired. The module runs on the
    Ansible controller whatever host the task targets; no WinRM connection is made.
author:
  - ucops.skype_exchange contributors (@ucops)
requirements:
  - dnspython >= 2.0.0 on the controller
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: The module only sends DNS queries; check mode changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: N/A
    details: This action does not modify state.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: Runs on the Ansible controller.
options:
  name:
    description:
      - The Autodiscover name to resolve, for example C(autodiscover.contoso.com).
      - Either O(name) or O(domain) is required; O(name) wins when both are given.
    type: str
  domain:
    description:
      - The e-mail (SIP) domain; the name checked is then C(autodiscover.<domain>).
    type: str
  expected_target:
    description:
      - The host name the Autodiscover name must lead to, normally the FQDN of the Exchange server or its load balancer.
      - It matches when it is any name of the CNAME chain of the answer or the name the addresses belong to (a plain A
        record matches only its own name).
    type: str
  expected_addresses:
    description:
      - The addresses the name must resolve to. For each address family listed (IPv4, IPv6) the resolved addresses of
        that family must be exactly these; a family not listed is not compared.
    type: list
    elements: str
    default: []
  resolvers:
    description:
      - The resolvers to ask, each an IP address, C(IP:port), or C([IPv6]:port) (port 53 by default). Names are refused.
      - Ask the resolvers the Skype for Business Front Ends and the Exchange servers use, which may give another view than
        the controller's.
      - Omitted or empty, the controller's own resolvers (C(/etc/resolv.conf)) are asked.
    type: list
    elements: str
    default: []
  record_types:
    description:
      - The address record types to ask for. The name resolves when at least one type has addresses; a type without
        records (NODATA) is then not an error.
    type: list
    elements: str
    choices: [A, AAAA]
    default: [A, AAAA]
  timeout:
    description:
      - Seconds to wait for each reply (per resolver and record type).
    type: float
    default: 5
  fail_on_mismatch:
    description:
      - Fail the task when the check fails (a resolver did not resolve the name to the expected target, or the resolvers
        disagree), the way M(ansible.builtin.assert) does.
      - With V(false) the task succeeds and reports the result in RV(ok), RV(resolvers) and RV(findings), for an audit
        that collects findings.
      - Bad options always fail the task.
    type: bool
    default: true
notes:
  - The module never changes anything, so it always returns C(changed=false).
  - An unused UDP port gives no reply (no ICMP error reaches an unconnected socket), which is reported as C(timeout).
seealso:
  - name: Configure integration between Skype for Business Server and Exchange Server
    description: Microsoft's documentation of the Autodiscover DNS record the integration needs.
    link: https://learn.microsoft.com/en-us/skypeforbusiness/deploy/integrate-with-exchange-server/integrate-with-exchange-server
"""

EXAMPLES = r"""
- name: Check autodiscover.contoso.com through the internal and external resolvers
  ucops.skype_exchange.autodiscover_dns_info:
    domain: contoso.com
    expected_target: mail.contoso.com
    resolvers:
      - 10.0.0.10
      - 10.0.0.11
  run_once: true
  delegate_to: localhost

- name: Audit without failing; keep the findings
  ucops.skype_exchange.autodiscover_dns_info:
    name: autodiscover.contoso.com
    expected_addresses: [10.0.1.25]
    record_types: [A]
    resolvers: ['10.0.0.10:53', '[2001:db8::53]:53']
    timeout: 2
    fail_on_mismatch: false
  register: autodiscover_dns
  run_once: true

- name: Show who answered what
  ansible.builtin.debug:
    msg: "{{ autodiscover_dns.resolvers | map(attribute='status') | list }}"
"""

RETURN = r"""
name:
  description: The name checked.
  returned: always
  type: str
  sample: autodiscover.contoso.com
ok:
  description: Whether every resolver resolved the name to the expected target and they all agreed.
  returned: success
  type: bool
  sample: true
agreed:
  description: Whether all resolvers gave the same answer (same status, CNAME chain and addresses).
  returned: success
  type: bool
  sample: true
expected_target:
  description: The expected target name, normalised (lower case, no trailing dot); null when not given.
  returned: success
  type: str
  sample: ex2019.contoso.local
expected_addresses:
  description: The expected addresses, normalised and sorted.
  returned: success
  type: list
  elements: str
  sample: [10.0.1.25]
resolvers:
  description: What each resolver answered, in the order of O(resolvers).
  returned: success
  type: list
  elements: dict
  contains:
    resolver:
      description: The resolver asked, C(IP:port) or C([IPv6]:port).
      type: str
      sample: "10.0.0.10:53"
    status:
      description: C(ok), C(nxdomain), C(nodata), C(wrong_target), C(timeout), C(servfail), C(refused) or C(error).
      type: str
      sample: ok
    rcode:
      description: The DNS response code of the answer the status comes from (null when no reply came).
      type: str
      sample: NOERROR
    chain:
      description: The CNAME chain followed from the name, each hop with C(name), C(type), C(target) and C(ttl).
      type: list
      elements: dict
      sample: [{name: autodiscover.contoso.com, type: CNAME, target: ex2019.contoso.local, ttl: 3600}]
    canonical_name:
      description: The name at the end of the CNAME chain (the name itself without CNAME).
      type: str
      sample: ex2019.contoso.local
    addresses:
      description: The addresses of the canonical name, all record types together, sorted.
      type: list
      elements: str
      sample: [10.0.1.25]
    mismatch:
      description: Why the answer does not match the expected target (status C(wrong_target)), else null.
      type: str
    error:
      description: The network error or unexpected response code, else null.
      type: str
    answers:
      description: The answer of each record type, with C(type), C(status), C(rcode), C(chain), C(canonical_name), C(addresses), C(ttl), C(error).
      type: list
      elements: dict
findings:
  description: One finding per resolver whose status is not C(ok) and one when the resolvers disagree, for the audit.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: C(autodiscover_dns_<status>) or C(autodiscover_dns_disagreement).
      type: str
    severity:
      description: C(error).
      type: str
    feature:
      description: C(autodiscover_dns).
      type: str
    server:
      description: The resolver concerned, null for a disagreement.
      type: str
    message:
      description: What was wrong, naming the resolver and its answer.
      type: str
    source:
      description: The documentation that asks for the record.
      type: str
  sample:
    - id: autodiscover_dns_nxdomain
      severity: error
      feature: autodiscover_dns
      server: "10.0.0.11:53"
      message: "10.0.0.11:53: autodiscover.contoso.com answered NXDOMAIN"
      source: https://learn.microsoft.com/en-us/skypeforbusiness/deploy/integrate-with-exchange-server/integrate-with-exchange-server
msg:
  description: A summary; on failure the findings' messages.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import verify


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str'),
            domain=dict(type='str'),
            expected_target=dict(type='str'),
            expected_addresses=dict(type='list', elements='str', default=[]),
            resolvers=dict(type='list', elements='str', default=[]),
            record_types=dict(type='list', elements='str', choices=['A', 'AAAA'], default=['A', 'AAAA']),
            timeout=dict(type='float', default=5),
            fail_on_mismatch=dict(type='bool', default=True),
        ),
        required_one_of=[('name', 'domain')],
        supports_check_mode=True,
    )
    if not verify.HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib('dnspython'), exception=str(verify.DNSPYTHON_IMPORT_ERROR))
    params = module.params
    try:
        if not params['timeout'] or params['timeout'] <= 0:
            raise OptionError('timeout: must be a number of seconds greater than 0')
        if not params['record_types']:
            raise OptionError('record_types: give at least one of A, AAAA')
        name = verify.autodiscover_name(params['name'], params['domain'])
        resolvers = verify.resolvers_of(params['resolvers'])
        result = verify.verify(name, resolvers, record_types=list(dict.fromkeys(params['record_types'])),
                               expected_target=params['expected_target'], expected_addresses=params['expected_addresses'],
                               timeout=params['timeout'])
    except OptionError as error:
        module.fail_json(msg=str(error), error_kind='option', changed=False)
    result['changed'] = False
    if not result['ok'] and params['fail_on_mismatch']:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: windows_dns_resolution_info
short_description: Check how a Windows server itself resolves a DNS name (for example the Autodiscover name on a Skype Front End)
version_added: 1.0.0
description:
  - Runs C(Resolve-DnsName -Name <name> -Type A|AAAA -DnsOnly) on the targeted Windows host over WinRM (no product shell),
    so the name is resolved the way that server resolves it, through its own DNS client and resolvers. The controller
    may have another view (split DNS); M(ucops.skype_exchange.autodiscover_dns_info) checks from the controller.
  - Target the servers where the answer matters, for example the Skype for Business Front Ends, which must resolve
    C(autodiscover.<domain>) to the Exchange server, or the Exchange servers.
  - Follows the CNAME chain in the answer and compares it with the expected target name and/or addresses exactly as
    M(ucops.skype_exchange.autodiscover_dns_info) does, and returns the same per-resolver result with the host as the
    resolver.
  - A name that does not resolve is an error of C(Resolve-DnsName); the module reports it as a status (C(nxdomain),
    C(nodata), C(timeout), C(servfail), C(refused), or C(error) with the message).
  - C(Resolve-DnsName) only sends DNS queries, so the request is read-only (the runner allows the C(Resolve) verb in a
    read request).
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_connection
attributes:
  check_mode:
    support: full
    details: The module only resolves a name; check mode changes nothing.
  diff_mode:
    support: none
    details: This action does not modify state.
options:
  name:
    description:
      - The name to resolve, for example C(autodiscover.contoso.com).
    type: str
    required: true
  expected_target:
    description:
      - The host name the name must lead to, normally the FQDN of the Exchange server or its load balancer.
      - It matches when it is any name of the CNAME chain of the answer or the name the addresses belong to.
    type: str
  expected_addresses:
    description:
      - The addresses the name must resolve to. For each address family listed the resolved addresses of that family
        must be exactly these; a family not listed is not compared.
    type: list
    elements: str
    default: []
  record_types:
    description:
      - The address record types to ask for. The name resolves when at least one type has addresses.
    type: list
    elements: str
    choices: [A, AAAA]
    default: [A]
  fail_on_mismatch:
    description:
      - Fail the task when the check fails (the host did not resolve the name to the expected target).
      - With V(false) the task succeeds and reports the result in RV(ok), RV(resolvers) and RV(findings).
      - Bad options and a failed request (WinRM, PowerShell) always fail the task.
    type: bool
    default: true
notes:
  - The module never changes anything, so it always returns C(changed=false).
  - C(-DnsOnly) is sent, so LLMNR and NetBIOS are not used; the hosts file and the host's DNS client cache still are.
seealso:
  - module: ucops.skype_exchange.autodiscover_dns_info
  - name: Resolve-DnsName
    description: Microsoft's reference of the cmdlet.
    link: https://learn.microsoft.com/powershell/module/dnsclient/resolve-dnsname
"""

EXAMPLES = r"""
- name: Each Skype Front End resolves the Autodiscover name to the Exchange server
  ucops.skype_exchange.windows_dns_resolution_info:
    name: autodiscover.contoso.com
    expected_target: mail.contoso.com
  when: inventory_hostname in groups['skype']

- name: Audit without failing; keep the findings
  ucops.skype_exchange.windows_dns_resolution_info:
    name: autodiscover.contoso.com
    expected_addresses: [10.0.1.25]
    record_types: [A, AAAA]
    fail_on_mismatch: false
  register: seen_from_server
"""

RETURN = r"""
name:
  description: The name checked.
  returned: always
  type: str
  sample: autodiscover.contoso.com
ok:
  description: Whether the host resolved the name to the expected target.
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
  description: What the host resolved, one entry, in the form of M(ucops.skype_exchange.autodiscover_dns_info)'s.
  returned: success
  type: list
  elements: dict
  contains:
    resolver:
      description: The host that resolved the name (its computer name).
      type: str
      sample: SFB19
    status:
      description: C(ok), C(nxdomain), C(nodata), C(wrong_target), C(timeout), C(servfail), C(refused) or C(error).
      type: str
      sample: ok
    rcode:
      description: The DNS response code the status implies (null when unknown).
      type: str
      sample: NOERROR
    chain:
      description: The CNAME chain followed from the name, each hop with C(name), C(type), C(target) and C(ttl).
      type: list
      elements: dict
      sample: [{name: autodiscover.contoso.com, type: CNAME, target: ex2019.contoso.local, ttl: 3600}]
    canonical_name:
      description: The name at the end of the CNAME chain.
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
      description: The message of Resolve-DnsName's error, else null.
      type: str
    answers:
      description: The answer of each record type, with C(type), C(status), C(rcode), C(chain), C(canonical_name), C(addresses), C(ttl), C(error).
      type: list
      elements: dict
findings:
  description: One finding when the host did not resolve the name to the expected target, for the audit.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: C(dns_resolution_<status>).
      type: str
    severity:
      description: C(error).
      type: str
    feature:
      description: C(windows_dns_resolution).
      type: str
    server:
      description: The host concerned.
      type: str
    message:
      description: What was wrong, naming the host and its answer.
      type: str
    source:
      description: The documentation that asks for the record.
      type: str
msg:
  description: A summary; on failure the findings' messages.
  returned: always
  type: str
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, UcopsError, failure_result
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.dns import verify
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

FEATURE = 'windows_dns_resolution'
PROPERTIES = ['Name', 'Type', 'TTL', 'Section', 'NameHost', 'IPAddress']
# Resolve-DnsName's errors are Win32Exceptions whose FullyQualifiedErrorId starts with the Win32 error name. Source for
# DNS_ERROR_RCODE_NAME_ERROR ("<name> : DNS name does not exist") and DNS_ERROR_RCODE_SERVER_FAILURE: scripts and
# console transcripts in public repositories that catch them; the others are the winerror.h names of a refusal
# (9005), "No records found for given DNS query" (9501) and a timeout (1460), no source for the cmdlet using them.
ERROR_STATUS = {
    'DNS_ERROR_RCODE_NAME_ERROR': ('nxdomain', 'NXDOMAIN'),
    'DNS_ERROR_RCODE_SERVER_FAILURE': ('servfail', 'SERVFAIL'),
    'DNS_ERROR_RCODE_REFUSED': ('refused', 'REFUSED'),
    'DNS_INFO_NO_RECORDS': ('nodata', 'NOERROR'),
    'ERROR_TIMEOUT': ('timeout', None),
}


def reads(name, record_types):
    """One Resolve-DnsName per record type; a name that does not resolve is an error kept as data (tolerate_errors)."""
    return [Invocation(rdtype, 'Resolve-DnsName', {'Name': name, 'Type': rdtype, 'DnsOnly': {'__ucops_type': 'switch', 'value': True}},
                       properties=PROPERTIES, tolerate_errors=True) for rdtype in record_types]


def answer_of(name, rdtype, rows, errors):
    """One record type's answer in the shape of verify.ask's, from Resolve-DnsName's rows or its error."""
    empty = {'type': rdtype, 'rcode': None, 'chain': [], 'canonical_name': None, 'addresses': [], 'ttl': None, 'error': None}
    if errors:
        error_id = str(errors[0].get('fully_qualified_error_id') or '').split(',', maxsplit=1)[0]
        status, rcode = ERROR_STATUS.get(error_id, ('error', None))
        return dict(empty, status=status, rcode=rcode, error=errors[0].get('message') or error_id)
    answer = [row for row in rows if str(row.get('Section') or 'Answer') == 'Answer']
    owner, chain, seen = name, [], set()
    for dummy in range(verify.MAX_CNAME_CHAIN):
        hop = [row for row in answer if str(row.get('Type')).upper() == 'CNAME' and verify._fqdn(row.get('Name')) == owner]
        if not hop or owner in seen:
            break
        seen.add(owner)
        target = verify._fqdn(hop[0].get('NameHost'))
        chain.append({'name': owner, 'type': 'CNAME', 'target': target, 'ttl': hop[0].get('TTL')})
        owner = target
    records = [row for row in answer if str(row.get('Type')).upper() == rdtype and verify._fqdn(row.get('Name')) == owner]
    addresses = sorted(set(str(row.get('IPAddress')) for row in records if row.get('IPAddress')))
    return dict(empty, status='ok' if addresses else 'nodata', rcode='NOERROR', chain=chain, canonical_name=owner,
                addresses=addresses, ttl=records[0].get('TTL') if records else None)


def check(resolver, name, record_types, answers, expected_target=None, expected_addresses=None):
    """The module's result (without ``changed``): the host's view compared with the expectation by verify.compare."""
    target, addresses = verify.normalise_expected(expected_target, expected_addresses)
    status, main = verify.combine(answers)
    view = {
        'resolver': resolver, 'name': name, 'status': status, 'record_types': list(record_types),
        'rcode': main['rcode'] if main else None, 'chain': main['chain'] if main else [],
        'canonical_name': (main['canonical_name'] if main else None) or name,
        'addresses': sorted(set(a for item in answers for a in item['addresses'])),
        'answers': answers, 'error': main.get('error') if main else None, 'mismatch': None,
    }
    if status == 'ok':
        view['mismatch'] = verify.compare(view, target, addresses)
        if view['mismatch']:
            view['status'] = 'wrong_target'
    findings = []
    if view['status'] != 'ok':
        text = view['mismatch'] if view['status'] == 'wrong_target' else '%s answered %s' % (name, verify.describe(view))
        findings.append({'id': 'dns_resolution_' + view['status'], 'severity': 'error', 'feature': FEATURE, 'server': resolver,
                         'message': '%s: %s' % (resolver, text), 'source': verify.SOURCE})
    ok = not findings
    return {
        'name': name, 'expected_target': target, 'expected_addresses': addresses, 'resolvers': [view], 'ok': ok,
        'findings': findings,
        'msg': ('%s through %s' % (verify.describe(view), resolver)) if ok else '; '.join(f['message'] for f in findings),
    }


def run(module):
    """Validate, one read request, the comparison in Python."""
    params = module.params
    if not params['record_types']:
        raise OptionError('record_types: give at least one of A, AAAA')
    name = verify.autodiscover_name(params['name'], None)
    record_types = list(dict.fromkeys(params['record_types']))
    verify.normalise_expected(params['expected_target'], params['expected_addresses'])  # bad input fails before sending
    response = module.runner.read(module.shell(), reads(name, record_types))
    answers = [answer_of(name, rdtype, response.output(rdtype), response.item_errors(rdtype)) for rdtype in record_types]
    resolver = (response.host or {}).get('computer_name') or module.host
    result = check(resolver, name, record_types, answers, params['expected_target'], params['expected_addresses'])
    result['changed'] = False
    return result


def main():
    # product=None: Resolve-DnsName is a cmdlet of the host itself, no product shell is loaded
    module = UcopsModule(
        product=None,
        argument_spec=dict(
            name=dict(type='str', required=True),
            expected_target=dict(type='str'),
            expected_addresses=dict(type='list', elements='str', default=[]),
            record_types=dict(type='list', elements='str', choices=['A', 'AAAA'], default=['A']),
            fail_on_mismatch=dict(type='bool', default=True),
        ),
        not_blank={'name': 'give the name to resolve, for example autodiscover.contoso.com'},
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except UcopsError as error:
        module.fail_json(**failure_result(error, module.secrets()))
    if not result['ok'] and module.params['fail_on_mismatch']:
        # like autodiscover_dns_info: a failed check fails the task with the whole result
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

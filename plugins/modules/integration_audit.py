#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: integration_audit
short_description: Judge the whole Skype for Business and Exchange integration from the info modules' reads, and write the audit report
version_added: 1.1.0
description:
  - Takes the results of M(ucops.skype_exchange.exchange_info) on every Exchange host, M(ucops.skype_exchange.skype_info)
    on every Skype for Business host and M(ucops.skype_exchange.autodiscover_dns_info), and decides for each step of
    Microsoft's documented order and each server whether it is C(compliant), C(would_change) (with the diff),
    C(failed) (with the reason) or C(not_applicable). No server is contacted; the audit costs the info modules' one
    PowerShell run per host, and every decision is made here, in Python.
  - Desired values are compared with the comparisons of the modules that apply them, so the audit and the integration
    playbook agree about what would change.
  - A host whose info task failed or was unreachable is a C(failed) result with the reason, never "absent" or "drift";
    the other hosts are still judged.
  - Adds the checks Microsoft's support scripts make for this integration (HealthChecker, FreeBusyChecker; Auth
    certificate present and valid on every server, staged certificate, partner applications both ways with the linked
    account and roles, OAuth on the Autodiscover and EWS virtual directories, OAuthTokenIssuer on every Front End,
    Autodiscover URL and DNS, hosting provider and Access Edge for the Exchange Online branch) and the feature support
    matrix of the detected topology (see the P(ucops.skype_exchange.feature_matrix#lookup) lookup).
  - Writes the report as JSON (schema C(docs/audit-report.schema.json) of the collection), Markdown and one
    self-contained HTML page into O(report_dir) on the controller.
author:
  - ucops.skype_exchange contributors (@ucops)
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: The module changes no server. The report files are written in check mode too (they are the audit's output).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: N/A
    details: The would-change diffs are in RV(report).
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: Runs on the Ansible controller.
options:
  exchange_results:
    description:
      - The M(ucops.skype_exchange.exchange_info) result of each Exchange host, keyed by inventory host name, as
        registered (a failed or unreachable result included).
    type: dict
    required: true
  skype_results:
    description:
      - The M(ucops.skype_exchange.skype_info) result of each Skype for Business host (Front End), keyed by inventory host
        name.
    type: dict
    required: true
  dns_result:
    description:
      - The M(ucops.skype_exchange.autodiscover_dns_info) result; omitted, the DNS step is C(not_applicable).
    type: dict
  autodiscover_fqdn:
    description:
      - The Autodiscover name, for example C(autodiscover.contoso.com); the documented SCP and OAuth URLs are built from it.
    type: str
    required: true
  branch:
    description:
      - C(on_premises) (partner applications both ways) or C(exchange_online) (hosting provider and shared SIP address space).
    type: str
    choices: [on_premises, exchange_online]
    default: on_premises
  owa_im:
    description:
      - Whether Outlook on the web IM is part of the desired configuration.
    type: bool
    default: false
  dns_mode:
    description:
      - How the integration playbook handles the Autodiscover record. With C(rfc2136) or C(windows_dns) a wrong record is
        C(would_change) (the playbook fixes it), with C(verify) it is C(failed).
    type: str
    choices: [verify, rfc2136, windows_dns]
    default: verify
  test_sip_addresses:
    description:
      - The SIP addresses the integration playbook verifies with; the audit never runs that test (it writes to a mailbox).
    type: list
    elements: str
    default: []
  exchange_group:
    description: The inventory pattern of the Exchange hosts, shown in the report.
    type: str
  skype_group:
    description: The inventory pattern of the Skype for Business hosts, shown in the report.
    type: str
  report_dir:
    description:
      - The directory on the controller the report files go to (created with mode 0700 when missing). Omitted, no file is
        written and the report is only returned.
    type: path
  formats:
    description: The report files to write into O(report_dir).
    type: list
    elements: str
    choices: [json, markdown, html]
    default: [json, markdown, html]
  fail_on_drift:
    description:
      - Fail the task (after writing the report) when a step would change or failed, so that a scheduler or CI can act on it.
    type: bool
    default: false
notes:
  - The files are C(audit-report.json), C(audit-report.md) and C(audit-report.html). Writing them does not count as a
    change (C(changed) is always false); they are output, not configuration.
seealso:
  - module: ucops.skype_exchange.exchange_info
  - module: ucops.skype_exchange.skype_info
  - module: ucops.skype_exchange.autodiscover_dns_info
"""

EXAMPLES = r"""
- name: Judge the integration from what the info modules read
  ucops.skype_exchange.integration_audit:
    exchange_results: "{{ dict(groups['exchange'] | zip(groups['exchange'] | map('extract', hostvars, 'audit_exchange_info'))) }}"
    skype_results: "{{ dict(groups['skype'] | zip(groups['skype'] | map('extract', hostvars, 'audit_skype_info'))) }}"
    dns_result: "{{ audit_dns }}"
    autodiscover_fqdn: autodiscover.contoso.com
    report_dir: /var/tmp/ucops-audit
  delegate_to: localhost
  run_once: true
  register: audit
"""

RETURN = r"""
report:
  description:
    - The report, as in C(audit-report.json); its schema is C(docs/audit-report.schema.json) of the collection.
  returned: always
  type: dict
  contains:
    summary:
      description: Steps per status, C(drift) and the overall C(status) (C(compliant), C(drift) or C(failed)).
      type: dict
    steps:
      description: The steps in the documented order, each with its C(results) per server.
      type: list
      elements: dict
    findings:
      description: The info modules' findings, in the form of RV(ucops.skype_exchange.exchange_info#module:findings).
      type: list
      elements: dict
    features:
      description: The feature support matrix rows for the detected topology.
      type: list
      elements: dict
summary:
  description: The same as RV(report.summary).
  returned: always
  type: dict
  sample: {compliant: 6, would_change: 2, failed: 0, not_applicable: 4, drift: true, status: drift}
drift:
  description: Whether a step would change or failed.
  returned: always
  type: bool
files:
  description: The report files written, one per format.
  returned: always
  type: list
  elements: str
  sample: [/var/tmp/ucops-audit/audit-report.json, /var/tmp/ucops-audit/audit-report.md, /var/tmp/ucops-audit/audit-report.html]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration.audit import build_report
from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration.report import write_reports


def main():
    module = AnsibleModule(
        argument_spec=dict(
            exchange_results=dict(type='dict', required=True),
            skype_results=dict(type='dict', required=True),
            dns_result=dict(type='dict'),
            autodiscover_fqdn=dict(type='str', required=True),
            branch=dict(type='str', choices=['on_premises', 'exchange_online'], default='on_premises'),
            owa_im=dict(type='bool', default=False),
            dns_mode=dict(type='str', choices=['verify', 'rfc2136', 'windows_dns'], default='verify'),
            test_sip_addresses=dict(type='list', elements='str', default=[]),
            exchange_group=dict(type='str'),
            skype_group=dict(type='str'),
            report_dir=dict(type='path'),
            formats=dict(type='list', elements='str', choices=['json', 'markdown', 'html'], default=['json', 'markdown', 'html']),
            fail_on_drift=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params['autodiscover_fqdn'].strip():
        module.fail_json(msg='autodiscover_fqdn is empty: give the Autodiscover name, for example autodiscover.contoso.com.')
    settings = dict((key, params[key]) for key in ('autodiscover_fqdn', 'branch', 'owa_im', 'dns_mode', 'test_sip_addresses',
                                                   'exchange_group', 'skype_group'))
    report = build_report(params['exchange_results'], params['skype_results'], params['dns_result'], settings)
    files = []
    if params['report_dir']:
        try:
            files = write_reports(report, params['report_dir'], params['formats'] or [])
        except OSError as error:
            module.fail_json(msg='Could not write the audit report into %s: %s' % (params['report_dir'], error), report=report)
    summary = report['summary']
    result = dict(changed=False, report=report, summary=summary, drift=summary['drift'], files=files)
    if params['fail_on_drift'] and summary['drift']:
        steps = ', '.join('%s (%s)' % (step['id'], step['status']) for step in report['steps'] if step['status'] in ('would_change', 'failed'))
        module.fail_json(msg='The audit found drift: %s. The report: %s.' % (steps, ', '.join(files) or 'not written (no report_dir)'), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The slice playbook against the lab: check mode writes nothing, apply changes, the second run changes nothing.

The tests in this file run in order against one lab (module-scoped fixture).
"""

from __future__ import annotations

import json

from integration_support import REPO, recap

PLAYBOOK = REPO / 'playbooks' / 'autodiscover.yml'
AUDIT = REPO / 'playbooks' / 'audit.yml'
EXCHANGE = ('ex2013', 'ex2016', 'ex2019', 'exse')
SKYPE = ('lync2013', 'sfb2015', 'sfb2019', 'sfbse1', 'sfbse2')
# Skype hosts of one deployment (lab/topology.yml settings.deployment) share the global OAuth configuration: it is changed
# once per deployment. Run in parallel (forks), both Front Ends may read the old value and both write; run one after the
# other, the second sees no change. So on the first apply at least one host of the deployment changes, not every host.
SHARED_DEPLOYMENTS = (('sfbse1', 'sfbse2'),)
SHARED = tuple(host for hosts in SHARED_DEPLOYMENTS for host in hosts)


def writes(invocations):
    return [i for i in invocations if i['write']]


def test_check_mode_reports_the_change_and_the_lab_sees_no_write(lab):
    rc, output = lab.playbook(PLAYBOOK, '--check')
    assert rc == 0, output
    totals = recap(output)
    for host in EXCHANGE + SKYPE:
        assert totals[host]['changed'] == 1, output
    logged = lab.invocations()
    assert logged, 'the lab logged no invocation at all'
    assert not writes(logged), writes(logged)
    assert {i['cmdlet'] for i in logged} >= {'Get-ExchangeServer', 'Get-CsOAuthConfiguration'}


def test_audit_playbook_reports_drift_without_writing(lab, tmp_path):
    # the default lab holds several organisations in one group: the full audit is tested per topology in
    # test_integration_playbook.py; here it must read only and report the SCP and OAuth drift of this slice
    before = len(lab.invocations())
    rc, output = lab.playbook(AUDIT, '-e', 'skype_exchange_audit_report_dir=%s' % tmp_path)
    assert rc == 0, output
    for host in EXCHANGE + SKYPE:
        assert recap(output)[host]['changed'] == 0, output
    assert not writes(lab.invocations()[before:])
    report = json.loads((tmp_path / 'audit-report.json').read_text())
    statuses = dict((step['id'], step['status']) for step in report['steps'])
    assert statuses['exchange_autodiscover'] == 'would_change' and statuses['skype_oauth_configuration'] == 'would_change', statuses


def test_apply_uses_the_cmdlet_of_each_version(lab):
    before = len(lab.invocations())
    rc, output = lab.playbook(PLAYBOOK)
    assert rc == 0, output
    totals = recap(output)
    for host in EXCHANGE + SKYPE:
        if host not in SHARED:
            assert totals[host]['changed'] == 1, output
    for hosts in SHARED_DEPLOYMENTS:
        assert sum(totals[host]['changed'] for host in hosts) >= 1, output
    done = dict((i['host'], i) for i in writes(lab.invocations()[before:]))
    assert done['ex2013']['cmdlet'] == 'Set-ClientAccessServer'
    assert done['ex2016']['cmdlet'] == 'Set-ClientAccessService'
    assert done['ex2019']['cmdlet'] == 'Set-ClientAccessService'
    assert done['exse']['cmdlet'] == 'Set-ClientAccessService'
    assert done['ex2019']['parameters']['AutoDiscoverServiceInternalUri'] == 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'
    for host in SKYPE:
        if host not in done:
            assert host in SHARED and totals[host]['changed'] == 0, (host, output)
            continue
        assert done[host]['cmdlet'] == 'Set-CsOAuthConfiguration'
        assert done[host]['parameters']['ExchangeAutodiscoverUrl'] == 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'
        assert totals[host]['changed'] == 1, output


def test_second_run_changes_nothing(lab):
    before = len(lab.invocations())
    rc, output = lab.playbook(PLAYBOOK)
    assert rc == 0, output
    for host in EXCHANGE + SKYPE:
        assert recap(output)[host]['changed'] == 0, output
    assert not writes(lab.invocations()[before:])


def test_diff_shows_before_and_after(lab):
    # the lab's DNS has no fabrikam.com zone: the DNS step's finding is kept, not failed, for this dry run
    rc, output = lab.playbook(PLAYBOOK, '--check', '--diff', '-e', 'skype_exchange_autodiscover_fqdn=autodiscover.fabrikam.com',
                              '-e', 'autodiscover_dns_fail_on_mismatch=false')
    assert rc == 0, output
    lines = [' '.join(line.split()) for line in output.splitlines()]
    assert '- "exchange_autodiscover_url": "https://autodiscover.contoso.com/autodiscover/autodiscover.svc",' in lines, output
    assert '+ "exchange_autodiscover_url": "https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc",' in lines, output
    assert '- "autodiscover_internal_uri": "https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml",' in lines, output
    assert '+ "autodiscover_internal_uri": "https://autodiscover.fabrikam.com/Autodiscover/Autodiscover.xml",' in lines, output


DNS_TASK = 'TASK [ucops.skype_exchange.autodiscover_dns : Check that the Autodiscover name resolves to its target]'


def test_the_dns_step_checks_the_record_through_the_lab_dns_server(lab, tmp_path):
    # the lab's inventory names its DNS server (skype_exchange_dns_resolvers) and the record's target
    rc, output = lab.playbook(PLAYBOOK, '-e', 'skype_exchange_dns_mode=verify')
    assert rc == 0, output
    assert DNS_TASK in output
    # a wrong target fails the play in the integration, and is a finding in the audit
    rc, output = lab.playbook(PLAYBOOK, '-e', 'skype_exchange_autodiscover_target=wrong.contoso.local')
    assert rc != 0 and 'wrong.contoso.local' in output, output
    report_dir = tmp_path / 'audit'
    rc, output = lab.playbook(AUDIT, '-e', 'skype_exchange_autodiscover_target=wrong.contoso.local', '-e',
                              'skype_exchange_audit_report_dir=%s' % report_dir)
    assert rc == 0, output
    dns = [step for step in json.loads((report_dir / 'audit-report.json').read_text())['steps'] if step['id'] == 'autodiscover_dns'][0]
    assert dns['status'] == 'failed' and 'wrong.contoso.local' in json.dumps(dns), dns

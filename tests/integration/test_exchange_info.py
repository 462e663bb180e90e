# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""exchange_info through pywinrm against the lab, on every Exchange version: one PowerShell run per host, the sections,
and the findings (SCP pointing to autodiscover.svc, OAuth off on a virtual directory)."""

from __future__ import annotations

import json
import sys

import pytest

from integration_support import REPO, started_lab

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lab.products.exchange.organization import init_org  # noqa: E402  pylint: disable=wrong-import-position
from lab.state import StateStore  # noqa: E402  pylint: disable=wrong-import-position
from lab.topology import load_topology  # noqa: E402  pylint: disable=wrong-import-position

HOSTS = {'ex2013': ('EX13', '2013'), 'ex2016': ('EX16', '2016'), 'ex2019': ('EX19', '2019'), 'exse': ('EXSE', 'se')}
SVC = 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'
XML = 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'


@pytest.fixture(scope='module', name='lab')
def lab_fixture(tmp_path_factory):
    """A lab whose ex2019 organisation is hybrid (lab/products/exchange/auth.py, setting auth_certificate.hybrid)."""
    yield from started_lab(tmp_path_factory, {'ex2019': {'auth_certificate': {'hybrid': True}}})


def _run(lab, host, *extra):
    """exchange_info on one host: its result and the invocations it caused."""
    before = len(lab.invocations())
    rc, results, output = lab.module(host, 'exchange_info', {}, *extra)
    assert rc == 0, output
    return results[host], [entry for entry in lab.invocations()[before:] if entry['host'] == host]


def _warnings(lab, tmp_path, host):
    """The warnings exchange_info shows (the default callback prints them; the oneline one does not)."""
    playbook = tmp_path / ('%s.yml' % host)
    playbook.write_text('- hosts: %s\n  gather_facts: false\n  tasks:\n    - ucops.skype_exchange.exchange_info:\n' % host)
    rc, output = lab.playbook(playbook)
    assert rc == 0, output
    return ' '.join(output.split())


@pytest.mark.parametrize('host', sorted(HOSTS))
def test_one_powershell_run_returns_every_section(lab, host):
    computer, version = HOSTS[host]
    result, logged = _run(lab, host)
    # one PowerShell run (the lab logs one request id per run) holding only Get cmdlets
    assert len({entry['request'] for entry in logged}) == 1
    assert not [entry for entry in logged if entry['write']]
    cmdlets = {entry['cmdlet'] for entry in logged}
    assert {'Get-ExchangeServer', 'Get-AutodiscoverVirtualDirectory', 'Get-WebServicesVirtualDirectory', 'Get-AuthServer',
            'Get-SettingOverride', 'Get-PartnerApplication'} <= cmdlets
    assert ('Get-ClientAccessServer' if version == '2013' else 'Get-ClientAccessService') in cmdlets
    # the same call is not run twice in the run, even when two features read it
    calls = [json.dumps([entry['cmdlet'], entry['parameters']], sort_keys=True) for entry in logged]
    assert len(calls) == len(set(calls))

    # the keys exchange_info has always returned
    assert (result['version'], result['exchange_version'], result['computer_name'], result['changed']) == (version, version, computer, False)
    names = [server['name'] for server in result['servers']]
    assert computer in names
    own = [server for server in result['servers'] if server['name'] == computer][0]
    assert own['roles'] == (['Mailbox', 'ClientAccess'] if version == '2013' else ['Mailbox'])
    assert result['build'] == own['build'] and result['build'].startswith('15.')
    assert sorted(server['name'] for server in result['client_access_servers']) == sorted(names)

    # one Autodiscover and one EWS directory per server, read with -Server, with the documented defaults
    directories = result['virtual_directories']
    assert directories['errors'] == []
    assert [(item['server'], item['name'], item['oauth_authentication']) for item in directories['autodiscover']] == [
        (name, 'Autodiscover (Default Web Site)', True) for name in sorted(names)]
    ews = [item for item in directories['web_services'] if item['server'] == computer]
    assert [(item['internal_url'], item['oauth_authentication'], item['windows_authentication']) for item in ews] == [
        ('https://%s.contoso.local/EWS/Exchange.asmx' % computer.lower(), True, True)]
    assert [entry['parameters'] for entry in logged if entry['cmdlet'] == 'Get-WebServicesVirtualDirectory'] == [{}]
    assert not [finding for finding in result['findings'] if finding['feature'] == 'virtual_directories']

    # the other features' sections are there, from the same run
    assert {'auth_certificate', 'partner_applications', 'owa_virtual_directories', 'setting_overrides', 'auth_servers'} <= set(result)
    assert result['auth_certificate']['current'] is not None

    # the hybrid application is judged only in a hybrid organization (this lab's ex2019 is one)
    hybrid = result['hybrid_application']
    assert hybrid['hybrid_detected'] is (host == 'ex2019')
    flagged = [finding['id'] for finding in result['findings'] if finding['feature'] == 'hybrid_application']
    if hybrid['hybrid_detected']:
        assert flagged == ([] if hybrid['status'] == 'configured' else ['hybrid_application_%s' % hybrid['status']])
    else:
        assert flagged == []


def test_check_mode_reads_the_same(lab):
    result, logged = _run(lab, 'ex2016', '--check')
    assert result['changed'] is False and result['version'] == '2016'
    assert logged and not [entry for entry in logged if entry['write']]


@pytest.mark.parametrize('host', ['ex2013', 'exse'])
def test_an_scp_pointing_to_autodiscover_svc_is_a_warned_finding(lab, tmp_path, host):
    computer = HOSTS[host][0]
    rc, results, output = lab.module(host, 'exchange_client_access_server', {'autodiscover_internal_uri': SVC})
    assert rc == 0 and results[host]['changed'] is True, output
    try:
        result, _logged = _run(lab, host)
        assert result['client_access_servers'][0]['autodiscover_internal_uri'] == SVC
        svc = [finding for finding in result['findings'] if finding['id'] == 'scp_autodiscover_svc']
        assert [(finding['server'], finding['severity']) for finding in svc] == [(computer, 'warning')]
        warnings = _warnings(lab, tmp_path, host)
        assert '[WARNING]: The Autodiscover SCP (AutoDiscoverServiceInternalUri) of %s is %s' % (computer, SVC) in warnings
        assert 'Set it to https://autodiscover.contoso.com/autodiscover/Autodiscover.xml' in warnings
    finally:
        rc, results, output = lab.module(host, 'exchange_client_access_server', {'autodiscover_internal_uri': XML})
        assert rc == 0, output
    result, _logged = _run(lab, host)
    assert not [finding for finding in result['findings'] if finding['feature'] == 'client_access_servers']
    assert 'autodiscover.svc' not in _warnings(lab, tmp_path, host)


def test_oauth_off_on_a_virtual_directory_is_a_finding(lab):
    # the lab reads state.json on every request; a server whose EWS directory has OAuth off is written there
    topology = load_topology()
    store = StateStore(lab.state_dir)
    state = store.load()
    org = init_org(state, next(host for host in topology.hosts if host.name == 'ex2019'), topology)
    org['virtual_directories'] = {'EX19': {'web_services': {'oauth': False}}}
    store.save(state)
    try:
        result, _logged = _run(lab, 'ex2019')
        assert result['virtual_directories']['web_services'][0]['oauth_authentication'] is False
        assert 'OAuth' not in result['virtual_directories']['web_services'][0]['internal_authentication_methods']
        found = [(finding['id'], finding['severity'], finding['server']) for finding in result['findings'] if finding['feature'] == 'virtual_directories']
        assert found == [('web_services_oauth_disabled', 'error', 'EX19')]
    finally:
        state = store.load()
        state['exchange']['ex2019'].pop('virtual_directories', None)
        store.save(state)

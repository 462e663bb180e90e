# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run as engine_run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, build_request
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import trusted_application as ta

OWA = 'owa.contoso.com'
SITES = [{'Identity': 'Site:Redmond', 'SiteId': 1, 'DisplayName': 'Redmond'}, {'Identity': 'Site:Dublin', 'SiteId': 2, 'DisplayName': 'Dublin'}]
TOPOLOGY = [{'Identity': 'pool01.contoso.local', 'Fqdn': 'pool01.contoso.local', 'Site': 'Site:Redmond',
             'Services': ['Registrar:pool01.contoso.local', 'UserServer:pool01.contoso.local']},
            {'Identity': 'dub01.contoso.local', 'Fqdn': 'dub01.contoso.local', 'Site': 'Site:Dublin',
             'Services': ['Registrar:dub01.contoso.local']},
            {'Identity': 'edge.contoso.local', 'Fqdn': 'edge.contoso.local', 'Site': 'Site:Redmond', 'Services': ['EdgeServer:edge.contoso.local']}]


def pool(fqdn=OWA, site='Site:Redmond', registrar='Registrar:pool01.contoso.local', replication=False, throttle=True, treat=True):
    return {'Identity': 'TrustedApplicationPool:' + fqdn, 'PoolFqdn': fqdn, 'SiteId': site, 'Registrar': registrar,
            'RequiresReplication': replication, 'ThrottleAsServer': throttle, 'TreatAsAuthenticated': treat, 'OutboundOnly': False,
            'ServiceId': '1-ExternalServer-1'}


def app(application='OutlookWebApp', port=5199, fqdn=OWA):
    return {'Identity': '%s/urn:application:%s' % (fqdn, application), 'ApplicationId': 'urn:application:' + application,
            'TrustedApplicationPoolFqdn': fqdn, 'Port': port}


def response(pools=(), apps=(), after=False):
    outputs = {'version': ['Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.'], 'sites': SITES,
               'topology_pools': TOPOLOGY}
    if after:
        outputs = {'enable_topology': [], 'trusted_pools_after': list(pools), 'trusted_applications_after': list(apps)}
    else:
        outputs.update({'trusted_pools': list(pools), 'trusted_applications': list(apps)})
    return Response({'host': {'computer_name': 'SFB19'},
                     'results': [{'id': key, 'cmdlet': 'Get-X', 'status': 'ok', 'output': rows} for key, rows in outputs.items()]})


class FakeRunner:
    def __init__(self, read, write=None):
        self.read_response, self.write_response = read, write
        self.writes = []

    def read(self, shell, invocations):
        build_request('read', shell, invocations)
        return self.read_response

    def write(self, shell, invocations):
        build_request('write', shell, invocations)
        self.writes.append(invocations)
        return self.write_response


class FakeModule:
    def __init__(self, runner, check_mode=False, diff=False):
        self.runner, self.check_mode, self._diff = runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


def params(**overrides):
    base = {'state': 'present', 'pool_fqdn': OWA, 'registrar': 'pool01.contoso.local', 'site': None, 'requires_replication': False,
            'throttle_as_server': None, 'treat_as_authenticated': None, 'application_id': 'OutlookWebApp', 'application_port': 5199}
    base.update(overrides)
    return base


def run(read, write=None, check_mode=False, diff=False, **overrides):
    runner = FakeRunner(read, write)
    module = FakeModule(runner, check_mode, diff)
    result = engine_run(module, ta.TrustedApplication(params(**overrides)))
    return result, runner, module


def sent(runner):
    return [(i.cmdlet, i.parameters) for batch in runner.writes for i in batch]


def test_create_sends_the_site_id_of_the_registrar_site_and_ends_with_enable_topology():
    result, runner, _module = run(response(), response([pool()], [app()], after=True), diff=True)
    assert sent(runner) == [
        ('New-CsTrustedApplicationPool', {'Identity': OWA, 'Registrar': 'pool01.contoso.local', 'Site': '1', 'RequiresReplication': False}),
        ('New-CsTrustedApplication', {'ApplicationId': 'OutlookWebApp', 'TrustedApplicationPoolFqdn': OWA, 'Port': 5199}),
        ('Enable-CsTopology', {}),
        ('Get-CsTrustedApplicationPool', {'Filter': '*'}),
        ('Get-CsTrustedApplication', {'Filter': '*'}),
    ]
    assert result['changed'] is True and result['topology_enabled'] is True
    assert result['trusted_application'] == {'identity': OWA + '/urn:application:OutlookWebApp', 'application_id': 'urn:application:OutlookWebApp',
                                             'port': 5199}
    assert result['trusted_application_pool']['site'] == 'Site:Redmond'
    assert result['diff']['before'] == {} and result['diff']['after']['pool']['registrar'] == 'Registrar:pool01.contoso.local'


@pytest.mark.parametrize('site, expected', [('Dublin', '2'), ('site:dublin', '2'), ('2', '2'), (None, '1')])
def test_site_by_name_identity_or_id_becomes_the_site_id(site, expected):
    result, runner, _module = run(response(), check_mode=True, site=site)
    assert runner.writes == []
    assert result['changes'][0].startswith('New-CsTrustedApplicationPool -Identity %s -Registrar pool01.contoso.local -Site %s' % (OWA, expected))
    assert result['topology_enabled'] is True


def test_nothing_differs_nothing_is_sent_and_topology_is_not_enabled():
    # FQDN vs service ID of the Registrar, site by name vs Identity, application ID case: all the same
    result, runner, module = run(response([pool()], [app('outlookwebapp')]), site='REDMOND', registrar='Registrar:POOL01.contoso.local',
                                 application_id='urn:application:OutlookWebApp')
    assert runner.writes == [] and result['changed'] is False and result['topology_enabled'] is False and result['changes'] == []
    assert module.warnings == []


def test_settings_and_port_change_in_place():
    result, runner, module = run(response([pool(replication=True, registrar='Registrar:dub01.contoso.local')], [app(port=5200)]),
                                 response([pool()], [app()], after=True), throttle_as_server=True)
    assert sent(runner)[:3] == [
        ('Set-CsTrustedApplicationPool', {'Identity': OWA, 'Registrar': 'pool01.contoso.local', 'RequiresReplication': False}),
        ('Set-CsTrustedApplication', {'Identity': OWA + '/urn:application:OutlookWebApp', 'Port': 5199}),
        ('Enable-CsTopology', {}),
    ]
    assert any('Move-CsApplicationEndpoint' in warning for warning in module.warnings)


def test_missing_application_is_added_to_the_existing_pool():
    result, runner, _module = run(response([pool()], [app('Other', 6000)]), check_mode=True)
    assert result['changes'] == ['New-CsTrustedApplication -ApplicationId OutlookWebApp -TrustedApplicationPoolFqdn %s -Port 5199' % OWA]
    assert runner.writes == []


def test_new_site_recreates_pool_and_application():
    result, runner, _module = run(response([pool()], [app()]), check_mode=True, site='Dublin', registrar='dub01.contoso.local')
    assert [line.split(' -')[0] for line in result['changes']] == [
        'Remove-CsTrustedApplicationPool', 'New-CsTrustedApplicationPool', 'New-CsTrustedApplication']
    assert '-Site 2' in result['changes'][1]
    assert result['trusted_application_pool']['site'] == 'Site:Dublin'


def test_new_site_refused_when_other_applications_would_be_lost():
    with pytest.raises(OptionError, match='other applications'):
        run(response([pool()], [app(), app('Other', 6000)]), site='Dublin')


@pytest.mark.parametrize('overrides, fragment', [
    ({'pool_fqdn': 'https://owa.contoso.com/owa'}, 'pool_fqdn must be the FQDN'),
    ({'application_id': 'Outlook Web App'}, 'without spaces'),
    ({'application_port': 70000}, 'application_port must be a TCP port'),
    ({'registrar': 'pool 01'}, 'registrar must be the FQDN'),
    ({'site': ' '}, 'site must be the name'),
])
def test_bad_options_are_refused_before_any_read(overrides, fragment):
    with pytest.raises(OptionError, match=fragment):
        ta.TrustedApplication(params(**overrides))


@pytest.mark.parametrize('read, overrides, fragment', [
    (response(), {'registrar': 'edge.contoso.local'}, 'not a Registrar pool.*dub01.contoso.local, pool01.contoso.local'),
    (response(), {'site': 'Paris'}, 'site Paris is not a site.*Redmond \\(SiteId 1\\)'),
    (response(), {'registrar': None}, 'registrar is required to create'),
    (response(), {'pool_fqdn': 'pool01.contoso.local'}, 'is a pool of the Skype for Business topology'),
    (response([pool()], [app('Other', 5199)]), {}, 'application_port 5199 is already used by owa.contoso.com/urn:application:Other'),
])
def test_what_the_read_shows_wrong_is_refused_before_any_write(read, overrides, fragment):
    runner = FakeRunner(read)
    with pytest.raises(OptionError, match=fragment):
        engine_run(FakeModule(runner), ta.TrustedApplication(params(**overrides)))
    assert runner.writes == []


def test_absent_removes_the_pool_with_its_application():
    result, runner, _module = run(response([pool()], [app()]), response(after=True), state='absent')
    assert [item[0] for item in sent(runner)][:2] == ['Remove-CsTrustedApplicationPool', 'Enable-CsTopology']
    assert result['trusted_application_pool'] is None and result['trusted_application'] is None


def test_absent_keeps_a_pool_holding_other_applications():
    result, runner, module = run(response([pool()], [app(), app('Other', 6000)]), check_mode=True, state='absent')
    assert result['changes'] == ['Remove-CsTrustedApplication -Identity %s/urn:application:OutlookWebApp' % OWA]
    assert any('is kept' in warning for warning in module.warnings)
    result, runner, _module = run(response([pool()], [app('Other', 6000)]), state='absent')
    assert result['changed'] is False and runner.writes == []


def test_absent_sets_a_missing_registrar_first_or_says_why_it_cannot():
    result, _runner, _module = run(response([pool(registrar=None)], []), check_mode=True, state='absent')
    assert result['changes'] == ['Set-CsTrustedApplicationPool -Identity %s -Registrar pool01.contoso.local' % OWA,
                                 'Remove-CsTrustedApplicationPool -Identity %s' % OWA]
    with pytest.raises(OptionError, match='has no Registrar'):
        run(response([pool(registrar=None)], []), state='absent', registrar=None)


def test_absent_when_nothing_exists_is_unchanged():
    result, runner, _module = run(response(), state='absent')
    assert result['changed'] is False and runner.writes == [] and result['topology_enabled'] is False


def test_info_reports_pools_applications_and_findings():
    read = Response({'results': [
        {'id': 'trusted_pools', 'status': 'ok', 'output': [pool(replication=True), pool('empty.contoso.com', registrar=None)]},
        {'id': 'trusted_applications', 'status': 'ok', 'output': [app()]}]})
    assert [i.key for i in ta.info_reads()] == ['trusted_pools', 'trusted_applications']
    section = ta.info(read)
    assert section['trusted_application_pools'][0]['applications'] == ['urn:application:OutlookWebApp']
    assert section['trusted_applications'][0]['port'] == 5199
    assert sorted(f['id'] for f in section['trusted_application_findings']) == [
        'trusted_application_no_application', 'trusted_application_no_registrar', 'trusted_application_replication']
    assert all(set(f) == {'id', 'severity', 'feature', 'server', 'message', 'source'} for f in section['trusted_application_findings'])

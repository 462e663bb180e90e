# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit's decisions from info results shaped as exchange_info / skype_info return them."""

from __future__ import annotations

import copy
import json
import datetime
import os
import re

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import audit

FQDN = 'autodiscover.contoso.com'
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.timezone.utc)
SETTINGS = {'autodiscover_fqdn': FQDN, 'branch': 'on_premises', 'exchange_group': 'exchange', 'skype_group': 'skype'}


def exchange_info(version='2019', compliant=False):
    info = {
        'changed': False, 'version': version, 'product': 'Exchange Server %s' % version, 'support_status': 'out_of_support',
        'end_of_support': '2025-10-14', 'computer_name': 'EX19', 'admin_display_version': 'Version 15.2 (Build 1544.4)',
        'servers': [{'name': 'EX19', 'fqdn': 'ex19.contoso.local', 'version': version}],
        'client_access_servers': [{'name': 'EX19', 'fqdn': 'ex19.contoso.local',
                                   'autodiscover_internal_uri': 'https://ex19.contoso.local/Autodiscover/Autodiscover.xml'}],
        'virtual_directories': {'autodiscover': [{'server': 'EX19', 'identity': 'EX19\\Autodiscover (Default Web Site)', 'oauth_authentication': True}],
                                'web_services': [{'server': 'EX19', 'identity': 'EX19\\EWS (Default Web Site)', 'oauth_authentication': True}]},
        'auth_certificate': {'current': {'thumbprint': 'D3CB', 'present_on': ['EX19'], 'missing_on': [], 'expired': False,
                                         'not_after': '2030-01-01T00:00:00Z', 'days_left': 1126}, 'next': None, 'findings': []},
        'owa_virtual_directories': [{'server': 'EX19', 'identity': 'EX19\\owa (Default Web Site)', 'instant_messaging_type': 'None'}],
        'owa_im_setting_overrides': [],
        'findings': [
            {'id': 'version_out_of_support', 'severity': 'warning', 'feature': 'organization', 'server': 'EX19', 'message': 'left support',
             'source': 'versions'},
            {'id': 'partner_application_missing', 'severity': 'error', 'feature': 'partner_applications', 'server': None,
             'message': 'No Skype for Business / Lync partner application configured from metadata.', 'source': 'FreeBusyChecker'},
        ],
    }
    if compliant:
        info['client_access_servers'][0]['autodiscover_internal_uri'] = 'https://%s/Autodiscover/Autodiscover.xml' % FQDN.upper()
        info['findings'] = info['findings'][:1]
    return info


def skype_info(host='SFB19', thumbprint=None, compliant=False):
    info = {
        'changed': False, 'version': '2019', 'product': 'Skype for Business Server 2019', 'support_status': 'out_of_support',
        'end_of_support': '2025-10-14', 'computer_name': host, 'shell': 'skype_remote',
        'pools': [{'fqdn': 'sfbpool.contoso.local'}],
        'oauth_configuration': {'exchange_autodiscover_url': None},
        'oauth_certificate': {'oauth_token_issuer': {'thumbprint': thumbprint, 'not_after': '2030-01-01T00:00:00Z'} if thumbprint else None,
                              'findings': [] if thumbprint else [{'id': 'not_assigned', 'severity': 'error', 'feature': 'oauth_certificate',
                                                                  'server': host, 'message': 'nothing assigned', 'source': 'SFB-CERT'}]},
        'exchange_online': {'findings': [{'id': 'exchange_online_not_configured', 'severity': 'info', 'message': 'No hosting provider',
                                          'source': '§7'}], 'exchange_online_providers': [], 'access_edge': {'allow_federated_users': False}},
        'trusted_application_pools': [],
        'findings': [{'id': 'partner_application_missing', 'severity': 'error', 'feature': 'partner_applications', 'server': None,
                      'message': 'Skype for Business has no partner application for Exchange.', 'source': '§8.2'}],
    }
    if compliant:
        info['oauth_configuration']['exchange_autodiscover_url'] = 'https://%s/autodiscover/autodiscover.svc' % FQDN
        info['findings'] = []
    return info


DNS_OK = {'changed': False, 'ok': True, 'name': FQDN, 'resolvers': [{'resolver': '127.0.0.1:5353', 'status': 'ok', 'addresses': ['127.0.0.1']}],
          'findings': []}


def build(exchange=None, skype=None, dns=None, **settings):
    return audit.build_report(exchange if exchange is not None else {'ex2019': exchange_info()},
                              skype if skype is not None else {'sfb2019': skype_info()},
                              DNS_OK if dns is None else dns, dict(SETTINGS, **settings), now=NOW)


def step(report, ident):
    return [item for item in report['steps'] if item['id'] == ident][0]


def test_steps_follow_the_documented_order():
    report = build()
    assert [item['id'] for item in report['steps']] == [item[0] for item in audit.STEPS]
    assert [item['order'] for item in report['steps']] == list(range(1, len(audit.STEPS) + 1))
    assert report['steps'][0]['id'] == 'prerequisites' and report['steps'][1]['id'] == 'exchange_auth_certificate'


def test_fresh_deployment_would_change_with_diffs():
    report = build()
    scp = step(report, 'exchange_autodiscover')
    assert scp['status'] == 'would_change'
    assert scp['results'][0]['server'] == 'ex2019'  # the inventory host, found by computer name
    assert scp['results'][0]['diff'] == {'before': {'autodiscover_internal_uri': 'https://ex19.contoso.local/Autodiscover/Autodiscover.xml'},
                                         'after': {'autodiscover_internal_uri': 'https://%s/Autodiscover/Autodiscover.xml' % FQDN}}
    oauth = step(report, 'skype_oauth_configuration')
    assert oauth['status'] == 'would_change'
    assert oauth['results'][0]['diff']['after'] == {'exchange_autodiscover_url': 'https://%s/autodiscover/autodiscover.svc' % FQDN}
    assert step(report, 'exchange_partner_application')['status'] == 'would_change'
    assert step(report, 'skype_partner_application')['status'] == 'would_change'
    assert step(report, 'skype_oauth_certificate')['status'] == 'would_change'
    assert step(report, 'exchange_online')['status'] == 'not_applicable'
    assert report['summary']['drift'] is True and report['summary']['status'] == 'drift'


def test_compliant_deployment_is_compliant_with_the_modules_comparisons():
    # the SCP's host differs only in case: the module's uri comparison accepts it, so the audit does too
    report = build({'ex2019': exchange_info(compliant=True)}, {'sfb2019': skype_info(thumbprint='AB12', compliant=True)})
    statuses = dict((item['id'], item['status']) for item in report['steps'])
    assert statuses['exchange_autodiscover'] == 'compliant', report['steps'][3]
    assert set(statuses.values()) <= {'compliant', 'not_applicable'}, statuses
    assert report['summary'] == {'compliant': 8, 'would_change': 0, 'failed': 0, 'not_applicable': 4, 'drift': False, 'status': 'compliant'}


def test_failed_read_is_failed_never_drift_and_the_other_product_is_still_judged():
    failed = {'failed': True, 'unreachable': True, 'msg': 'connection refused to ex2019:5986'}
    report = build({'ex2019': failed})
    pre = step(report, 'prerequisites')
    assert pre['status'] == 'failed'
    assert any(item['server'] == 'ex2019' and 'connection refused' in item['message'] for item in pre['results'])
    scp = step(report, 'exchange_autodiscover')
    assert scp['status'] == 'failed' and all(item['diff'] is None for item in scp['results'])
    assert step(report, 'skype_oauth_configuration')['status'] == 'would_change'
    assert report['topology']['exchange'] is None and report['topology']['skype']['version'] == '2019'
    assert {'id': 'host_unreadable', 'severity': 'error', 'feature': 'prerequisites', 'server': 'ex2019',
            'message': 'unreachable: connection refused to ex2019:5986', 'source': None} in report['findings']


def test_front_ends_with_different_certificates_fail_naming_both():
    report = build(skype={'sfbse1': skype_info('SFBSE1', 'AAAA'), 'sfbse2': skype_info('SFBSE2', 'BBBB')})
    certificate = step(report, 'skype_oauth_certificate')
    assert certificate['status'] == 'failed'
    mismatch = [item for item in certificate['results'] if item['server'] is None][0]
    assert 'sfbse1 (SFBSE1): AAAA' in mismatch['message'] and 'sfbse2 (SFBSE2): BBBB' in mismatch['message']
    assert '-Identity Global' in mismatch['message']


def test_a_front_end_without_the_certificate_others_hold_is_a_mismatch_but_none_anywhere_would_change():
    report = build(skype={'sfbse1': skype_info('SFBSE1', 'AAAA'), 'sfbse2': skype_info('SFBSE2')})
    assert step(report, 'skype_oauth_certificate')['status'] == 'failed'
    assert 'sfbse2 (SFBSE2): none' in [item for item in step(report, 'skype_oauth_certificate')['results'] if item['server'] is None][0]['message']
    fresh = build(skype={'sfbse1': skype_info('SFBSE1'), 'sfbse2': skype_info('SFBSE2')})
    assert step(fresh, 'skype_oauth_certificate')['status'] == 'would_change'


def test_expired_auth_certificate_fails_with_the_fix():
    info = exchange_info()
    info['auth_certificate']['current'].update(expired=True, not_after='2025-01-01T00:00:00Z')
    info['findings'].append({'id': 'auth_certificate_current_expired', 'severity': 'error', 'feature': 'auth_certificate', 'server': None,
                             'message': 'The current Auth certificate expired on 2025-01-01T00:00:00Z.', 'source': 'auth_certificate.py'})
    result = step(build({'ex2019': info}), 'exchange_auth_certificate')
    assert result['status'] == 'failed'
    assert 'expired' in result['results'][0]['message'] and 'exchange_auth_certificate_mode replace' in result['results'][0]['message']
    assert {'valid': 'failed'}.items() <= dict((check['id'], check['status']) for check in result['results'][0]['checks']).items()


def test_lync_2013_with_exchange_2016_owa_im_is_refused_with_microsofts_sentence():
    lync = skype_info()
    lync['version'] = '2013'
    report = build({'ex2016': exchange_info('2016')}, {'lync2013': lync}, owa_im=True)
    owa = step(report, 'exchange_owa_im')
    assert owa['status'] == 'failed'
    assert 'skype_version=2013' in owa['results'][0]['message'] and 'Exchange Server 2016' in owa['results'][0]['message']


def test_owa_im_on_2019_needs_the_override_and_ocs():
    report = build(owa_im=True)
    owa = step(report, 'exchange_owa_im')
    assert owa['status'] == 'would_change'
    assert owa['results'][0]['diff']['after'] == {'instant_messaging_type': 'Ocs', 'im_setting_override': True}
    assert step(report, 'skype_trusted_application')['results'][0]['message'] == 'No trusted application pool for ex19.contoso.local.'


def test_online_branch_skips_the_on_premises_steps():
    report = build(branch='exchange_online')
    assert step(report, 'exchange_partner_application')['status'] == 'not_applicable'
    online = step(report, 'exchange_online')
    assert online['status'] == 'would_change' and online['results'][0]['diff']['after']['allow_federated_users'] is True


def test_dns_failure_is_failed_in_verify_mode_and_would_change_when_the_playbook_writes_it():
    bad = {'failed': False, 'ok': False, 'name': FQDN, 'resolvers': [{'resolver': '127.0.0.1:5353', 'status': 'nxdomain', 'addresses': []}],
           'findings': []}
    assert step(build(dns=bad), 'autodiscover_dns')['status'] == 'failed'
    assert step(build(dns=bad, dns_mode='rfc2136'), 'autodiscover_dns')['status'] == 'would_change'
    assert 'nxdomain' in step(build(dns=bad), 'autodiscover_dns')['results'][0]['message']


def test_input_is_not_modified_and_features_come_from_the_matrix():
    exchange, skype = {'ex2019': exchange_info()}, {'sfb2019': skype_info()}
    kept = copy.deepcopy((exchange, skype))
    report = build(exchange, skype)
    assert (exchange, skype) == kept
    assert report['topology']['column'] == 'exchange_onprem_skype_server'
    um = [row for row in report['features'] if 'um' in row['id']]
    assert um and all(row['status'] == 'not_supported' for row in um), um


def test_collection_version_matches_galaxy_yml():
    path = os.path.join(os.path.dirname(audit.__file__), '..', '..', '..', 'galaxy.yml')
    with open(path, encoding='utf-8') as handle:
        version = re.search(r'^version:\s*(\S+)', handle.read(), re.MULTILINE).group(1)
    assert audit.COLLECTION_VERSION == version
    assert build()['collection_version'] == version


def test_every_scenario_validates_against_the_published_schema():
    jsonschema = pytest.importorskip('jsonschema')
    path = os.path.join(os.path.dirname(__file__), *(['..'] * 5 + ['docs', 'audit-report.schema.json']))
    with open(path, encoding='utf-8') as handle:
        validator = jsonschema.Draft202012Validator(json.load(handle), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    lync = skype_info()
    lync['version'] = '2013'
    scenarios = [build(), build(owa_im=True), build(branch='exchange_online'), build({'ex2019': {'failed': True, 'msg': 'x'}}),
                 build({}, {}), build({'ex2016': exchange_info('2016')}, {'lync2013': lync}, owa_im=True),
                 audit.build_report({'ex2019': exchange_info()}, {'sfb2019': skype_info()}, None, {'autodiscover_fqdn': FQDN}, now=NOW)]
    for report in scenarios:
        validator.validate(json.loads(json.dumps(report)))

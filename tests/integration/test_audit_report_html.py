# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTML audit report as headless Chromium shows it: the DOM it builds (tables, rows, statuses, texts), a screenshot
(colours of the statuses really painted) and a PDF print. Offline: Chromium resolves no host name.

UCOPS_UPDATE_SCREENSHOT=1 copies the screenshot to docs/images/audit-report.png.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import chromium_support
from chromium_support import count_colour, parse_dom, read_png

from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import report as renderer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_EXPORT = REPO / 'docs' / 'images' / 'audit-report.png'
# Badge colours of the screen style (report.py _STYLE): failed red, compliant green, would_change amber.
RED, GREEN, AMBER = (0xCF, 0x22, 0x2E), (0x1A, 0x7F, 0x37), (0xF0, 0xB4, 0x29)
HOSTILE = 'Get-CsPartnerApplication answered <script>document.title = "changed"</script> <b>not bold</b> & more'
SCP_URL = 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'


def _step(order, ident, title, product, scope, section, results):
    statuses = [result['status'] for result in results]
    status = next(status for status in renderer.STATUSES if status in statuses)
    return {'id': ident, 'order': order, 'title': title, 'product': product, 'scope': scope,
            'section': 'integration-procedure.md \u00a7%s' % section, 'status': status, 'results': results}


def _result(server, status, message, diff=None, checks=()):
    return {'server': server, 'status': status, 'message': message, 'diff': diff, 'checks': list(checks)}


def _check(ident, status, message, source):
    return {'id': ident, 'status': status, 'message': message, 'source': source}


def sample_report():
    """A check-mode audit of an Exchange 2019 + Skype for Business Server 2019 lab, branch on_premises, OWA IM off: the
    Auth certificate expired (failed), the SCP and the OAuth Autodiscover URL would change, the rest compliant or not
    applicable."""
    steps = [
        _step(1, 'prerequisites', 'Both products installed, reachable and supported', 'both', 'server', '1', [
            _result('ex2019', 'compliant', 'Exchange Server 2019 CU15 (15.2.1748.10) answered over WinRM.',
                    checks=[_check('version_recognised', 'compliant', 'Build 15.2.1748.10 is Exchange Server 2019 CU15.',
                                   'CSS-Exchange Get-ExchangeBuildVersionInformation.ps1')]),
            _result('sfb2019', 'compliant', 'Skype for Business Server 2019 (7.0.2046.0) answered over WinRM.')]),
        _step(2, 'exchange_auth_certificate', 'Exchange Auth certificate', 'exchange', 'organization', '2', [
            _result(None, 'failed', 'The current Auth certificate (thumbprint 3F2A...9C1D) expired on 2026-11-02.\n'
                    'Run exchange_auth_certificate with action=replace (it restarts services only with allow_restarts).', checks=[
                        _check('auth_certificate_valid', 'failed', 'Expired 29 days ago.', 'CSS-Exchange MonitorExchangeAuthCertificate.ps1'),
                        _check('auth_certificate_on_every_server', 'compliant', 'Present on ex2019.',
                               'CSS-Exchange MonitorExchangeAuthCertificate.ps1')])]),
        _step(3, 'skype_oauth_certificate', 'Skype for Business OAuthTokenIssuer certificate', 'skype', 'deployment', '3', [
            _result('sfb2019', 'compliant', 'OAuthTokenIssuer certificate CN=contoso.com, valid until 2027-06-30.')]),
        _step(4, 'exchange_autodiscover', 'Exchange Autodiscover internal URI (SCP)', 'exchange', 'server', '4', [
            _result('ex2019', 'would_change', 'AutoDiscoverServiceInternalUri is not set.',
                    {'before': {'autodiscover_internal_uri': None}, 'after': {'autodiscover_internal_uri': SCP_URL}},
                    [_check('scp_set', 'would_change', 'The SCP is blank: Outlook and Skype clients cannot find Autodiscover.',
                            'integration-procedure.md \u00a74')])]),
        _step(5, 'skype_oauth_configuration', 'Skype for Business OAuth configuration (Exchange Autodiscover URL)', 'skype',
              'deployment', '5', [
                  _result(None, 'would_change', 'ExchangeAutodiscoverUrl points to the old mail host.',
                          {'before': {'exchange_autodiscover_url': 'https://mail.contoso.com/autodiscover/autodiscover.svc'},
                           'after': {'exchange_autodiscover_url': 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'}})]),
        _step(6, 'autodiscover_dns', 'Autodiscover DNS record', 'dns', 'organization', '6', [
            _result(None, 'compliant', 'autodiscover.contoso.com is a CNAME to ex2019.contoso.local on every resolver.')]),
        _step(7, 'exchange_partner_application', 'Skype for Business as a partner application of Exchange (branch on_premises)',
              'exchange', 'organization', '8.1', [
                  _result(None, 'compliant', 'Partner application LyncEnterprise-ApplicationAccount is enabled with its roles.')]),
        _step(8, 'skype_partner_application', 'Exchange as a partner application of Skype for Business (branch on_premises)',
              'skype', 'deployment', '8.2', [_result(None, 'compliant', 'Partner application Exchange is enabled.')]),
        _step(9, 'server_to_server_verification', 'Verify server-to-server authentication (branch on_premises)', 'skype',
              'deployment', '8.3', [_result(None, 'not_applicable', 'No test SIP address given (skype_exchange_test_sip_addresses).')]),
        _step(10, 'exchange_online', 'Exchange Online: shared SIP address space and hosting provider (branch exchange_online)', 'skype',
              'deployment', '7', [_result(None, 'not_applicable', 'The branch is on_premises.')]),
        _step(11, 'skype_trusted_application', 'Trusted application pool for Outlook on the web IM (optional)', 'skype', 'deployment',
              '14.2', [_result(None, 'not_applicable', 'skype_exchange_owa_im is false.')]),
        _step(12, 'exchange_owa_im', 'Outlook on the web IM on Exchange (optional)', 'exchange', 'server', '14.3/\u00a714.4', [
            _result('ex2019', 'not_applicable', 'skype_exchange_owa_im is false.')]),
    ]
    # the summary counts steps by status (audit.py build_report)
    statuses = [step['status'] for step in steps]
    summary = dict((status, statuses.count(status)) for status in ('compliant', 'would_change', 'failed', 'not_applicable'))
    summary.update(drift=bool(summary['would_change'] or summary['failed']),
                   status='failed' if summary['failed'] else 'drift' if summary['would_change'] else 'compliant')
    return {
        'schema': renderer.SCHEMA_ID,
        'schema_version': renderer.SCHEMA_VERSION,
        'title': 'Skype for Business and Exchange integration audit',
        'generated_at': '2026-12-01T04:30:00Z',
        'collection_version': '1.1.0',
        'check_mode': True,
        'settings': {'autodiscover_fqdn': 'autodiscover.contoso.com', 'branch': 'on_premises', 'owa_im': False,
                     'exchange_group': 'exchange', 'skype_group': 'skype', 'dns_mode': 'verify'},
        'topology': {
            'column': 'exchange_onprem_skype_server',
            'exchange': {'product': 'Exchange Server 2019', 'version': '2019', 'support_status': 'out_of_support',
                         'end_of_support': '2025-10-14', 'servers': ['ex2019']},
            'skype': {'product': 'Skype for Business Server 2019', 'version': '2019', 'support_status': 'out_of_support',
                      'end_of_support': '2025-10-14', 'servers': ['sfb2019'], 'pools': ['sfb19.contoso.local']},
        },
        'summary': summary,
        'steps': steps,
        'findings': [
            {'id': 'auth_certificate_expired', 'severity': 'error', 'feature': 'auth_certificate', 'server': None,
             'message': 'The current Auth certificate expired on 2026-11-02: OAuth between Exchange and Skype for Business fails.',
             'source': 'CSS-Exchange MonitorExchangeAuthCertificate.ps1'},
            {'id': 'scp_blank', 'severity': 'warning', 'feature': 'client_access_servers', 'server': 'ex2019',
             'message': 'The Autodiscover SCP of ex2019 is blank | see https://learn.microsoft.com/exchange/architecture/client-access/autodiscover',
             'source': 'CSS-Exchange FreeBusyChecker'},
            {'id': 'partner_application_metadata', 'severity': 'warning', 'feature': 'partner_applications', 'server': 'sfb2019',
             'message': HOSTILE, 'source': None},
            {'id': 'conversation_history_no_client_policy', 'severity': 'info', 'feature': 'conversation_history', 'server': None,
             'message': 'No client policy enables server-side conversation history.', 'source': 'integration-procedure.md \u00a717'},
        ],
        'features': [
            {'id': 'presence_in_outlook', 'name': 'Presence in Outlook', 'status': 'available', 'supported': True, 'note': None,
             'missing_steps': [], 'manual_steps': [], 'footnotes': []},
            {'id': 'presence_in_owa', 'name': 'Presence in Outlook on the web', 'status': 'needs_configuration', 'supported': True,
             'note': 'Set skype_exchange_owa_im to true.', 'missing_steps': ['skype_trusted_application', 'exchange_owa_im'],
             'manual_steps': [], 'footnotes': ['SFB-PLAN (2025): Exchange Server (on premises) + Skype for Business Server (on premises).']},
            {'id': 'calendar_free_busy', 'name': 'Publish status based on Outlook calendar free/busy information',
             'status': 'needs_configuration', 'supported': True, 'note': 'Needs working server-to-server authentication.',
             'missing_steps': ['exchange_auth_certificate', 'exchange_autodiscover', 'skype_oauth_configuration'], 'manual_steps': [],
             'footnotes': []},
            {'id': 'exchange_um_voice_mail', 'name': 'Exchange UM voice mail', 'status': 'not_supported', 'supported': False,
             'note': 'Exchange 2019 has no Unified Messaging.', 'missing_steps': [], 'manual_steps': ['exchange_um'],
             'footnotes': ['SFB-PLAN (2025): Exchange Server (on premises) + Skype for Business Server (on premises).',
                           'Y (Exchange 2016 only) in the newest matrix; N in the 2021 base document for Exchange Online + SfB Online.']},
            {'id': 'archiving', 'name': 'Archiving content (IM and meetings) in Exchange', 'status': 'unknown', 'supported': None,
             'note': 'Archiving policies are not read.', 'missing_steps': [], 'manual_steps': ['exchange_archiving'], 'footnotes': []},
        ],
    }


@pytest.fixture(scope='module')
def page(tmp_path_factory):
    """(report, path of its HTML page)."""
    chromium_support.require_chromium()
    report = sample_report()
    path = tmp_path_factory.mktemp('audit-report') / 'audit-report.html'
    path.write_text(renderer.to_html(report), encoding='utf-8')
    return report, path


def _cells(row):
    return [cell.text().strip() for cell in row.find_all('td')]


def test_dom_shows_every_step_result_finding_and_feature(page):
    report, path = page
    dom = parse_dom(chromium_support.dump_dom(path))
    assert dom.find_all('h1')[0].text() == report['title']
    # the hostile text stayed text: no script element, the title Chromium shows is unchanged
    assert not dom.find_all('script')
    assert dom.find_all('title')[0].text() == report['title']
    assert not any(node.tag in ('link', 'img', 'iframe', 'object', 'embed') for node in dom.nodes())

    overview = dom.find_all('table', class_='overview')[0].find_all('tbody')[0].find_all('tr')
    assert [row.attrs['data-step'] for row in overview] == [step['id'] for step in report['steps']]
    for step in report['steps']:
        section = dom.find_all('section', id='step-' + step['id'])[0]
        assert section.attrs['data-status'] == step['status']
        heading = section.find_all('h3')[0].text()
        assert heading.startswith('%d. %s' % (step['order'], step['title'])) and heading.endswith(renderer.STATUS_LABELS[step['status']])
        rows = section.find_all('table', class_='results')[0].find_all('tbody')[0].find_all('tr')
        assert len(rows) == len(step['results'])
        for row, result in zip(rows, step['results']):
            cells = _cells(row)
            assert cells[1] == renderer.STATUS_LABELS[result['status']]
            assert row.find_all('td', data_status=result['status'])
            assert cells[2] == result['message']
            assert cells[0] == (result['server'] or '(%s)' % step['scope'])
        checks = [check for result in step['results'] for check in result['checks']]
        check_tables = section.find_all('table', class_='checks')
        if checks:
            check_rows = check_tables[0].find_all('tbody')[0].find_all('tr')
            assert [(row.attrs['data-check'], row.attrs['data-status']) for row in check_rows] == [
                (check['id'], check['status']) for check in checks]
        else:
            assert not check_tables

    failed = dom.find_all('section', id='step-exchange_auth_certificate')[0].find_all('td', data_status='failed')
    assert [cell.text() for cell in failed] == ['Failed', 'Failed']
    diff = dom.find_all('section', id='step-exchange_autodiscover')[0].find_all('ul', class_='diff')[0]
    assert diff.text() == 'autodiscover_internal_uri: null \u2192 "%s"' % SCP_URL

    summary = dict((row.attrs['data-count'], _cells(row)) for row in dom.find_all('table', class_='summary')[0].find_all('tr')[1:])
    assert summary == dict((status, [renderer.STATUS_LABELS[status], str(report['summary'][status])]) for status in renderer.STATUS_LABELS)
    assert dom.find_all('td', id='overall-status')[0].text() == 'Failed'

    findings = dom.find_all('section', id='findings')[0].find_all('tbody')[0].find_all('tr')
    assert [row.attrs['data-finding'] for row in findings] == [
        'auth_certificate_expired', 'scp_blank', 'partner_application_metadata', 'conversation_history_no_client_policy']
    assert _cells(findings[2]) == ['Warning', 'sfb2019', 'partner_applications', HOSTILE, '']
    assert not findings[2].find_all('b')

    features = dom.find_all('section', id='features')[0].find_all('tbody')[0].find_all('tr')
    assert [(row.attrs['data-feature'], _cells(row)[1]) for row in features] == [
        (feature['id'], renderer.FEATURE_STATUS_LABELS[feature['status']]) for feature in report['features']]
    assert _cells(features[3])[0] == 'Exchange UM voice mail[1][2]'
    assert [item.text() for item in dom.find_all('ol', class_='notes')[0].find_all('li')] == [
        report['features'][1]['footnotes'][0], report['features'][3]['footnotes'][1]]


def test_screenshot_paints_the_status_colours(page, tmp_path):
    _report, path = page
    shot = chromium_support.screenshot(path, tmp_path / 'audit-report.png', 1280, 1800)
    assert os.path.getsize(shot) > 30000
    png = read_png(shot)
    width, height, channels, rows = png
    assert (width, height) == (1280, 1800) and channels in (3, 4)
    # not blank: many distinct colours (antialiased text, badges), and mostly a white page
    pixels = [bytes(row[index:index + 3]) for row in rows[::7] for index in range(0, len(row), channels * 3)]
    assert len(set(pixels)) > 100
    assert pixels.count(b'\xff\xff\xff') > len(pixels) // 2
    # the badges of the summary table (top of the page) are painted in their colours
    assert count_colour(png, RED) > 500
    assert count_colour(png, GREEN) > 500
    assert count_colour(png, AMBER) > 200
    if os.environ.get('UCOPS_UPDATE_SCREENSHOT') == '1':
        SCREENSHOT_EXPORT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT_EXPORT)


def test_print_to_pdf(page, tmp_path):
    _report, path = page
    pdf = Path(chromium_support.print_pdf(path, tmp_path / 'audit-report.pdf'))
    data = pdf.read_bytes()
    assert data.startswith(b'%PDF-') and data.rstrip().endswith(b'%%EOF')
    assert len(data) > 20000
    # a long report: several pages (the print rules repeat table headers and keep rows whole)
    assert len(re.findall(rb'/Type\s*/Page(?![A-Za-z])', data)) >= 2

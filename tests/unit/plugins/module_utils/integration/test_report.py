# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit report renderers: JSON (round trip, key order, docs/audit-report.schema.json), Markdown tables and the HTML
page (escaping, no external asset, a status label next to every colour, print rules)."""

from __future__ import annotations

import copy
import json
import os
import re
from html.parser import HTMLParser

import jsonschema
import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import report as renderer

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), *(['..'] * 5 + ['docs', 'audit-report.schema.json']))
SCP_URL = 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'
SCRIPT = '<script>alert("x")</script>'


def sample_report():
    """A realistic report: every status, a failed result, a would_change result with a diff, checks, findings with hostile
    text (HTML, pipes, a newline, a URL), the feature matrix with a shared footnote."""
    return {
        'schema': renderer.SCHEMA_ID,
        'schema_version': '1.0',
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
        'summary': {'compliant': 2, 'would_change': 2, 'failed': 1, 'not_applicable': 2, 'drift': True, 'status': 'failed'},
        'steps': [
            {'id': 'prerequisites', 'order': 1, 'title': 'Both products installed, reachable and supported', 'product': 'both',
             'scope': 'server', 'section': 'integration-procedure.md \u00a71', 'status': 'compliant',
             'results': [
                 {'server': 'ex2019', 'status': 'compliant', 'message': 'Exchange Server 2019 CU15 is reachable.', 'diff': None,
                  'checks': [{'id': 'version_supported', 'status': 'compliant', 'message': 'Version recognised.', 'source': 'support.py'}]},
                 {'server': 'sfb2019', 'status': 'compliant', 'message': 'Skype for Business Server 2019 is reachable.', 'diff': None,
                  'checks': []},
             ]},
            {'id': 'exchange_auth_certificate', 'order': 2, 'title': 'Exchange Auth certificate', 'product': 'exchange',
             'scope': 'organization', 'section': 'integration-procedure.md \u00a72', 'status': 'failed',
             'results': [
                 {'server': None, 'status': 'failed', 'message': 'The Auth certificate expired on 2026-11-02 | renew it.\nSee ' + SCRIPT,
                  'diff': None,
                  'checks': [{'id': 'auth_certificate_expired', 'status': 'failed', 'message': 'Expired 29 days ago.',
                              'source': 'CSS-Exchange MonitorExchangeAuthCertificate.ps1'},
                             {'id': 'auth_certificate_on_all_servers', 'status': 'compliant', 'message': 'Present on ex2019.',
                              'source': None}]},
             ]},
            {'id': 'exchange_autodiscover', 'order': 4, 'title': 'Exchange Autodiscover internal URI (SCP)', 'product': 'exchange',
             'scope': 'server', 'section': 'integration-procedure.md \u00a74', 'status': 'would_change',
             'results': [
                 {'server': 'ex2019', 'status': 'would_change', 'message': 'AutoDiscoverServiceInternalUri is not set.',
                  'diff': {'before': {'autodiscover_internal_uri': None, 'site': 'Default-First-Site'},
                           'after': {'autodiscover_internal_uri': SCP_URL, 'site': 'Default-First-Site'}},
                  'checks': [{'id': 'scp_set', 'status': 'would_change', 'message': 'The SCP is blank.',
                              'source': 'integration-procedure.md \u00a74'}]},
             ]},
            {'id': 'skype_oauth_configuration', 'order': 5,
             'title': 'Skype for Business OAuth configuration (Exchange Autodiscover URL)', 'product': 'skype', 'scope': 'deployment',
             'section': 'integration-procedure.md \u00a75', 'status': 'would_change',
             'results': [
                 {'server': None, 'status': 'would_change', 'message': 'ExchangeAutodiscoverUrl differs.',
                  'diff': {'before': {'exchange_autodiscover_url': 'https://mail.contoso.com/autodiscover/autodiscover.svc'},
                           'after': {'exchange_autodiscover_url': 'https://autodiscover.contoso.com/autodiscover/autodiscover.svc'}},
                  'checks': []},
             ]},
            {'id': 'autodiscover_dns', 'order': 6, 'title': 'Autodiscover DNS record', 'product': 'dns', 'scope': 'organization',
             'section': 'integration-procedure.md \u00a76', 'status': 'compliant',
             'results': [{'server': None, 'status': 'compliant', 'message': 'autodiscover.contoso.com is a CNAME to ex2019.contoso.local.',
                          'diff': None, 'checks': []}]},
            {'id': 'exchange_online', 'order': 10,
             'title': 'Exchange Online: shared SIP address space and hosting provider (branch exchange_online)', 'product': 'skype',
             'scope': 'deployment', 'section': 'integration-procedure.md \u00a77', 'status': 'not_applicable',
             'results': [{'server': None, 'status': 'not_applicable', 'message': 'The branch is on_premises.', 'diff': None, 'checks': []}]},
            {'id': 'exchange_owa_im', 'order': 12, 'title': 'Outlook on the web IM on Exchange (optional)', 'product': 'exchange',
             'scope': 'server', 'section': 'integration-procedure.md \u00a714.3/\u00a714.4', 'status': 'not_applicable',
             'results': [{'server': 'ex2019', 'status': 'not_applicable', 'message': 'owa_im is false.', 'diff': None, 'checks': []}]},
        ],
        'findings': [
            {'id': 'scp_blank', 'severity': 'warning', 'feature': 'client_access_servers', 'server': 'ex2019',
             'message': 'The Autodiscover SCP of ex2019 is blank | see https://learn.microsoft.com/exchange', 'source': 'FreeBusyChecker'},
            {'id': 'auth_certificate_expired', 'severity': 'error', 'feature': 'auth_certificate', 'server': None,
             'message': 'The current Auth certificate expired. ' + SCRIPT, 'source': 'MonitorExchangeAuthCertificate.ps1'},
            {'id': 'conversation_history_no_client_policy', 'severity': 'info', 'feature': 'conversation_history', 'server': 'sfb2019',
             'message': 'No client policy enables server-side conversation history.', 'source': None},
        ],
        'features': [
            {'id': 'presence_in_outlook', 'name': 'Presence in Outlook', 'status': 'available', 'supported': True, 'note': None,
             'missing_steps': [], 'manual_steps': [], 'footnotes': []},
            {'id': 'presence_in_owa', 'name': 'Presence in Outlook on the web', 'status': 'needs_configuration', 'supported': True,
             'note': 'Set skype_exchange_owa_im to true.', 'missing_steps': ['skype_trusted_application', 'exchange_owa_im'],
             'manual_steps': [], 'footnotes': ['Newest SFB-PLAN (2025): all Y for Exchange Server + Skype for Business Server.']},
            {'id': 'exchange_um_voice_mail', 'name': 'Exchange UM voice mail', 'status': 'not_supported', 'supported': False,
             'note': 'Exchange 2019 has no Unified Messaging.', 'missing_steps': [], 'manual_steps': ['exchange_um'],
             'footnotes': ['Newest SFB-PLAN (2025): all Y for Exchange Server + Skype for Business Server.',
                           'Y (Exchange 2016 only) in the newest matrix.']},
            {'id': 'archiving', 'name': 'Archiving content in Exchange', 'status': 'unknown', 'supported': None, 'note': None,
             'missing_steps': ['exchange_partner_application'], 'manual_steps': ['exchange_archiving'], 'footnotes': []},
        ],
    }


def schema():
    with open(SCHEMA_PATH, encoding='utf-8') as handle:
        return json.load(handle)


def validate(document):
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(document)


# ---------------------------------------------------------------------------------------------------------------------
# JSON and schema

def test_json_round_trips_in_model_order():
    report = sample_report()
    text = renderer.to_json(report)
    assert text.endswith('}\n')
    assert json.loads(text) == report
    assert text.splitlines()[1] == '  "schema": "%s",' % renderer.SCHEMA_ID
    assert list(json.loads(text)) == list(renderer._ORDER['report'])  # pylint: disable=protected-access
    step = json.loads(text)['steps'][2]
    assert list(step) == ['id', 'order', 'title', 'product', 'scope', 'section', 'status', 'results']
    assert list(step['results'][0]) == ['server', 'status', 'message', 'diff', 'checks']
    # the same content built in another order gives the same text
    shuffled = dict(reversed(list(copy.deepcopy(report).items())))
    shuffled['steps'] = [dict(reversed(list(item.items()))) for item in shuffled['steps']]
    assert renderer.to_json(shuffled) == text
    assert '\u00a74' in text  # not \u-escaped


def test_sample_validates_against_the_schema():
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    assert document['$id'] == renderer.SCHEMA_ID == sample_report()['schema']
    assert document['$schema'] == 'https://json-schema.org/draft/2020-12/schema'
    validate(json.loads(renderer.to_json(sample_report())))


def _break(path, value=None, delete=False):
    report = sample_report()
    target = report
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return report


@pytest.mark.parametrize('report', [
    _break(['surprise'], 1),
    _break(['schema'], 'https://example.com/other.json'),
    _break(['summary', 'status'], 'would_change'),
    _break(['steps', 0, 'status'], 'ok'),
    _break(['steps', 0, 'id'], 'unknown_step'),
    _break(['steps', 0, 'product'], 'lync'),
    _break(['steps', 0, 'scope'], 'site'),
    _break(['steps', 0, 'results', 0, 'extra'], True),
    _break(['steps', 0, 'results', 0, 'diff'], delete=True),
    _break(['steps', 2, 'results', 0, 'diff'], {'before': {}}),
    _break(['steps', 0, 'results', 0, 'checks', 0, 'status'], 'passed'),
    _break(['steps', 0, 'results', 0, 'checks', 0, 'extra'], 'x'),
    _break(['findings', 0, 'severity'], 'critical'),
    _break(['features', 0, 'status'], 'partial'),
    _break(['features', 0, 'missing_steps'], ['not_a_step']),
    _break(['topology', 'exchange', 'support_status'], 'extended'),
    _break(['topology', 'exchange', 'end_of_support'], '14/10/2025'),
    _break(['settings', 'branch'], 'hybrid'),
    _break(['generated_at'], 'yesterday'),
], ids=['extra_key', 'schema_id', 'summary_status', 'step_status', 'step_id', 'product', 'scope', 'result_extra_key', 'no_diff_key',
        'diff_without_after', 'check_status', 'check_extra_key', 'severity', 'feature_status', 'missing_step_id', 'support_status',
        'end_of_support_format', 'branch', 'generated_at'])
def test_schema_rejects_what_the_model_does_not_allow(report):
    with pytest.raises(jsonschema.ValidationError):
        validate(report)


def test_schema_allows_the_nullable_parts():
    report = sample_report()
    report['topology'] = {'column': None, 'exchange': None, 'skype': None}
    report['steps'][0]['results'][0]['diff'] = {'before': None, 'after': {'x': 1}}
    report['findings'] = []
    validate(report)


# ---------------------------------------------------------------------------------------------------------------------
# Markdown

def _md_cells(line):
    """Cells of a GitHub table row: split on '|' not escaped by a backslash."""
    assert line.startswith('| ') and line.endswith(' |'), line
    return [cell.strip() for cell in re.split(r'(?<!\\)\|', line[1:-1])]


def _md_tables(text):
    """[(heading above, [header cells], [row cells])] of every table."""
    tables, heading, lines = [], None, text.split('\n')
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith('#'):
            heading = line
        if line.startswith('|'):
            block = []
            while index < len(lines) and lines[index].startswith('|'):
                block.append(lines[index])
                index += 1
            assert re.match(r'^\|(---\|)+$', block[1]), block[1]
            header = _md_cells(block[0])
            rows = [_md_cells(row) for row in block[2:]]
            assert all(len(row) == len(header) for row in rows), block
            tables.append((heading, header, rows))
            continue
        index += 1
    return tables


def test_markdown_has_one_row_per_result_in_step_order():
    report = sample_report()
    report['steps'].reverse()
    text = renderer.to_markdown(report)
    headings = [line for line in text.split('\n') if line.startswith('### ')]
    assert headings[0] == '### 1. Both products installed, reachable and supported: Compliant'
    assert [int(line.split('.')[0][4:]) for line in headings] == [1, 2, 4, 5, 6, 10, 12]
    results = [(heading, rows) for heading, header, rows in _md_tables(text) if header[0] == 'Server' and header[1] == 'Status']
    assert len(results) == len(report['steps'])
    for (heading, rows), step in zip(results, sorted(report['steps'], key=lambda item: item['order'])):
        assert heading.startswith('### %d. ' % step['order'])
        assert len(rows) == len(step['results'])
        assert [row[1] for row in rows] == [renderer.STATUS_LABELS[result['status']] for result in step['results']]
    assert results[1][1][0][0] == '(organization)'


def test_markdown_escapes_pipes_newlines_and_html():
    text = renderer.to_markdown(sample_report())
    assert 'expired on 2026-11-02 \\| renew it.<br>See &lt;script>alert("x")&lt;/script>' in text
    assert '<script>' not in text
    assert 'blank \\| see https://learn.microsoft.com/exchange' in text
    assert renderer._md('a\\|b *c* `d`\r\ne &amp; f') == 'a\\\\\\|b \\*c\\* \\`d\\`<br>e &amp;amp; f'  # pylint: disable=protected-access


def test_markdown_shows_diff_findings_matrix_and_topology():
    text = renderer.to_markdown(sample_report())
    tables = _md_tables(text)
    autodiscover = [rows for heading, header, rows in tables if heading.startswith('### 4.') and header[0] == 'Server'][0]
    assert autodiscover[0][3] == 'autodiscover_internal_uri: null -> "%s"' % SCP_URL  # unchanged key 'site' left out
    checks = [rows for heading, header, rows in tables if heading.startswith('### 2.') and header[1] == 'Check'][0]
    assert [row[1:3] for row in checks] == [['`auth_certificate_expired`', 'Failed'], ['`auth_certificate_on_all_servers`', 'Compliant']]
    findings = [rows for heading, header, rows in tables if heading == '## Findings'][0]
    assert [row[0] for row in findings] == ['Error', 'Warning', 'Info']
    assert findings[0][1] == '(all)'
    features = [(header, rows) for heading, header, rows in tables if heading == '## Feature support'][0]
    assert features[0] == ['Feature', 'Status', 'Missing steps', 'Manual steps', 'Note']
    assert features[1][1] == ['Presence in Outlook on the web [1]', 'Needs configuration', '`skype_trusted_application`, `exchange_owa_im`',
                              'none', 'Set skype_exchange_owa_im to true.']
    assert features[1][2][0] == 'Exchange UM voice mail [1] [2]'
    assert '1. Newest SFB-PLAN (2025): all Y for Exchange Server + Skype for Business Server.\n2. Y (Exchange 2016 only)' in text
    topology = [rows for heading, header, rows in tables if heading == '## Detected topology'][0]
    assert topology[0] == ['Exchange', 'Exchange Server 2019', '2019', 'Out of support', '2025-10-14', 'ex2019', '']
    assert '- Overall status: **Failed**' in text


def test_markdown_of_an_unread_topology_and_empty_lists():
    report = sample_report()
    report['topology'] = {'column': None, 'exchange': None, 'skype': None}
    report['findings'] = []
    report['steps'][0]['results'] = []
    text = renderer.to_markdown(report)
    topology = [rows for heading, header, rows in _md_tables(text) if heading == '## Detected topology'][0]
    assert [row[:2] for row in topology] == [['Exchange', 'not read'], ['Skype for Business / Lync Server', 'not read']]
    assert 'No findings.' in text
    assert 'No results.' in text


# ---------------------------------------------------------------------------------------------------------------------
# HTML

VOID = {'meta', 'br', 'hr', 'img', 'link', 'input', 'col', 'wbr', 'source', 'area', 'base', 'embed', 'track'}


class Node(object):
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return ''.join(child if isinstance(child, str) else child.text() for child in self.children)

    def find_all(self, tag, **attrs):
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(child.attrs.get(name.replace('_', '-')) == value for name, value in attrs.items()):
                    found.append(child)
                found.extend(child.find_all(tag, **attrs))
        return found

    def nodes(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.nodes()


class TreeBuilder(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.root = self.current = Node('#document', [])

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text):
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def test_html_escapes_text_and_fetches_nothing():
    text = renderer.to_html(sample_report())
    assert '<script' not in text.lower()
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in text
    dom = parse(text)
    tags = set(node.tag for node in dom.nodes())
    assert not tags & {'script', 'link', 'img', 'iframe', 'object', 'embed', 'svg', 'video', 'audio', 'base', 'form'}
    for node in dom.nodes():
        for name, value in node.attrs.items():
            assert not name.startswith('on'), (node.tag, name)
            assert not re.search(r'(https?:)?//', value or ''), (node.tag, name, value)
    style = ''.join(node.text() for node in dom.find_all('style'))
    assert 'url(' not in style and '@import' not in style and 'http' not in style
    # URLs only appear as text: in cells and in the schema line
    assert 'https://learn.microsoft.com/exchange' in dom.text()
    # the message with a newline and a pipe is shown whole, as text
    message = [node for node in dom.find_all('td', **{'class': 'message'}) if 'renew it' in node.text()][0]
    assert message.text() == sample_report()['steps'][1]['results'][0]['message']


def test_html_page_structure_and_print_rules():
    text = renderer.to_html(sample_report())
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    dom = parse(text)
    assert dom.find_all('meta', charset='utf-8')
    style = ''.join(node.text() for node in dom.find_all('style'))
    assert '@media print' in style
    print_rules = style[style.index('@media print'):]
    for rule in ('thead { display: table-header-group; }', 'break-inside: avoid', 'page-break-inside: avoid', 'border: 1px solid #000000',
                 'background: #ffffff'):
        assert rule in print_rules
    for table in dom.find_all('table'):
        if 'facts' not in table.attrs.get('class', ''):
            assert len(table.find_all('thead')) == 1 and len(table.find_all('tbody')) == 1


def test_html_tables_show_each_result_with_its_status_label():
    report = sample_report()
    dom = parse(renderer.to_html(report))
    for step in report['steps']:
        section = dom.find_all('section', id='step-' + step['id'])[0]
        assert section.attrs['data-status'] == step['status']
        table = section.find_all('table', **{'class': 'results'})[0]
        rows = table.find_all('tbody')[0].find_all('tr')
        assert len(rows) == len(step['results'])
        for row, result in zip(rows, step['results']):
            cells = row.find_all('td')
            status = [cell for cell in cells if 'data-status' in cell.attrs][0]
            assert status.attrs['data-status'] == result['status']
            assert status.text() == renderer.STATUS_LABELS[result['status']]
            assert cells[2].text() == result['message']
    labels = dict((cell.attrs['data-status'], cell.text()) for cell in dom.find_all('td') if 'data-status' in cell.attrs)
    for status, label in renderer.STATUS_LABELS.items():
        assert labels[status] == label
        assert ('tone-%s' % renderer.TONES[status]) in ' '.join(
            cell.attrs['class'] for cell in dom.find_all('td', data_status=status))
    assert dom.find_all('td', id='overall-status')[0].text() == 'Failed'
    diff = dom.find_all('section', id='step-exchange_autodiscover')[0].find_all('ul', **{'class': 'diff'})[0]
    assert diff.text() == 'autodiscover_internal_uri: null \u2192 "%s"' % SCP_URL


def test_html_findings_and_matrix():
    dom = parse(renderer.to_html(sample_report()))
    findings = dom.find_all('section', id='findings')[0].find_all('tr')[1:]
    assert [row.attrs['data-severity'] for row in findings] == ['error', 'warning', 'info']
    assert [cell.text() for cell in findings[0].find_all('td')][:3] == ['Error', '(all)', 'auth_certificate']
    rows = dom.find_all('section', id='features')[0].find_all('tbody')[0].find_all('tr')
    assert [row.attrs['data-status'] for row in rows] == ['available', 'needs_configuration', 'not_supported', 'unknown']
    owa = [cell.text() for cell in rows[1].find_all('td')]
    assert owa == ['Presence in Outlook on the web[1]', 'Needs configuration', 'skype_trusted_application, exchange_owa_im', 'none',
                   'Set skype_exchange_owa_im to true.']
    # a missing step links to its section when the page has one (skype_trusted_application is not in the sample's steps)
    assert [link.attrs['href'] for link in rows[1].find_all('a')] == ['#note-1', '#step-exchange_owa_im']
    assert [item.attrs['id'] for item in dom.find_all('ol')[0].find_all('li')] == ['note-1', 'note-2']


def test_renderers_are_pure():
    report = sample_report()
    before = copy.deepcopy(report)
    first = (renderer.to_json(report), renderer.to_markdown(report), renderer.to_html(report))
    assert report == before
    assert first == (renderer.to_json(report), renderer.to_markdown(report), renderer.to_html(report))

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit report written out: JSON (the report dict itself, schema docs/audit-report.schema.json), Markdown (GitHub
tables) and one self-contained HTML page (inline style, no script, no external asset, readable when printed).

Pure functions of the report dict that module_utils/integration/audit.py builds (model: docs/audit-report.schema.json);
no I/O. Every text taken from the report is escaped: a message is shown as text, never interpreted.
"""

from __future__ import annotations

import json
import os
import re
from html import escape

SCHEMA_ID = 'https://ucops.github.io/skype_exchange/audit-report.schema.json'
SCHEMA_VERSION = '1.0'

# Worst first: a step's status is the worst of its results.
STATUSES = ('failed', 'would_change', 'compliant', 'not_applicable')
STATUS_LABELS = {'compliant': 'Compliant', 'would_change': 'Would change', 'failed': 'Failed', 'not_applicable': 'Not applicable'}
OVERALL_LABELS = {'compliant': 'Compliant', 'drift': 'Drift', 'failed': 'Failed'}
FEATURE_STATUS_LABELS = {'available': 'Available', 'needs_configuration': 'Needs configuration', 'not_supported': 'Not supported',
                         'unknown': 'Unknown'}
SEVERITY_LABELS = {'error': 'Error', 'warning': 'Warning', 'info': 'Info'}
SUPPORT_LABELS = {'supported': 'Supported', 'out_of_support': 'Out of support', 'unknown': 'Unknown'}
PRODUCT_LABELS = {'exchange': 'Exchange', 'skype': 'Skype for Business', 'dns': 'DNS', 'both': 'Exchange and Skype for Business'}
SETTING_LABELS = {
    'autodiscover_fqdn': 'Autodiscover name',
    'branch': 'Branch',
    'owa_im': 'Outlook on the web IM',
    'exchange_group': 'Exchange host group',
    'skype_group': 'Skype for Business host group',
    'dns_mode': 'DNS mode',
}
# The colour family of each value (CSS classes tone-*): the label is always written next to the colour.
TONES = {
    'compliant': 'ok', 'would_change': 'warn', 'failed': 'bad', 'not_applicable': 'na', 'drift': 'warn',
    'available': 'ok', 'needs_configuration': 'warn', 'not_supported': 'na', 'unknown': 'na',
    'error': 'bad', 'warning': 'warn', 'info': 'na',
    'supported': 'ok', 'out_of_support': 'bad',
}
SEVERITY_RANK = {'error': 0, 'warning': 1, 'info': 2}

# Key order of the JSON file: the model's order (docs/audit-report.schema.json); keys not named here follow, sorted.
_ORDER = {
    'report': ('schema', 'schema_version', 'title', 'generated_at', 'collection_version', 'check_mode', 'settings', 'topology',
               'summary', 'steps', 'findings', 'features'),
    'settings': ('autodiscover_fqdn', 'branch', 'owa_im', 'exchange_group', 'skype_group', 'dns_mode'),
    'topology': ('column', 'exchange', 'skype'),
    'product': ('product', 'version', 'support_status', 'end_of_support', 'servers', 'pools'),
    'summary': ('compliant', 'would_change', 'failed', 'not_applicable', 'drift', 'status'),
    'step': ('id', 'order', 'title', 'product', 'scope', 'section', 'status', 'results'),
    'result': ('server', 'status', 'message', 'diff', 'checks'),
    'diff': ('before', 'after'),
    'check': ('id', 'status', 'message', 'source'),
    'finding': ('id', 'severity', 'feature', 'server', 'message', 'source'),
    'feature': ('id', 'name', 'status', 'supported', 'note', 'missing_steps', 'manual_steps', 'footnotes'),
}
# kind of an object -> kind of the objects under its keys ('list:' for a list of them)
_CHILDREN = {
    'report': {'settings': 'settings', 'topology': 'topology', 'summary': 'summary', 'steps': 'list:step',
               'findings': 'list:finding', 'features': 'list:feature'},
    'topology': {'exchange': 'product', 'skype': 'product'},
    'step': {'results': 'list:result'},
    'result': {'diff': 'diff', 'checks': 'list:check'},
}


# ---------------------------------------------------------------------------------------------------------------------
# JSON

def _ordered(value, kind=None):
    if isinstance(value, dict):
        known = _ORDER.get(kind, ())
        keys = [key for key in known if key in value] + sorted((key for key in value if key not in known), key=str)
        children = _CHILDREN.get(kind, {})
        return dict((key, _ordered(value[key], children.get(key))) for key in keys)
    if isinstance(value, (list, tuple)):
        item_kind = kind[5:] if kind and kind.startswith('list:') else None
        return [_ordered(item, item_kind) for item in value]
    return value


def to_json(report):
    """The report as JSON text: the dict itself in the model's key order, indented by 2, ending with a newline."""
    return json.dumps(_ordered(report, 'report'), indent=2, ensure_ascii=False) + '\n'


# ---------------------------------------------------------------------------------------------------------------------
# Shared pieces

def _text(value):
    """A cell value as plain text."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, (list, tuple)):
        return ', '.join(_text(item) for item in value)
    if isinstance(value, dict):
        return _value(value)
    return str(value)


def _value(value):
    """A value of a diff: compact JSON, so that null, "" and "null" stay apart."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _diff_lines(diff):
    """[(key or None, before text, after text)] of what differs; [] without a diff."""
    if not isinstance(diff, dict) or ('before' not in diff and 'after' not in diff):
        return []
    before, after = diff.get('before'), diff.get('after')
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(before) + [key for key in after if key not in before]
        lines = []
        for key in keys:
            if key in before and key in after and before[key] == after[key]:
                continue
            lines.append((str(key), _value(before[key]) if key in before else '(absent)',
                          _value(after[key]) if key in after else '(absent)'))
        return lines or [(None, 'no difference', '')]
    if before == after:
        return [(None, 'no difference', '')]
    return [(None, _value(before), _value(after))]


def _diff_texts(diff):
    return ['%s%s' % ('%s: ' % key if key else '', ('%s -> %s' % (before, after)) if after else before)
            for key, before, after in _diff_lines(diff)]


def _label(labels, value):
    return labels.get(value, _text(value) or 'unknown')


def _server(server, scope):
    if server:
        return str(server)
    return {'organization': '(organization)', 'deployment': '(deployment)'}.get(scope, '(all)')


def _steps(report):
    return sorted(report.get('steps') or [], key=lambda step: (step.get('order') or 0, str(step.get('id'))))


def _findings(report):
    indexed = enumerate(report.get('findings') or [])
    return [finding for _index, finding in sorted(indexed, key=lambda pair: (SEVERITY_RANK.get(pair[1].get('severity'), 3), pair[0]))]


def _counts(step):
    """'2 compliant, 1 failed': the results of a step by status, worst first."""
    statuses = [result.get('status') for result in step.get('results') or []]
    parts = ['%d %s' % (statuses.count(status), STATUS_LABELS[status].lower()) for status in STATUSES if status in statuses]
    return ', '.join(parts) or 'none'


def _footnotes(features):
    """({feature index: [note numbers]}, [note texts]): identical notes share a number."""
    numbers, texts, marks = {}, [], {}
    for index, feature in enumerate(features):
        for note in feature.get('footnotes') or []:
            if note not in numbers:
                texts.append(note)
                numbers[note] = len(texts)
            marks.setdefault(index, []).append(numbers[note])
    return marks, texts


def _support(entry):
    return _label(SUPPORT_LABELS, entry.get('support_status'))


def _end_of_support(entry):
    if entry.get('end_of_support'):
        return str(entry['end_of_support'])
    if entry.get('support_status') == 'supported':
        return 'none published'
    return 'unknown'


def _settings(report):
    settings = report.get('settings') or {}
    known = [key for key in _ORDER['settings'] if key in settings]
    return [(SETTING_LABELS.get(key, key), key, settings[key]) for key in known + sorted(key for key in settings if key not in known)]


def _check_mode(report):
    if report.get('check_mode'):
        return 'yes (nothing was changed; "Would change" marks what a run without check mode would change)'
    return 'no (changes were applied where needed)'


def _topology_rows(report):
    topology = report.get('topology') or {}
    rows = []
    for family, name in (('exchange', 'Exchange'), ('skype', 'Skype for Business / Lync Server')):
        rows.append((family, name, topology.get(family)))
    return rows


# ---------------------------------------------------------------------------------------------------------------------
# Markdown

_MD_BACKSLASH = re.compile(r'\\(?=[!-/:-@\[-`{-~])')
_MD_ENTITY = re.compile(r'&(?=#?[0-9A-Za-z]+;)')


def _md(value):
    """Text for Markdown (cells and headings): rendered exactly as given, on one line."""
    text = _text(value)
    text = _MD_BACKSLASH.sub(r'\\\\', text)
    text = _MD_ENTITY.sub('&amp;', text)
    # '<' would open a tag or an autolink; '>' alone is text inside a line.
    text = text.replace('<', '&lt;').replace('|', '\\|')
    text = text.replace('*', '\\*').replace('`', '\\`')
    text = text.replace('\r\n', '\n').replace('\r', '\n').replace('\n', '<br>')
    return text


def _md_code(value):
    """An identifier in a code span when it is plain, else escaped text."""
    text = _text(value)
    if text and re.match(r'^[A-Za-z0-9_.-]+$', text):
        return '`%s`' % text
    return _md(text)


def _md_table(headers, rows):
    lines = ['| %s |' % ' | '.join(headers), '|%s|' % '|'.join('---' for _header in headers)]
    for row in rows:
        lines.append('| %s |' % ' | '.join(cell if cell != '' else ' ' for cell in row))
    return lines


def _md_list(values):
    return ', '.join(_md_code(value) for value in values) if values else 'none'


def to_markdown(report):
    """The report as GitHub-flavoured Markdown: the same sections and tables as the HTML page."""
    out = ['# %s' % _md(report.get('title') or 'Integration audit'), '']
    summary = report.get('summary') or {}
    out += [
        '- Overall status: **%s**' % _md(_label(OVERALL_LABELS, summary.get('status'))),
        '- Generated: %s' % _md(report.get('generated_at')),
        '- Check mode: %s' % _md(_check_mode(report)),
        '- Collection: ucops.skype_exchange %s' % _md(report.get('collection_version')),
        '- Report schema: %s (version %s)' % (_md(report.get('schema')), _md(report.get('schema_version'))),
        '',
        '## Settings', '',
    ]
    out += _md_table(['Setting', 'Variable', 'Value'],
                     [[_md(label), _md_code('skype_exchange_%s' % key), _md(value)] for label, key, value in _settings(report)])

    topology = report.get('topology') or {}
    out += ['', '## Detected topology', '']
    if topology.get('column'):
        out += ['Feature matrix column: %s' % _md_code(topology['column']), '']
    rows = []
    for _family, name, entry in _topology_rows(report):
        if entry is None:
            rows.append([_md(name), 'not read', '', '', '', '', ''])
            continue
        rows.append([_md(name), _md(entry.get('product') or 'unknown'), _md(entry.get('version')), _md(_support(entry)),
                     _md(_end_of_support(entry)), _md(entry.get('servers') or []), _md(entry.get('pools') or [])])
    out += _md_table(['Product family', 'Product', 'Version', 'Support', 'End of support', 'Servers', 'Pools'], rows)

    out += ['', '## Summary', '']
    out += _md_table(['Status', 'Steps'], [[_md(STATUS_LABELS[status]), _md(summary.get(status, 0))]
                                           for status in ('compliant', 'would_change', 'failed', 'not_applicable')])
    out += ['', 'Overall: **%s** (drift: %s)' % (_md(_label(OVERALL_LABELS, summary.get('status'))), _md(bool(summary.get('drift')))),
            '', 'Steps at a glance:', '']
    out += _md_table(['#', 'Step', 'Status', 'Results'],
                     [[_md(step.get('order')), _md(step.get('title')), _md(_label(STATUS_LABELS, step.get('status'))),
                       _md(_counts(step))] for step in _steps(report)])

    out += ['', '## Steps in the documented order']
    for step in _steps(report):
        scope = step.get('scope')
        heading = '### %s. %s: %s' % (_md(step.get('order')), _md(step.get('title')), _md(_label(STATUS_LABELS, step.get('status'))))
        about = 'Step %s; product: %s; scope: %s; source: %s' % (
            _md_code(step.get('id')), _md(_label(PRODUCT_LABELS, step.get('product'))), _md(scope), _md(step.get('section')))
        out += ['', heading, '', about, '']
        results = step.get('results') or []
        if not results:
            out.append('No results.')
            continue
        out += _md_table(['Server', 'Status', 'What', 'Diff (before -> after)'],
                         [[_md(_server(result.get('server'), scope)), _md(_label(STATUS_LABELS, result.get('status'))),
                           _md(result.get('message')), '<br>'.join(_md(line) for line in _diff_texts(result.get('diff')))]
                          for result in results])
        checks = [(result, check) for result in results for check in result.get('checks') or []]
        if checks:
            out += ['', 'Checks:', '']
            out += _md_table(['Server', 'Check', 'Status', 'Message', 'Source'],
                             [[_md(_server(result.get('server'), scope)), _md_code(check.get('id')),
                               _md(_label(STATUS_LABELS, check.get('status'))), _md(check.get('message')), _md(check.get('source'))]
                              for result, check in checks])

    out += ['', '## Findings', '']
    findings = _findings(report)
    if findings:
        out += _md_table(['Severity', 'Server', 'Feature', 'Message', 'Source'],
                         [[_md(_label(SEVERITY_LABELS, finding.get('severity'))), _md(finding.get('server') or '(all)'),
                           _md_code(finding.get('feature')), _md(finding.get('message')), _md(finding.get('source'))]
                          for finding in findings])
    else:
        out.append('No findings.')

    out += ['', '## Feature support', '']
    features = report.get('features') or []
    if features:
        marks, notes = _footnotes(features)
        out += _md_table(['Feature', 'Status', 'Missing steps', 'Manual steps', 'Note'],
                         [[_md(feature.get('name') or feature.get('id')) + ''.join(' [%d]' % number for number in marks.get(index, [])),
                           _md(_label(FEATURE_STATUS_LABELS, feature.get('status'))), _md_list(feature.get('missing_steps')),
                           _md_list(feature.get('manual_steps')), _md(feature.get('note'))]
                          for index, feature in enumerate(features)])
        if notes:
            out += ['', 'Notes:', '']
            out += ['%d. %s' % (number, _md(note)) for number, note in enumerate(notes, 1)]
    else:
        out.append('No feature rows.')
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------------------------------------------------
# HTML

_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1240px; padding: 24px; background: #ffffff; color: #1f2328;
       font: 14px/1.45 "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.meta { margin: 4px 0 10px; color: #424a53; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #424a53; }
th, td { border: 1px solid #d0d7de; padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.message, td.diff, td.note { overflow-wrap: anywhere; min-width: 12em; }
thead th { background: #f6f8fa; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
table.facts th { width: 12em; white-space: nowrap; background: #f6f8fa; }
table.facts td { width: auto; }
table.summary, table.overview { width: auto; }
table.summary td.count { min-width: 6em; text-align: right; }
td.message { white-space: pre-line; }
code, .diff { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 12.5px; }
ul.diff { margin: 0; padding-left: 1.1em; }
ul.diff del { color: #82071e; }
ul.diff ins { color: #116329; text-decoration: none; }
.badge { display: inline-block; min-width: 7.5em; padding: 2px 8px; border-radius: 4px; border: 1px solid transparent;
         font-weight: 700; text-align: center; white-space: nowrap; }
.tone-ok .badge, .badge.tone-ok { background: #1a7f37; color: #ffffff; }
.tone-warn .badge, .badge.tone-warn { background: #f0b429; color: #1f2328; }
.tone-bad .badge, .badge.tone-bad { background: #cf222e; color: #ffffff; }
.tone-na .badge, .badge.tone-na { background: #6e7781; color: #ffffff; }
table.results, table.checks, table.findings, table.features { table-layout: fixed; }
table.results th:nth-child(1), table.checks th:nth-child(1) { width: 12%; }
table.results th:nth-child(2), table.checks th:nth-child(3) { width: 11.5em; }
table.features th:nth-child(2) { width: 13.5em; }
table.results th:nth-child(3) { width: 38%; }
table.checks th:nth-child(2) { width: 20%; }
table.checks th:nth-child(5), table.findings th:nth-child(5) { width: 20%; }
table.findings th:nth-child(1) { width: 8.5em; }
table.findings th:nth-child(2) { width: 10%; }
table.findings th:nth-child(3) { width: 15%; }
table.features th:nth-child(1) { width: 24%; }
table.features th:nth-child(3) { width: 20%; }
table.features th:nth-child(4) { width: 14%; }
.none { color: #57606a; }
sup { font-size: 10px; }
ol.notes { margin-top: 0; }
@media print {
  @page { margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; background: #ffffff; color: #000000; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  section.step { break-inside: auto; }
  table { page-break-inside: auto; }
  thead { display: table-header-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  th, td { border: 1px solid #000000; }
  thead th, table.facts th { background: #ffffff; }
  a { color: inherit; text-decoration: none; }
  tbody tr:nth-child(even) td { background: #ffffff; }
  .badge { min-width: 0; border-width: 2px; white-space: normal; }
  table.results th:nth-child(2), table.checks th:nth-child(3), table.features th:nth-child(2) { width: 7.5em; }
  table.findings th:nth-child(1) { width: 6em; }
  .tone-ok .badge, .badge.tone-ok { background: #dafbe1; color: #0b4b1f; border-color: #1a7f37; }
  .tone-warn .badge, .badge.tone-warn { background: #fff8c5; color: #5c3c00; border-color: #bf8700; }
  .tone-bad .badge, .badge.tone-bad { background: #ffebe9; color: #82071e; border-color: #cf222e; }
  .tone-na .badge, .badge.tone-na { background: #f6f8fa; color: #24292f; border-color: #6e7781; }
}
"""


def _h(value):
    return escape(_text(value), quote=True)


def _anchor(value):
    return re.sub(r'[^A-Za-z0-9_-]', '-', _text(value))


def _badge_cell(value, labels, extra_class=''):
    """A status cell: colour (class tone-*), the label as text, and data-status with the raw value."""
    tone = TONES.get(value, 'na')
    return '<td class="status tone-%s%s" data-status="%s"><span class="badge">%s</span></td>' % (
        tone, extra_class, _h(value), _h(_label(labels, value)))


def _badge(value, labels, attribute='data-status'):
    return '<span class="badge tone-%s" %s="%s">%s</span>' % (TONES.get(value, 'na'), attribute, _h(value), _h(_label(labels, value)))


def _html_table(css_class, caption, headers, rows):
    """rows: lists of already rendered <td> cells (text) or (attributes, inner html) for a <tr> with attributes."""
    out = ['<table class="%s">' % css_class]
    if caption:
        out.append('<caption>%s</caption>' % _h(caption))
    out.append('<thead><tr>%s</tr></thead>' % ''.join('<th scope="col">%s</th>' % _h(header) for header in headers))
    out.append('<tbody>')
    for attributes, cells in rows:
        out.append('<tr%s>%s</tr>' % (''.join(' %s="%s"' % (name, _h(value)) for name, value in attributes), ''.join(cells)))
    out.append('</tbody></table>')
    return out


def _td(value, css_class=None):
    text = _text(value)
    if css_class:
        return '<td class="%s">%s</td>' % (css_class, _h(text))
    return '<td>%s</td>' % _h(text)


def _td_list(values, steps):
    if not values:
        return '<td><span class="none">none</span></td>'
    items = []
    for value in values:
        if value in steps:
            items.append('<a href="#step-%s"><code>%s</code></a>' % (_h(_anchor(value)), _h(value)))
        else:
            items.append('<code>%s</code>' % _h(value))
    return '<td>%s</td>' % ', '.join(items)


def _td_diff(diff):
    lines = _diff_lines(diff)
    if not lines:
        return '<td class="diff"><span class="none">none</span></td>'
    items = []
    for key, before, after in lines:
        prefix = '<code>%s</code>: ' % _h(key) if key else ''
        if after:
            items.append('<li>%s<del>%s</del> &rarr; <ins>%s</ins></li>' % (prefix, _h(before), _h(after)))
        else:
            items.append('<li>%s%s</li>' % (prefix, _h(before)))
    return '<td class="diff"><ul class="diff">%s</ul></td>' % ''.join(items)


def to_html(report):
    """The report as one self-contained HTML page (inline style only; no script, font, image or link to fetch)."""
    summary = report.get('summary') or {}
    title = report.get('title') or 'Integration audit'
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<title>%s</title>' % _h(title), '<style>%s</style>' % _STYLE, '</head>', '<body>',
           '<header>', '<h1>%s</h1>' % _h(title)]
    facts = [
        ('Overall status', '<td class="status tone-%s" data-status="%s" id="overall-status"><span class="badge">%s</span></td>' % (
            TONES.get(summary.get('status'), 'na'), _h(summary.get('status')), _h(_label(OVERALL_LABELS, summary.get('status'))))),
        ('Generated', _td(report.get('generated_at'))),
        ('Check mode', _td(_check_mode(report))),
        ('Collection', _td('ucops.skype_exchange %s' % _text(report.get('collection_version')))),
        ('Report schema', _td('%s (version %s)' % (_text(report.get('schema')), _text(report.get('schema_version'))))),
    ]
    out += ['<table class="facts"><tbody>']
    out += ['<tr><th scope="row">%s</th>%s</tr>' % (_h(name), cell) for name, cell in facts]
    out += ['</tbody></table>', '</header>', '<main>']

    out += ['<section id="settings">', '<h2>Settings</h2>']
    out += _html_table('settings', None, ['Setting', 'Variable', 'Value'],
                       [((('data-setting', key),), [_td(label), '<td><code>skype_exchange_%s</code></td>' % _h(key), _td(value)])
                        for label, key, value in _settings(report)])
    out.append('</section>')

    topology = report.get('topology') or {}
    out += ['<section id="topology">', '<h2>Detected topology</h2>']
    if topology.get('column'):
        out.append('<p class="meta">Feature matrix column: <code>%s</code></p>' % _h(topology['column']))
    rows = []
    for family, name, entry in _topology_rows(report):
        if entry is None:
            rows.append(((('data-family', family),), [_td(name), '<td colspan="6"><span class="none">not read</span></td>']))
            continue
        rows.append(((('data-family', family),), [
            _td(name), _td(entry.get('product') or 'unknown'), _td(entry.get('version')),
            _badge_cell(entry.get('support_status'), SUPPORT_LABELS), _td(_end_of_support(entry)),
            _td(entry.get('servers') or []), _td(entry.get('pools') or [])]))
    out += _html_table('topology', None, ['Product family', 'Product', 'Version', 'Support', 'End of support', 'Servers', 'Pools'], rows)
    out.append('</section>')

    out += ['<section id="summary">', '<h2>Summary</h2>']
    out += _html_table('summary', None, ['Status', 'Steps'],
                       [((('data-count', status),), [_badge_cell(status, STATUS_LABELS), _td(summary.get(status, 0), 'count')])
                        for status in ('compliant', 'would_change', 'failed', 'not_applicable')])
    out.append('<p class="meta">Overall: %s (drift: %s)</p>' % (
        _badge(summary.get('status'), OVERALL_LABELS), _h(bool(summary.get('drift')))))
    out += _html_table('overview', 'Steps at a glance', ['#', 'Step', 'Status', 'Results'],
                       [((('data-step', step.get('id')), ('data-status', step.get('status'))),
                         [_td(step.get('order')), '<td><a href="#step-%s">%s</a></td>' % (_h(_anchor(step.get('id'))), _h(step.get('title'))),
                          _badge_cell(step.get('status'), STATUS_LABELS), _td(_counts(step))])
                        for step in _steps(report)])
    out.append('</section>')

    steps = _steps(report)
    step_ids = set(step.get('id') for step in steps)
    out += ['<section id="steps">', '<h2>Steps in the documented order</h2>']
    for step in steps:
        scope = step.get('scope')
        out.append('<section class="step" id="step-%s" data-step="%s" data-status="%s">' % (
            _h(_anchor(step.get('id'))), _h(step.get('id')), _h(step.get('status'))))
        out.append('<h3>%s. %s %s</h3>' % (_h(step.get('order')), _h(step.get('title')), _badge(step.get('status'), STATUS_LABELS)))
        out.append('<p class="meta">Step <code>%s</code>; product: %s; scope: %s; source: %s</p>' % (
            _h(step.get('id')), _h(_label(PRODUCT_LABELS, step.get('product'))), _h(scope), _h(step.get('section'))))
        results = step.get('results') or []
        if not results:
            out += ['<p class="none">No results.</p>', '</section>']
            continue
        out += _html_table('results', 'Results', ['Server', 'Status', 'What', 'Diff (before \u2192 after)'],
                           [((('data-server', _server(result.get('server'), scope)), ('data-status', result.get('status'))),
                             [_td(_server(result.get('server'), scope), 'server'), _badge_cell(result.get('status'), STATUS_LABELS),
                              _td(result.get('message'), 'message'), _td_diff(result.get('diff'))])
                            for result in results])
        checks = [(result, check) for result in results for check in result.get('checks') or []]
        if checks:
            out += _html_table('checks', 'Checks', ['Server', 'Check', 'Status', 'Message', 'Source'],
                               [((('data-check', check.get('id')), ('data-status', check.get('status'))),
                                 [_td(_server(result.get('server'), scope), 'server'), '<td><code>%s</code></td>' % _h(check.get('id')),
                                  _badge_cell(check.get('status'), STATUS_LABELS), _td(check.get('message'), 'message'),
                                  _td(check.get('source'))])
                                for result, check in checks])
        out.append('</section>')
    out.append('</section>')

    out += ['<section id="findings">', '<h2>Findings</h2>']
    findings = _findings(report)
    if findings:
        out += _html_table('findings', None, ['Severity', 'Server', 'Feature', 'Message', 'Source'],
                           [((('data-finding', finding.get('id')), ('data-severity', finding.get('severity'))),
                             [_badge_cell(finding.get('severity'), SEVERITY_LABELS), _td(finding.get('server') or '(all)', 'server'),
                              '<td><code>%s</code></td>' % _h(finding.get('feature')), _td(finding.get('message'), 'message'),
                              _td(finding.get('source'))])
                            for finding in findings])
    else:
        out.append('<p class="none">No findings.</p>')
    out.append('</section>')

    out += ['<section id="features">', '<h2>Feature support</h2>']
    features = report.get('features') or []
    if features:
        marks, notes = _footnotes(features)
        rows = []
        for index, feature in enumerate(features):
            name = _h(feature.get('name') or feature.get('id')) + ''.join(
                '<sup><a href="#note-%d">[%d]</a></sup>' % (number, number) for number in marks.get(index, []))
            rows.append(((('data-feature', feature.get('id')), ('data-status', feature.get('status'))),
                         ['<td>%s</td>' % name, _badge_cell(feature.get('status'), FEATURE_STATUS_LABELS),
                          _td_list(feature.get('missing_steps'), step_ids), _td_list(feature.get('manual_steps'), step_ids),
                          _td(feature.get('note'), 'note')]))
        out += _html_table('features', None, ['Feature', 'Status', 'Missing steps', 'Manual steps', 'Note'], rows)
        if notes:
            out.append('<p class="meta">Notes:</p>')
            out.append('<ol class="notes">%s</ol>' % ''.join('<li id="note-%d">%s</li>' % (number, _h(note)) for number, note in enumerate(notes, 1)))
    else:
        out.append('<p class="none">No feature rows.</p>')
    out += ['</section>', '</main>', '</body>', '</html>']
    return '\n'.join(out) + '\n'


# the report's files, one per format
FILES = {'json': ('audit-report.json', to_json), 'markdown': ('audit-report.md', to_markdown), 'html': ('audit-report.html', to_html)}


def write_reports(report, directory, formats):
    """Write each format (``FILES``) into ``directory``, privately: the report names servers and certificates (directory
    0700 when created, files 0600, each replaced whole). Returns the paths written."""
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    written = []
    for kind in dict.fromkeys(formats):
        name, render = FILES[kind]
        path = os.path.join(directory, name)
        temporary = path + '.tmp'
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as handle:
            handle.write(render(report))
        os.replace(temporary, path)
        written.append(path)
    return written

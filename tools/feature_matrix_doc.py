# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Print docs/feature-matrix.md from the matrix data (plugins/module_utils/integration/matrix.py).

    python tools/feature_matrix_doc.py > docs/feature-matrix.md

A unit test (tests/unit/plugins/module_utils/integration/test_matrix.py) checks that the file equals this output.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MATRIX = 'ansible_collections.ucops.skype_exchange.plugins.module_utils.integration.matrix'

# Titles and sections of the collection's steps (issue 9 spec, "Step ids"; integration-procedure.md).
STEP_TITLES = (
    ('exchange_auth_certificate', 'Exchange Auth certificate', '§2'),
    ('skype_oauth_certificate', 'Skype for Business OAuthTokenIssuer certificate', '§3'),
    ('exchange_autodiscover', 'Exchange Autodiscover internal URI (SCP)', '§4'),
    ('skype_oauth_configuration', 'Skype for Business OAuth configuration', '§5'),
    ('autodiscover_dns', 'Autodiscover DNS record', '§6'),
    ('exchange_partner_application', 'Skype for Business as a partner application of Exchange', '§8.1'),
    ('skype_partner_application', 'Exchange as a partner application of Skype for Business', '§8.2'),
    ('exchange_online', 'Exchange Online: shared SIP address space and hosting provider', '§7'),
    ('skype_trusted_application', 'Trusted application pool for Outlook on the web IM', '§14.2'),
    ('exchange_owa_im', 'Outlook on the web IM on Exchange', '§14.3, §14.4'),
)

USAGE = """## Using it in a playbook

The lookup `ucops.skype_exchange.feature_matrix` evaluates the matrix for one Exchange version and one Skype for Business
version (the `version` that `exchange_info` and `skype_info` return, or `online`) and, given the status of each step
(the `steps` of the check-mode audit report), says per feature whether it is available, needs configuration (and which
steps are missing), or is not supported. `query()` always gives the list of rows; with feature ids as terms it gives
only those rows.

```yaml
- name: Read the versions
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read Exchange
      ucops.skype_exchange.exchange_info:
      delegate_to: "{{ groups['exchange'][0] }}"
      register: exchange

    - name: Read Skype for Business
      ucops.skype_exchange.skype_info:
      delegate_to: "{{ groups['skype'][0] }}"
      register: skype

    - name: Which features does this topology support, and what is missing
      ansible.builtin.debug:
        msg: "{{ item.name }}: {{ item.status }} {{ item.missing_steps | join(', ') }}"
      loop: "{{ query('ucops.skype_exchange.feature_matrix', exchange_version=exchange.version,
                      skype_version=skype.version, step_status=step_status) }}"
      loop_control:
        label: "{{ item.id }}"
      vars:
        # audit_report: the audit's report; without it every step counts as not checked.
        step_status: "{{ audit_report.steps | default([]) | items2dict(key_name='id', value_name='status') }}"

    - name: Stop when the unified contact store is not usable
      ansible.builtin.assert:
        that: ucs.status == 'available'
        fail_msg: "{{ ucs.note }}"
      vars:
        ucs: "{{ query('ucops.skype_exchange.feature_matrix', 'unified_contact_store', exchange_version=exchange.version,
                       skype_version=skype.version, step_status=step_status) | first }}"
```

Each row: `id`, `name`, `status` (`available`, `needs_configuration`, `not_supported`, `unknown`), `supported` (true,
false, or null when a version is unknown), `note`, `missing_steps` (steps of the collection that are not `compliant`,
in the documented order; a step absent from `step_status` counts as not checked), `manual_steps` (done by hand, never
checked) and `footnotes`. The audit report's `features` list has the same rows. In Python:
`plugins/module_utils/integration/matrix.py` (`evaluate`, `column_of`, `topology_of`).
"""


def load_matrix():
    """The matrix module, importable from the collection checkout (a symlink farm when the tree is not ansible_collections/ucops/skype_exchange)."""
    try:
        return importlib.import_module(MATRIX)
    except ImportError:
        pass
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'ucops'] and parts[-1] == 'skype_exchange':
        sys.path.insert(0, os.sep.join(parts[:-3]))
        return importlib.import_module(MATRIX)
    with tempfile.TemporaryDirectory(prefix='ucops-doc-') as farm:
        os.makedirs(os.path.join(farm, 'ansible_collections', 'ucops'))
        os.symlink(ROOT, os.path.join(farm, 'ansible_collections', 'ucops', 'skype_exchange'))
        sys.path.insert(0, farm)
        try:
            return importlib.import_module(MATRIX)
        finally:
            sys.path.remove(farm)


def _versions(names, keys):
    return ', '.join(names[key] for key in keys)


def _condition(matrix, when):
    """A footnote's condition in words, or '' when it always applies."""
    if when is None:
        return ''
    words = []
    if when['exchange']:
        words.append(_versions(matrix.EXCHANGE_NAMES, when['exchange']))
    if when['skype']:
        words.append(_versions(matrix.SKYPE_NAMES, when['skype']))
    if when['columns']:
        words.append('column ' + ', '.join('(%d)' % (matrix.COLUMNS.index(column) + 1) for column in when['columns']))
    return ' *(%s)*' % '; '.join(words)


def _code(items):
    return ', '.join('`%s`' % item for item in items) if items else 'none'


def _limits(matrix, feature):
    limits = []
    if feature['min_exchange']:
        limits.append('%s or later' % matrix.EXCHANGE_NAMES[feature['min_exchange']])
    if feature['min_skype']:
        limits.append('%s or later' % matrix.SKYPE_NAMES[feature['min_skype']])
    limits.extend(rule['reason'] for rule in feature['unsupported'])
    return '<br>'.join(limits) if limits else 'none'


def _steps(matrix, feature, column):
    if feature['matrix'][matrix.COLUMNS.index(column)] == 'N':
        return 'not supported'
    if any(rule['when'] == {'exchange': None, 'skype': None, 'columns': (column,)} for rule in feature['unsupported']):
        return 'not supported (see version limits)'
    steps = feature['steps'].get(column)
    if steps is None or not (steps['automated'] or steps['manual']):
        return feature['no_step'] or 'none'
    return '%s; by hand: %s' % (_code(steps['automated']), _code(steps['manual']))


def render(matrix):
    """The whole of docs/feature-matrix.md."""
    lines = [
        '# Feature support matrix',
        '',
        '<!-- Generated by tools/feature_matrix_doc.py from plugins/module_utils/integration/matrix.py; do not edit by hand.',
        '     Regenerate: python tools/feature_matrix_doc.py > docs/feature-matrix.md -->',
        '',
        'Which features of Skype for Business Server (or Lync Server 2013) with Exchange each topology supports, from the',
        'feature support table of Microsoft\'s "Plan to integrate Skype for Business and Exchange" (the zh-TW version of 2021 is',
        'the base document; integration-procedure.md §19), with the version limits of §18 and the steps of this collection',
        'each feature needs. The same data drives the lookup `ucops.skype_exchange.feature_matrix` and the audit report\'s',
        '`features`.',
        '',
        '## Topologies',
        '',
        '| Column | Id | Topology (base document) | Versions | Possible today |',
        '|---|---|---|---|---|',
    ]
    for number, topology in enumerate(matrix.TOPOLOGIES, 1):
        possible = 'yes' if topology['possible'] else 'no: retired on %s' % topology['retired_on']
        lines.append('| (%d) | `%s` | %s | %s + %s | %s |' % (
            number, topology['id'], topology['base_document'], _versions(matrix.EXCHANGE_NAMES, topology['exchange']),
            _versions(matrix.SKYPE_NAMES, topology['skype']), possible))
    lines += [
        '',
        'Skype for Business Online was retired on 2021-07-31 with its Exchange integration: columns (3) to (5) are kept as the',
        'base document has them, and every feature there evaluates to `not_supported`.',
        '',
        '## The matrix (base document)',
        '',
        '| Feature | Id | (1) | (2) | (3) | (4) | (5) |',
        '|---|---|---|---|---|---|---|',
    ]
    for feature in matrix.FEATURES:
        cells = ' | '.join(matrix.cell(feature['id'], column) for column in matrix.COLUMNS)
        lines.append('| %s | `%s` | %s |' % (feature['name'], feature['id'], cells))
    lines += [
        '',
        '## Version limits and steps',
        '',
        'Steps of the collection first, then the steps done by hand (never checked by the collection). Only columns (1) and (2)',
        'are still possible.',
        '',
        '| Feature | Version limits | Steps in (1) | Steps in (2) | Source |',
        '|---|---|---|---|---|',
    ]
    for feature in matrix.FEATURES:
        lines.append('| `%s` | %s | %s | %s | %s |' % (
            feature['id'], _limits(matrix, feature), _steps(matrix, feature, matrix.EXCHANGE_ONPREM_SKYPE_SERVER),
            _steps(matrix, feature, matrix.EXCHANGE_ONLINE_SKYPE_SERVER), feature['source']))
    lines += ['', '## Footnotes', '']
    for feature in matrix.FEATURES:
        if feature['footnotes']:
            lines.append('- **%s** (`%s`)' % (feature['name'], feature['id']))
            lines.extend('  - %s%s' % (note['text'], _condition(matrix, note['when'])) for note in feature['footnotes'])
    lines += [
        '',
        '## Steps',
        '',
        '| Step | What | Section of integration-procedure.md |',
        '|---|---|---|',
    ]
    lines.extend('| `%s` | %s | %s |' % step for step in STEP_TITLES)
    lines += ['', 'Done by hand, outside the collection:', '']
    lines.extend('- `%s`: %s.' % (step, matrix.MANUAL_STEPS[step]) for step in matrix.MANUAL_ORDER)
    lines += [
        '',
        '## Status of a feature',
        '',
        '- `available`: the topology supports it and every step of the collection it needs is `compliant`.',
        '- `needs_configuration`: supported, but a step it needs is `would_change`, `failed`, `not_applicable` or not checked.',
        '- `not_supported`: the base document says N, a version limit excludes it, or the topology is retired.',
        '- `unknown`: the Exchange or Skype for Business version was not recognised.',
        '',
    ]
    return '\n'.join(lines) + '\n' + USAGE


def main():
    sys.stdout.write(render(load_matrix()))


if __name__ == '__main__':
    main()

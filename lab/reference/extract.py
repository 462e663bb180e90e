# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Copy the subset of the shared cmdlet reference that the lab simulator needs into ``lab/reference/``.

Usage (from the repository root)::

    python lab/reference/extract.py [--source ../shared/cmdlet-reference] [--dest lab/reference]

For every cmdlet the lab implements, the full signature (parameter sets, parameters with type, aliases,
accepted values and applicability) is copied, without the long ``description`` texts. For every other cmdlet of
the product only its ``applicable`` list is kept, so that the lab can tell "this cmdlet does not exist in this
version" (CommandNotFoundException) from "this cmdlet exists but the lab does not model it" (a loud lab error).
The ``commit``, ``license`` and ``source`` metadata are kept; see ATTRIBUTION.md.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

# The cmdlets the lab models: each product model declares them (lab/products/exchange/ per feature, lab/products/skype.py).
from lab.products import exchange as _exchange_model  # noqa: E402  pylint: disable=wrong-import-position
from lab.products import skype as _skype_model  # noqa: E402  pylint: disable=wrong-import-position

LAB_CMDLETS = {'exchange': list(_exchange_model.IMPLEMENTED), 'skype': list(_skype_model.IMPLEMENTED)}

DEFAULT_SOURCE = HERE.parent.parent.parent / 'shared' / 'cmdlet-reference'


def _strip_parameter(parameter: dict) -> dict:
    """A parameter entry without its description text."""
    return {key: value for key, value in sorted(parameter.items()) if key != 'description'}


def extract(source: pathlib.Path, dest: pathlib.Path) -> list[pathlib.Path]:
    """Write ``<dest>/exchange.json`` and ``<dest>/skype.json``; return the written paths."""
    written = []
    for product, names in LAB_CMDLETS.items():
        data = json.loads((source / ('%s.json' % product)).read_text(encoding='utf-8'))
        cmdlets = data['cmdlets']
        missing = [name for name in names if name not in cmdlets]
        if missing:
            raise SystemExit('%s.json lacks %s' % (product, ', '.join(missing)))
        subset = {}
        for name in names:
            entry = cmdlets[name]
            subset[name] = {
                'module': entry['module'],
                'applicable': entry['applicable'],
                'default_parameter_set': entry['default_parameter_set'],
                'parameter_sets': entry['parameter_sets'],
                'parameters': {pname: _strip_parameter(pvalue) for pname, pvalue in entry['parameters'].items()},
                'doc': entry['doc'],
            }
        output = {
            'source': data['source'],
            'commit': data['commit'],
            'license': data['license'],
            'extracted_by': 'lab/reference/extract.py',
            'cmdlets': subset,
            'applicability': {name: cmdlets[name]['applicable'] for name in sorted(cmdlets)},
        }
        path = dest / ('%s.json' % product)
        path.write_text(json.dumps(output, indent=1, sort_keys=True, ensure_ascii=True) + '\n', encoding='utf-8')
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--source', type=pathlib.Path, default=DEFAULT_SOURCE, help='directory holding exchange.json and skype.json')
    parser.add_argument('--dest', type=pathlib.Path, default=HERE, help='output directory (default: lab/reference)')
    args = parser.parse_args(argv)
    for path in extract(args.source, args.dest):
        print('wrote %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())

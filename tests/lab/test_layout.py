# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""pytest collects tests/lab and tests/integration together, as rootdir-relative modules without packages: two test files
with one basename stop the whole collection ("import file mismatch")."""

from __future__ import annotations

import collections

from simulator_support import REPO_ROOT


def test_lab_and_integration_test_files_have_distinct_names():
    names = collections.Counter(path.name for folder in ('lab', 'integration') for path in (REPO_ROOT / 'tests' / folder).glob('test_*.py'))
    assert [name for name, count in names.items() if count > 1] == []

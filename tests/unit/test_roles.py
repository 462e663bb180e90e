# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every role's public variables: prefixed with the role name, and the same keys in defaults and argument_specs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[2] / 'roles'


@pytest.mark.parametrize('role', sorted(p.name for p in ROLES.iterdir() if p.is_dir()))
def test_defaults_match_argument_specs_and_use_the_role_prefix(role):
    defaults = yaml.safe_load((ROLES / role / 'defaults' / 'main.yml').read_text()) or {}
    specs = yaml.safe_load((ROLES / role / 'meta' / 'argument_specs.yml').read_text())['argument_specs']['main']['options']
    assert set(defaults) == set(specs)
    for name in defaults:
        assert name.startswith(role + '_'), name
    for name, spec in specs.items():
        if not spec.get('required'):
            assert spec.get('default') == defaults[name], name
    assert (ROLES / role / 'README.md').is_file()

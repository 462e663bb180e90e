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
    required = set(name for name, spec in specs.items() if spec.get('required'))
    # a required variable has no default anywhere (an empty default would hide the missing value); every other one has
    assert set(defaults) == set(specs) - required
    for name in required:
        assert 'default' not in specs[name], name
    for name in specs:
        assert name.startswith(role + '_'), name
    for name in defaults:
        # argument_specs documents the default; one computed at run time ({{ ... }}) is described in the text instead
        if isinstance(defaults[name], str) and '{{' in defaults[name]:
            assert 'default' not in specs[name] and 'default' in str(specs[name].get('description')), name
        else:
            assert specs[name].get('default') == defaults[name], name
    assert (ROLES / role / 'README.md').is_file()

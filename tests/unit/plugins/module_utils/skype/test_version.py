# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import CMDLETS_OF, parse_server_version


@pytest.mark.parametrize('text, product, version', [
    ('Lync Server 2013 (5.0.8308.0): Volume license key installed.', '2013', '5.0.8308'),
    ('Skype for Business Server 2015 (6.0.9319.0): Volume license key installed.', '2015', '6.0.9319'),
    ('Skype for Business Server 2019 (7.0.2046.0): Evaluation license key installed.', '2019', '7.0.2046'),
    # the SE text is an assumption (unverified against a real SE server): recognised by its product name
    ('Skype for Business Server Subscription Edition (7.0.2046.0): Volume license key installed.', 'se', '7.0.2046'),
    ('Skype for Business Server SE (7.0.2046.826): Volume license key installed.', 'se', '7.0.2046'),
    ('Something (6.0.9319): no name', '2015', '6.0.9319'),
    ('', None, None),
    ('Skype for Business Server Sequel (9.1.2.3)', None, '9.1.2'),
])
def test_parse_server_version(text, product, version):
    parsed = parse_server_version(text)
    assert (parsed['product'], parsed['version']) == (product, version)


def test_names_and_notes():
    se = parse_server_version('Skype for Business Server Subscription Edition (7.0.2046.0): Volume license key installed.')
    assert (se['name'], se['note']) == ('Skype for Business Server Subscription Edition', None)
    named_2019 = parse_server_version('Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.')
    assert (named_2019['name'], named_2019['note']) == ('Skype for Business Server 2019', None)


@pytest.mark.parametrize('text', ['7.0.2046.826', 'Unknown product (7.0.2046.849): Volume license key installed.'])
def test_a_bare_7x_version_is_2019_with_a_note(text):
    # SE keeps 7.0.2046.x (SE RTM hotfix 1 is 7.0.2046.826, SE CU1 7.0.2046.849): the numbers cannot tell 2019 from SE
    parsed = parse_server_version(text)
    assert parsed['product'] == '2019'
    assert 'Subscription Edition' in parsed['note'] and '7.0.2046' in parsed['note']


def test_unknown_text_is_none():
    parsed = parse_server_version(None)
    assert parsed == {'product': None, 'version': None, 'name': None, 'note': None}


def test_se_has_the_2019_cmdlets():
    assert CMDLETS_OF['se'] == '2019'
    assert CMDLETS_OF['2013'] == '2013'

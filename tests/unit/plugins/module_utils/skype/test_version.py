# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version


@pytest.mark.parametrize('text, product, version', [
    ('Lync Server 2013 (5.0.8308.0): Volume license key installed.', '2013', '5.0.8308'),
    ('Skype for Business Server 2015 (6.0.9319.0): Volume license key installed.', '2015', '6.0.9319'),
    ('Skype for Business Server 2019 (7.0.2046.0): Evaluation license key installed.', '2019', '7.0.2046'),
    ('Something (6.0.9319): no name', '2015', '6.0.9319'),
    ('', None, None),
])
def test_parse_server_version(text, product, version):
    parsed = parse_server_version(text)
    assert (parsed['product'], parsed['version']) == (product, version)

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import client_access_cmdlet, parse_admin_display_version, product_of


@pytest.mark.parametrize('text, product', [
    ('Version 15.0 (Build 1497.2)', '2013'),
    ('Version 15.1 (Build 2507.6)', '2016'),
    ('Version 15.2 (Build 1544.4)', '2019'),
    ('Version 14.3 (Build 123.4)', '2010'),
    ('garbage', None),
    (None, None),
])
def test_product_of(text, product):
    assert product_of(text) == product


def test_parse_admin_display_version():
    assert parse_admin_display_version('Version 15.1 (Build 2507.6)') == (15, 1, 2507, 6)


@pytest.mark.parametrize('product, cmdlet', [('2013', 'Set-ClientAccessServer'), ('2010', 'Set-ClientAccessServer'),
                                             ('2016', 'Set-ClientAccessService'), ('2019', 'Set-ClientAccessService')])
def test_client_access_cmdlet_by_version(product, cmdlet):
    assert client_access_cmdlet('Set', product) == cmdlet

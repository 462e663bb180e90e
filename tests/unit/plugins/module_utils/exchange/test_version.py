# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import (
    client_access_cmdlet, parse_admin_display_version, product_name, product_of)


@pytest.mark.parametrize('text, product', [
    ('Version 15.0 (Build 1497.2)', '2013'),
    ('Version 15.1 (Build 2507.6)', '2016'),
    ('Version 15.2 (Build 1544.4)', '2019'),
    # HealthChecker's rule: 15.2 with build >= 2562 is Exchange Server SE; SE RTM is 15.2.2562.17
    ('Version 15.2 (Build 2562.17)', 'se'),
    ('Version 15.2 (Build 2562.37)', 'se'),
    ('Version 15.2 (Build 3000.1)', 'se'),
    ('Version 15.2 (Build 2561.99)', '2019'),
    ('version 15.2 (build 2562.17)', 'se'),
    ('15.2.2562.17', 'se'),
    ('15.2.1748.10', '2019'),
    ('Version 14.3 (Build 123.4)', '2010'),
    ('Version 16.0 (Build 1.0)', None),
    ('garbage', None),
    ('15.2', None),
    ('', None),
    (None, None),
    (15.2, None),
])
def test_product_of(text, product):
    assert product_of(text) == product


@pytest.mark.parametrize('value, product', [
    ({'Major': 15, 'Minor': 2, 'Build': 2562, 'Revision': 17}, 'se'),
    ({'major': '15', 'minor': '2', 'build': '1544', 'revision': '4'}, '2019'),
    ({'Major': 15, 'Minor': 1, 'Build': 2507, 'Revision': 6, 'MajorRevision': 0}, '2016'),
    ({'Major': 15, 'Minor': 2}, None),
    ({'Major': 15, 'Minor': 2, 'Build': None, 'Revision': 1}, None),
])
def test_product_of_a_structured_server_version(value, product):
    assert product_of(value) == product


def test_parse_admin_display_version():
    assert parse_admin_display_version('Version 15.1 (Build 2507.6)') == (15, 1, 2507, 6)
    assert parse_admin_display_version('Version 15.2 (Build 2562.17)') == (15, 2, 2562, 17)
    assert parse_admin_display_version({'Major': 15, 'Minor': 2, 'Build': 2562, 'Revision': 17}) == (15, 2, 2562, 17)
    assert parse_admin_display_version(['15', '2']) is None


def test_product_names():
    assert product_name('se') == 'Exchange Server Subscription Edition'
    assert product_name('2019') == 'Exchange Server 2019'
    assert product_name(None) is None


@pytest.mark.parametrize('product, cmdlet', [('2013', 'Set-ClientAccessServer'), ('2010', 'Set-ClientAccessServer'),
                                             ('2016', 'Set-ClientAccessService'), ('2019', 'Set-ClientAccessService'),
                                             ('se', 'Set-ClientAccessService')])
def test_client_access_cmdlet_by_version(product, cmdlet):
    assert client_access_cmdlet('Set', product) == cmdlet


@pytest.mark.parametrize('product', [None, '', '2007', 'SE'])
def test_client_access_cmdlet_refuses_to_guess(product):
    with pytest.raises(ValueError):
        client_access_cmdlet('Set', product)

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import PRODUCTS, support_of, support_warning

TODAY = datetime.date(2026, 11, 30)


@pytest.mark.parametrize('family, product, name, end, status', [
    ('exchange', '2010', 'Exchange Server 2010', '2020-10-13', 'out_of_support'),
    ('exchange', '2013', 'Exchange Server 2013', '2023-04-11', 'out_of_support'),
    ('exchange', '2016', 'Exchange Server 2016', '2025-10-14', 'out_of_support'),
    ('exchange', '2019', 'Exchange Server 2019', '2025-10-14', 'out_of_support'),
    ('exchange', 'se', 'Exchange Server Subscription Edition', None, 'supported'),
    ('skype', '2013', 'Lync Server 2013', '2023-04-11', 'out_of_support'),
    ('skype', '2015', 'Skype for Business Server 2015', '2025-10-14', 'out_of_support'),
    ('skype', '2019', 'Skype for Business Server 2019', '2025-10-14', 'out_of_support'),
    ('skype', 'se', 'Skype for Business Server Subscription Edition', None, 'supported'),
    ('exchange', None, None, None, 'unknown'),
    ('skype', '2016', None, None, 'unknown'),
    ('teams', 'se', None, None, 'unknown'),
])
def test_support_of(family, product, name, end, status):
    assert support_of(family, product, today=TODAY) == {'product': name, 'end_of_support': end, 'support_status': status}


def test_the_last_day_is_still_supported():
    assert support_of('exchange', '2019', today=datetime.date(2025, 10, 14))['support_status'] == 'supported'
    assert support_of('exchange', '2019', today=datetime.date(2025, 10, 15))['support_status'] == 'out_of_support'
    assert support_of('skype', '2015', today=datetime.date(2025, 10, 14))['support_status'] == 'supported'


def test_default_today_is_now():
    # every fixed-policy version in the table ended before this test was written (2026)
    assert support_of('skype', '2019')['support_status'] == 'out_of_support'
    assert support_of('skype', 'se')['support_status'] == 'supported'


def test_every_entry_has_a_name():
    assert all(name for name, _end in PRODUCTS.values())


def test_warnings():
    assert support_warning('exchange', support_of('exchange', 'se'), 'Version 15.2 (Build 2562.17)') is None
    message = support_warning('exchange', support_of('exchange', '2019', today=TODAY), 'Version 15.2 (Build 1544.4)')
    assert message.startswith('Exchange Server 2019 left Microsoft support on 2025-10-14')
    assert "'Version 15.2 (Build 1544.4)'" in message
    message = support_warning('skype', support_of('skype', None), 'Something else')
    assert 'not recognised' in message and "'Something else'" in message and 'Skype' in message

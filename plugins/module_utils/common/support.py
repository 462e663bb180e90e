# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft support status of the Exchange and Skype for Business / Lync Server versions.

A small table: (family, product key) -> product name and end of support (the last day of support). The status is
computed against today's date: 'supported', 'out_of_support', or 'unknown' (the version was not recognised).

Sources of the dates (Microsoft lifecycle data, MicrosoftDocs/lifecycle-data, fixed policy, ``extendedEnd``):
* Exchange Server 2010: 2020-10-13 (lifecycle-data/products/exchange-server-2010.yml).
* Exchange Server 2013 and Lync Server 2013: 2023-04-11 (lifecycle-data/end-of-support/end-of-support-2023.md lists
  "Exchange Server 2013" and "Microsoft Lync Server 2013" on that day; CSS-Exchange
  Shared/Get-ExchangeBuildVersionInformation.ps1: Exchange 2013 ``$extendedSupportDate = "04/11/2023"``).
* Exchange Server 2016 and 2019: 2025-10-14 (CSS-Exchange HealthChecker ``$extendedSupportDate = "10/14/2025"``;
  versions-and-changes-2025.md).
* Skype for Business Server 2015 and 2019: 2025-10-14 (lifecycle-data/products/skype-for-business-server-2015.yml and
  skype-for-business-server-2019.yml, ``extendedEnd: 10/14/2025``).
* Exchange Server SE (RTM 2025-07-01) and Skype for Business Server SE (released 2025-07-01): no end date is published
  (versions-and-changes-2025.md); the end of support is None and the status 'supported'. Subscription editions are
  meant to stay supported while kept on a current update (no source checked here: whether this server's update level
  is current is not assessed).
"""

from __future__ import annotations

import datetime

SUPPORTED = 'supported'
OUT_OF_SUPPORT = 'out_of_support'
UNKNOWN = 'unknown'

# (family, product key) -> (product name, last day of support or None). Sources: see the module docstring.
PRODUCTS = {
    ('exchange', '2010'): ('Exchange Server 2010', datetime.date(2020, 10, 13)),
    ('exchange', '2013'): ('Exchange Server 2013', datetime.date(2023, 4, 11)),
    ('exchange', '2016'): ('Exchange Server 2016', datetime.date(2025, 10, 14)),
    ('exchange', '2019'): ('Exchange Server 2019', datetime.date(2025, 10, 14)),
    ('exchange', 'se'): ('Exchange Server Subscription Edition', None),
    ('skype', '2013'): ('Lync Server 2013', datetime.date(2023, 4, 11)),
    ('skype', '2015'): ('Skype for Business Server 2015', datetime.date(2025, 10, 14)),
    ('skype', '2019'): ('Skype for Business Server 2019', datetime.date(2025, 10, 14)),
    ('skype', 'se'): ('Skype for Business Server Subscription Edition', None),
}
FAMILY_NAMES = {'exchange': 'Exchange', 'skype': 'Skype for Business / Lync Server'}


def support_of(family, product, today=None):
    """{'product': name or None, 'end_of_support': 'YYYY-MM-DD' or None, 'support_status': ...} of a product key."""
    today = today or datetime.date.today()
    entry = PRODUCTS.get((family, product))
    if entry is None:
        return {'product': None, 'end_of_support': None, 'support_status': UNKNOWN}
    name, end = entry
    status = SUPPORTED if end is None or today <= end else OUT_OF_SUPPORT
    return {'product': name, 'end_of_support': end.isoformat() if end else None, 'support_status': status}


def support_warning(family, support, seen):
    """The warning for an out-of-support or unknown version (None when supported); ``seen`` is the version text read."""
    if support['support_status'] == OUT_OF_SUPPORT:
        return ('%s left Microsoft support on %s (version text: %r): it receives no security updates. The supported '
                'version is the Subscription Edition.' % (support['product'], support['end_of_support'], seen))
    if support['support_status'] == UNKNOWN:
        return ('The %s version of this server is not recognised (version text seen: %r), so its product and support '
                'status are unknown.' % (FAMILY_NAMES.get(family, family), seen))
    return None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Skype for Business Server / Lync Server versions from Get-CsServerVersion.

Get-CsServerVersion returns one string with the product name and the base version number
("Get-CsServerVersion will return a value such as 5.0.8308", REF-SFB Get-CsServerVersion.md).
Major versions: 5 = Lync Server 2013, 6 = Skype for Business Server 2015, 7 = Skype for Business Server 2019 and
Skype for Business Server Subscription Edition (SE).

Product keys: ``'2013'`` (Lync Server 2013), ``'2015'``, ``'2019'``, ``'se'`` (Subscription Edition).

SE keeps the 7.0.2046.x line of 2019 (SE RTM hotfix 1 is 7.0.2046.826, SE CU1 7.0.2046.849: Microsoft's "Skype for
Business Server updates" page; versions-and-changes-2025.md), so the numbers alone cannot tell 2019 from SE: only
the product name in the text can. UNVERIFIED: that an SE server's Get-CsServerVersion prints "Skype for Business
Server Subscription Edition (7.0.2046.0): ..." is an assumption (no output from a real SE server was found). Without
a recognised name, a 7.x version is reported as '2019' with a note saying it may be SE.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r'(\d+)\.(\d+)\.(\d+)')
_MAJOR = {5: '2013', 6: '2015', 7: '2019'}
# Product names as they may appear in the text; the SE forms are unverified (see the module docstring).
_NAMES = (
    (re.compile(r'Lync Server 2013', re.IGNORECASE), '2013'),
    (re.compile(r'Skype for Business Server 2015', re.IGNORECASE), '2015'),
    (re.compile(r'Skype for Business Server 2019', re.IGNORECASE), '2019'),
    (re.compile(r'Skype for Business Server (Subscription Edition|SE)\b', re.IGNORECASE), 'se'),
)
PRODUCT_NAMES = {
    '2013': 'Lync Server 2013',
    '2015': 'Skype for Business Server 2015',
    '2019': 'Skype for Business Server 2019',
    'se': 'Skype for Business Server Subscription Edition',
}
# The cmdlet reference lists only "Skype for Business Server 2015, 2019": SE has the 2019 cmdlets
# (versions-and-changes-2025.md: no cmdlet differences between SE and 2019 were found).
CMDLETS_OF = {'2013': '2013', '2015': '2015', '2019': '2019', 'se': '2019'}

AMBIGUOUS_2019_NOTE = ('Get-CsServerVersion names no product, and version %s is shared by Skype for Business Server 2019 '
                       'and Subscription Edition: reported as 2019')


def parse_server_version(text):
    """Return {'product', 'version', 'name', 'note'}; product None when not recognised.

    ``note`` is None, or says why the product is uncertain (a bare 7.x version is reported as '2019').
    """
    text = text if isinstance(text, str) else ''
    product = None
    for pattern, key in _NAMES:
        if pattern.search(text):
            product = key
    match = _NUMBER.search(text)
    note = None
    if product is None and match:
        product = _MAJOR.get(int(match.group(1)))
        if product == '2019':
            note = AMBIGUOUS_2019_NOTE % match.group(0)
    return {'product': product, 'version': match.group(0) if match else None, 'name': PRODUCT_NAMES.get(product), 'note': note}

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Skype for Business Server / Lync Server versions from Get-CsServerVersion.

Get-CsServerVersion returns one string with the product name and the base version number
("Get-CsServerVersion will return a value such as 5.0.8308", REF-SFB Get-CsServerVersion.md).
Major versions: 5 = Lync Server 2013, 6 = Skype for Business Server 2015, 7 = Skype for Business Server 2019.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r'(\d+)\.(\d+)\.(\d+)')
_MAJOR = {5: '2013', 6: '2015', 7: '2019'}
_NAMES = (('Lync Server 2013', '2013'), ('Skype for Business Server 2015', '2015'), ('Skype for Business Server 2019', '2019'))
PRODUCT_NAMES = {'2013': 'Lync Server 2013', '2015': 'Skype for Business Server 2015', '2019': 'Skype for Business Server 2019'}


def parse_server_version(text):
    """Return {'product': '2015', 'version': '6.0.9319', 'name': ...}; product None when not recognised."""
    text = text or ''
    product = None
    for name, key in _NAMES:
        if name.lower() in text.lower():
            product = key
    match = _NUMBER.search(text)
    if product is None and match:
        product = _MAJOR.get(int(match.group(1)))
    return {'product': product, 'version': match.group(0) if match else None, 'name': PRODUCT_NAMES.get(product)}

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange versions and the cmdlets that differ between them.

Source for the cmdlet split: integration-procedure.md section 4 (EX-DECOM: ``*-ClientAccessServer`` on
Exchange 2010 and 2013, ``*-ClientAccessService`` on 2016 and later; the cmdlet reference lists
``Set-ClientAccessService`` for Exchange Server 2016, 2019 and SE only).
"""

from __future__ import annotations

import re

_VERSION = re.compile(r'(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)\)', re.IGNORECASE)
# AdminDisplayVersion major.minor -> product. Exchange Server SE keeps 15.2, so it reports as 2019 here; the
# cmdlet reference gives SE the same cmdlets as 2019 for everything this collection uses.
_PRODUCTS = {(14, 0): '2010', (14, 1): '2010', (14, 2): '2010', (14, 3): '2010', (15, 0): '2013', (15, 1): '2016', (15, 2): '2019'}


def parse_admin_display_version(text):
    """'Version 15.1 (Build 2507.6)' -> (15, 1, 2507, 6); None when the text has no version."""
    match = _VERSION.search(text or '')
    return tuple(int(part) for part in match.groups()) if match else None


def product_of(text):
    """'2013', '2016', '2019' (or '2010') from an AdminDisplayVersion; None when unknown."""
    version = parse_admin_display_version(text)
    return _PRODUCTS.get(version[:2]) if version else None


def client_access_cmdlet(verb, product):
    """Get/Set-ClientAccessService on 2016 and later, Get/Set-ClientAccessServer on 2010 and 2013."""
    if product in ('2010', '2013'):
        return '%s-ClientAccessServer' % verb
    return '%s-ClientAccessService' % verb

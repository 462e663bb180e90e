# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange versions and the cmdlets that differ between them.

Product keys: ``'2010'``, ``'2013'``, ``'2016'``, ``'2019'`` and ``'se'`` (Exchange Server Subscription Edition).

Source for the version rule: CSS-Exchange ``Shared/Get-ExchangeBuildVersionInformation.ps1`` (HealthChecker): major 15,
minor 0 is 2013, minor 1 is 2016, minor 2 with build >= 2562 is SE, minor 2 below that is 2019. SE RTM is
15.2.2562.17 (Microsoft, "Exchange Server build numbers and release dates"; versions-and-changes-2025.md).

Source for the cmdlet split: integration-procedure.md section 4 (EX-DECOM: ``*-ClientAccessServer`` on
Exchange 2010 and 2013, ``*-ClientAccessService`` on 2016 and later; the cmdlet reference lists
``Set-ClientAccessService`` for Exchange Server 2016, 2019 and SE only).
"""

from __future__ import annotations

import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

# ServerVersion.ToString(): "Version 15.2 (Build 2562.17)".
_VERSION = re.compile(r'(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)\)', re.IGNORECASE)
# A plain four-part version ("15.2.2562.17", the ExSetup file version form HealthChecker also accepts).
_DOTTED = re.compile(r'^\s*(\d+)\.(\d+)\.(\d+)\.(\d+)\s*$')
# First Exchange Server SE build (15.2.2562.x); 15.2 below it is Exchange Server 2019. Source: see the module docstring.
SE_FIRST_BUILD = 2562
_PRODUCTS = {(14, 0): '2010', (14, 1): '2010', (14, 2): '2010', (14, 3): '2010', (15, 0): '2013', (15, 1): '2016', (15, 2): '2019'}
PRODUCT_NAMES = {
    '2010': 'Exchange Server 2010',
    '2013': 'Exchange Server 2013',
    '2016': 'Exchange Server 2016',
    '2019': 'Exchange Server 2019',
    'se': 'Exchange Server Subscription Edition',
}


def parse_admin_display_version(value):
    """An AdminDisplayVersion as (major, minor, build, revision); None when it holds no version.

    Accepts the text form ('Version 15.2 (Build 2562.17)'), a plain '15.2.2562.17', or the structured ServerVersion
    (a mapping with Major, Minor, Build and Revision, any case), which a deserialized object may carry.
    """
    if isinstance(value, dict):
        parts = dict((str(key).lower(), part) for key, part in value.items())
        try:
            return tuple(int(parts[name]) for name in ('major', 'minor', 'build', 'revision'))
        except (KeyError, TypeError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _VERSION.search(value) or _DOTTED.match(value)
    return tuple(int(part) for part in match.groups()) if match else None


def product_of(value):
    """'2013', '2016', '2019', 'se' (or '2010') from an AdminDisplayVersion; None when unknown."""
    version = parse_admin_display_version(value)
    if not version:
        return None
    product = _PRODUCTS.get(version[:2])
    if product == '2019' and version[2] >= SE_FIRST_BUILD:
        return 'se'
    return product


def product_name(product):
    """'Exchange Server Subscription Edition' for 'se'; None for an unknown key."""
    return PRODUCT_NAMES.get(product)


def client_access_cmdlet(verb, product):
    """Get/Set-ClientAccessService on 2016, 2019 and SE, Get/Set-ClientAccessServer on 2010 and 2013.

    Raises ValueError for an unknown product: the caller must not guess which cmdlet a server has.
    """
    if product in ('2010', '2013'):
        return '%s-ClientAccessServer' % verb
    if product in ('2016', '2019', 'se'):
        return '%s-ClientAccessService' % verb
    raise ValueError('unknown Exchange version %r' % (product,))


# The read every Exchange module starts with: the organization's servers, the connected one among them.
SERVERS = Invocation('servers', 'Get-ExchangeServer', properties=['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole'])


def local_server(response):
    """The Get-ExchangeServer row (invocation ``servers``) of the server the runner ran on, or None."""
    computer = (response.host.get('computer_name') or '').lower()
    for row in response.output('servers'):
        if (row.get('Name') or '').lower() == computer:
            return row
    return None


def connected_product(response, host, needs):
    """The product key of the connected server; ScriptFailure (never a guess) when it is unknown. ``needs`` says what
    depends on it, for the message."""
    computer = response.host.get('computer_name') or ''
    row = local_server(response)
    if row is None:
        raise ScriptFailure('Get-ExchangeServer did not list this server (%s), so its Exchange version, which picks %s, is '
                            'unknown' % (computer.lower(), needs), host=host)
    product = product_of(row.get('AdminDisplayVersion'))
    if product is None:
        raise ScriptFailure('The Exchange version of this server (%s) is not recognised (AdminDisplayVersion %r), so %s '
                            'cannot be chosen' % (computer.lower(), row.get('AdminDisplayVersion'), needs), host=host)
    return product

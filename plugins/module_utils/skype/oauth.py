# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The global OAuth configuration (Get/Set-CsOAuthConfiguration): option names, properties, return shape."""

from __future__ import annotations

# option -> (Set-CsOAuthConfiguration parameter / Get-CsOAuthConfiguration property, comparison)
SETTINGS = {
    'exchange_autodiscover_url': ('ExchangeAutodiscoverUrl', 'uri'),
    'exchange_autodiscover_allowed_domains': ('ExchangeAutodiscoverAllowedDomains', 'domains'),
    'realm': ('Realm', 'text'),
    'service_name': ('ServiceName', 'text'),
    'client_authorization_oauth_server_identity': ('ClientAuthorizationOAuthServerIdentity', 'text'),
}
PROPERTIES = ['Identity'] + [parameter for parameter, _kind in SETTINGS.values()]


def report(row):
    """Return shape of a Get-CsOAuthConfiguration row: ``identity`` plus one key per option."""
    result = {'identity': row.get('Identity')}
    for option, (parameter, _kind) in SETTINGS.items():
        result[option] = row.get(parameter)
    return result

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth import PROPERTIES, report


def test_report_uses_option_names_and_keeps_missing_properties_as_none():
    row = {'Identity': 'Global', 'ExchangeAutodiscoverUrl': 'https://a/autodiscover/autodiscover.svc', 'Realm': 'contoso.com'}
    assert report(row) == {
        'identity': 'Global', 'exchange_autodiscover_url': 'https://a/autodiscover/autodiscover.svc',
        'exchange_autodiscover_allowed_domains': None, 'realm': 'contoso.com', 'service_name': None,
        'client_authorization_oauth_server_identity': None}
    assert PROPERTIES[0] == 'Identity' and 'ClientAuthorizationOAuthServerIdentity' in PROPERTIES

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth import (
    PROPERTIES, SETTINGS, OAuthConfiguration, corrected_svc_url, desired_settings, report)

KIND_OF_PROPERTY = dict((kind, parameter) for parameter, kind in SETTINGS.values())


def same(kind, desired, current):
    """The resource engine's comparison of a property of that kind."""
    return OAuthConfiguration({}).property(KIND_OF_PROPERTY[kind]).equal(desired, current)


def test_report_uses_option_names_and_keeps_missing_properties_as_none():
    row = {'Identity': 'Global', 'ExchangeAutodiscoverUrl': 'https://a/autodiscover/autodiscover.svc', 'Realm': 'contoso.com'}
    assert report(row) == {
        'identity': 'Global', 'exchange_autodiscover_url': 'https://a/autodiscover/autodiscover.svc',
        'exchange_autodiscover_allowed_domains': None, 'realm': 'contoso.com', 'service_name': None,
        'client_authorization_oauth_server_identity': None}
    assert PROPERTIES[0] == 'Identity' and 'ClientAuthorizationOAuthServerIdentity' in PROPERTIES


def test_autodiscover_xml_is_refused_with_the_svc_url():
    with pytest.raises(OptionError) as raised:
        desired_settings({'exchange_autodiscover_url': 'https://autodiscover.litwareinc.com/autodiscover/autodiscover.xml'})
    message = str(raised.value)
    assert 'not to autodiscover.xml' in message
    assert message.endswith('Use https://autodiscover.litwareinc.com/autodiscover/autodiscover.svc')


@pytest.mark.parametrize('url, fragment', [
    ('https://autodiscover.contoso.com/', 'must be the URL of autodiscover.svc'),
    ('http://autodiscover.contoso.com/autodiscover/autodiscover.svc', 'must use https://'),
    ('autodiscover.contoso.com/autodiscover/autodiscover.svc', 'exchange_autodiscover_url:'),
])
def test_other_bad_urls_are_refused(url, fragment):
    with pytest.raises(OptionError) as raised:
        desired_settings({'exchange_autodiscover_url': url})
    assert fragment in str(raised.value)


def test_service_name_must_be_a_guid_and_something_must_be_set():
    with pytest.raises(OptionError, match='service_name must be a GUID'):
        desired_settings({'service_name': 'exchange'})
    with pytest.raises(OptionError, match='Nothing to set'):
        desired_settings({})


def test_domains_are_joined_and_empty_values_clear():
    assert desired_settings({'exchange_autodiscover_allowed_domains': ['*.contoso.com', ' *.fabrikam.com '], 'realm': ''}) == {
        'ExchangeAutodiscoverAllowedDomains': '*.contoso.com;*.fabrikam.com', 'Realm': None}


def test_comparisons():
    assert same('uri', 'https://A.contoso.com/autodiscover/autodiscover.svc', 'https://a.contoso.com:443/autodiscover/autodiscover.svc')
    assert same('domains', '*.b.com;*.a.com', '*.A.com;*.b.com')
    assert not same('domains', '*.a.com', None)
    assert same('text', None, '')


def test_corrected_svc_url_keeps_host_and_case_of_the_rest():
    assert corrected_svc_url('https://Mail.Contoso.com/Autodiscover/Autodiscover.XML') == 'https://Mail.Contoso.com/Autodiscover/autodiscover.svc'

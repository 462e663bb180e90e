# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import multiset_equal, normalize_uri, text_equal, uri_equal


@pytest.mark.parametrize('value, expected', [
    ('HTTPS://Autodiscover.Contoso.COM/Autodiscover/Autodiscover.xml', 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'),
    ('https://host', 'https://host/'),
    ('https://host:443/a', 'https://host/a'),
    ('http://host:80', 'http://host/'),
    ('https://host:8443/a/', 'https://host:8443/a/'),
    ('https://[FE80::1]/x', 'https://[fe80::1]/x'),
    (None, None),
    ('', None),
])
def test_normalize_uri_follows_absoluteuri_rules(value, expected):
    assert normalize_uri(value) == expected


@pytest.mark.parametrize('value', ['autodiscover.contoso.com', 'ftp://host/x', '/relative/path', 'https://user:pw@host/', 'https://host:99999/'])
def test_normalize_uri_rejects_what_is_not_an_absolute_http_url(value):
    with pytest.raises(ValueError):
        normalize_uri(value)


def test_uri_equal_ignores_scheme_and_host_case_but_not_path_or_trailing_slash():
    assert uri_equal('https://A.example/x', 'https://a.example/x')
    assert uri_equal('https://a.example', 'https://a.example/')
    assert not uri_equal('https://a.example/x', 'https://a.example/x/')
    assert not uri_equal('https://a.example/X', 'https://a.example/x')
    assert uri_equal(None, '')
    assert not uri_equal('https://a.example/', None)


def test_multiset_equal_counts_duplicates_and_ignores_order_and_case():
    assert multiset_equal(['Redmond', 'Paris'], ['paris', 'REDMOND'])
    assert not multiset_equal(['a', 'a'], ['a', 'b'])
    assert multiset_equal([], None)
    assert not multiset_equal(['a'], [])


def test_text_equal():
    assert text_equal(None, '')
    assert text_equal('Contoso.com', 'contoso.COM')
    assert not text_equal('a', 'A', case_sensitive=True)

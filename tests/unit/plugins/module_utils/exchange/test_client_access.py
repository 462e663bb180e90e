# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.client_access import ClientAccessServers, validate

URI = 'AutoDiscoverServiceInternalUri'
SCOPE = 'AutoDiscoverSiteScope'
RESOURCE = ClientAccessServers({}, 'ex01')


def differences(desired, current):
    return RESOURCE.changes(desired, current)


def predicted(current, changes):
    after = dict(current)
    after.update((name, RESOURCE.property(name).stored(value)) for name, value in changes.items())
    return after


@pytest.mark.parametrize('params, fragment', [
    ({}, 'Nothing to set'),
    ({'autodiscover_internal_uri': 'autodiscover.contoso.com'}, 'autodiscover_internal_uri:'),
    ({'autodiscover_internal_uri': 'http://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'}, 'must use https://'),
])
def test_bad_input_names_the_option(params, fragment):
    with pytest.raises(OptionError) as raised:
        validate(params)
    assert fragment in str(raised.value)


def test_empty_uri_clears_and_scope_keeps_its_add_remove_set_form():
    assert validate({'autodiscover_internal_uri': '', 'autodiscover_site_scope': {'set': ['A']}}) == {URI: None, SCOPE: {'set': ['A']}}
    with pytest.raises(OptionError, match='autodiscover_site_scope needs set'):
        validate({'autodiscover_site_scope': {'add': None, 'remove': None, 'set': None}})


def test_site_scope_add_and_remove_keep_the_sites_not_named():
    current = {URI: None, SCOPE: ['Paris', 'Oslo']}
    assert differences({SCOPE: {'add': ['oslo']}}, current) == {}
    assert differences({SCOPE: {'add': ['Rome']}}, current) == {SCOPE: ['Paris', 'Oslo', 'Rome']}
    assert differences({SCOPE: {'remove': ['PARIS'], 'add': ['Rome']}}, current) == {SCOPE: ['Oslo', 'Rome']}
    assert differences({SCOPE: {'set': []}}, current) == {SCOPE: []}


def test_only_differing_properties_are_sent():
    current = {URI: 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml', SCOPE: ['Paris']}
    desired = {URI: 'HTTPS://AUTODISCOVER.CONTOSO.COM/Autodiscover/Autodiscover.xml', SCOPE: ['paris', 'Oslo']}
    assert differences(desired, current) == {SCOPE: ['paris', 'Oslo']}
    assert differences({URI: 'https://other.contoso.com/Autodiscover/Autodiscover.xml'}, current) == {
        URI: 'https://other.contoso.com/Autodiscover/Autodiscover.xml'}


def test_predicted_state_is_what_exchange_stores():
    after = predicted({URI: None, SCOPE: []}, {URI: 'HTTPS://Host.Contoso.com:443/Autodiscover/Autodiscover.xml'})
    assert after == {URI: 'https://host.contoso.com/Autodiscover/Autodiscover.xml', SCOPE: []}

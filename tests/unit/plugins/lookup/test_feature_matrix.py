# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The feature_matrix lookup, loaded by ansible-core's plugin loader with its documented options."""

from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import matrix

PLUGIN_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'lookup'))


@pytest.fixture(name='lookup')
def lookup_fixture():
    """The plugin by its FQCN (ansible-test's collection loader), else from the plugin directory (plain pytest)."""
    plugin = lookup_loader.get('ucops.skype_exchange.feature_matrix')
    if plugin is None:
        lookup_loader.add_directory(PLUGIN_DIR)
        plugin = lookup_loader.get('feature_matrix')
    assert plugin is not None
    return plugin


def test_every_feature_without_terms(lookup):
    result = lookup.run([], exchange_version='2019', skype_version='2019', step_status={'exchange_partner_application': 'failed'})
    assert [row['id'] for row in result] == [feature['id'] for feature in matrix.FEATURES]
    by_id = {row['id']: row for row in result}
    assert by_id['exchange_um']['status'] == 'not_supported'
    assert by_id['unified_contact_store']['status'] == 'needs_configuration'
    assert 'exchange_partner_application' in by_id['unified_contact_store']['missing_steps']
    assert by_id['presence_in_outlook']['status'] == 'available'


def test_terms_select_features_in_their_order(lookup):
    result = lookup.run(['server_side_conversation_history', 'presence_in_outlook'], exchange_version='2013', skype_version='2013')
    assert [row['id'] for row in result] == ['server_side_conversation_history', 'presence_in_outlook']
    assert result[0]['status'] == 'not_supported'


def test_step_status_defaults_to_nothing_checked(lookup):
    (ucs,) = lookup.run(['unified_contact_store'], exchange_version='2016', skype_version='2015')
    assert ucs['missing_steps'][0] == 'exchange_auth_certificate'
    assert 'not checked' in ucs['note']


def test_numbers_and_null_versions(lookup):
    (um,) = lookup.run(['exchange_um'], exchange_version=2016, skype_version=2015)
    assert um['status'] == 'available'
    (unknown,) = lookup.run(['exchange_um'], exchange_version=None, skype_version='2019')
    assert unknown['status'] == 'unknown' and unknown['supported'] is None


def test_skype_online_is_not_supported(lookup):
    result = lookup.run([], exchange_version='online', skype_version='online')
    assert {row['status'] for row in result} == {'not_supported'}


def test_unknown_feature_id_is_an_error(lookup):
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['ucs'], exchange_version='2019', skype_version='2019')
    assert 'Unknown feature id(s) ucs;' in str(error.value)
    assert 'unified_contact_store' in str(error.value)


def test_bad_step_status_is_an_error(lookup):
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run([], exchange_version='2019', skype_version='2019', step_status={'exchange_owa_im': 'done'})
    assert 'step_status' in str(error.value) and "'done'" in str(error.value)

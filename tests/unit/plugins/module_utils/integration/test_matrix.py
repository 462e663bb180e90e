# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The feature support matrix: the base document's table as data, and what it answers for each pair of versions."""

from __future__ import annotations

import datetime
import importlib.util
import os
import re

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import matrix

TODAY = datetime.date(2026, 12, 1)
ALL_COMPLIANT = dict.fromkeys(matrix.STEP_ORDER, 'compliant')
ROW_KEYS = {'id', 'name', 'status', 'supported', 'note', 'missing_steps', 'manual_steps', 'footnotes'}
S2S_FEATURES = ('unified_contact_store', 'high_resolution_photos', 'exchange_archiving', 'search_archived_content',
                'server_side_conversation_history')
CLIENT_SIDE = ('presence_in_outlook', 'respond_from_outlook', 'online_meetings_in_outlook', 'mobile_im_presence',
               'mobile_online_meetings', 'calendar_presence', 'meeting_delegation', 'missed_conversation_history')

# The base document's table as integration-procedure.md §19 transcribes it, columns (1) to (5).
BASE_DOCUMENT = {
    'presence_in_outlook': 'Y Y Y Y Y',
    'respond_from_outlook': 'Y Y Y Y Y',
    'online_meetings_in_outlook': 'Y Y Y Y Y',
    'presence_in_owa': 'Y Y N N Y',
    'respond_from_owa': 'Y Y N N Y',
    'online_meetings_in_owa': 'Y Y N N Y',
    'mobile_im_presence': 'Y Y Y Y Y',
    'mobile_online_meetings': 'Y Y Y Y Y',
    'calendar_presence': 'Y Y Y Y Y',
    'unified_contact_store': 'Y(requires Exchange 2016/2013) Y N N Y',
    'high_resolution_photos': 'Y(requires Exchange 2016/2013) Y N Y Y',
    'meeting_delegation': 'Y Y Y Y Y',
    'missed_conversation_history': 'Y Y Y Y Y',
    'exchange_archiving': 'Y(requires Exchange 2016/2013) Y N N Y',
    'search_archived_content': 'Y(requires Exchange 2016/2013) Y N N Y',
    'exchange_um': 'Y Y N N N',
    'server_side_conversation_history': 'Y Y N Y Y',
}


def rows(exchange, skype, step_status=None, today=TODAY):
    return {row['id']: row for row in matrix.evaluate(exchange, skype, step_status, today=today)}


# -- the data ------------------------------------------------------------------------------------------------------------

def test_five_topologies_with_stable_ids_and_only_the_server_ones_possible():
    assert [topology['id'] for topology in matrix.TOPOLOGIES] == [
        'exchange_onprem_skype_server', 'exchange_online_skype_server', 'exchange2010_skype_online',
        'exchange_onprem_skype_online', 'exchange_online_skype_online']
    assert [topology['possible'] for topology in matrix.TOPOLOGIES] == [True, True, False, False, False]
    assert all(topology['retired_on'] == '2021-07-31' for topology in matrix.TOPOLOGIES[2:])


def test_every_row_of_the_base_document_in_its_order_with_its_values():
    assert [feature['id'] for feature in matrix.FEATURES] == list(BASE_DOCUMENT)
    for feature in matrix.FEATURES:
        cells = [matrix.cell(feature['id'], column).replace(' (', '(', 1) for column in matrix.COLUMNS]
        assert ' '.join(cells) == BASE_DOCUMENT[feature['id']], feature['id']


def test_ids_are_snake_case_and_steps_are_the_spec_ids():
    for feature in matrix.FEATURES:
        assert re.match(r'^[a-z][a-z0-9_]*$', feature['id'])
        assert feature['source'].startswith('integration-procedure.md §19')
        # Steps only for the columns that are still possible; a qualifier only after a Y.
        assert set(feature['steps']) <= {matrix.EXCHANGE_ONPREM_SKYPE_SERVER, matrix.EXCHANGE_ONLINE_SKYPE_SERVER}
        for column in feature['qualifiers']:
            assert feature['matrix'][matrix.COLUMNS.index(column)] == 'Y'
        for steps in feature['steps'].values():
            assert set(steps['automated']) <= set(matrix.STEP_ORDER)
            assert set(steps['manual']) <= set(matrix.MANUAL_STEPS)
        # A feature without steps says why.
        if not feature['steps']:
            assert feature['no_step']


def test_server_to_server_features_need_the_documented_steps():
    for feature_id in S2S_FEATURES:
        steps = matrix._FEATURE[feature_id]['steps']
        assert steps[matrix.EXCHANGE_ONPREM_SKYPE_SERVER]['automated'] == (
            'exchange_auth_certificate', 'skype_oauth_certificate', 'exchange_autodiscover', 'skype_oauth_configuration',
            'autodiscover_dns', 'exchange_partner_application', 'skype_partner_application')
        assert 'entra_id_oauth' in steps[matrix.EXCHANGE_ONLINE_SKYPE_SERVER]['manual']


# -- column_of ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('exchange, skype, column', [
    ('2019', '2019', 'exchange_onprem_skype_server'),
    ('2010', '2013', 'exchange_onprem_skype_server'),
    ('se', 'se', 'exchange_onprem_skype_server'),
    ('SE', ' 2015 ', 'exchange_onprem_skype_server'),
    (2016, 2015, 'exchange_onprem_skype_server'),
    ('online', '2015', 'exchange_online_skype_server'),
    ('2010', 'online', 'exchange2010_skype_online'),
    ('2013', 'online', 'exchange_onprem_skype_online'),
    ('2019', 'online', 'exchange_onprem_skype_online'),
    ('online', 'online', 'exchange_online_skype_online'),
    ('2007', '2015', None),
    ('2019', '2010', None),
    (None, '2015', None),
    ('2019', None, None),
])
def test_column_of(exchange, skype, column):
    assert matrix.column_of(exchange, skype) == column


# -- evaluate -----------------------------------------------------------------------------------------------------------

def test_rows_have_the_report_keys_in_the_matrix_order():
    result = matrix.evaluate('2019', '2019', today=TODAY)
    assert [row['id'] for row in result] == list(BASE_DOCUMENT)
    assert all(set(row) == ROW_KEYS for row in result)


def test_exchange_2019_has_no_unified_messaging():
    um = rows('2019', '2019', ALL_COMPLIANT)['exchange_um']
    assert um['status'] == 'not_supported'
    assert um['supported'] is False
    assert 'Exchange 2019' in um['note']
    assert um['manual_steps'] == [] and um['missing_steps'] == []
    # The table versions differ (the footnote shows the others) and Skype for Business Server 2019's own statement.
    assert any('older English table (2018-02-16) gives Y in all five columns' in note for note in um['footnotes'])
    assert any('What\'s new in Skype for Business Server 2019' in note for note in um['footnotes'])
    assert rows('se', 'se')['exchange_um']['status'] == 'not_supported'


def test_exchange_2016_keeps_unified_messaging_done_by_hand():
    um = rows('2016', '2015', ALL_COMPLIANT)['exchange_um']
    assert um['status'] == 'available'
    assert um['manual_steps'] == ['exchange_um']
    assert any('Cloud Voicemail' in note for note in um['footnotes'])
    # The Skype for Business Server 2019 statement only applies to 2019 and SE.
    assert not any('Skype for Business Server 2019 keeps' in note for note in um['footnotes'])


def test_lync_2013_has_no_server_side_conversation_history():
    history = rows('2013', '2013', ALL_COMPLIANT)['server_side_conversation_history']
    assert history['status'] == 'not_supported'
    assert history['supported'] is False
    assert 'Skype for Business Server 2015 or later' in history['note'] and 'Lync Server 2013' in history['note']
    assert rows('2013', '2015', ALL_COMPLIANT)['server_side_conversation_history']['status'] == 'available'


def test_all_steps_compliant_makes_every_supported_feature_available():
    result = rows('2019', '2019', ALL_COMPLIANT)
    for feature_id in S2S_FEATURES + ('presence_in_owa', 'respond_from_owa') + CLIENT_SIDE:
        assert result[feature_id]['status'] == 'available', feature_id
        assert result[feature_id]['supported'] is True
        assert result[feature_id]['missing_steps'] == []
    assert result['unified_contact_store']['manual_steps'] == ['unified_contact_store']
    assert result['exchange_archiving']['manual_steps'] == ['exchange_archiving']
    assert 'compliant' in result['unified_contact_store']['note']


def test_a_failed_partner_application_leaves_the_server_to_server_features_to_configure():
    status = dict(ALL_COMPLIANT, exchange_partner_application='failed')
    result = rows('2019', '2019', status)
    for feature_id in S2S_FEATURES:
        assert result[feature_id]['status'] == 'needs_configuration', feature_id
        assert result[feature_id]['missing_steps'] == ['exchange_partner_application']
    assert 'exchange_partner_application (failed)' in result['unified_contact_store']['note']
    # Features that do not need the partner application are not affected.
    assert result['presence_in_owa']['status'] == 'available'
    assert result['presence_in_outlook']['status'] == 'available'


def test_steps_not_given_count_as_not_checked_in_the_documented_order():
    ucs = rows('2016', '2015', {'skype_partner_application': 'would_change', 'exchange_auth_certificate': 'compliant',
                                'autodiscover_dns': 'not_applicable'})['unified_contact_store']
    assert ucs['status'] == 'needs_configuration'
    assert ucs['missing_steps'] == ['skype_oauth_certificate', 'exchange_autodiscover', 'skype_oauth_configuration',
                                    'autodiscover_dns', 'exchange_partner_application', 'skype_partner_application']
    assert 'skype_partner_application (would_change)' in ucs['note']
    assert 'skype_oauth_certificate (not checked)' in ucs['note']
    assert 'autodiscover_dns (not_applicable)' in ucs['note']


def test_outlook_on_the_web_on_premises_needs_the_trusted_application_and_owa_im():
    result = rows('2016', '2015', {'skype_trusted_application': 'compliant'})
    assert result['presence_in_owa']['status'] == 'needs_configuration'
    assert result['presence_in_owa']['missing_steps'] == ['exchange_owa_im']
    # Client-side features need no server step, whatever the steps say.
    assert result['presence_in_outlook']['status'] == 'available'
    assert 'Client side' in result['presence_in_outlook']['note']


def test_lync_2013_with_exchange_2016_or_later_has_no_outlook_on_the_web_im():
    for exchange in ('2016', '2019', 'se'):
        owa = rows(exchange, '2013', ALL_COMPLIANT)['presence_in_owa']
        assert owa['status'] == 'not_supported'
        assert 'Lync Server 2013 and Exchange 2016 or later' in owa['note']
    assert rows('2013', '2013', ALL_COMPLIANT)['presence_in_owa']['status'] == 'available'


def test_exchange_2010_lacks_the_exchange_2013_features():
    result = rows('2010', '2015', ALL_COMPLIANT)
    for feature_id in ('unified_contact_store', 'high_resolution_photos', 'exchange_archiving', 'search_archived_content'):
        assert result[feature_id]['status'] == 'not_supported'
        assert 'Exchange 2013 or later' in result[feature_id]['note']
    assert any('Exchange 2010' in note for note in result['presence_in_owa']['footnotes'])
    assert result['exchange_um']['status'] == 'available'


def test_exchange_online_with_skype_server():
    result = rows('online', '2019', {'skype_oauth_certificate': 'compliant', 'skype_oauth_configuration': 'compliant'})
    owa = result['presence_in_owa']
    assert owa['status'] == 'needs_configuration' and owa['missing_steps'] == ['exchange_online']
    ucs = result['unified_contact_store']
    assert ucs['status'] == 'available'
    assert ucs['manual_steps'] == ['unified_contact_store', 'entra_id_oauth']
    # Exchange Online UM was retired.
    assert result['exchange_um']['status'] == 'not_supported'
    assert 'Cloud Voicemail' in result['exchange_um']['note']
    assert rows('online', '2019', {'exchange_online': 'compliant'})['presence_in_owa']['status'] == 'available'


def test_lync_2013_with_exchange_online_has_no_server_to_server_features():
    result = rows('online', '2013', ALL_COMPLIANT)
    for feature_id in S2S_FEATURES:
        assert result[feature_id]['status'] == 'not_supported', feature_id
    assert 'Microsoft 365' in result['unified_contact_store']['note']
    assert result['presence_in_owa']['status'] == 'available'
    assert any('external access policy' in note for note in result['presence_in_owa']['footnotes'])


@pytest.mark.parametrize('exchange', ['2010', '2016', 'online'])
def test_skype_for_business_online_is_retired(exchange):
    result = rows(exchange, 'online', ALL_COMPLIANT)
    for row in result.values():
        assert row['status'] == 'not_supported'
        assert row['supported'] is False
        assert '2021-07-31' in row['note']
        assert any('retired on 2021-07-31' in note for note in row['footnotes'])
    # The Y of the base document is still said.
    assert 'the base document listed Y' in result['presence_in_outlook']['note']


def test_before_the_retirement_the_base_document_decides():
    result = rows('2016', 'online', ALL_COMPLIANT, today=datetime.date(2021, 7, 31))
    assert result['presence_in_outlook']['status'] == 'available'
    assert result['presence_in_owa']['status'] == 'not_supported'
    assert 'base document: N' in result['presence_in_owa']['note']


@pytest.mark.parametrize('exchange, skype, word', [('2007', '2019', "'2007'"), ('2019', None, 'no Skype for Business version'),
                                                   ('2019', '2010', "'2010'")])
def test_unknown_version_gives_unknown_rows(exchange, skype, word):
    result = matrix.evaluate(exchange, skype, ALL_COMPLIANT, today=TODAY)
    assert {row['status'] for row in result} == {'unknown'}
    assert {row['supported'] for row in result} == {None}
    assert all(word in row['note'] for row in result)
    assert all(row['missing_steps'] == [] for row in result)


def test_rows_are_fresh_copies():
    first = matrix.evaluate('2019', '2019', today=TODAY)
    first[9]['missing_steps'].append('x')
    first[9]['footnotes'].clear()
    second = matrix.evaluate('2019', '2019', today=TODAY)
    assert 'x' not in second[9]['missing_steps']
    assert second[9]['footnotes']


@pytest.mark.parametrize('step_status, words', [
    ({'exchange_partner_app': 'compliant'}, ["unknown step id 'exchange_partner_app'", 'exchange_partner_application']),
    ({'exchange_owa_im': 'ok'}, ["'ok'", 'would_change']),
    (['exchange_owa_im'], ['must be a dict']),
])
def test_bad_step_status_is_refused(step_status, words):
    with pytest.raises(OptionError) as error:
        matrix.evaluate('2019', '2019', step_status)
    assert 'step_status' in error.value.message
    for word in words:
        assert word in error.value.message


# -- topology_of ---------------------------------------------------------------------------------------------------------

def test_topology_of_reports_the_support_of_both_versions():
    topology = matrix.topology_of('2019', 'se', today=TODAY)
    assert topology['column'] == 'exchange_onprem_skype_server'
    assert topology['possible'] is True
    assert topology['support']['exchange'] == {'product': 'Exchange Server 2019', 'end_of_support': '2025-10-14',
                                               'support_status': 'out_of_support'}
    assert topology['support']['skype'] == {'product': 'Skype for Business Server Subscription Edition', 'end_of_support': None,
                                            'support_status': 'supported'}


def test_topology_of_online_services():
    topology = matrix.topology_of('online', 'online', today=TODAY)
    assert topology['column'] == 'exchange_online_skype_online'
    assert topology['possible'] is False
    assert topology['support']['exchange']['support_status'] == 'supported'
    assert topology['support']['skype'] == {'product': 'Skype for Business Online', 'end_of_support': '2021-07-31',
                                            'support_status': 'out_of_support'}
    before = matrix.topology_of('online', 'online', today=datetime.date(2021, 7, 31))
    assert before['possible'] is True
    assert before['support']['skype']['support_status'] == 'supported'


def test_topology_of_unknown_versions():
    topology = matrix.topology_of('2007', '2019', today=TODAY)
    assert topology['column'] is None and topology['name'] is None and topology['possible'] is None
    assert topology['support']['exchange']['support_status'] == 'unknown'
    assert topology['support']['skype']['product'] == 'Skype for Business Server 2019'


# -- docs/feature-matrix.md ----------------------------------------------------------------------------------------------

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 5)))


def test_the_doc_is_the_output_of_its_script():
    spec = importlib.util.spec_from_file_location('feature_matrix_doc', os.path.join(ROOT, 'tools', 'feature_matrix_doc.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with open(os.path.join(ROOT, 'docs', 'feature-matrix.md'), encoding='utf-8') as doc:
        text = doc.read()
    assert text == tool.render(tool.load_matrix()), 'regenerate: python tools/feature_matrix_doc.py > docs/feature-matrix.md'
    # The table is there, with a qualifier, and the lookup is explained.
    assert '| Contact list (via unified contact store) | `unified_contact_store` | Y (requires Exchange 2016/2013) | Y | N | N | Y |' in text
    assert "query('ucops.skype_exchange.feature_matrix'" in text

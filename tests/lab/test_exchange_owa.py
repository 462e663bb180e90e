# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's OWA IM model (lab/products/exchange/owa.py): documented defaults, enum conversion, unique setting override
names, Set-SettingOverride without -Name, the variant configuration refresh, and the Exchange 2013 web.config seed."""

from __future__ import annotations

import pathlib

import pytest

from simulator_support import SNAPIN, Simulator, invocation, request

NONE = {'type': 'none'}
WEB_CONFIG = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\web.config'
OFF = {'__ucops_type': 'switch', 'value': False}
IM = ['IMServerName=skype01.contoso.com', 'IMCertificateThumbprint=CDF34A740E9D225A1A06193A9D44B2CE22775308']


@pytest.fixture(name='sim')
def sim_fixture(tmp_path: pathlib.Path) -> Simulator:
    return Simulator(tmp_path / 'state')


def one(sim, host, mode, cmdlet, parameters=None, properties=None):
    return sim.run(host, request(mode, SNAPIN, invocation(cmdlet, parameters, properties)))


def test_virtual_directories_have_the_documented_defaults_and_the_enum_converts_by_name(sim):
    read = one(sim, 'ex2019', 'read', 'Get-OwaVirtualDirectory', {'ADPropertiesOnly': {'__ucops_type': 'switch', 'value': True}},
               ['Identity', 'Server', 'InstantMessagingEnabled', 'InstantMessagingType'])
    assert read['error'] is None
    rows = read['results'][0]['output']
    assert {row['Identity'] for row in rows} == {'EX19\\owa (Default Web Site)', 'EX16B\\owa (Default Web Site)'}
    assert all(row['InstantMessagingEnabled'] is True and row['InstantMessagingType'] == 'None' for row in rows)
    bad = one(sim, 'ex2019', 'write', 'Set-OwaVirtualDirectory', {'Identity': 'EX16B\\owa (Default Web Site)', 'InstantMessagingType': 'Lync'})
    assert bad['error']['fully_qualified_error_id'] == 'CannotConvertArgumentNoMessage,Set-OwaVirtualDirectory'
    assert 'None, Ocs' in bad['error']['message']
    ambiguous = one(sim, 'ex2019', 'write', 'Set-OwaVirtualDirectory', {'Identity': 'owa (Default Web Site)', 'InstantMessagingType': 'Ocs'})
    assert 'matches multiple entries' in ambiguous['error']['message']
    done = one(sim, 'ex2019', 'write', 'Set-OwaVirtualDirectory', {'Identity': 'EX16B\\owa (Default Web Site)', 'InstantMessagingType': 'OCS'})
    assert done['error'] is None
    again = one(sim, 'ex2019', 'write', 'Set-OwaVirtualDirectory', {'Identity': 'EX16B\\owa (Default Web Site)', 'InstantMessagingType': 'Ocs'})
    assert again['results'][0]['warnings'] == ["The command completed successfully but no settings of 'EX16B\\owa (Default Web Site)' have "
                                               "been modified."]
    rows = one(sim, 'ex2019', 'read', 'Get-OwaVirtualDirectory', {'Server': 'EX16B'}, ['InstantMessagingType'])['results'][0]['output']
    assert rows == [{'InstantMessagingType': 'Ocs'}]


def test_the_default_mailbox_policy_exists_and_an_unknown_one_is_not_found(sim):
    rows = one(sim, 'ex2016', 'read', 'Get-OwaMailboxPolicy', None, ['Name', 'InstantMessagingEnabled', 'InstantMessagingType'])
    assert rows['results'][0]['output'] == [{'Name': 'Default', 'InstantMessagingEnabled': True, 'InstantMessagingType': 'None'}]
    missing = one(sim, 'ex2016', 'write', 'Set-OwaMailboxPolicy', {'Identity': 'Sales', 'InstantMessagingType': 'Ocs'})
    assert "couldn't be found" in missing['error']['message']


def test_setting_override_names_are_unique_and_set_has_no_name_component_or_section(sim):
    new = {'Name': 'IM Override', 'Component': 'OwaServer', 'Section': 'IMSettings', 'Parameters': IM, 'Reason': 'IM'}
    assert one(sim, 'ex2016', 'write', 'New-SettingOverride', new)['error'] is None
    duplicate = one(sim, 'ex2016', 'write', 'New-SettingOverride', dict(new, Name='im override'))
    assert 'already exists' in duplicate['error']['message']
    assert one(sim, 'ex2016', 'write', 'Set-SettingOverride', {'Identity': 'IM Override', 'Name': 'x'})['error'][
        'fully_qualified_error_id'].startswith('NamedParameterNotFound')
    assert one(sim, 'ex2016', 'write', 'Set-SettingOverride', {'Identity': 'IM Override', 'Parameters': IM[:1], 'Server': ['EX16']})['error'] is None
    rows = one(sim, 'ex2016', 'read', 'Get-SettingOverride', None, ['Name', 'ComponentName', 'SectionName', 'Parameters', 'Server', 'Status'])
    # -Parameters replaced the whole list
    assert rows['results'][0]['output'] == [{'Name': 'IM Override', 'ComponentName': 'OwaServer', 'SectionName': 'IMSettings',
                                             'Parameters': IM[:1], 'Server': ['EX16'], 'Status': 'Accepted'}]
    assert one(sim, 'ex2016', 'write', 'Remove-SettingOverride', {'Identity': 'IM Override', 'Confirm': OFF})['error'] is None
    assert one(sim, 'ex2016', 'read', 'Get-SettingOverride', None, ['Name'])['results'][0]['output'] == []


def test_the_variant_configuration_refresh_is_counted_per_server(sim):
    arguments = {'Process': 'Microsoft.Exchange.Directory.TopologyService', 'Component': 'VariantConfiguration', 'Argument': 'Refresh'}
    assert one(sim, 'ex2019', 'read', 'Get-ExchangeDiagnosticInfo', dict(arguments, Server='EX16B'), ['Server'])['error'] is None
    other = one(sim, 'ex2019', 'read', 'Get-ExchangeDiagnosticInfo', dict(arguments, Argument='Config'))
    assert other['error']['exception_type'] == 'UcopsLab.NotImplementedException'
    exchange = sim.engine.store.load()['exchange']
    assert [org['owa']['refreshes'] for org in exchange.values() if 'owa' in org] == [{'EX16B': 1}]


def test_the_owa_web_config_is_seeded_on_exchange_2013_only(sim):
    read = sim.run('ex2013', request('read', NONE, invocation('Get-Content', {'Path': [WEB_CONFIG], 'Raw': {'__ucops_type': 'switch', 'value': True}})))
    text = read['results'][0]['output'][0]
    assert text.startswith('<?xml') and '<appSettings>' in text and '\r\n' in text and 'IMServerName' not in text
    absent = sim.run('ex2019', request('read', NONE, invocation('Get-Content', {'Path': [WEB_CONFIG], 'Raw': {'__ucops_type': 'switch', 'value': True}})))
    assert absent['error']['fully_qualified_error_id'] == 'PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand'

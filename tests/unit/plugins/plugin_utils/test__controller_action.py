# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory's winrm/psrp settings become module options, resolved by ansible-core's own connection plugins."""

from __future__ import annotations

from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from ansible_collections.ucops.skype_exchange.plugins.plugin_utils._controller_action import psrp_settings, winrm_settings


def connection(name, variables):
    """A connection plugin whose options are set the way TaskExecutor sets them (extras under ``_extras``)."""
    plugin = connection_loader.get(name, PlayContext())
    prefix = 'ansible_%s_' % name
    known = set(plugin.get_option_names()) if hasattr(plugin, 'get_option_names') else set()
    extras = dict((k, v) for k, v in variables.items() if k.startswith(prefix) and k[len(prefix):] not in known)
    options = dict(variables, _extras=extras) if plugin.allow_extras else dict(variables)
    plugin.set_options(var_options=options)
    return plugin


def test_winrm_inventory_variables_map_to_module_options():
    settings = winrm_settings(connection('winrm', {
        'ansible_host': 'ex01.contoso.local', 'ansible_port': 5986, 'ansible_user': 'CONTOSO\\admin', 'ansible_password': 'S3cret!',
        'ansible_winrm_transport': 'ntlm', 'ansible_winrm_scheme': 'https', 'ansible_winrm_server_cert_validation': 'validate',
        'ansible_winrm_ca_trust_path': '/etc/ca.pem', 'ansible_winrm_message_encryption': 'always',
    }))
    assert settings['server'] == 'ex01.contoso.local'
    assert settings['port'] == 5986
    assert settings['username'] == 'CONTOSO\\admin'
    assert settings['password'] == 'S3cret!'
    assert settings['transport'] == 'ntlm'
    assert settings['scheme'] == 'https'
    assert settings['validate_certs'] is True
    assert settings['ca_trust_path'] == '/etc/ca.pem'
    assert settings['message_encryption'] == 'always'


def test_winrm_ignore_validation_and_basic_transport():
    settings = winrm_settings(connection('winrm', {
        'ansible_host': 'h', 'ansible_user': 'u', 'ansible_password': 'p', 'ansible_winrm_transport': ['basic', 'ntlm'],
        'ansible_winrm_server_cert_validation': 'ignore', 'ansible_winrm_kerberos_delegation': 'yes',
    }))
    assert settings['transport'] == 'basic'
    assert settings['validate_certs'] is False
    assert settings['kerberos_delegation'] is True


def test_psrp_inventory_variables_map_to_module_options():
    settings = psrp_settings(connection('psrp', {
        'ansible_host': 'fe01', 'ansible_user': 'u', 'ansible_password': 'p', 'ansible_psrp_auth': 'negotiate',
        'ansible_psrp_protocol': 'http', 'ansible_psrp_cert_validation': 'ignore', 'ansible_psrp_path': 'wsman',
    }))
    assert (settings['server'], settings['transport'], settings['scheme'], settings['path']) == ('fe01', 'ntlm', 'http', '/wsman')
    assert settings['validate_certs'] is False


def test_winrm_defaults_are_those_ansible_core_applies_when_it_connects():
    settings = winrm_settings(connection('winrm', {'ansible_host': 'h', 'ansible_port': 5985, 'ansible_user': 'admin', 'ansible_password': 'p'}))
    assert (settings['scheme'], settings['transport']) == ('http', 'basic')
    settings = winrm_settings(connection('winrm', {'ansible_host': 'h', 'ansible_user': 'admin@CONTOSO.LOCAL', 'ansible_password': 'p'}))
    assert (settings['port'], settings['scheme'], settings['transport']) == (5986, 'https', 'kerberos')


def _action():
    """An action plugin with only what _peers uses (a templar and a play context)."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    from ansible_collections.ucops.skype_exchange.plugins.plugin_utils import _controller_action  # pylint: disable=import-outside-toplevel

    action = object.__new__(_controller_action.ControllerModuleAction)
    action._templar = Templar(loader=DataLoader())  # pylint: disable=protected-access
    action._play_context = PlayContext()  # pylint: disable=protected-access
    return action


def test_front_ends_get_their_own_connection_settings_with_passwords_apart():
    hostvars = {
        'fe1': {'inventory_hostname': 'fe1', 'ansible_connection': 'winrm', 'ansible_host': '127.0.0.1', 'ansible_port': 5986,
                'ansible_user': 'CONTOSO\\a', 'ansible_password': 'pw1', 'ansible_winrm_transport': 'ntlm'},
        'fe2': {'inventory_hostname': 'fe2', 'ansible_connection': 'winrm', 'ansible_host': 'fe2.contoso.local', 'ansible_port': 5985,
                'ansible_user': 'b', 'ansible_password': 'pw2', 'ansible_winrm_transport': 'basic', 'ucops_product_username': 'CONTOSO\\p',
                'ucops_product_password': 'pp2', 'ansible_winrm_server_cert_validation': 'ignore'},
        'linux': {'inventory_hostname': 'linux', 'ansible_connection': 'ssh'},
    }
    connections, passwords = _action()._peers(['fe1', 'fe2'], {'hostvars': hostvars, 'inventory_hostname': 'fe1'})  # pylint: disable=protected-access
    # the task's own host is read through its own connection
    assert [item['name'] for item in connections] == ['fe2']
    assert connections[0]['server'] == 'fe2.contoso.local' and connections[0]['scheme'] == 'http'
    assert connections[0]['transport'] == 'basic' and connections[0]['product_username'] == 'CONTOSO\\p'
    assert connections[0]['validate_certs'] is False
    assert 'pw2' not in str(connections) and 'pp2' not in str(connections)
    assert passwords == {'fe2': {'password': 'pw2', 'product_password': 'pp2'}}


def test_front_ends_that_are_not_windows_hosts_are_refused_by_name():
    import pytest  # pylint: disable=import-outside-toplevel
    from ansible.errors import AnsibleError  # pylint: disable=import-outside-toplevel

    hostvars = {'linux': {'inventory_hostname': 'linux', 'ansible_connection': 'ssh'}}
    with pytest.raises(AnsibleError, match='linux does not use the winrm or psrp connection'):
        _action()._peers(['linux'], {'hostvars': hostvars})  # pylint: disable=protected-access
    with pytest.raises(AnsibleError, match='nope is not a host of the inventory'):
        _action()._peers(['nope'], {'hostvars': hostvars})  # pylint: disable=protected-access

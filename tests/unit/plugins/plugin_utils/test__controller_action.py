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

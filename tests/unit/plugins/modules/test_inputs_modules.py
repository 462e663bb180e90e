# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input refused by every module before anything is sent: lists for strings, blank items, an empty identity."""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic

from ansible_collections.ucops.skype_exchange.plugins.modules import exchange_client_access_server, exchange_info, skype_oauth_configuration

CONNECTION = {'server': 'ex01.contoso.local', 'username': 'CONTOSO\\admin', 'password': 'S3cret!pw', 'validate_certs': False}


@contextlib.contextmanager
def module_args(args):
    """The module arguments, for ansible-core 2.19+ (patch_module_args) and older releases (_ANSIBLE_ARGS)."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


def run_main(module, args, capsys, monkeypatch):
    """Run a module's main(); returns its JSON result. Nothing may be sent."""
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm  # pylint: disable=import-outside-toplevel

    def forbidden(*_args, **_kwargs):
        raise AssertionError('nothing may be sent for bad input')
    monkeypatch.setattr(winrm.WinRMClient, 'run_powershell', forbidden)
    monkeypatch.setattr(winrm.WinRMClient, 'run_in_session', forbidden)  # session reuse (the default)
    with module_args(dict(CONNECTION, **args)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('module, args, option', [
    (skype_oauth_configuration, {'realm': ['a', 'b']}, 'realm'),
    (skype_oauth_configuration, {'exchange_autodiscover_url': {'url': 'x'}}, 'exchange_autodiscover_url'),
    (exchange_client_access_server, {'identity': ['EX01', 'EX02'], 'autodiscover_site_scope': {'set': ['A']}}, 'identity'),
    (exchange_info, {'username': ['a', 'b']}, 'username'),
    (exchange_info, {'ca_trust_path': ['/a', '/b']}, 'ca_trust_path'),
])
def test_a_list_or_dict_for_a_string_option_is_refused_naming_the_option(module, args, option, capsys, monkeypatch):
    result = run_main(module, args, capsys, monkeypatch)
    assert result['failed'] is True
    assert '%s must be one string' % option in result['msg'], result['msg']
    assert 'ex01.contoso.local' in result['msg']
    assert 'S3cret!pw' not in json.dumps(result)


def test_a_nested_list_in_a_list_option_is_refused(capsys, monkeypatch):
    result = run_main(exchange_client_access_server, {'autodiscover_site_scope': {'add': [['Paris', 'Oslo']]}}, capsys, monkeypatch)
    assert 'autodiscover_site_scope.add must be a list of strings' in result['msg'], result['msg']


@pytest.mark.parametrize('module, args, option', [
    (exchange_client_access_server, {'autodiscover_site_scope': {'set': ['']}}, 'autodiscover_site_scope.set'),
    (exchange_client_access_server, {'autodiscover_site_scope': {'remove': ['Paris', '  ']}}, 'autodiscover_site_scope.remove'),
    (skype_oauth_configuration, {'exchange_autodiscover_allowed_domains': ['']}, 'exchange_autodiscover_allowed_domains'),
    (skype_oauth_configuration, {'exchange_autodiscover_allowed_domains': ['*.contoso.com', ' ']}, 'exchange_autodiscover_allowed_domains'),
])
def test_blank_items_in_list_options_are_refused(module, args, option, capsys, monkeypatch):
    result = run_main(module, args, capsys, monkeypatch)
    assert result['failed'] is True
    assert '%s has an empty item' % option in result['msg'], result['msg']


def test_set_cannot_be_combined_with_add_or_remove(capsys, monkeypatch):
    result = run_main(exchange_client_access_server, {'autodiscover_site_scope': {'set': ['A'], 'add': ['B']}}, capsys, monkeypatch)
    assert result['failed'] is True
    assert 'mutually exclusive: set|add found in autodiscover_site_scope' in result['msg'], result['msg']


@pytest.mark.parametrize('identity', ['', '   '])
def test_an_empty_identity_does_not_mean_every_server(identity, capsys, monkeypatch):
    result = run_main(exchange_client_access_server, {'identity': identity,
                                                      'autodiscover_internal_uri': 'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml'},
                      capsys, monkeypatch)
    assert result['failed'] is True
    assert 'identity is empty: omit identity to set every Client Access server' in result['msg'], result['msg']


@pytest.mark.parametrize('args, fragment', [
    ({'command_timeout': 0}, 'command_timeout=0 for server ex01.contoso.local must be at least 1'),
    ({'operation_timeout': -1}, 'operation_timeout=-1 for server ex01.contoso.local must be at least 1'),
    ({'port': 70000}, 'port=70000 for server ex01.contoso.local'),
    ({'validate_certs': True, 'ca_trust_path': '/nonexistent/ucops-ca.pem'}, 'ca_trust_path /nonexistent/ucops-ca.pem'),
    ({'transport': 'basic', 'password': 'P\u0101ss\u20ac'}, 'password for server ex01.contoso.local has characters outside Latin-1'),
])
def test_connection_options_are_checked_before_sending(args, fragment, capsys, monkeypatch):
    result = run_main(exchange_info, args, capsys, monkeypatch)
    assert result['failed'] is True and result['error_kind'] == 'option'
    assert fragment in result['msg'], result['msg']


def test_an_empty_list_still_clears_and_passes_validation(monkeypatch):
    """[] (clear the setting) gets past input validation and reaches the transport (stubbed here)."""
    from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm  # pylint: disable=import-outside-toplevel

    def reached(*_args, **_kwargs):
        raise LookupError('reached the transport')
    monkeypatch.setattr(winrm.WinRMClient, 'run_powershell', reached)
    monkeypatch.setattr(winrm.WinRMClient, 'run_in_session', reached)  # session reuse (the default)
    with module_args(dict(CONNECTION, autodiscover_site_scope={'set': []})):
        with pytest.raises(LookupError, match='reached the transport'):
            exchange_client_access_server.main()

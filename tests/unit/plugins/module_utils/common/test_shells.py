# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common import shells
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError


def params(product, **overrides):
    spec = shells.exchange_shell_argument_spec() if product == 'exchange' else shells.skype_shell_argument_spec()
    values = dict((name, option.get('default')) for name, option in spec.items())
    values.update(transport='ntlm', kerberos_delegation=False, username='CONTOSO\\admin', password='secret')
    values.update(overrides)
    return values


def test_defaults_are_the_products_remoting_endpoints_with_the_connection_credential():
    assert shells.exchange_shell(params('exchange')) == {
        'type': 'exchange_remote', 'connection_uri': None, 'authentication': 'Kerberos',
        'credential': {'username': 'CONTOSO\\admin', 'password': 'secret'}}
    assert shells.skype_shell(params('skype')) == {
        'type': 'skype_remote', 'connection_uri': None, 'authentication': 'Negotiate',
        'credential': {'username': 'CONTOSO\\admin', 'password': 'secret'}}


@pytest.mark.parametrize('transport', ['ntlm', 'basic', 'certificate', 'kerberos'])
def test_in_process_shells_need_a_delegating_logon(transport):
    with pytest.raises(OptionError, match='exchange_shell=snapin.*second hop'):
        shells.exchange_shell(params('exchange', exchange_shell='snapin', transport=transport))
    with pytest.raises(OptionError, match='skype_shell=module.*second hop.*skype_module_without_delegation'):
        shells.skype_shell(params('skype', skype_shell='module', transport=transport))
    with pytest.raises(OptionError, match='exchange_credential=logon'):
        shells.exchange_shell(params('exchange', exchange_credential='logon', transport=transport))
    with pytest.raises(OptionError, match='skype_credential=logon'):
        shells.skype_shell(params('skype', skype_credential='logon', transport=transport))


def test_delegating_logons_and_the_explicit_opt_in():
    assert shells.exchange_shell(params('exchange', exchange_shell='snapin', transport='credssp')) == {'type': 'exchange_snapin'}
    assert shells.exchange_shell(params('exchange', exchange_shell='snapin', transport='kerberos', kerberos_delegation=True)) == {
        'type': 'exchange_snapin'}
    assert shells.skype_shell(params('skype', skype_shell='module', skype_module_without_delegation=True)) == {'type': 'skype'}
    assert shells.exchange_shell(params('exchange', exchange_credential='logon', transport='credssp'))['credential'] is None


def test_a_local_account_cannot_open_a_product_session():
    # WinRM Basic takes only local accounts; Kerberos refuses them and they hold no RBAC role
    for product, build in (('exchange', shells.exchange_shell), ('skype', shells.skype_shell)):
        with pytest.raises(OptionError, match=r"username='labadmin' looks like a local account.*product_username"):
            build(params(product, transport='basic', username='labadmin'))
        shell = build(params(product, transport='basic', username='labadmin', product_username='CONTOSO\\labadmin',
                             product_password='other'))
        assert shell['credential'] == {'username': 'CONTOSO\\labadmin', 'password': 'other'}
    with pytest.raises(OptionError, match='product_username and product_password go together'):
        shells.exchange_shell(params('exchange', product_username='CONTOSO\\x'))
    assert shells.exchange_shell(params('exchange', username='admin@contoso.local'))['credential']['username'] == 'admin@contoso.local'


@pytest.mark.parametrize('uri', ['urn:x', 'ftp://ex01/PowerShell/', '/PowerShell/', 'https://', 'ex01.contoso.local'])
def test_connection_uris_must_be_absolute_http_urls(uri):
    with pytest.raises(OptionError, match='exchange_connection_uri must be an absolute http'):
        shells.exchange_shell(params('exchange', exchange_connection_uri=uri))
    with pytest.raises(OptionError, match='skype_connection_uri must be an absolute http'):
        shells.skype_shell(params('skype', skype_connection_uri=uri))


def test_a_valid_uri_is_passed_on():
    shell = shells.skype_shell(params('skype', skype_connection_uri=' https://pool01.contoso.local/OcsPowershell '))
    assert shell['connection_uri'] == 'https://pool01.contoso.local/OcsPowershell'

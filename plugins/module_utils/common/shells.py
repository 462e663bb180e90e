# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the product cmdlets are loaded on the server (the ``shell`` part of a request), and the second-hop rules.

Exchange and Skype for Business cmdlets reach Active Directory, SQL (the Skype Central Management store) and other
servers as the caller. A WinRM logon by NTLM, Basic or certificate mapping holds no credential that can be passed on
to a third server (no delegation), so cmdlets loaded into the WinRM process itself fail there. The products' own
remoting endpoints (Exchange ``/PowerShell``, Skype ``/OcsPowershell``) run the cmdlets on the server under a fresh
logon made with the credential we pass, so they need no delegation: they are the defaults. Sources and the exact
rules: docs/real-servers.md, section "The second hop".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError

AUTHENTICATIONS = ['Kerberos', 'Negotiate', 'Default', 'Basic']
# Transports whose WinRM logon can be delegated to a second server.
DELEGATING = ('credssp',)


def _remote_session_spec(product, default_authentication):
    """``<product>_connection_uri``, ``<product>_authentication``, ``<product>_credential`` and the product credential."""
    return {
        product + '_connection_uri': dict(type='str'),
        product + '_authentication': dict(type='str', choices=AUTHENTICATIONS, default=default_authentication),
        product + '_credential': dict(type='str', choices=['connection', 'logon'], default='connection'),
        'product_username': dict(type='str'),
        'product_password': dict(type='str', no_log=True),
    }


def exchange_shell_argument_spec():
    """Options that choose how the Exchange cmdlets are loaded (doc fragment ``ucops.skype_exchange.product_shell.exchange``)."""
    spec = dict(exchange_shell=dict(type='str', choices=['remote', 'snapin'], default='remote'))
    spec.update(_remote_session_spec('exchange', 'Kerberos'))
    return spec


def skype_shell_argument_spec():
    """Options that choose how the Skype for Business cmdlets are loaded (doc fragment ``...product_shell.skype``)."""
    spec = dict(skype_shell=dict(type='str', choices=['remote', 'module'], default='remote'),
                skype_module_without_delegation=dict(type='bool', default=False))
    spec.update(_remote_session_spec('skype', 'Negotiate'))
    return spec


def can_delegate(params):
    """Whether the WinRM logon can reach a second server as the caller (CredSSP, or Kerberos with delegation)."""
    transport = params.get('transport') or 'ntlm'
    return transport in DELEGATING or (transport == 'kerberos' and bool(params.get('kerberos_delegation')))


def _second_hop_error(what, fix):
    return OptionError('%s: that is a second hop, and a WinRM logon by NTLM, Basic or certificate (or Kerberos without '
                       'kerberos_delegation) cannot make one. %s' % (what, fix))


def _check_uri(option, value):
    """An absolute http(s) URL, or None."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        raise OptionError('%s must be an absolute http:// or https:// URL such as %s (got %r). Omit it to use the '
                          "server's own endpoint." % (option, 'https://fe01.contoso.local/OcsPowershell'
                                                      if option.startswith('skype') else 'http://ex01.contoso.local/PowerShell/',
                                                      value))
    return value.strip()


def _credential(params, product, endpoint):
    """The explicit credential of a product session: product_username/product_password, else the WinRM ones."""
    if params.get('product_username') or params.get('product_password'):
        if not params.get('product_username') or not params.get('product_password'):
            raise OptionError('product_username and product_password go together: set both, or neither to use username and password.')
        username, password, names = params['product_username'], params['product_password'], 'product_username'
    else:
        username, password, names = params.get('username'), params.get('password'), 'username'
        if not username or not password:
            raise OptionError('%s_credential=connection passes a user name and password to the %s session (%s), but username '
                              'and password are not set: set them (or product_username and product_password), or use '
                              '%s_credential=logon with transport=credssp or transport=kerberos and kerberos_delegation=true.'
                              % (product, endpoint, endpoint, product))
    if '\\' not in username and '@' not in username:
        # A bare name is a local account: Kerberos refuses local accounts and no local account holds an Exchange or
        # Skype RBAC role (RBAC roles are Active Directory groups). WinRM Basic accepts only local accounts, so a Basic
        # logon needs a separate domain credential for the product session.
        raise OptionError('%s=%r looks like a local account (no DOMAIN\\ or @domain): the %s session needs a domain account '
                          'that holds %s role, and Kerberos does not accept local accounts. Give a domain account '
                          '(DOMAIN\\user or user@domain.example). When the WinRM logon must stay local (transport=basic '
                          'accepts only local accounts), set product_username and product_password to a domain account '
                          'for the %s session.' % (names, username, endpoint, 'an Exchange RBAC' if product == 'exchange'
                                                   else 'a Skype for Business RBAC (for example CsAdministrator)', endpoint))
    return {'username': username, 'password': password}


def _remote_shell(params, product, endpoint):
    """The ``<product>_remote`` shell: the connection URI, the authentication and the session's credential."""
    uri = _check_uri(product + '_connection_uri', params.get(product + '_connection_uri'))
    credential = None
    if params[product + '_credential'] == 'logon':
        if not can_delegate(params):
            raise _second_hop_error('%s_credential=logon opens the %s session with the WinRM logon itself' % (product, endpoint),
                                    'Use %s_credential=connection (the default), or transport=credssp, or transport=kerberos '
                                    'with kerberos_delegation=true.' % product)
    else:
        credential = _credential(params, product, endpoint)
    return {'type': product + '_remote', 'connection_uri': uri, 'authentication': params[product + '_authentication'],
            'credential': credential}


def exchange_shell(params):
    """The ``shell`` of an Exchange request; raises OptionError (naming the option and the fix) before anything is sent."""
    if params['exchange_shell'] == 'snapin':
        if not can_delegate(params):
            raise _second_hop_error('exchange_shell=snapin runs the Exchange tasks in the WinRM process, and they reach '
                                    'the domain controllers as the caller',
                                    'Use exchange_shell=remote (the default), or transport=credssp, or transport=kerberos with '
                                    'kerberos_delegation=true.')
        return {'type': 'exchange_snapin'}
    return _remote_shell(params, 'exchange', 'Exchange /PowerShell')


def skype_shell(params):
    """The ``shell`` of a Skype for Business request; raises OptionError before anything is sent."""
    if params['skype_shell'] == 'module':
        if not can_delegate(params) and not params.get('skype_module_without_delegation'):
            raise _second_hop_error('skype_shell=module imports the SkypeForBusiness (or Lync) module into the WinRM process, '
                                    'and its cmdlets read and write the Central Management store (SQL) and Active Directory '
                                    'as the caller',
                                    'Use skype_shell=remote (the default, the OcsPowershell endpoint), or transport=credssp, '
                                    'or transport=kerberos with kerberos_delegation=true. Set '
                                    'skype_module_without_delegation=true only if you know that the cmdlets you run reach '
                                    'neither (see the option documentation).')
        return {'type': 'skype'}
    return _remote_shell(params, 'skype', 'Skype for Business OcsPowershell')

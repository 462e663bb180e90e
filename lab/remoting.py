# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The products' implicit-remoting endpoints as RUNNER_PS1 uses them: ``New-PSSession`` then ``Import-PSSession``.

* Exchange: ``http://<server>/PowerShell/``, configuration ``Microsoft.Exchange`` (Kerberos by default).
* Skype for Business Server / Lync Server 2013: ``https://<Front End or pool>/OcsPowershell`` on the internal web
  site, default configuration (docs/real-servers.md, "OcsPowershell").

The session runs the cmdlets on the target server under a fresh logon made with the credential given, so it needs no
delegation of the WinRM logon; without a credential it reuses the WinRM logon, which is a second hop.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .binder import VERSION_LABELS, load_reference
from .products.exchange import ExchangeModel, init_org
from .products.skype import SkypeModel, init_deployment
from .pserrors import PSError
from .psvalues import PSUri, UriFormatError, member, parse_uri, ps_string
from .session import Session


# System.Management.Automation.Runspaces.AuthenticationMechanism names (New-PSSession -Authentication).
AUTHENTICATION_MECHANISMS = ['Default', 'Basic', 'Negotiate', 'NegotiateWithImplicitCredential', 'Credssp', 'Digest', 'Kerberos']

NEW_PSSESSION = 'Microsoft.PowerShell.Commands.NewPSSessionCommand'
TRANSPORT_EXCEPTION = 'System.Management.Automation.Remoting.PSRemotingTransportException'
REMOTE_TROUBLESHOOTING = ' For more information, see the about_Remote_Troubleshooting Help topic.'

# WinRM's Kerberos/Negotiate failure text. Source: the 0x8009030e / "1312,PSSessionOpenFailed" error of New-PSSession
# as quoted in public write-ups (blog.yowko.com "run-remote-powershell"; docs/real-servers.md section 7). Seen both
# for the second hop (no credential to pass on) and for a local account with Kerberos ("Kerberos accepts domain user
# names, but not local user names").
LOGON_FAILURE_DETAIL = (
    'WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using %s authentication: '
    'A specified logon session does not exist. It may already have been terminated. \r\n Possible causes are:\r\n'
    '  -The user name or password specified are invalid.\r\n'
    '  -Kerberos is used when no authentication method and no user name are specified.\r\n'
    '  -Kerberos accepts domain user names, but not local user names.\r\n'
    '  -The Service Principal Name (SPN) for the remote computer name and port does not exist.\r\n'
    '  -The client and remote computers are in different domains and there is no trust between the two domains.\r\n'
    ' After checking for the above issues, try the following:\r\n'
    '  -Check the Event Viewer for events related to authentication.\r\n'
    '  -Change the authentication method; add the destination computer to the WinRM TrustedHosts configuration setting or use '
    'HTTPS transport.\r\n Note that computers in the TrustedHosts list might not be authenticated.\r\n'
    '   -For more information about WinRM configuration, run the following command: winrm help config.')


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One product's remoting endpoint."""

    product: str
    paths: tuple[str, ...]
    schemes: tuple[str, ...]
    mechanisms: tuple[str, ...]


ENDPOINTS = {
    # Exchange /PowerShell accepts Kerberos by default (peers-and-transport.md, pypsrp #187: "Exchange only really supports
    # Kerberos auth"); Negotiate and Default resolve to it. http and https both exist (EMS uses http).
    'exchange_remote': Endpoint('exchange', ('/powershell', '/powershell/'), ('http', 'https'), ('Kerberos', 'Negotiate', 'Default')),
    # OcsPowershell: Microsoft's examples pass no -Authentication (Default = Negotiate) over https (docs/real-servers.md
    # section 1). Which IIS methods it accepts besides Windows authentication is unverified: Basic, CredSSP and Digest are
    # refused here (no source). Plain http: no source that the path answers there; refused.
    'skype_remote': Endpoint('skype', ('/ocspowershell', '/ocspowershell/'), ('https',), ('Negotiate', 'Default', 'Kerberos')),
}


def _open_failed(target: str, detail: str, error_id: str) -> PSError:
    return PSError('Connecting to remote server %s failed with the following error message : %s%s'
                   % (target, detail, REMOTE_TROUBLESHOOTING), '%s,PSSessionOpenFailed' % error_id, 'OpenError', TRANSPORT_EXCEPTION)


def uri_host(uri: PSUri) -> str | None:
    """The host part of an absolute hierarchical URI; None for a relative or non-hierarchical one (urn:x)."""
    if not uri.is_absolute or '://' not in (uri.absolute_uri or ''):
        return None
    authority = uri.absolute_uri.split('://', 1)[1].split('/', 1)[0].rsplit('@', 1)[-1]
    if authority.startswith('['):
        return authority[:authority.find(']') + 1]
    return authority.split(':', 1)[0]


def credential_valid(topology: Any, username: str | None, password: str) -> bool:
    """Whether a credential matches a lab user: ``NETBIOS\\user``, ``user@domain`` or ``user`` (case-insensitive names)."""
    if username is None:
        return False
    netbios = str(getattr(topology, 'netbios_domain', '') or '').lower()
    domain = str(getattr(topology, 'domain', '') or '').lower()
    given = username.lower()
    if '\\' in given:
        prefix, _sep, given = given.partition('\\')
        if prefix not in (netbios, domain):
            return False
    elif '@' in given:
        given, _sep, suffix = given.partition('@')
        if suffix not in (domain, netbios):
            return False
    for user in list(getattr(topology, 'users', None) or []):
        name = str(user.get('username') if isinstance(user, dict) else getattr(user, 'username', '')).lower()
        secret = user.get('password') if isinstance(user, dict) else getattr(user, 'password', None)
        if name.rpartition('\\')[2].partition('@')[0] == given and secret == password:
            return True
    return False


def is_domain_account(username: str) -> bool:
    """``DOMAIN\\user`` or ``user@domain``; a bare name is a local account on the target."""
    return '\\' in username or '@' in username


def _target_host(topology: Any, host: Any, name: str) -> Any:
    """The topology host a connection URI names (its FQDN, computer name, localhost, or a Skype pool FQDN it serves)."""
    lowered = name.lower()
    if lowered in ('localhost', '127.0.0.1', '[::1]'):
        return host
    hosts = list(getattr(topology, 'hosts', None) or [])
    for item in hosts:
        if lowered in (str(item.fqdn).lower(), str(item.computer_name).lower()):
            return item
    for item in hosts:
        # a Skype pool FQDN resolves to one of its Front Ends (DNS load balancing)
        if item.product == 'skype' and str((item.settings or {}).get('pool_fqdn', '')).lower() == lowered:
            return item
    return None


def _exchange_target(topology: Any, host: Any, name: str, state: dict) -> tuple[dict, str, str] | None:
    """(org, version, server name) of an Exchange server the URI names; Exchange servers of an org that are not lab
    hosts (``settings.servers``) are reachable too."""
    target = _target_host(topology, host, name)
    if target is not None:
        if target.product != 'exchange':
            return None
        return init_org(state, target, topology), str(target.version), str(target.computer_name).upper()
    if host.product == 'exchange':
        org = init_org(state, host, topology)
        for server in org['servers'].values():
            if name.lower() in (server['name'].lower(), server['fqdn'].lower()):
                return org, server['version'], server['name']
    return None


def open_remote(topology: Any, host: Any, auth_method: str, shell: Any, kind: str, names: list[str], state: dict) -> Session:
    """``New-PSSession -ConnectionUri ... [-ConfigurationName Microsoft.Exchange] -Authentication ... [-Credential]``,
    then ``Import-PSSession -CommandName <names> -ErrorAction SilentlyContinue``, as RUNNER_PS1 does."""
    endpoint = ENDPOINTS[kind]
    uri_text = ps_string(member(shell, 'connection_uri'))
    if uri_text == '':
        uri_text = ('http://%s/PowerShell/' if kind == 'exchange_remote' else 'https://%s/OcsPowershell') % host.fqdn
    authentication = ps_string(member(shell, 'authentication'))
    credential = member(shell, 'credential')
    user = None
    if credential is not None:
        password = ps_string(member(credential, 'password'))
        if password == '':
            raise PSError("Cannot bind argument to parameter 'String' because it is an empty string.",
                          'ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand',
                          'InvalidData', 'System.Management.Automation.ParameterBindingValidationException')
        user = ps_string(member(credential, 'username'))
        if user == '':
            raise PSError('Exception calling ".ctor" with "2" argument(s): "Cannot process argument because the value of argument '
                          '"userName" is not valid. Change the value of the "userName" argument and run the operation again."',
                          'ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand', 'InvalidOperation',
                          'System.Management.Automation.MethodInvocationException')
    try:
        uri = parse_uri(uri_text)
    except UriFormatError as error:
        raise PSError('Cannot bind parameter \'ConnectionUri\'. Cannot convert value "%s" to type "System.Uri". Error: "%s"'
                      % (uri_text, error), 'CannotConvertArgumentNoMessage,' + NEW_PSSESSION, 'InvalidArgument',
                      'System.Management.Automation.ParameterBindingException') from None
    target_name = uri_host(uri)
    scheme = (uri.absolute_uri or '').split(':', 1)[0].lower() if uri.is_absolute else ''
    if target_name is None or scheme not in ('http', 'https'):
        # WSManConnectionInfo.UpdateUri -> ConstructUri refuses any scheme but http/https with an ArgumentException
        # (RemotingErrorIdStrings.InvalidSchemeValue; PowerShell source). No source for the exact English text.
        raise PSError('The value %s for the Scheme parameter is not valid. Specify http or https.' % (scheme or uri_text),
                      'System.ArgumentException,' + NEW_PSSESSION, 'NotSpecified', 'System.ArgumentException')
    mechanism = next((item for item in AUTHENTICATION_MECHANISMS if item.lower() == authentication.strip().lower()), None)
    if mechanism is None:
        listed = ', '.join(AUTHENTICATION_MECHANISMS)
        detail = ('Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator '
                  'names and try again:\n%s' % (authentication, listed)) if authentication.strip() else (
            'The identifier name %s cannot be processed because it is either too similar or identical to the following '
            'enumerator names: %s' % (authentication, listed))
        raise PSError('Cannot bind parameter \'Authentication\'. Cannot convert value "%s" to type '
                      '"System.Management.Automation.Runspaces.AuthenticationMechanism". Error: "%s"' % (authentication, detail),
                      'CannotConvertArgumentNoMessage,' + NEW_PSSESSION, 'InvalidArgument',
                      'System.Management.Automation.ParameterBindingException')

    # order: name resolution, then client-side credentials (the Kerberos/Negotiate token is built before anything is
    # sent), then the server's answers
    target = _target_host(topology, host, target_name)
    exchange = _exchange_target(topology, host, target_name, state) if kind == 'exchange_remote' else None
    if target is None and exchange is None:
        # No source for the exact text/FQID pairing: WinRM's name-resolution failure as New-PSSession reports it
        raise _open_failed(target_name, 'The WinRM client cannot process the request because the server name cannot be resolved.',
                           'ComputerNotFound')
    if credential is None and auth_method.lower() in ('ntlm', 'basic'):
        # no delegation for the WinRM logon (an NTLM or Basic network logon): the second hop fails
        raise _open_failed(target_name, LOGON_FAILURE_DETAIL % ('Kerberos' if mechanism == 'Kerberos' else 'Negotiate'), '1312')
    if credential is not None and mechanism == 'Kerberos' and not is_domain_account(user or ''):
        # Kerberos refuses local accounts (docs/real-servers.md section 7; PSWSMan about_PSWSManAuthentication)
        raise _open_failed(target_name, LOGON_FAILURE_DETAIL % 'Kerberos', '1312')
    if credential is not None and not credential_valid(topology, user, ps_string(member(credential, 'password'))):
        # Source: "Access is denied" / AccessDenied,PSSessionOpenFailed of New-PSSession (blog.yowko.com write-up)
        raise _open_failed(target_name, 'Access is denied.', 'AccessDenied')
    path = '/' + (uri.absolute_uri or '').split('://', 1)[-1].partition('/')[2].split('?')[0].split('#')[0]
    serves = exchange is not None if kind == 'exchange_remote' else (target is not None and target.product == endpoint.product)
    if not serves or path.lower() not in endpoint.paths:
        # No source for the text/FQID: the target has no such endpoint (IIS answers 404)
        raise _open_failed(target_name, 'The WinRM client received an HTTP status code of 404 from the remote WS-Management service.',
                           'WinRMHttpError')
    if scheme not in endpoint.schemes:
        # No source: the internal web site requires SSL for OcsPowershell (IIS 403.4), reported by WinRM as an HTTP status
        raise _open_failed(target_name, 'The WinRM client received an HTTP status code of 403 from the remote WS-Management service.',
                           'WinRMHttpError')
    if mechanism not in endpoint.mechanisms:
        raise _open_failed(target_name, 'Access is denied.', 'AccessDenied')
    if credential is not None and not is_domain_account(user or ''):
        # A local account authenticates (Negotiate falls back to NTLM against the target's own accounts) but holds no RBAC
        # role: RBAC roles are Active Directory groups. Exchange answers with its AuthZ error (docs/real-servers.md
        # section 7: "isn't assigned to any management roles"; the -2144108477 error id is as public quotes of that error
        # show it, no primary source); for Skype no source, Access is denied.
        if kind == 'exchange_remote':
            raise _open_failed(target_name, '[ClientAccessServer=%s,BackEndServer=%s,RequestId=00000000-0000-0000-0000-000000000000,'
                               'TimeStamp=1/1/2026 12:00:00 AM] [FailureCategory=AuthZ-CmdletAccessDeniedException] The user '
                               '"%s/Users/%s" isn\'t assigned to any management roles.'
                               % (exchange[2], exchange[2], getattr(topology, 'domain', ''), user), '-2144108477')
        raise _open_failed(target_name, 'Access is denied.', 'AccessDenied')

    if kind == 'exchange_remote':
        org, version, server_name = exchange
        model: Any = ExchangeModel(org, server_name, remote=True, topology=topology)
        product = 'exchange'
    else:
        version = str(target.version)
        model = SkypeModel(init_deployment(state, target, topology), version, dict(getattr(target, 'settings', None) or {}),
                           server=target.fqdn, topology=topology)
        product = 'skype'
    label = VERSION_LABELS[(product, version)]
    available = {name.lower() for name in load_reference(product).names_for(label)}
    # Import-PSSession runs Get-Command -Name <names> in the remote session: a name the server lacks is a non-terminating
    # CommandNotFoundException (skipped with -ErrorAction SilentlyContinue); none found at all is a terminating error
    # that no ErrorAction suppresses (PowerShell ImplicitRemotingCommands.cs, ErrorNoResultsFromRemoteEnd).
    imported = [name for name in names if name.lower() in available]
    if not imported:
        # category and exception type: no source (the id and text are from ImplicitRemotingStrings.resx)
        raise PSError('Running the Get-Command command in a remote session returned no results.',
                      'ErrorNoResultsFromRemoteEnd,Microsoft.PowerShell.Commands.ImportPSSessionCommand', 'InvalidResult',
                      'System.ArgumentException')
    session = Session(kind, product, version, model, remote=True)
    session.restrict_to(imported)
    return session

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The WinRM transport: one pywinrm WinRS shell per PowerShell run, the payload on stdin.

What it copies from ansible-core's winrm connection plugin (peers-and-transport.md, section 3): codepage
65001, a tiny ``-EncodedCommand`` bootstrap with the real payload streamed on stdin in 200 000-byte
chunks, Receive polled under our own deadline with OperationTimeout faults retried, Signal terminate in
``finally``, and CLIXML decoding of stderr.
"""

from __future__ import annotations

import base64
import os
import time
import traceback

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    AuthenticationFailure,
    ConnectionFailure,
    OptionError,
    TLSFailure,
    TransportFailure,
    UcopsError,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.clixml import decode_stderr

try:
    import requests
    import winrm
    import winrm.transport
    from winrm.exceptions import (
        InvalidCredentialsError,
        WinRMError,
        WinRMOperationTimeoutError,
        WinRMTransportError,
        WSManFaultError,
    )
except ImportError:
    HAS_WINRM = False
    WINRM_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_WINRM = True
    WINRM_IMPORT_ERROR = None

STDIN_CHUNK = 200000
POWERSHELL = 'powershell.exe'
POWERSHELL_ARGS = ('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand')
PYWINRM_TRANSPORT = {'ntlm': 'ntlm', 'kerberos': 'kerberos', 'credssp': 'credssp', 'basic': 'basic', 'certificate': 'certificate'}


def encode_command(script):
    """``-EncodedCommand`` form of a script: UTF-16-LE, base64."""
    return base64.b64encode(script.encode('utf-16-le')).decode('ascii')


def resolve_options(params):
    """Validate the connection options and fill defaults. Raises OptionError naming the option and the fix."""
    options = dict(params)
    if not options.get('server'):
        raise OptionError('server is required: set it on the task, or run the task against an inventory host whose '
                          'connection is winrm or psrp so that ansible_host is used.')
    server = options['server']
    options['scheme'] = options.get('scheme') or 'https'
    options['transport'] = options.get('transport') or 'ntlm'
    if options.get('port') is None:
        options['port'] = 5986 if options['scheme'] == 'https' else 5985
    elif not 1 <= options['port'] <= 65535:
        raise OptionError('port=%s for server %s is not a TCP port: give 1-65535 (WinRM listens on 5985 for http and 5986 for '
                          'https by default), or omit it.' % (options['port'], server))
    transport, scheme = options['transport'], options['scheme']
    if transport == 'basic' and scheme == 'http' and not options.get('allow_basic_over_http'):
        raise OptionError('transport=basic over scheme=http sends the password in clear text and is refused: use scheme=https, '
                          'or transport=ntlm/kerberos (which encrypt messages over http), or set allow_basic_over_http=true '
                          'if you accept the risk.')
    if scheme == 'http' and options.get('message_encryption') == 'never' and transport in ('ntlm', 'kerberos', 'credssp'):
        raise OptionError('message_encryption=never over scheme=http would send every message in clear text: '
                          'use message_encryption=auto or scheme=https.')
    if transport == 'certificate':
        if scheme != 'https' or not options.get('client_cert') or not options.get('client_key'):
            raise OptionError('transport=certificate needs scheme=https, client_cert and client_key.')
    elif transport in ('ntlm', 'basic', 'credssp') and (not options.get('username') or not options.get('password')):
        raise OptionError('transport=%s needs username and password (set them on the task, or ansible_user and '
                          'ansible_password on the host).' % transport)
    if transport == 'basic':
        # requests encodes Basic credentials as latin-1 (requests/auth.py _basic_auth_str), so anything else is a bare
        # UnicodeEncodeError once the request is sent; NTLM and Kerberos carry Unicode (UTF-16) credentials.
        for name in ('username', 'password'):
            try:
                (options.get(name) or '').encode('latin-1')
            except UnicodeEncodeError:
                raise OptionError('%s for server %s has characters outside Latin-1, which transport=basic cannot send (HTTP Basic '
                                  'credentials are Latin-1 in requests and pywinrm): use transport=ntlm or transport=kerberos, '
                                  'which take Unicode.' % (name, server)) from None
    if options.get('kerberos_delegation') and transport != 'kerberos':
        raise OptionError('kerberos_delegation=true works only with transport=kerberos.')
    for name, default in (('operation_timeout', 20), ('read_timeout', 30), ('command_timeout', 600)):
        if options.get(name) is None:
            options[name] = default
        elif options[name] < 1:
            raise OptionError('%s=%s for server %s must be at least 1 (seconds): give a positive number, or omit it for the '
                              'default of %s.' % (name, options[name], server, default))
    operation_timeout, read_timeout = options['operation_timeout'], options['read_timeout']
    if read_timeout <= operation_timeout:
        raise OptionError('read_timeout (%s) must be greater than operation_timeout (%s), and operation_timeout at least 1.'
                          % (read_timeout, operation_timeout))
    ca_trust_path = options.get('ca_trust_path')
    if ca_trust_path and scheme == 'https' and options.get('validate_certs', True) and not os.path.exists(ca_trust_path):
        raise OptionError('ca_trust_path %s (for server %s) does not exist: give the PEM file or directory of the CA that signed '
                          "the server's certificate." % (ca_trust_path, server))
    options['path'] = '/' + (options.get('path') or '/wsman').lstrip('/')
    return options


def endpoint_of(options):
    """The WinRM URL, IPv6 literals bracketed."""
    host = options['server']
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s://%s:%d%s' % (options['scheme'], host, options['port'], options['path'])


class WinRMClient:
    """Runs powershell.exe with a bootstrap script and a stdin payload on one server."""

    def __init__(self, options):
        self.options = options
        self.host = options['server']
        self.endpoint = endpoint_of(options)

    def _protocol(self):
        options = self.options
        missing = _missing_extra(options['transport'])
        if missing:
            raise OptionError(missing % self.host)
        kwargs = dict(
            endpoint=self.endpoint,
            transport=PYWINRM_TRANSPORT[options['transport']],
            username=options.get('username'),
            password=options.get('password'),
            server_cert_validation='validate' if options.get('validate_certs', True) else 'ignore',
            read_timeout_sec=options['read_timeout'],
            operation_timeout_sec=options['operation_timeout'],
            message_encryption=options.get('message_encryption') or 'auto',
            kerberos_delegation=bool(options.get('kerberos_delegation')),
            proxy=None,
        )
        # None keeps requests' default CA bundle and ignores REQUESTS_CA_BUNDLE-style environment surprises.
        kwargs['ca_trust_path'] = options.get('ca_trust_path') or None
        if options['transport'] == 'certificate':
            kwargs['cert_pem'] = options.get('client_cert')
            kwargs['cert_key_pem'] = options.get('client_key')
        return winrm.protocol.Protocol(**kwargs)

    def run_powershell(self, bootstrap, stdin):
        """Run ``powershell.exe -EncodedCommand <bootstrap>`` with ``stdin`` (bytes). Returns (rc, stdout, stderr text).

        Every error raised is a UcopsError whose ``delivered`` says whether the whole stdin payload had been accepted
        by the server (every Send returned), so that a caller can tell "nothing ran" from "it may have run".
        """
        progress = {'delivered': False}
        try:
            return self._run(bootstrap, stdin, progress)
        except UcopsError as error:
            error.delivered = progress['delivered']
            raise
        except Exception as error:  # pylint: disable=broad-except
            mapped = self._map_error(error)
            if mapped is None:
                raise
            mapped.delivered = progress['delivered']
            raise mapped from None

    def _map_error(self, error):
        """The UcopsError for a pywinrm/requests exception (None: not a transport error, re-raise it)."""
        host, endpoint = self.host, self.endpoint
        if isinstance(error, InvalidCredentialsError):
            return AuthenticationFailure('the server rejected the credentials of user %r (transport %s). Check username and '
                                         'password.' % (self.options.get('username'), self.options['transport']), host=host)
        if isinstance(error, requests.exceptions.SSLError):
            return TLSFailure(_tls_message(error, self.options), host=host)
        if isinstance(error, requests.exceptions.Timeout):
            return ConnectionFailure('timed out talking to %s (%s)' % (endpoint, _first_line(error)), host=host)
        if isinstance(error, requests.exceptions.ConnectionError):
            return ConnectionFailure('cannot reach %s: %s' % (endpoint, _reason(error)), host=host)
        if isinstance(error, WSManFaultError):
            return TransportFailure('WS-Management fault %s: %s' % (error.wsman_fault_code or error.fault_code, error.reason), host=host)
        if isinstance(error, WinRMTransportError):
            return TransportFailure('HTTP %s from %s: %s' % (error.code, endpoint, _first_line(error.message)), host=host)
        if isinstance(error, WinRMError):
            text = _first_line(error)
            if 'is not installed' in text:
                # pywinrm 0.5 transport.py build_session: "requested auth method is kerberos, but pykerberos is not installed",
                # "requests auth method is credssp, but requests-credssp is not installed".
                for transport in ('kerberos', 'credssp'):
                    if transport in text.lower():
                        return OptionError(_missing_extra(transport, force=True) % host)
            return TransportFailure(text, host=host)
        if isinstance(error, UnicodeDecodeError):
            # pywinrm 0.5 transport.py _send_message_request decodes an HTTP error body as UTF-8 (response_text.decode())
            # inside "except requests.HTTPError": the HTTPError, with the status, is the context of the decode error.
            http_error = error.__context__
            response = getattr(http_error, 'response', None)
            if isinstance(http_error, requests.exceptions.HTTPError) and response is not None:
                return TransportFailure('HTTP %s from %s with a body that is not UTF-8 text (%s, %d bytes), so it is not a '
                                        'WS-Management reply: check that scheme, port and path name the WinRM listener and that '
                                        'no proxy or load balancer answers instead, and see the server\'s HTTP.sys and WinRM '
                                        'event logs.' % (response.status_code, endpoint,
                                                         response.headers.get('Content-Type') or 'no Content-Type',
                                                         len(response.content or b'')), host=host)
        return None

    def _run(self, bootstrap, stdin, progress):
        protocol = self._protocol()
        # The user profile stays loaded (WINRS_NOPROFILE=FALSE), as pywinrm's and ansible-core's winrm connection open
        # their shells (pywinrm protocol.py open_shell noprofile=False; ansible-core winrm.py open_shell(codepage=65001)).
        shell_id = protocol.open_shell(codepage=65001, noprofile=False)
        command_id = None
        try:
            arguments = list(POWERSHELL_ARGS) + [encode_command(bootstrap)]
            command_id = protocol.run_command(shell_id, POWERSHELL, arguments, console_mode_stdin=False, skip_cmd_shell=True)
            chunks = [stdin[i:i + STDIN_CHUNK] for i in range(0, len(stdin), STDIN_CHUNK)] or [b'']
            for index, chunk in enumerate(chunks):
                if index == len(chunks) - 1:
                    # from the last Send on, the server may have the whole request and run it even if the reply is lost
                    progress['delivered'] = True
                protocol.send_command_input(shell_id, command_id, chunk, end=index == len(chunks) - 1)
            stdout, stderr = [], []
            deadline = time.monotonic() + self.options['command_timeout']
            while True:
                if time.monotonic() > deadline:
                    # WinRS terminate ends powershell.exe without running the runner's finally block (pywinrm sends only
                    # terminate, never ctrl_c; docs/real-servers.md section 6): an Exchange or Skype remote session it
                    # had opened stays on the server until its idle timeout and counts against the per-user limit.
                    raise TransportFailure('the PowerShell command did not finish within command_timeout=%ss and was stopped. '
                                           'A product remote session it had opened (Exchange /PowerShell, Skype '
                                           '/OcsPowershell) stays open on the server until its idle timeout and counts '
                                           'against the per-user session limit; raise command_timeout for long tasks.'
                                           % self.options['command_timeout'], host=self.host)
                try:
                    out, err, rc, done = protocol.get_command_output_raw(shell_id, command_id)
                except WinRMOperationTimeoutError:
                    continue
                stdout.append(out)
                stderr.append(err)
                if done:
                    return rc, b''.join(stdout).decode('utf-8', 'replace'), decode_stderr(b''.join(stderr))
        finally:
            if command_id is not None:
                try:
                    protocol.cleanup_command(shell_id, command_id)
                except Exception:  # pylint: disable=broad-except
                    pass  # a failed Signal must not hide the real result (ansible-core's winrm plugin ignores it too)
            try:
                protocol.close_shell(shell_id)
            except Exception:  # pylint: disable=broad-except
                pass


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _missing_extra(transport, force=False):
    """A message (with %s for the host) when pywinrm lacks the extra that ``transport`` needs, else None."""
    if transport == 'kerberos' and (force or not winrm.transport.HAVE_KERBEROS):
        return ('transport=kerberos needs the Kerberos support of pywinrm on the controller, which is not installed '
                '(connecting to %s): install the system Kerberos packages (Debian/Ubuntu: krb5-user libkrb5-dev; RHEL: '
                'krb5-workstation krb5-devel), then run "pip install pywinrm[kerberos]" in the Python that runs Ansible; '
                'or use transport=ntlm.')
    if transport == 'credssp' and (force or not winrm.transport.HAVE_CREDSSP):
        return ('transport=credssp needs the CredSSP support of pywinrm (requests-credssp) on the controller, which is not '
                'installed (connecting to %s): run "pip install pywinrm[credssp]" in the Python that runs Ansible; or use '
                'transport=kerberos with kerberos_delegation=true.')
    return None


def _tls_message(error, options):
    """The cause and the fix of a TLS error."""
    text = _first_line(error)
    lower = str(error).lower()
    # What OpenSSL reports when the peer answers a ClientHello with plain HTTP: "wrong version number" (OpenSSL 1.1/3.0),
    # "record layer failure" (OpenSSL 3.2+), "unknown protocol" (older OpenSSL). No source for the exact list beyond those.
    if any(marker in lower for marker in ('wrong version number', 'record layer failure', 'unknown protocol')):
        return ('%s. Port %s of %s speaks plain HTTP, not HTTPS: use scheme=http for this port, or the HTTPS port (5986 by '
                'default).' % (text, options['port'], options['server']))
    if 'certificate verify failed' in lower or 'certificate_verify_failed' in lower:
        hint = ('The server certificate is not trusted: set ca_trust_path to the CA that signed it (or validate_certs=false '
                'in a lab).')
        if 'hostname mismatch' in lower or "doesn't match" in lower:
            hint = ('The server certificate does not name %s: connect with the name the certificate was issued to (server).'
                    % options['server'])
        return '%s. %s' % (text, hint)
    return ('%s. The TLS handshake failed: check that the port is the HTTPS listener and that the server accepts TLS 1.2 '
            '(set ca_trust_path to the CA that signed its certificate).' % text)


def _reason(error):
    """The innermost reason of a requests ConnectionError (refused, name resolution, ...)."""
    text = str(error)
    for marker in ('Connection refused', 'Name or service not known', 'No route to host', 'timed out',
                   'Temporary failure in name resolution', 'Network is unreachable', 'Connection reset by peer',
                   'Remote end closed connection without response', 'Connection aborted'):
        if marker in text:
            return marker
    return _first_line(error)

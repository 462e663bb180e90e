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
import time
import traceback

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    AuthenticationFailure,
    ConnectionFailure,
    OptionError,
    TLSFailure,
    TransportFailure,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.clixml import decode_stderr

try:
    import requests
    import winrm
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
    options['scheme'] = options.get('scheme') or 'https'
    options['transport'] = options.get('transport') or 'ntlm'
    if not options.get('port'):
        options['port'] = 5986 if options['scheme'] == 'https' else 5985
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
    if options.get('kerberos_delegation') and transport != 'kerberos':
        raise OptionError('kerberos_delegation=true works only with transport=kerberos.')
    operation_timeout, read_timeout = options.get('operation_timeout') or 20, options.get('read_timeout') or 30
    if operation_timeout < 1 or read_timeout <= operation_timeout:
        raise OptionError('read_timeout (%s) must be greater than operation_timeout (%s), and operation_timeout at least 1.'
                          % (read_timeout, operation_timeout))
    options['operation_timeout'], options['read_timeout'] = operation_timeout, read_timeout
    options['command_timeout'] = options.get('command_timeout') or 600
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
        """Run ``powershell.exe -EncodedCommand <bootstrap>`` with ``stdin`` (bytes). Returns (rc, stdout, stderr text)."""
        try:
            return self._run(bootstrap, stdin)
        except InvalidCredentialsError:
            raise AuthenticationFailure('the server rejected the credentials of user %r (transport %s). Check username and '
                                        'password.' % (self.options.get('username'), self.options['transport']), host=self.host) from None
        except requests.exceptions.SSLError as error:
            raise TLSFailure('%s. The server certificate is not trusted: set ca_trust_path to the CA that signed it '
                             '(or validate_certs=false in a lab).' % _first_line(error), host=self.host) from None
        except requests.exceptions.Timeout as error:
            raise ConnectionFailure('timed out talking to %s (%s)' % (self.endpoint, _first_line(error)), host=self.host) from None
        except requests.exceptions.ConnectionError as error:
            raise ConnectionFailure('cannot reach %s: %s' % (self.endpoint, _reason(error)), host=self.host) from None
        except WSManFaultError as error:
            raise TransportFailure('WS-Management fault %s: %s' % (error.wsman_fault_code or error.fault_code, error.reason),
                                   host=self.host) from None
        except WinRMTransportError as error:
            raise TransportFailure('HTTP %s from %s: %s' % (error.code, self.endpoint, _first_line(error.message)),
                                   host=self.host) from None
        except WinRMError as error:
            raise TransportFailure(_first_line(error), host=self.host) from None

    def _run(self, bootstrap, stdin):
        protocol = self._protocol()
        shell_id = protocol.open_shell(codepage=65001, noprofile=True)
        command_id = None
        try:
            arguments = list(POWERSHELL_ARGS) + [encode_command(bootstrap)]
            command_id = protocol.run_command(shell_id, POWERSHELL, arguments, console_mode_stdin=False, skip_cmd_shell=True)
            chunks = [stdin[i:i + STDIN_CHUNK] for i in range(0, len(stdin), STDIN_CHUNK)] or [b'']
            for index, chunk in enumerate(chunks):
                protocol.send_command_input(shell_id, command_id, chunk, end=index == len(chunks) - 1)
            stdout, stderr = [], []
            deadline = time.monotonic() + self.options['command_timeout']
            while True:
                if time.monotonic() > deadline:
                    raise TransportFailure('the PowerShell command did not finish within command_timeout=%ss and was stopped'
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


def _reason(error):
    """The innermost reason of a requests ConnectionError (refused, name resolution, ...)."""
    text = str(error)
    for marker in ('Connection refused', 'Name or service not known', 'No route to host', 'timed out',
                   'Temporary failure in name resolution', 'Network is unreachable'):
        if marker in text:
            return marker
    return _first_line(error)

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
import errno
import hashlib
import json
import os
import stat
import time
import traceback
import uuid

try:
    import fcntl
except ImportError:  # not POSIX: session reuse is off (see resolve_options)
    fcntl = None

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
# Session reuse (docs/design.md section 8)
DEFAULT_IDLE_TIMEOUT = 300
MIN_IDLE_TIMEOUT = 30
MAX_IDLE_TIMEOUT = 7200
# a session is taken as expired this long before its idle time ends, so that no request races the server's idle exit
IDLE_MARGIN = 10
# the PowerShell loop exits on its own this long after WinRS should have removed the idle shell (a fallback)
LOOP_IDLE_SLACK = 60
# ERROR_WINRS_SHELL_NOT_FOUND (0x803381DB, the text in pypsrp issue #22; WinRb/WinRM shells/base.rb FAULTS_FOR_RESET)
FAULT_SHELL_NOT_FOUND = '2150858843'
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
    if options.get('session_reuse') is None:
        options['session_reuse'] = True
    if fcntl is None:
        options['session_reuse'] = False
    if options.get('session_idle_timeout') is None:
        options['session_idle_timeout'] = DEFAULT_IDLE_TIMEOUT
    elif not MIN_IDLE_TIMEOUT <= options['session_idle_timeout'] <= MAX_IDLE_TIMEOUT:
        raise OptionError('session_idle_timeout=%s for server %s must be between %d and %d (seconds): the time a reused '
                          'PowerShell session stays open on the server without a request.'
                          % (options['session_idle_timeout'], server, MIN_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT))
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
        self.session_reuse = bool(options.get('session_reuse'))
        # the session that served the last run_in_session: shell_id, reused, replaced (None or why)
        self.session = None

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
        return self._mapped(self._run, bootstrap, stdin)

    def session_key(self, shell):
        """What a reused session is bound to: endpoint, WinRM identity, shell type and product identity (no secret)."""
        options = self.options
        shell = shell or {}
        credential = shell.get('credential') or {}
        username = options.get('username') or options.get('client_cert') or ''
        if options['transport'] == 'kerberos' and not options.get('username'):
            username = 'ccache:' + os.environ.get('KRB5CCNAME', '')
        return {'endpoint': self.endpoint, 'transport': options['transport'], 'username': username,
                # a delegated Kerberos logon reaches a second server, one without delegation does not
                'kerberos_delegation': bool(options.get('kerberos_delegation')), 'shell': shell.get('type'),
                'connection_uri': shell.get('connection_uri'), 'authentication': shell.get('authentication'),
                'product_username': credential.get('username')}

    def run_in_session(self, loop_script, runner_script, payload, shell, mode):
        """Send one request (``payload``: the base64 JSON) to this host's live session for ``shell``, opening one if there is
        none, it expired, or it is gone (replaced once). Returns (rc, the response's stdout, stderr text); errors as
        run_powershell. ``self.session`` tells which shell served it and whether it was reused or replaced."""
        return self._mapped(self._session_run, loop_script, runner_script, payload, shell, mode)

    def _mapped(self, function, *args):
        """Call ``function(*args, progress)``; every error leaves as a UcopsError that says whether the request reached the
        server (``delivered``), pywinrm's and requests' errors mapped by ``_map_error``."""
        progress = {'delivered': False}
        try:
            return function(*args, progress)
        except UcopsError as error:
            error.delivered = progress['delivered']
            raise
        except Exception as error:  # pylint: disable=broad-except
            mapped = self._map_error(error)
            if mapped is None:
                raise
            mapped.delivered = progress['delivered']
            raise mapped from None

    def _session_run(self, loop_script, runner_script, payload, shell, mode, progress):
        key = self.session_key(shell)
        protocol = self._protocol()
        idle = int(self.options['session_idle_timeout'])
        with SessionRegistry(session_directory(self.options.get('session_directory')), key) as registry:
            entry = registry.load()
            replaced = None
            if entry is not None and time.time() - entry.get('last_used', 0) > entry.get('idle_timeout', 0) - IDLE_MARGIN:
                registry.drop()
                self._discard(protocol, entry)
                entry, replaced = None, 'expired'
            if entry is not None:
                try:
                    rc, stdout, stderr, alive = self._exchange(protocol, entry, frame_request(uuid.uuid4().hex, payload), progress, False)
                except SessionGone as gone:
                    registry.drop()
                    self._discard(protocol, entry)
                    if gone.delivered and mode != 'read':
                        # the write may have run before the session died: never send it a second time
                        raise TransportFailure('the reused PowerShell session on the server ended after it had received the '
                                               'write request (%s)' % gone.message, host=self.host) from None
                    progress['delivered'] = False
                    replaced = gone.message
                except BaseException:
                    # a half-read or unanswered exchange: the session is never used again
                    registry.drop()
                    self._discard(protocol, entry)
                    raise
                else:
                    entry['last_used'] = time.time()
                    registry.save(entry)
                    self.session = {'shell_id': entry['shell_id'], 'reused': True, 'replaced': None}
                    return rc, stdout, stderr
            entry = self._open_session(protocol, loop_script, key, idle)
            prefix = (base64.b64encode(runner_script.encode('utf-8')) + b'\r\n' + str(idle + LOOP_IDLE_SLACK).encode('ascii') + b'\r\n')
            try:
                rc, stdout, stderr, alive = self._exchange(protocol, entry, prefix + frame_request(uuid.uuid4().hex, payload), progress, True)
            except SessionGone as gone:
                self._discard(protocol, entry)
                what = 'its replacement failed too' if replaced else 'a new session failed'
                raise TransportFailure('the PowerShell session could not be used (%s): %s%s' % (
                    what, gone.message, ' (the session before it: %s)' % replaced if replaced else ''), host=self.host) from None
            except BaseException:
                self._discard(protocol, entry)
                raise
            self.session = {'shell_id': entry['shell_id'], 'reused': False, 'replaced': replaced}
            if alive:
                entry['last_used'] = time.time()
                registry.save(entry)
            else:
                self._discard(protocol, entry)
            return rc, stdout, stderr

    def _open_session(self, protocol, loop_script, key, idle):
        # WinRS removes the shell after IdleTimeOut without a request (MS-WSMV rsp:IdleTimeOut; pywinrm open_shell
        # idle_timeout is sent as is, so it is an xs:duration)
        shell_id = protocol.open_shell(codepage=65001, noprofile=False, idle_timeout='PT%dS' % idle)
        try:
            command_id = protocol.run_command(shell_id, POWERSHELL, list(POWERSHELL_ARGS) + [encode_command(loop_script)],
                                              console_mode_stdin=False, skip_cmd_shell=True)
        except BaseException:
            try:
                protocol.close_shell(shell_id)
            except Exception:  # pylint: disable=broad-except
                pass
            raise
        now = time.time()
        return {'shell_id': shell_id, 'command_id': command_id, 'endpoint': self.endpoint, 'identity': key, 'idle_timeout': idle,
                'created': now, 'last_used': now}

    def _exchange(self, protocol, entry, data, progress, fresh):
        """Send ``data`` (ending with one request line) and read until that request's end marker. Returns (rc, response
        text, stderr, alive). SessionGone when the shell or the loop is gone."""
        shell_id, command_id = entry['shell_id'], entry['command_id']
        nonce = data.rstrip(b'\r\n').rsplit(b'\n', 1)[-1].split(b' ', 1)[0].decode('ascii')
        chunks = [data[i:i + STDIN_CHUNK] for i in range(0, len(data), STDIN_CHUNK)]
        for index, chunk in enumerate(chunks):
            try:
                protocol.send_command_input(shell_id, command_id, chunk, end=False)
            except (WSManFaultError, WinRMTransportError) as error:
                # the shell is gone (ERROR_WINRS_SHELL_NOT_FOUND, or HTTP 400 for a shell past its idle time) or the command
                # no longer takes input: the server refused this input, so it was not delivered
                reason = _gone_reason(error)
                if reason is None:
                    raise
                raise SessionGone(reason, delivered=False) from None
            if index == len(chunks) - 1:
                progress['delivered'] = True
        stdout, stderr = b'', []
        deadline = time.monotonic() + self.options['command_timeout']
        while True:
            if time.monotonic() > deadline:
                raise TransportFailure('the request did not finish within command_timeout=%ss; the reused PowerShell session was '
                                       'closed. Raise command_timeout for long tasks.' % self.options['command_timeout'], host=self.host)
            try:
                out, err, rc, done = protocol.get_command_output_raw(shell_id, command_id)
            except WinRMOperationTimeoutError:
                continue
            except (WSManFaultError, WinRMTransportError) as error:
                reason = _gone_reason(error)
                if reason is None:
                    raise
                raise SessionGone(reason, delivered=True) from None
            stdout += out
            stderr.append(err)
            found, text = find_response(stdout.decode('utf-8', 'replace'), nonce)
            if found:
                return 0, text, decode_stderr(b''.join(stderr)), not done
            if done:
                if fresh:
                    # a new loop that ended at once (e.g. Constrained Language Mode): its output explains why
                    return rc, stdout.decode('utf-8', 'replace'), decode_stderr(b''.join(stderr)), False
                raise SessionGone('the PowerShell loop ended with exit code %s before answering (%s)'
                                  % (rc, decode_stderr(b''.join(stderr)) or 'no error text'), delivered=True)

    @staticmethod
    def _discard(protocol, entry):
        """End a session that is not used again (best effort: the shell may already be gone)."""
        try:
            protocol.cleanup_command(entry['shell_id'], entry['command_id'])
        except Exception:  # pylint: disable=broad-except
            pass
        try:
            protocol.close_shell(entry['shell_id'], close_session=False)
        except Exception:  # pylint: disable=broad-except
            pass

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


class SessionGone(Exception):
    """The reused WinRS shell or its PowerShell loop is gone (closed, expired, killed, refused): nothing it sent is used."""

    def __init__(self, message, delivered):
        super().__init__(message)
        self.message = message
        self.delivered = delivered


def session_directory(path=None):
    """The private directory of the session registry (0700, owned by this user), created if needed."""
    path = path or os.environ.get('UCOPS_SKYPE_EXCHANGE_SESSION_DIR') or os.path.join(os.path.expanduser('~'), '.ansible', 'ucops', 'sessions')
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise OptionError('the session registry %s is not a directory owned by this user: remove it, or set session_reuse=false.' % path)
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


class SessionRegistry:
    """One reusable session's record (no secret: ShellId, CommandId, endpoint, identity, times) and its lock.

    Used as a context manager: an exclusive fcntl lock, so that one task at a time talks to the session."""

    def __init__(self, directory, key):
        self.key = key
        name = hashlib.sha256(json.dumps(key, sort_keys=True).encode('utf-8')).hexdigest()
        self.path = os.path.join(directory, name + '.json')
        self.lock_path = os.path.join(directory, name + '.lock')
        self._fd = None

    def __enter__(self):
        self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def load(self):
        """The record, or None (none, unreadable, or for another key)."""
        try:
            with open(self.path, encoding='utf-8') as stream:
                entry = json.load(stream)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get('identity') != self.key:
            return None
        return entry

    def save(self, entry):
        temporary = '%s.%d.tmp' % (self.path, os.getpid())
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w', encoding='utf-8') as stream:
            json.dump(entry, stream)
        os.replace(temporary, self.path)

    def drop(self):
        try:
            os.unlink(self.path)
        except OSError as error:
            if error.errno != errno.ENOENT:
                raise


def frame_request(nonce, payload):
    """One request line of the loop: the nonce, a space, the base64 JSON request."""
    return ('%s %s\r\n' % (nonce, payload.decode('ascii') if isinstance(payload, bytes) else payload)).encode('ascii')


def find_response(text, nonce):
    """(found, the lines between UCOPS-BEGIN:<nonce> and UCOPS-END:<nonce>). Output of any other nonce (an earlier request's
    half-read answer) is ignored."""
    end = text.find('UCOPS-END:%s' % nonce)
    if end < 0:
        return False, ''
    begin = text.rfind('UCOPS-BEGIN:%s' % nonce, 0, end)
    if begin < 0:
        return True, ''
    return True, text[begin + len('UCOPS-BEGIN:') + len(nonce):end]


def _gone_reason(error):
    """Why a reused shell is taken as gone, from a pywinrm error on Send or Receive; None: another error (re-raised)."""
    if isinstance(error, WSManFaultError):
        return 'WS-Management fault %s: %s' % (error.wsman_fault_code or error.fault_code, error.reason)
    if isinstance(error, WinRMTransportError) and error.code == 400:
        # a shell idle past the server's IdleTimeout answers HTTP 400 (diyan/pywinrm#377)
        return 'HTTP 400 from the server (the shell is past its idle time or no longer exists)'
    return None


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

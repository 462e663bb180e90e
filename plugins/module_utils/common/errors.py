# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's exceptions, and the one place that turns any of them into a message.

Every message names the host and the cause. Secrets are removed from every string that leaves
a module (see ``redact``); exceptions never carry the request that was sent.
"""

from __future__ import annotations

REDACTED = '********'


class UcopsError(Exception):
    """Base class. ``host`` is the server the error concerns; ``changes_made`` lists writes already done.

    ``possible_changes`` lists writes that may or may not have been applied (the request reached the server, the
    answer did not reach us). ``delivered`` is set by the transport: True when the whole stdin payload of the command
    had been accepted by the server (every Send returned) before the error happened.
    """

    kind = 'error'

    def __init__(self, message, host=None, details=None, changes_made=None, possible_changes=None):
        super().__init__(message)
        self.message = message
        self.host = host
        self.details = details or {}
        self.changes_made = list(changes_made or [])
        self.possible_changes = list(possible_changes or [])
        self.delivered = False


class OptionError(UcopsError):
    """Bad module input, found before anything was sent to a server."""

    kind = 'option'


class ConnectionFailure(UcopsError):
    """The server could not be reached (DNS, refused, timeout)."""

    kind = 'connection'


class AuthenticationFailure(UcopsError):
    """The server rejected the credentials."""

    kind = 'authentication'


class TLSFailure(UcopsError):
    """The server's TLS certificate was not trusted, or the handshake failed."""

    kind = 'tls'


class ConnectionLost(UcopsError):
    """The connection failed after a write request had been delivered: its changes may have been applied.

    Not a ``connection`` error on purpose: the task must report a possible change (failed, changed), never an
    unreachable host that nothing happened to.
    """

    kind = 'connection_lost'


class TransportFailure(UcopsError):
    """A WS-Management fault or an HTTP error other than authentication."""

    kind = 'transport'


class ScriptFailure(UcopsError):
    """PowerShell itself failed: the runner did not produce a result."""

    kind = 'script'


class ShellFailure(UcopsError):
    """The product shell (Exchange session or snap-in, Skype module) could not be loaded."""

    kind = 'shell'


class CmdletFailure(UcopsError):
    """A cmdlet failed; ``details`` holds cmdlet, message, fully_qualified_error_id and category."""

    kind = 'cmdlet'


class RequestRefused(UcopsError):
    """The request broke a rule of the runner (for example a write cmdlet in a read-only request)."""

    kind = 'refused'


def redact(value, secrets):
    """Return ``value`` (str, list, dict, or anything else) with every secret replaced by ``REDACTED``."""
    secrets = [s for s in (secrets or []) if s]
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return dict((redact(k, secrets), redact(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    return value


def failure_result(error, secrets=None):
    """Map an exception to the keyword arguments of ``fail_json``: the one place errors become messages."""
    if isinstance(error, UcopsError):
        where = ' on %s' % error.host if error.host else ''
        if isinstance(error, OptionError):
            message = error.message
        elif isinstance(error, CmdletFailure):
            message = '%s failed%s: %s' % (error.details.get('cmdlet') or 'A cmdlet', where, error.message)
        else:
            labels = {
                'connection': 'Cannot connect to', 'authentication': 'Authentication failed for',
                'tls': 'TLS handshake failed with', 'transport': 'WinRM error from',
                'script': 'PowerShell failed on', 'shell': 'Could not load the product shell on',
                'refused': 'Request refused for', 'connection_lost': 'Connection lost to',
            }
            label = labels.get(error.kind, 'Error from')
            message = '%s %s: %s' % (label, error.host, error.message) if error.host else error.message
        result = {'msg': message, 'error_kind': error.kind}
        if error.details:
            result['error'] = error.details
        if error.changes_made:
            result['changes_made'] = error.changes_made
            result['changed'] = True
            result['msg'] += ' (changes already made before the failure: %s)' % '; '.join(error.changes_made)
        if error.possible_changes:
            result['possible_changes'] = error.possible_changes
            result['changed'] = True
            result['msg'] += ('. The write request was delivered before the connection was lost; these changes may have been '
                              'applied: %s. Check the server, or run the task again: it compares before it changes anything.'
                              % '; '.join(error.possible_changes))
    else:
        result = {'msg': 'Unexpected error: %s: %s' % (type(error).__name__, error), 'error_kind': 'internal'}
    return redact(result, secrets)

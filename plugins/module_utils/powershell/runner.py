# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The PowerShell runner: builds a request (data, never code), sends it with the static scripts, parses the answer.

See docs/design.md for the request and response formats.
"""

from __future__ import annotations

import base64
import json
import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    CmdletFailure,
    RequestRefused,
    ScriptFailure,
    ShellFailure,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import BOOTSTRAP_PS1, RUNNER_PS1

READ_VERBS = ('Get', 'Test')
CMDLET_NAME = re.compile(r'^[A-Za-z]+-[A-Za-z0-9]+$')
SEPARATOR = b'\0\0\0\0'
RESULT_PREFIX = 'UCOPS-RESULT:'
PROTOCOL_VERSION = 1


def is_read_cmdlet(name):
    """True for cmdlets whose verb only reads (Get, Test)."""
    return name.split('-', 1)[0].capitalize() in READ_VERBS


def datetime_value(value):
    """A DateTime parameter value: ISO 8601 text parsed invariantly on the server."""
    return {'__ucops_type': 'datetime', 'value': value}


class Invocation:
    """One cmdlet call: parameters are data; ``alternatives`` are names tried when ``cmdlet`` does not exist."""

    def __init__(self, key, cmdlet, parameters=None, properties=None, alternatives=None, description=None):
        self.key = key
        self.cmdlet = cmdlet
        self.parameters = dict(parameters or {})
        self.properties = list(properties or [])
        self.alternatives = list(alternatives or [])
        self.description = description or cmdlet

    def names(self):
        """Every cmdlet name this invocation may run."""
        return [self.cmdlet] + self.alternatives

    def to_json(self):
        """The request form."""
        return {'id': self.key, 'cmdlet': self.cmdlet, 'alternatives': self.alternatives,
                'parameters': self.parameters, 'properties': self.properties}


class Response:
    """The parsed runner response."""

    def __init__(self, data):
        self.data = data
        self.host = data.get('host') or {}
        self.shell = data.get('shell') or {}
        self.results = dict((r.get('id'), r) for r in data.get('results') or [])
        self.error = data.get('error')

    def output(self, key):
        """Rows returned by the invocation ``key``."""
        return list(self.results[key].get('output') or [])

    def cmdlet(self, key):
        """The cmdlet name that actually ran for ``key`` (after alternatives)."""
        return self.results[key].get('cmdlet')

    def warnings(self):
        """All warnings, prefixed with their cmdlet."""
        found = []
        for result in self.data.get('results') or []:
            for warning in result.get('warnings') or []:
                found.append('%s: %s' % (result.get('cmdlet'), warning))
        return found


def build_request(mode, shell, invocations):
    """The request dict for ``mode`` ('read' or 'write'); raises RequestRefused for a rule a request breaks."""
    if mode not in ('read', 'write'):
        raise RequestRefused('mode must be read or write, not %r' % mode)
    for invocation in invocations:
        for name in invocation.names():
            if not CMDLET_NAME.match(name):
                raise RequestRefused('%r is not a cmdlet name' % name)
            if mode == 'read' and not is_read_cmdlet(name):
                raise RequestRefused('a read-only request may not run %s (check mode and reads send only Get and Test cmdlets)' % name)
    return {'version': PROTOCOL_VERSION, 'mode': mode, 'shell': shell, 'invocations': [i.to_json() for i in invocations]}


def encode_stdin(request):
    """stdin bytes: the runner script, four NULs, the base64 JSON request (ASCII only)."""
    payload = base64.b64encode(json.dumps(request, ensure_ascii=False).encode('utf-8'))
    return RUNNER_PS1.encode('ascii') + SEPARATOR + payload + b'\r\n'


def parse_output(rc, stdout, stderr, host):
    """Find the framed result line; anything else on stdout is ignored."""
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith(RESULT_PREFIX):
            try:
                return json.loads(base64.b64decode(line[len(RESULT_PREFIX):]).decode('utf-8'))
            except ValueError as error:
                raise ScriptFailure('the runner result could not be decoded (%s)' % error, host=host) from None
    cause = stderr or 'no output'
    raise ScriptFailure('PowerShell exited with code %s without a result: %s' % (rc, cause), host=host)


class Runner:
    """Sends requests to one server. ``client`` is a transport with ``run_powershell(bootstrap, stdin)``.

    With ``check_mode`` set, ``write`` refuses before sending: check mode can never reach a write cmdlet,
    whatever a module does.
    """

    def __init__(self, client, host, check_mode=False):
        self.client = client
        self.host = host
        self.check_mode = check_mode
        self.requests_sent = 0

    def read(self, shell, invocations):
        """One read-only request (Get/Test cmdlets only)."""
        return self._send('read', shell, invocations)

    def write(self, shell, invocations):
        """One write request (refused in check mode)."""
        if self.check_mode:
            raise RequestRefused('a write request was attempted in check mode (%s); nothing was sent'
                                 % ', '.join(i.cmdlet for i in invocations), host=self.host)
        return self._send('write', shell, invocations)

    def _send(self, mode, shell, invocations):
        request = build_request(mode, shell, invocations)
        self.requests_sent += 1
        rc, stdout, stderr = self.client.run_powershell(BOOTSTRAP_PS1, encode_stdin(request))
        response = Response(parse_output(rc, stdout, stderr, self.host))
        if response.error:
            self._raise(mode, response, invocations)
        if rc != 0:
            # The runner reports every failure as data and exits 0; a result with another exit code is not trusted.
            raise ScriptFailure('PowerShell exited with code %s after writing its result: %s' % (rc, stderr or 'no error text'), host=self.host)
        return response

    def _raise(self, mode, response, invocations):
        error = response.error
        details = dict((k, error.get(k)) for k in ('cmdlet', 'message', 'fully_qualified_error_id', 'category', 'exception_type'))
        stage = error.get('stage')
        if stage == 'request':
            raise RequestRefused(error.get('message'), host=self.host, details=details)
        if stage == 'shell':
            raise ShellFailure(error.get('message'), host=self.host, details=details)
        if stage != 'invocation':
            raise ScriptFailure('the runner failed: %s' % error.get('message'), host=self.host, details=details)
        done = []
        if mode == 'write':
            for invocation in invocations:
                result = response.results.get(invocation.key) or {}
                if result.get('status') == 'ok' and not is_read_cmdlet(result.get('cmdlet') or invocation.cmdlet):
                    done.append(invocation.description)
        raise CmdletFailure(error.get('message'), host=self.host, details=details, changes_made=done)

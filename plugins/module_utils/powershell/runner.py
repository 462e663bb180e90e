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
    ConnectionLost,
    RequestRefused,
    ScriptFailure,
    ShellFailure,
    UcopsError,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import BOOTSTRAP_PS1, LOOP_PS1, RUNNER_PS1

# Resolve: Resolve-DnsName only sends DNS queries (https://learn.microsoft.com/powershell/module/dnsclient/resolve-dnsname)
READ_VERBS = ('Get', 'Test', 'Resolve')
# Cmdlets of the server itself (Windows PowerShell and IIS), run in the WinRM session: never imported from a product's
# remote session (RUNNER_PS1 leaves them out of Import-PSSession, so that a proxy of the same name cannot shadow them),
# and a request of these only opens no product session.
LOCAL_CMDLETS = ('Get-ChildItem', 'Get-Content', 'Get-ItemProperty', 'Restart-Service', 'Restart-WebAppPool', 'Set-Content',
                 # the DnsServer module of a Windows DNS server (windows_dns_record runs on the DNS server itself)
                 'Get-DnsServerZone', 'Get-DnsServerResourceRecord', 'Add-DnsServerResourceRecordA',
                 'Add-DnsServerResourceRecordCName', 'Remove-DnsServerResourceRecord',
                 # the DnsClient module's name resolution, as the host itself sees it (windows_dns_resolution_info)
                 'Resolve-DnsName')
CMDLET_NAME = re.compile(r'^[A-Za-z]+-[A-Za-z0-9]+$')
SEPARATOR = b'\0\0\0\0'
RESULT_PREFIX = 'UCOPS-RESULT:'
# BOOTSTRAP_PS1's answer under Constrained Language Mode (it exits 3 before anything else)
LANGUAGE_MODE_PREFIX = 'UCOPS-LANGUAGE-MODE:'
PROTOCOL_VERSION = 1


def is_read_cmdlet(name):
    """True for cmdlets whose verb only reads (Get, Test, Resolve)."""
    return name.split('-', 1)[0].capitalize() in READ_VERBS


def datetime_value(value):
    """A DateTime parameter value: ISO 8601 text parsed invariantly on the server."""
    return {'__ucops_type': 'datetime', 'value': value}


def output_of(key, property_name):
    """A parameter value taken, on the server, from a property of the first object the earlier invocation ``key`` of the
    same request returned (the invocation fails when it returned none): no value has to make a round trip."""
    return {'__ucops_type': 'ref', 'id': key, 'property': property_name}


class Invocation:
    """One cmdlet call: parameters are data; ``alternatives`` are names tried when ``cmdlet`` does not exist.

    ``properties`` names what each output row holds (none: the object itself). A property the object lacks is None. A
    dotted name reaches a nested property, e.g. ``'PrivateKey.CspKeyContainerInfo.Exportable'``: the runner takes a
    property with the whole name if there is one, else walks the segments; a missing segment, a null on the way or a
    getter that throws gives None (docs/design.md section 2). The row key is the name as given.
    """

    def __init__(self, key, cmdlet, parameters=None, properties=None, alternatives=None, description=None, foreach=None,
                 tolerate_errors=False):
        """``foreach=(key, property, parameter)`` runs the cmdlet once per object the earlier invocation ``key`` returned,
        passing that object's ``property`` as ``-parameter``; each row gets ``__item`` (the value). With
        ``tolerate_errors`` an error (of one item, or of the one call, such as a cmdlet this version lacks) is kept in
        ``Response.item_errors`` and the request goes on: the caller decides what the error means."""
        self.key = key
        self.cmdlet = cmdlet
        self.parameters = dict(parameters or {})
        self.properties = list(properties or [])
        self.alternatives = list(alternatives or [])
        self.description = description or cmdlet
        if foreach is not None and (len(foreach) != 3 or not properties):
            raise ValueError('foreach is (invocation key, property, parameter) and needs properties to tag the rows')
        self.foreach = tuple(foreach) if foreach else None
        self.tolerate_errors = bool(tolerate_errors)

    def names(self):
        """Every cmdlet name this invocation may run."""
        return [self.cmdlet] + self.alternatives

    def to_json(self):
        """The request form."""
        request = {'id': self.key, 'cmdlet': self.cmdlet, 'alternatives': self.alternatives,
                   'parameters': self.parameters, 'properties': self.properties}
        if all(name.lower() in [local.lower() for local in LOCAL_CMDLETS] for name in self.names()):
            request['local'] = True
        if self.foreach:
            request['each'] = dict(zip(('id', 'property', 'parameter'), self.foreach))
        if self.tolerate_errors:
            request['tolerate_errors'] = True
        return request


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

    def item_errors(self, key):
        """The errors of an invocation run with ``tolerate_errors`` (one per failed item of a foreach): dicts with ``item``
        (None without foreach), ``message``, ``fully_qualified_error_id``, ``category``, ``exception_type``."""
        return list(self.results[key].get('item_errors') or [])

    def cmdlet(self, key):
        """The cmdlet name that actually ran for ``key`` (after alternatives)."""
        return self.results[key].get('cmdlet')

    def warnings(self):
        """All warnings, prefixed with their cmdlet, and what the host facts call for."""
        found = []
        if self.host.get('kb2842230') is False:
            found.append('%s runs Windows PowerShell 3.0 without KB2842230: WinRM commands there can fail with "out of memory" '
                         '(WMF 3.0 ignores MaxMemoryPerShellMB). Install KB2842230, or WMF 5.1 where the product supports '
                         'it.' % (self.host.get('computer_name') or 'The server'))
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
                raise RequestRefused('a read-only request may not run %s (check mode and reads send only Get, Test and Resolve cmdlets)' % name)
    return {'version': PROTOCOL_VERSION, 'mode': mode, 'shell': shell, 'invocations': [i.to_json() for i in invocations]}


def encode_request(request):
    """The base64 JSON request (ASCII bytes)."""
    return base64.b64encode(json.dumps(request, ensure_ascii=False).encode('utf-8'))


def encode_stdin(request):
    """stdin bytes: the runner script, four NULs, the base64 JSON request (ASCII only)."""
    return RUNNER_PS1.encode('ascii') + SEPARATOR + encode_request(request) + b'\r\n'


def parse_output(rc, stdout, stderr, host):
    """Find the framed result line; anything else on stdout is ignored.

    A UTF-8 byte-order mark (U+FEFF) before a line is ignored: WinRM clients see one at the start of stdout under code
    page 65001 (ansible/ansible#14077, WinRb/WinRM#159), and str.strip() does not remove it.
    """
    for line in stdout.splitlines():
        line = line.strip().lstrip('\ufeff').strip()
        if line.startswith(RESULT_PREFIX):
            try:
                return json.loads(base64.b64decode(line[len(RESULT_PREFIX):]).decode('utf-8'))
            except ValueError as error:
                raise ScriptFailure('the runner result could not be decoded (%s)' % error, host=host) from None
        if line.startswith(LANGUAGE_MODE_PREFIX):
            # the bootstrap writes this instead of running the runner, so no result line can follow
            raise ScriptFailure('Windows PowerShell runs in %s mode (AppLocker or Windows Defender Application Control), which '
                                'blocks the .NET calls the collection needs: allow the WinRM user FullLanguage on this server '
                                '(for example an AppLocker rule or a WDAC policy that trusts powershell.exe for this account).'
                                % line[len(LANGUAGE_MODE_PREFIX):], host=host)
    cause = stderr or 'no output'
    raise ScriptFailure('PowerShell exited with code %s without a result: %s' % (rc, cause), host=host)


# What a shell-stage failure usually means, by the error id or text the server returned.
_OTHER_PRODUCT = ('it does not look like %s server. If it is %s, run the %s modules against it and check the inventory '
                  'group the task targets.')
SHELL_HINTS = (
    ('exchange_remote', 'WinRMHttpError', 'status code of 404', 'The server has no Exchange /PowerShell endpoint: '
     + _OTHER_PRODUCT % ('an Exchange', 'a Skype for Business Front End', 'skype_*')),
    ('skype_remote', 'WinRMHttpError', 'status code of 404', 'The server has no Skype for Business /OcsPowershell endpoint: '
     + _OTHER_PRODUCT % ('a Skype for Business or Lync Server Front End', 'an Exchange server', 'exchange_*')),
    ('skype', 'Modules_ModuleNotFound', '', 'Neither the SkypeForBusiness nor the Lync module is installed: '
     + _OTHER_PRODUCT % ('a Skype for Business or Lync Server Front End', 'an Exchange server', 'exchange_*')),
    ('exchange_snapin', 'AddPSSnapInRead', '', 'The Exchange management snap-in is not installed: '
     + _OTHER_PRODUCT % ('an Exchange', 'a Skype for Business Front End', 'skype_*')),
    ('', 'ErrorNoResultsFromRemoteEnd', '', 'The endpoint has none of the cmdlets the task needs: check that the server runs '
     'the product and version the module is for.'),
    ('', '1312,PSSessionOpenFailed', '', 'The product session could not log on: with no credential this is the second hop '
     '(use the default *_credential=connection), and Kerberos accepts only domain accounts (DOMAIN\\user or user@domain; '
     'see product_username).'),
    ('', '', "isn't assigned to any management roles", 'The account holds no Exchange management role (a local account '
     'never does): use a domain account that holds one.'),
    ('skype', '', "'NT AUTHORITY\\ANONYMOUS LOGON'", 'The Skype for Business module in the WinRM process reached the Central '
     'Management store (SQL) without the caller\'s credential: the second hop. Use skype_shell=remote, or transport=credssp.'),
    ('exchange_snapin', '', 'Active Directory operation failed', 'The Exchange snap-in in the WinRM process reached a domain '
     'controller without the caller\'s credential: the second hop. Use exchange_shell=remote, or transport=credssp.'),
    ('', 'AccessDenied', '', 'Check the user name and password, and that the account holds an RBAC role of the product '
     '(Exchange: a management role; Skype for Business: CsAdministrator or another Cs role).'),
)


def shell_hint(shell_type, error):
    """The fix for a shell-stage error, or None."""
    fqid = error.get('fully_qualified_error_id') or ''
    message = error.get('message') or ''
    for kind, marker, text, hint in SHELL_HINTS:
        if (not kind or kind == shell_type) and marker in fqid and text in message:
            return hint
    return None


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
        """One read-only request (Get, Test and Resolve cmdlets only)."""
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
        try:
            if getattr(self.client, 'session_reuse', False):
                # one live PowerShell loop per host and identity serves the requests of every task (docs/design.md section 8)
                rc, stdout, stderr = self.client.run_in_session(LOOP_PS1, RUNNER_PS1, encode_request(request), request['shell'], mode)
            else:
                rc, stdout, stderr = self.client.run_powershell(BOOTSTRAP_PS1, encode_stdin(request))
        except UcopsError as error:
            if mode == 'write' and getattr(error, 'delivered', False):
                # The server had the whole request, then the connection (or the wait for the answer) failed: the writes may
                # have run. Never report this as "cannot connect" with nothing changed.
                possible = [i.description for i in invocations if not is_read_cmdlet(i.cmdlet)]
                lost = ConnectionLost(error.message, host=error.host or self.host, details=error.details, possible_changes=possible)
                lost.delivered = True
                raise lost from None
            raise
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
        hint = shell_hint(response.shell.get('type'), error)
        message = error.get('message') + (' ' + hint if hint else '')
        if stage == 'shell':
            raise ShellFailure(message, host=self.host, details=details)
        if stage != 'invocation':
            raise ScriptFailure('the runner failed: %s' % error.get('message'), host=self.host, details=details)
        done = []
        if mode == 'write':
            for invocation in invocations:
                result = response.results.get(invocation.key) or {}
                if result.get('status') == 'ok' and not is_read_cmdlet(result.get('cmdlet') or invocation.cmdlet):
                    done.append(invocation.description)
        raise CmdletFailure(message, host=self.host, details=details, changes_made=done)

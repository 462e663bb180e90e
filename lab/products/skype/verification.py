# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Storage Service tests (Test-CsExStorageConnectivity, Test-CsExStorageNotification); mirrors
plugins/module_utils/skype/verification.py.

State (in the deployment, created on first use)::

    {"exchange_storage": {"users": {"sip:kenmyer@contoso.com": {"mailbox": true, "exchange_archiving": false, "ucs": true}},
                          "items": {"sip:...": {"ConversationHistory": 1}}}}

Outcome of a test, in order: host setting ``exchange_storage`` (``pass`` | ``401`` | ``access_denied``) forces it;
otherwise the test passes when the deployment has an enabled Exchange partner application (ApplicationIdentifier
00000002-0000-0ff1-ce00-000000000000, lab/products/skype/partner_application.py's state) and
Get-CsOAuthConfiguration has an ExchangeAutodiscoverUrl, and fails with Exchange's 401 otherwise (SFB-PARTNER: a 401
"is probably because the default configuration for Exchange does not include support for accepting Oauth tokens").
Host setting ``exchange_storage_users``: list of ``{sip, mailbox?, exchange_archiving?, ucs?}`` replacing the default users.
"""

from __future__ import annotations

from typing import Any

from ...binder import BoundCall
from ...pserrors import PSError
from ...psvalues import PSObject
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature

EXCHANGE_APPLICATION_ID = '00000002-0000-0ff1-ce00-000000000000'
FORCED = ('pass', '401', 'access_denied')
# REF-SFB Test-CsExStorageConnectivity -Folder: "Allowed values are: ConversationHistory Inbox Dumpster"
FOLDERS = ('ConversationHistory', 'Inbox', 'Dumpster')
# REF-SFB -Binding: "valid values are: NetNamedPipe NetTCP"
BINDINGS = ('NetNamedPipe', 'NetTCP')
# Success text: Microsoft's onpremdiag/SfBServer Pester test mocks Test-CsExStorageConnectivity as 'Test Passed' and its
# rule checks -like '*passed*'. The object's properties are not documented (no source): the lab gives none.
PASSED_TEXT = 'Test Passed'
RESOURCE_DATA = 'Microsoft.Rtc.Management.ResourceData'  # REF-SFB Return Types


def _error(message: str, fqid: str, category: str, exception_type: str) -> PSError:
    return PSError(message, fqid, category, exception_type)


class StorageTests(SkypeFeature):
    """Test-CsExStorageConnectivity, Test-CsExStorageNotification."""

    IMPLEMENTED = ('Test-CsExStorageConnectivity', 'Test-CsExStorageNotification')

    def _state(self) -> dict[str, Any]:
        state = self.deployment.setdefault('exchange_storage', {})
        if 'users' not in state:
            domain = str(getattr(self.topology, 'sip_domain', None) or 'contoso.com')
            # Default users: no source (lab choice; kenmyer is the user of Microsoft's examples). nomailbox is a Skype user
            # without an Exchange mailbox.
            users = self.settings.get('exchange_storage_users') or [
                {'sip': 'sip:kenmyer@%s' % domain, 'mailbox': True, 'exchange_archiving': False, 'ucs': True},
                {'sip': 'sip:nomailbox@%s' % domain, 'mailbox': False},
            ]
            state['users'] = dict((str(user['sip']).lower(), {'mailbox': bool(user.get('mailbox', True)),
                                                              'exchange_archiving': bool(user.get('exchange_archiving', False)),
                                                              'ucs': bool(user.get('ucs', True))}) for user in users)
        state.setdefault('items', {})
        return state

    def _exchange_partner_application(self) -> bool:
        """Whether an enabled Exchange partner application exists (state of lab/products/skype/partner_application.py:
        ``deployment['partner_applications']``, keyed by identity, with ``application_identifier`` and ``enabled``)."""
        apps = self.deployment.get('partner_applications') or {}
        return any(str(app.get('application_identifier') or '').lower() == EXCHANGE_APPLICATION_ID and app.get('enabled') is not False
                   for app in apps.values() if isinstance(app, dict))

    def _verdict(self) -> str:
        forced = self.settings.get('exchange_storage')
        if forced is not None:
            if str(forced) not in FORCED:
                raise ValueError('settings.exchange_storage must be one of %s (got %r)' % (', '.join(FORCED), forced))
            return str(forced)
        configured = bool(self.deployment['oauth'].get('ExchangeAutodiscoverUrl')) and self._exchange_partner_application()
        return 'pass' if configured else '401'

    def _check_call(self, call: BoundCall) -> tuple[str, dict[str, Any]]:
        binding = call.values.get('Binding')
        if binding is not None and binding.lower() not in [name.lower() for name in BINDINGS]:
            # no source for the text (the reference lists the valid values only)
            raise _error('Binding "%s" is not valid. Valid values are: NetNamedPipe, NetTCP.' % binding,
                         'InvalidBinding,%s' % call.cmdlet, 'InvalidArgument', 'System.ArgumentException')
        host = call.values.get('HostNameStorageService')
        if binding is not None and binding.lower() == 'nettcp' and not host:
            # REF-SFB: HostNameStorageService "is required if the Binding is set to NetTCP"; no source for the text
            raise _error('HostNameStorageService is required when Binding is NetTCP.', 'MissingHostName,%s' % call.cmdlet,
                         'InvalidArgument', 'System.ArgumentException')
        if host:
            front_ends = [computer for pool in self.deployment['pools'] for computer in pool['computers']]
            if host.strip().lower() not in front_ends:
                # no source for the text: a Storage Service that cannot be reached (the WCF endpoint does not exist)
                raise _error('Could not connect to the Storage Service on %s.' % host, 'StorageServiceUnreachable,%s' % call.cmdlet,
                             'ConnectionError', 'System.ServiceModel.EndpointNotFoundException')
        sip = call.values.get('SipUri') or ''
        user = self._state()['users'].get(sip.strip().lower())
        if user is None or not user['mailbox']:
            # SFB-PARTNER: "your command will fail if this is not a valid user account"; no source for the text
            raise _error('The user %s has no Exchange mailbox that the Storage Service can reach.' % sip,
                         'MailboxNotFound,%s' % call.cmdlet, 'ObjectNotFound', 'System.InvalidOperationException')
        return sip.strip(), user

    def _check_rights(self, call: BoundCall, verdict: str) -> None:
        if verdict == 'access_denied':
            # REF-SFB Test-CsExStorageConnectivity: an "Access Denied" error message when the caller is not a member of
            # RTC Local User Administrators. No source for the rest of the text, the FQID or the exception type.
            raise _error('Access Denied.', 'AccessDenied,%s' % call.cmdlet, 'PermissionDenied', 'System.UnauthorizedAccessException')

    def _store(self, sip: str, folder: str, delete: bool) -> bool:
        """The test item written into the mailbox; kept when -DeleteItem is absent (SFB-PARTNER: "(optionally) deleting")."""
        if delete:
            return False
        items = self._state()['items'].setdefault(sip.lower(), {})
        items[folder] = int(items.get(folder, 0)) + 1
        return True

    def test_cs_ex_storage_connectivity(self, call: BoundCall) -> Outcome:
        """Test-CsExStorageConnectivity -SipUri [-Folder] [-DeleteItem] [-Binding] [-HostNameStorageService]."""
        refuse_unmodelled(call, {'SipUri', 'Folder', 'DeleteItem', 'Binding', 'HostNameStorageService'})
        folder = call.values.get('Folder', 'ConversationHistory')
        matched = [name for name in FOLDERS if str(folder).lower() == name.lower()]
        if not matched:
            # ExchFolder enum conversion (LanguagePrimitives); the text follows the binder's enum error (no source)
            raise _error('Cannot bind parameter \'Folder\'. Cannot convert value "%s" to type "Microsoft.Rtc.Management.Lyss.Cmdlets.'
                         'ExchFolder". Specify one of the following enumerator names and try again: %s' % (folder, ', '.join(FOLDERS)),
                         'CannotConvertArgumentNoMessage,%s' % call.cmdlet, 'InvalidArgument',
                         'System.Management.Automation.ParameterBindingException')
        folder = matched[0]
        verdict = self._verdict()
        self._check_rights(call, verdict)
        sip, user = self._check_call(call)
        if verdict == '401':
            # SFB-PARTNER: "If you receive a 401 response from this cmdlet". The text is .NET's WebException text for an
            # HTTP 401 of a SOAP (EWS) call; the prefix, FQID and exception type are no source.
            raise _error('ExCreateItem failed for %s: The request failed with HTTP status 401: Unauthorized.' % sip,
                         'ExStorageTestFailed,%s' % call.cmdlet, 'InvalidOperation', 'System.Net.WebException')
        if folder == 'Dumpster' and not user['exchange_archiving']:
            # REF-SFB example 2: "this command will fail if the specified user has not been enabled for Exchange archiving";
            # no source for the text
            raise _error('The user %s is not enabled for Exchange archiving.' % sip, 'ExStorageTestFailed,%s' % call.cmdlet,
                         'InvalidOperation', 'System.InvalidOperationException')
        changed = self._store(sip, folder, call.switch('DeleteItem'))
        return Outcome(objects=[PSObject({}, PASSED_TEXT)], changed=changed)

    def test_cs_ex_storage_notification(self, call: BoundCall) -> Outcome:
        """Test-CsExStorageNotification -SipUri [-DeleteItem] [-Binding] [-HostNameStorageService]: a synthetic-transaction
        result with TargetFqdn, Result (Success | Failure), Latency, Error, Diagnosis (Lync Server 2013 "Testing Exchange to
        Lync notifications": the failure is an object with Result Failure and the Error filled)."""
        refuse_unmodelled(call, {'SipUri', 'DeleteItem', 'Binding', 'HostNameStorageService'})
        verdict = self._verdict()
        self._check_rights(call, verdict)
        sip, user = self._check_call(call)
        error = None
        if verdict == '401':
            # no source for the text (see Test-CsExStorageConnectivity)
            error = 'ExSubscribe failed for %s: The request failed with HTTP status 401: Unauthorized.' % sip
        elif not user['ucs']:
            # REF-SFB: "valid only if you are using the unified contact store"; no source for the text
            error = 'The contacts of %s are not in the unified contact store.' % sip
        changed = False if error else self._store(sip, 'Inbox', call.switch('DeleteItem'))
        result = {'TargetFqdn': self.server, 'Result': 'Failure' if error else 'Success', 'Latency': '00:00:00',
                  'Error': error, 'Diagnosis': None}
        # ToString(): no source (lab choice: the Result)
        return Outcome(objects=[PSObject(result, result['Result'])], changed=changed)

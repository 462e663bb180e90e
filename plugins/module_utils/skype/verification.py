# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Verification of the Skype for Business ⇄ Exchange storage integration with the documented Test cmdlets
(integration-procedure.md sections 8.3, 9, 11 and 17): planned, run and judged in Python.

Test-CsExStorageConnectivity "connect[s] to the mailbox of an Exchange Server user, writing an item into the
Conversation History folder for that user, and then (optionally) deleting that item" (SFB-PARTNER); -Folder Dumpster
tests the Exchange archiving store (REF-SFB example 2). Test-CsExStorageNotification subscribes to the mailbox
notification service, creates an item and waits for its notification; "valid only if you are using the unified contact
store" (REF-SFB). Neither changes any configuration, but both touch a mailbox: -DeleteItem is sent unless the user opts
out.

How a test reports: Microsoft's own diagnostic (onpremdiag/SfBServer rules/Exchange/RDTestExchangeConnectivity.ps1)
runs ``Test-CsExStorageConnectivity -SipUri <sip> -ErrorAction SilentlyContinue`` and counts the test failed when the
output is not ``-like '*passed*'`` (its Pester test mocks the success output as 'Test Passed'): the output object
(Microsoft.Rtc.Management.ResourceData, REF-SFB return type) is judged by its text, and a failure may come as an error
instead. Test-CsExStorageNotification returns a synthetic-transaction result whose ``Result`` is Success or Failure,
with ``Error`` and ``Diagnosis`` (Lync Server 2013 "Testing Exchange to Lync notifications").
"""

from __future__ import annotations

import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

SWITCH = {'__ucops_type': 'switch', 'value': True}

# test name -> (cmdlet, extra parameters, what it proves)
TESTS = {
    'conversation_history': ('Test-CsExStorageConnectivity', {},
                             'The Storage Service wrote (and deleted) an item in the Conversation History folder: server-to-server '
                             'authentication with Exchange works (SFB-PARTNER).'),
    'archiving': ('Test-CsExStorageConnectivity', {'Folder': 'Dumpster'},
                  'The Storage Service reached the Exchange archiving store (Recoverable Items) of the user (REF-SFB '
                  'Test-CsExStorageConnectivity example 2).'),
    'notification': ('Test-CsExStorageNotification', {},
                     'Exchange notified the Storage Service of a new item: the unified contact store notifications work '
                     '(REF-SFB Test-CsExStorageNotification).'),
}
DEFAULT_TESTS = ('conversation_history',)
BINDINGS = ('NetNamedPipe', 'NetTCP')
# Test-CsExStorageNotification's result properties (Lync Server 2013 "Testing Exchange to Lync notifications"). The
# ResourceData of Test-CsExStorageConnectivity has no documented properties: its text is read (no properties).
PROPERTIES = {'Test-CsExStorageNotification': ['TargetFqdn', 'Result', 'Latency', 'Error', 'Diagnosis']}
# "sip:" prefix, a user part and a domain (the form REF-SFB's examples use: sip:kenmyer@litwareinc.com)
SIP = re.compile(r'^(sip:)?([^@:\s]+)@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$', re.IGNORECASE)

# Diagnoses, tried in order against the test's message; each says why and what fixes it, with its source.
DIAGNOSES = (
    ('exchange_rejects_oauth', re.compile(r'\b401\b|unauthori[sz]ed', re.IGNORECASE),
     'Exchange answered 401: it does not accept the OAuth tokens of Skype for Business. Configure Skype for Business as a '
     'partner application on Exchange (Configure-EnterprisePartnerApplication.ps1 -ApplicationType Lync, or the module '
     'ucops.skype_exchange.exchange_partner_application), Exchange as a partner application of Skype for Business '
     '(New-CsPartnerApplication), and the Exchange Auth and Skype OAuthTokenIssuer certificates.',
     'SFB-PARTNER "Verify server-to-server auth": a 401 "is probably because the default configuration for Exchange does not '
     'include support for accepting Oauth tokens"'),
    ('caller_lacks_rtc_role', re.compile(r'access (is )?denied', re.IGNORECASE),
     'Access denied: the account running the test is not allowed to. Add it to the local group RTC Local User '
     'Administrators, or to the Active Directory group RTCUniversalUserAdmins.',
     'REF-SFB Test-CsExStorageConnectivity: "Access Denied" means the caller is not a member of RTC Local User Administrators'),
)
ARCHIVING_HINT = ('This test fails when the user has not been enabled for Exchange archiving: check Get-CsArchivingConfiguration '
                  '(EnableArchiving, EnableExchangeArchiving) and the user\'s ExchangeArchivingPolicy or In-Place/Litigation Hold.')
NOTIFICATION_HINT = 'This test is valid only if the user\'s contacts are in the unified contact store.'
GENERIC_HINT = ('Check that the user has an Exchange mailbox (the test fails for a user without one), that '
                'Get-CsOAuthConfiguration ExchangeAutodiscoverUrl points to Exchange autodiscover.svc, and that both partner '
                'applications and certificates are in place.')


def normalize_sip(value):
    """``sip:user@domain`` (the prefix added when missing); OptionError for anything that is not a SIP address."""
    text = (value or '').strip()
    match = SIP.match(text)
    if not match:
        raise OptionError('sip_addresses: %r is not a SIP address; give one such as sip:kenmyer@contoso.com (the address of '
                          'a Skype for Business user who has an Exchange mailbox).' % value)
    return 'sip:%s@%s' % (match.group(2), match.group(3))


def plan(params):
    """[(sip, test, Invocation)], validated before anything is sent."""
    addresses = []
    for value in params.get('sip_addresses') or []:
        sip = normalize_sip(value)
        if sip.lower() not in [known.lower() for known in addresses]:
            addresses.append(sip)
    if not addresses:
        raise OptionError('sip_addresses: give at least one SIP address of a user with an Exchange mailbox.')
    tests = list(params.get('tests') or DEFAULT_TESTS)
    unknown = [name for name in tests if name not in TESTS]
    if unknown:
        raise OptionError('tests: %s unknown; choose from %s.' % (', '.join(unknown), ', '.join(sorted(TESTS))))
    binding = params.get('binding')
    host = params.get('storage_service_host')
    if binding is not None and binding not in BINDINGS:
        raise OptionError('binding must be one of %s; got %s' % (', '.join(BINDINGS), binding))
    if binding == 'NetTCP' and not host:
        raise OptionError('binding=NetTCP needs storage_service_host, the FQDN of the Front End whose Storage Service is '
                          'tested (REF-SFB: HostNameStorageService "is required if the Binding is set to NetTCP").')
    planned = []
    for sip in addresses:
        for test in dict.fromkeys(tests):
            cmdlet, extra, _proof = TESTS[test]
            parameters = dict(extra, SipUri=sip)
            if params.get('delete_item', True):
                parameters['DeleteItem'] = SWITCH
            if binding:
                parameters['Binding'] = binding
            if host:
                parameters['HostNameStorageService'] = host
            # tolerate_errors: a failing test may come as an error; it is this test's result, and the others still run
            planned.append((sip, test, Invocation('test_%d' % len(planned), cmdlet, parameters=parameters, properties=PROPERTIES.get(cmdlet),
                                                  description='%s -SipUri %s' % (cmdlet, sip), tolerate_errors=True)))
    return planned


def _text(row):
    if isinstance(row, dict):
        return ' '.join('%s: %s' % (key, value) for key, value in row.items() if value not in (None, ''))
    return '' if row is None else str(row)


def judge_output(rows):
    """(passed, message) from a test's output rows: a ``Result`` of Success/Failure when the object has one, else the
    text -like '*passed*' (Microsoft's onpremdiag rule)."""
    if not rows:
        # onpremdiag: no output is not "passed"
        return False, 'The test returned nothing.'
    texts = [_text(row) for row in rows]
    results = [row.get('Result') for row in rows if isinstance(row, dict) and row.get('Result') is not None]
    if results:
        passed = all(str(result).lower() == 'success' for result in results)
        errors = [str(row.get('Error')) for row in rows if isinstance(row, dict) and row.get('Error')]
        return passed, '; '.join(errors) if errors and not passed else '; '.join(texts)
    return all('passed' in text.lower() for text in texts), '; '.join(texts)


def diagnose(test, message):
    """{'id', 'fix', 'source'} for a failed test's message."""
    for code, pattern, fix, source in DIAGNOSES:
        if pattern.search(message or ''):
            return {'id': code, 'fix': fix, 'source': source}
    if test == 'archiving':
        return {'id': 'archiving_not_enabled_or_unknown', 'fix': ARCHIVING_HINT + ' ' + GENERIC_HINT,
                'source': 'REF-SFB Test-CsExStorageConnectivity example 2 ("will fail if the specified user has not been enabled '
                          'for Exchange archiving")'}
    if test == 'notification':
        return {'id': 'notification_failed', 'fix': NOTIFICATION_HINT + ' ' + GENERIC_HINT,
                'source': 'REF-SFB Test-CsExStorageNotification ("valid only if you are using the unified contact store")'}
    return {'id': 'unknown', 'fix': GENERIC_HINT,
            'source': 'SFB-PARTNER ("your command will fail if this is not a valid user account"); integration-procedure.md 5 and 8'}


def result_of(sip, test, invocation, rows=None, error=None):
    """One entry of ``results``: the test either returned ``rows`` or failed with ``error`` (the runner's error details)."""
    if error is not None:
        passed, message = False, error.get('message') or 'The test failed without a message.'
    else:
        passed, message = judge_output(rows)
    entry = {
        'sip_address': sip,
        'test': test,
        'cmdlet': invocation.cmdlet,
        'folder': invocation.parameters.get('Folder'),
        'item_deleted': 'DeleteItem' in invocation.parameters,
        'passed': passed,
        'message': message,
        'fully_qualified_error_id': (error or {}).get('fully_qualified_error_id'),
        'diagnosis': None,
    }
    if passed:
        entry['proves'] = TESTS[test][2]
    else:
        entry['proves'] = None
        entry['diagnosis'] = diagnose(test, message)
    return entry


def failure_message(results):
    """The task's failure text when fail_on_failure is set and a test failed, else None."""
    failed = [entry for entry in results if not entry['passed']]
    if not failed:
        return None
    return '%d of %d Exchange storage tests failed: %s' % (len(failed), len(results), '; '.join(
        '%s %s: %s (%s)' % (entry['test'], entry['sip_address'], entry['message'], entry['diagnosis']['fix']) for entry in failed))

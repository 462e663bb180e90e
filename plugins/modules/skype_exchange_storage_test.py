#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_exchange_storage_test
short_description: Verify that Skype for Business Server reaches Exchange mailboxes (server-to-server authentication)
version_added: 1.0.0
description:
  - Runs Microsoft's documented verification of the Skype for Business (or Lync Server 2013) integration with Exchange
    for one or more users, and returns pass or fail for each test with the server's message and, for a failure, a
    diagnosis with the fix.
  - V(conversation_history) runs C(Test-CsExStorageConnectivity -SipUri <address>), the test Microsoft gives to verify
    server-to-server authentication; V(archiving) adds C(-Folder Dumpster) (the Exchange archiving store); and
    V(notification) runs C(Test-CsExStorageNotification) (unified contact store notifications).
  - B(The tests touch a mailbox.) They change no configuration of either product, but C(Test-CsExStorageConnectivity)
    writes an item into the user's Conversation History folder (or the archiving folder) and
    C(Test-CsExStorageNotification) creates an item; the module always sends C(-DeleteItem) so that the item is deleted
    at the end of the test, unless O(delete_item=false).
  - Only Test and Get cmdlets are sent; C(changed) is always false. The tests also run in check mode.
  - A failing test is a result (RV(results[].passed) false, RV(all_passed) false), not a task failure, unless
    O(fail_on_failure=true). A failure to connect, to load the product's cmdlets or to read the server version is an error.
  - Each test runs in its own PowerShell request after one read of the server version, because a failed test may come as
    an error, which ends a request; a test that fails does not stop the others.
  - The user must have an Exchange mailbox ("your command will fail if this is not a valid user account"). The account
    running the test needs membership of C(RTC Local User Administrators) or C(RTCUniversalUserAdmins).
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.skype
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_skype
attributes:
  check_mode:
    support: full
    details: The same Test cmdlets run in check mode (they are read-only for the runner and change no configuration).
  diff_mode:
    support: none
options:
  sip_addresses:
    description:
      - SIP addresses of users with an Exchange mailbox, for example V(sip:kenmyer@contoso.com) (the C(sip:) prefix is added
        when missing).
    type: list
    elements: str
    required: true
    aliases: [sip_address]
  tests:
    description:
      - Which tests to run for each address.
      - V(conversation_history) - C(Test-CsExStorageConnectivity), item in the Conversation History folder.
      - V(archiving) - C(Test-CsExStorageConnectivity -Folder Dumpster); fails when the user is not enabled for Exchange
        archiving.
      - V(notification) - C(Test-CsExStorageNotification); valid only when the user's contacts are in the unified contact
        store.
    type: list
    elements: str
    choices: [conversation_history, archiving, notification]
    default: [conversation_history]
  delete_item:
    description:
      - Send C(-DeleteItem), so that the test item is deleted from the mailbox at the end of the test.
      - With V(false) the test item stays in the user's mailbox.
    type: bool
    default: true
  binding:
    description:
      - The WCF binding to the Storage Service (C(-Binding)); by default the cmdlet's own.
      - V(NetTCP) needs O(storage_service_host).
    type: str
    choices: [NetNamedPipe, NetTCP]
  storage_service_host:
    description: FQDN of the Front End whose Storage Service is tested (C(-HostNameStorageService)).
    type: str
  fail_on_failure:
    description: Fail the task when a test fails (by default a failed test is only reported).
    type: bool
    default: false
seealso:
  - module: ucops.skype_exchange.skype_info
  - module: ucops.skype_exchange.exchange_partner_application
"""

EXAMPLES = r"""
- name: Verify server-to-server authentication with Exchange (one Front End per deployment is enough)
  ucops.skype_exchange.skype_exchange_storage_test:
    sip_addresses: [sip:kenmyer@contoso.com]
  run_once: true
  register: storage

- name: Show why a test failed
  ansible.builtin.debug:
    msg: "{{ storage.results | rejectattr('passed') | map(attribute='diagnosis.fix') | list }}"
  when: not storage.all_passed

- name: Also test Exchange archiving and UCS notifications, and fail the play when a test fails
  ucops.skype_exchange.skype_exchange_storage_test:
    sip_addresses: [sip:kenmyer@contoso.com]
    tests: [conversation_history, archiving, notification]
    fail_on_failure: true
  run_once: true
"""

RETURN = r"""
skype_version:
  description: Product version of the server the tests ran on (V(2013), V(2015), V(2019), V(se)); null when not recognised.
  returned: success
  type: str
  sample: '2019'
all_passed:
  description: Whether every test passed.
  returned: success
  type: bool
  sample: false
results:
  description: One entry per address and test, in the order run.
  returned: success
  type: list
  elements: dict
  contains:
    sip_address:
      description: The SIP address tested.
      type: str
      sample: sip:kenmyer@contoso.com
    test:
      description: The test (an item of O(tests)).
      type: str
      sample: conversation_history
    cmdlet:
      description: The cmdlet that ran.
      type: str
      sample: Test-CsExStorageConnectivity
    folder:
      description: The C(-Folder) sent (V(Dumpster) for V(archiving)), else null.
      type: str
      sample: null
    item_deleted:
      description: Whether C(-DeleteItem) was sent.
      type: bool
      sample: true
    passed:
      description:
        - Whether the test passed. C(Test-CsExStorageConnectivity) passes when its output says it passed (what Microsoft's
          own diagnostic checks); a result object with C(Result) passes when it is C(Success); an error is a failure.
      type: bool
      sample: false
    message:
      description: The server's output or error text.
      type: str
      sample: 'The request failed with HTTP status 401: Unauthorized.'
    fully_qualified_error_id:
      description: The error's id when the test failed with an error, else null.
      type: str
    proves:
      description: What a passed test shows; null for a failure.
      type: str
    diagnosis:
      description: Why a failed test failed and what fixes it; null when the test passed.
      type: dict
      contains:
        id:
          description:
            - V(exchange_rejects_oauth) (a 401 from Exchange), V(caller_lacks_rtc_role) ("Access Denied"),
              V(archiving_not_enabled_or_unknown), V(notification_failed) or V(unknown).
          type: str
          sample: exchange_rejects_oauth
        fix:
          description: What to do.
          type: str
        source:
          description: Where the diagnosis comes from.
          type: str
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype import verification
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version

# Errors that say the call itself was wrong (not a test result): they fail the task.
CALL_ERRORS = ('CommandNotFoundException', 'ParameterBinding', 'UcopsLab.NotImplementedException')


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            sip_addresses=dict(type='list', elements='str', required=True, aliases=['sip_address']),
            tests=dict(type='list', elements='str', choices=sorted(verification.TESTS), default=list(verification.DEFAULT_TESTS)),
            delete_item=dict(type='bool', default=True),
            binding=dict(type='str', choices=list(verification.BINDINGS)),
            storage_service_host=dict(type='str'),
            fail_on_failure=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )

    def work():
        module.connection_options()
        planned = verification.plan(module.params)
        shell = module.shell()
        # one read request: the version, then every test (a failed read of the version is an error, as every other read)
        response = module.runner.read(shell, [Invocation('version', 'Get-CsServerVersion')] + [item[2] for item in planned])
        version = parse_server_version((response.output('version') or [''])[0])
        results = []
        for sip, test, invocation in planned:
            errors = response.item_errors(invocation.key)
            if not errors:
                results.append(verification.result_of(sip, test, invocation, rows=response.output(invocation.key)))
                continue
            details = dict(errors[0], cmdlet=invocation.cmdlet)
            if any(marker in str(details.get(key) or '') for marker in CALL_ERRORS for key in ('exception_type', 'fully_qualified_error_id')):
                # the call itself was wrong (not a test result)
                raise CmdletFailure(details.get('message'), host=module.host, details=details)
            results.append(verification.result_of(sip, test, invocation, error=details))
        result = {'changed': False, 'skype_version': version['product'], 'results': results,
                  'all_passed': all(entry['passed'] for entry in results)}
        failure = verification.failure_message(results)
        if failure and module.params['fail_on_failure']:
            module.fail_json(msg=failure, **result)
        return result

    module.run(work)


if __name__ == '__main__':
    main()

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""exchange_partner_application through ansible and pywinrm against the lab, on every Exchange version."""

from __future__ import annotations

import base64
import hashlib
import json
import sys

import pytest

from integration_support import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lab.products.exchange.partner_application import SKYPE_APPLICATION_ID, rotate_skype_certificate  # noqa: E402

HOSTS = ['ex2013', 'ex2016', 'ex2019', 'exse']
URL = 'https://sfb19.contoso.local/metadata/json/1'
MODULE = 'exchange_partner_application'


def writes(lab, since, host):
    return [entry['cmdlet'] for entry in lab.invocations()[since:] if entry['write'] and entry['host'] == host]


def org_state(lab, host, change=None):
    """The lab's Exchange org of ``host`` (its own org: organization defaults to the host name); ``change(org)`` edits it."""
    path = lab.state_dir / 'state.json'
    state = json.loads(path.read_text(encoding='utf-8'))
    org = state['exchange'][host]
    if change is not None:
        result = change(org)
        path.write_text(json.dumps(state), encoding='utf-8')
        return result
    return org


@pytest.mark.parametrize('host', HOSTS)
def test_check_mode_then_create_then_idempotent_then_absent(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL}, '--check', '--diff')
    assert rc == 0, output
    assert results[host]['changed'] is True
    assert 'New-PartnerApplication -Name LyncEnterprise -AuthMetadataUrl %s' % URL in results[host]['changes']
    assert writes(lab, before, host) == []

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL})
    assert rc == 0, output
    assert writes(lab, before, host) == [
        'New-MailUser', 'Set-MailUser', 'New-ManagementRoleAssignment', 'New-ManagementRoleAssignment', 'New-PartnerApplication']
    report = results[host]['partner_application']
    assert (report['name'], report['application_identifier'], report['realm'], report['enabled']) == (
        'LyncEnterprise', SKYPE_APPLICATION_ID, 'contoso.com', True)
    assert report['linked_account'] == 'contoso.local/Users/LyncEnterprise-ApplicationAccount'
    assert report['account'] == {'name': 'LyncEnterprise-ApplicationAccount', 'exists': True, 'hidden_from_address_lists': True,
                                 'roles': ['ArchiveApplication', 'UserApplication']}
    assert results[host]['exchange_version'] == {'ex2013': '2013', 'ex2016': '2016', 'ex2019': '2019', 'exse': 'se'}[host]

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL}, '--diff')
    assert rc == 0 and results[host]['changed'] is False, output
    assert writes(lab, before, host) == []

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before, host) == [
        'Remove-PartnerApplication', 'Remove-ManagementRoleAssignment', 'Remove-ManagementRoleAssignment', 'Remove-MailUser']
    rc, results, output = lab.module(host, MODULE, {'state': 'absent'})
    assert rc == 0 and results[host]['changed'] is False and results[host]['partner_application'] is None, output


def test_rotated_skype_certificate_is_refreshed_once(lab):
    host = 'ex2019'
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL})
    assert rc == 0, output
    old = results[host]['partner_application']['certificate_thumbprints']
    new_certificate = org_state(lab, host, lambda org: rotate_skype_certificate(org, 'sfb2019', 'contoso.com'))
    thumbprint = hashlib.sha1(base64.b64decode(new_certificate)).hexdigest().upper()
    assert [thumbprint] != old

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL, 'skype_certificate_thumbprint': thumbprint.lower()}, '--diff')
    assert rc == 0 and results[host]['changed'] is True, output
    assert results[host]['partner_application']['certificate_thumbprints'] == [thumbprint]
    refresh = [entry for entry in lab.invocations()[before:] if entry['write']]
    assert [entry['cmdlet'] for entry in refresh] == ['Set-PartnerApplication'] and 'RefreshAuthMetadata' in refresh[0]['parameters']

    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL, 'skype_certificate_thumbprint': thumbprint})
    assert rc == 0 and results[host]['changed'] is False, output


def test_an_application_the_script_made_is_adopted_not_duplicated(lab):
    host = 'ex2016'
    # what an earlier run of the script left: an application of another name, no account (unknown name), enabled
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL, 'name': 'Lync-From-Script'})
    assert rc == 0, output

    before = len(lab.invocations())
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': URL, 'enabled': False})
    assert rc == 0 and results[host]['changed'] is True, output
    assert writes(lab, before, host) == ['Set-PartnerApplication']
    assert results[host]['partner_application']['name'] == 'Lync-From-Script'
    names = [app['name'] for app in org_state(lab, host)['partner_application']['applications'].values()]
    assert names == ['Lync-From-Script']


def test_a_url_that_is_no_skype_pool_fails_with_the_cmdlet_error(lab):
    host = 'exse'
    rc, results, output = lab.module(host, MODULE, {'auth_metadata_url': 'https://nowhere.contoso.local/metadata/json/1'})
    assert rc != 0
    message = results[host]['msg']
    assert 'New-PartnerApplication failed' in message and 'could not be resolved' in message
    # the account and roles came first in the same write request: the failure says they were made
    assert 'New-MailUser -Name LyncEnterprise-ApplicationAccount' in results[host]['changes_made']


def test_bad_input_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    for args in ({}, {'auth_metadata_url': 'http://sfb19.contoso.local/metadata/json/1'},
                 {'auth_metadata_url': 'https://sfb19.contoso.local/metadata/json/2'},
                 {'auth_metadata_url': URL, 'skype_certificate_thumbprint': 'xyz'}):
        rc, results, output = lab.module('ex2013', MODULE, args)
        assert rc != 0 and results['ex2013']['error_kind'] == 'option', output
    assert lab.invocations()[before:] == []

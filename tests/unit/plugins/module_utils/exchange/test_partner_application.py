# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, RequestRefused, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import run as engine_run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange import partner_application as pa
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Response, build_request

URL = 'https://sfb19.contoso.local/metadata/json/1'
ACCOUNT_DN = 'CN=LyncEnterprise-ApplicationAccount,CN=Users,DC=contoso,DC=local'
CERT_A = base64.b64encode(b'\x30\x82certificate-a').decode()
CERT_B = base64.b64encode(b'\x30\x82certificate-b').decode()
THUMB_A = hashlib.sha1(b'\x30\x82certificate-a').hexdigest().upper()
THUMB_B = hashlib.sha1(b'\x30\x82certificate-b').hexdigest().upper()


def app(name='LyncEnterprise', url=URL, identifier=pa.SKYPE_APPLICATION_ID, enabled=True, linked='contoso.local/Users/LyncEnterprise-ApplicationAccount',
        certificates=(CERT_A,)):
    return {'Name': name, 'Identity': name, 'Enabled': enabled, 'ApplicationIdentifier': identifier, 'AuthMetadataUrl': url or '',
            'Realm': 'contoso.com' if url else '', 'UseAuthServer': not url, 'LinkedAccount': linked, 'CertificateStrings': list(certificates)}


LEGACY = app('SfBLegacy', url=None, linked=None, certificates=())
USER = {'Name': 'LyncEnterprise-ApplicationAccount', 'DistinguishedName': ACCOUNT_DN, 'RecipientType': 'MailUser',
        'RecipientTypeDetails': 'MailUser', 'UserAccountControl': 'AccountDisabled, PasswordNotRequired, NormalAccount'}
MAILUSER = {'Name': 'LyncEnterprise-ApplicationAccount', 'DistinguishedName': ACCOUNT_DN, 'HiddenFromAddressListsEnabled': True}


def roles(*names):
    return [{'Name': '%s-LyncEnterprise-ApplicationAccount' % role, 'Identity': '%s-LyncEnterprise-ApplicationAccount' % role,
             'Role': role, 'RoleAssigneeName': 'LyncEnterprise-ApplicationAccount', 'Enabled': True} for role in names]


def response(apps=(), user='default', mailuser='default', assignments=None, prefix='partner'):
    user = USER if user == 'default' else user
    mailuser = MAILUSER if mailuser == 'default' else mailuser
    assignments = roles('UserApplication', 'ArchiveApplication') if assignments is None else assignments
    outputs = {'servers': [{'Name': 'EX19', 'AdminDisplayVersion': 'Version 15.2 (Build 1544.4)'}], '%s_apps' % prefix: list(apps),
               '%s_user' % prefix: [user] if user else [], '%s_mailuser' % prefix: [mailuser] if mailuser else [],
               '%s_roles' % prefix: assignments if user else []}
    return Response({'host': {'computer_name': 'EX19'},
                     'results': [{'id': key, 'cmdlet': 'Get-X', 'status': 'ok', 'output': rows} for key, rows in outputs.items()]})


class FakeRunner:
    def __init__(self, read, write=None):
        self.read_response, self.write_response = read, write
        self.writes = []

    def read(self, shell, invocations):
        build_request('read', shell, invocations)
        return self.read_response

    def write(self, shell, invocations):
        build_request('write', shell, invocations)
        self.writes.append(invocations)
        return self.write_response


class FakeModule:
    def __init__(self, runner, check_mode=False, diff=False):
        self.runner, self.check_mode, self._diff = runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


def params(**extra):
    base = {'state': 'present', 'auth_metadata_url': URL, 'name': 'LyncEnterprise', 'enabled': True,
            'linked_account': 'LyncEnterprise-ApplicationAccount', 'roles': ['UserApplication', 'ArchiveApplication']}
    base.update(extra)
    return base


def run(read, write=None, check_mode=False, diff=False, **extra):
    runner = FakeRunner(read, write)
    module = FakeModule(runner, check_mode, diff)
    result = engine_run(module, pa.SkypePartnerApplication(params(**extra), 'ex19'))
    sent = [(i.cmdlet, i.parameters) for i in runner.writes[0] if not i.cmdlet.startswith('Get-')] if runner.writes else []
    return result, sent, module


# -- input ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('extra, fragment', [
    ({'auth_metadata_url': None}, 'auth_metadata_url is required'),
    ({'auth_metadata_url': 'http://sfb19.contoso.local/metadata/json/1'}, 'must use https://'),
    ({'auth_metadata_url': 'https://sfb19.contoso.local/autodiscover/metadata/json/1'}, 'use https://sfb19.contoso.local/metadata/json/1'),
    ({'auth_metadata_url': 'sfb19.contoso.local'}, 'auth_metadata_url:'),
    ({'linked_account': "o'brien"}, 'linked_account'),
    ({'name': 'a' * 70}, 'name'),
    ({'roles': ['UserApplication', 'userapplication']}, 'each role once'),
    ({'skype_certificate_thumbprint': 'not-a-thumbprint'}, 'skype_certificate_thumbprint'),
    ({'linked_account_address': 'nobody'}, 'linked_account_address'),
    ({'state': 'absent', 'refresh_metadata': True}, 'state=present only'),
])
def test_bad_input_is_refused_naming_the_option(extra, fragment):
    with pytest.raises(OptionError) as raised:
        pa.validate(params(**extra))
    assert fragment in str(raised.value)


def test_metadata_url_in_other_case_is_accepted_and_address_defaults_to_the_pool_domain():
    options = pa.validate(params(auth_metadata_url='HTTPS://SFB19.Contoso.Local:443/Metadata/Json/1'))
    assert options['address'] == 'LyncEnterprise-ApplicationAccount@contoso.local'
    assert pa.validate(params(skype_certificate_thumbprint='ab cd' + 'E' * 36))['thumbprint'] == 'ABCD' + 'E' * 36


def test_the_filter_carries_the_account_name_as_data():
    assert pa.name_filter('LyncEnterprise-ApplicationAccount') == "Name -eq 'LyncEnterprise-ApplicationAccount'"


def test_thumbprint_is_sha1_of_the_der_and_bad_values_are_counted():
    assert pa.thumbprints([CERT_A, 'not base64!', base64.b64encode(b'text').decode()]) == ([THUMB_A], 2)


# -- plan -----------------------------------------------------------------------------------------------------------

def test_nothing_present_creates_account_then_roles_then_application_in_one_request():
    result, sent, _module = run(response(user=None, mailuser=None), response(apps=[app()], prefix='partner_after'))
    assert [item[0] for item in sent] == ['New-MailUser', 'Set-MailUser', 'New-ManagementRoleAssignment',
                                          'New-ManagementRoleAssignment', 'New-PartnerApplication']
    assert sent[0][1] == {'Name': 'LyncEnterprise-ApplicationAccount', 'ExternalEmailAddress': 'LyncEnterprise-ApplicationAccount@contoso.local'}
    # the new account is referred to by the DistinguishedName New-MailUser returned, never by a value pasted in code
    assert sent[1][1]['Identity'] == {'__ucops_type': 'ref', 'id': 'partner_new_account', 'property': 'DistinguishedName'}
    assert {p['Role'] for c, p in sent if c == 'New-ManagementRoleAssignment'} == {'UserApplication', 'ArchiveApplication'}
    assert sent[4][1] == {'Name': 'LyncEnterprise', 'AuthMetadataUrl': URL, 'LinkedAccount': 'LyncEnterprise-ApplicationAccount', 'Enabled': True}
    assert result['changed'] is True
    assert result['partner_application']['application_identifier'] == pa.SKYPE_APPLICATION_ID  # from the verifying read


def test_everything_in_place_sends_nothing():
    result, sent, _module = run(response(apps=[app()]))
    assert (result['changed'], sent, result['changes']) == (False, [], [])
    assert result['partner_application']['certificate_thumbprints'] == [THUMB_A]


def test_only_the_missing_role_is_assigned_and_an_extra_one_is_removed():
    result, sent, _module = run(response(apps=[app()], assignments=roles('UserApplication', 'Mailbox Search')), response(apps=[app()], prefix='partner_after'))
    assert sent == [('New-ManagementRoleAssignment', {'Role': 'ArchiveApplication', 'User': ACCOUNT_DN}),
                    ('Remove-ManagementRoleAssignment', {'Identity': 'Mailbox Search-LyncEnterprise-ApplicationAccount', 'Confirm': False})]


def test_a_missing_account_is_created_under_an_existing_application():
    _result, sent, _module = run(response(apps=[app()], user=None, mailuser=None), response(apps=[app()], prefix='partner_after'))
    assert [item[0] for item in sent] == ['New-MailUser', 'Set-MailUser', 'New-ManagementRoleAssignment', 'New-ManagementRoleAssignment']


def test_application_adopted_by_url_keeps_its_name_and_is_corrected():
    existing = app('LyncEnterprise-Script', enabled=False, linked=None)
    result, sent, _module = run(response(apps=[LEGACY, existing]), response(apps=[LEGACY, app('LyncEnterprise-Script')], prefix='partner_after'))
    # Enabled/LinkedAccount alone would not bind to a parameter set: the Set names one with -RefreshAuthMetadata
    assert sent == [('Set-PartnerApplication', {'Identity': 'LyncEnterprise-Script', 'Enabled': True, 'LinkedAccount': 'LyncEnterprise-ApplicationAccount',
                                                'RefreshAuthMetadata': {'__ucops_type': 'switch', 'value': True}})]
    assert result['partner_application']['name'] == 'LyncEnterprise-Script'


def test_application_adopted_by_identifier_gets_the_new_url():
    other = 'https://sfbpool.contoso.local/metadata/json/1'
    _result, sent, _module = run(response(apps=[app(url=other)]), response(apps=[app()], prefix='partner_after'))
    assert sent == [('Set-PartnerApplication', {'Identity': 'LyncEnterprise', 'AuthMetadataUrl': URL})]


def test_the_auth_server_application_of_the_same_identifier_is_never_taken():
    _result, sent, _module = run(response(apps=[LEGACY], user=None, mailuser=None), response(apps=[LEGACY, app()], prefix='partner_after'))
    assert sent[-1][0] == 'New-PartnerApplication'
    assert not [c for c, p in sent if p.get('Identity') == 'SfBLegacy']
    with pytest.raises(OptionError, match='trusts an auth server'):
        run(response(apps=[LEGACY]), name='SfBLegacy')


def test_two_candidates_fail_before_any_write():
    runner = FakeRunner(response(apps=[app('A'), app('B', url='https://sfbpool.contoso.local/metadata/json/1')]))
    with pytest.raises(OptionError, match='give name'):
        engine_run(FakeModule(runner), pa.SkypePartnerApplication(params(name='Other', auth_metadata_url='https://x.contoso.local/metadata/json/1'), 'ex19'))
    assert runner.writes == []


def test_certificate_changed_refreshes_and_same_certificate_does_not():
    result, sent, module = run(response(apps=[app()]), response(apps=[app(certificates=[CERT_B])], prefix='partner_after'),
                               skype_certificate_thumbprint=THUMB_B)
    assert sent == [('Set-PartnerApplication', {'Identity': 'LyncEnterprise', 'RefreshAuthMetadata': {'__ucops_type': 'switch', 'value': True}})]
    assert result['partner_application']['certificate_thumbprints'] == [THUMB_B] and module.warnings == []
    result, sent, _module = run(response(apps=[app(certificates=[CERT_B])]), skype_certificate_thumbprint=THUMB_B.lower())
    assert (result['changed'], sent) == (False, [])


def test_refresh_that_still_lacks_the_certificate_warns():
    _result, _sent, module = run(response(apps=[app()]), response(apps=[app()], prefix='partner_after'), skype_certificate_thumbprint=THUMB_B)
    assert any('still does not hold certificate %s' % THUMB_B in warning for warning in module.warnings)


def test_undecodable_certificates_cannot_be_compared():
    with pytest.raises(ScriptFailure, match='refresh_metadata: true'):
        run(response(apps=[app(certificates=['???'])]), skype_certificate_thumbprint=THUMB_A)


def test_refresh_metadata_always_refreshes():
    result, sent, _module = run(response(apps=[app()]), response(apps=[app()], prefix='partner_after'), refresh_metadata=True)
    assert [item[0] for item in sent] == ['Set-PartnerApplication'] and 'RefreshAuthMetadata' in sent[0][1] and result['changed'] is True


def test_check_mode_sends_no_write_and_predicts():
    runner = FakeRunner(response(user=None, mailuser=None))
    module = FakeModule(runner, check_mode=True, diff=True)
    result = engine_run(module, pa.SkypePartnerApplication(params(), 'ex19'))
    assert runner.writes == [] and result['changed'] is True
    assert result['diff']['before'] == {} and result['diff']['after']['LyncEnterprise']['exists'] is True
    assert 'New-PartnerApplication -Name LyncEnterprise -AuthMetadataUrl %s' % URL in result['changes']


def test_diff_shows_the_corrected_values():
    result, _sent, _module = run(response(apps=[app(enabled=False)]), response(apps=[app()], prefix='partner_after'), diff=True)
    assert result['diff']['before']['LyncEnterprise']['enabled'] is False
    assert result['diff']['after']['LyncEnterprise']['enabled'] is True


def test_absent_removes_application_assignments_and_mail_user():
    _result, sent, _module = run(response(apps=[LEGACY, app()]), response(apps=[LEGACY], user=None, mailuser=None, prefix='partner_after'),
                                 state='absent', auth_metadata_url=None)
    assert [(c, p['Identity']) for c, p in sent] == [
        ('Remove-PartnerApplication', 'LyncEnterprise'),
        ('Remove-ManagementRoleAssignment', 'UserApplication-LyncEnterprise-ApplicationAccount'),
        ('Remove-ManagementRoleAssignment', 'ArchiveApplication-LyncEnterprise-ApplicationAccount'),
        ('Remove-MailUser', ACCOUNT_DN)]


def test_absent_leaves_a_plain_user_and_warns_and_nothing_left_is_unchanged():
    plain = dict(USER, RecipientType='User')
    _result, sent, module = run(response(apps=[], user=plain, mailuser=None, assignments=[]),
                                response(apps=[], user=plain, mailuser=None, assignments=[], prefix='partner_after'), state='absent')
    assert sent == [] and any('not a mail user' in warning for warning in module.warnings)
    result, sent, _module = run(response(apps=[LEGACY], user=None, mailuser=None), state='absent')
    assert (result['changed'], sent, result['partner_application']) == (False, [], None)


def test_a_plain_user_cannot_be_hidden():
    plain = dict(USER, RecipientType='User')
    with pytest.raises(OptionError, match='not a mail user'):
        run(response(apps=[app()], user=plain, mailuser=None))


def test_reads_are_read_only_and_roles_run_once_per_account_found():
    invocations = pa.SkypePartnerApplication(params(), 'ex19').reads()
    request = build_request('read', {'type': 'none'}, invocations)
    roles_request = [i for i in request['invocations'] if i['cmdlet'] == 'Get-ManagementRoleAssignment'][0]
    assert roles_request['each'] == {'id': 'partner_user', 'property': 'DistinguishedName', 'parameter': 'RoleAssignee'}
    with pytest.raises(RequestRefused):
        build_request('read', {'type': 'none'}, [pa.Invocation('x', 'New-PartnerApplication')])


# -- exchange_info section --------------------------------------------------------------------------------------------

def test_info_reports_applications_account_and_findings():
    assert all(i.key.startswith('partner_') for i in pa.info_reads())
    section = pa.info(response(apps=[LEGACY, app()]))
    assert [a['name'] for a in section['partner_applications']] == ['SfBLegacy', 'LyncEnterprise']
    assert section['skype_application_account']['roles'] == ['ArchiveApplication', 'UserApplication']
    assert section['partner_application_findings'] == []


def test_info_findings_follow_free_busy_checker():
    section = pa.info(response(apps=[LEGACY, app(enabled=False, linked=None)], user=dict(USER, UserAccountControl='NormalAccount'),
                               assignments=roles('UserApplication')))
    found = section['partner_application_findings']
    assert sorted(item['id'] for item in found) == [
        'partner_application_account_enabled', 'partner_application_disabled', 'partner_application_no_linked_account',
        'partner_application_role_missing']
    text = ' '.join(item['message'] for item in found)
    assert 'LyncEnterprise is disabled' in text and 'no LinkedAccount' in text
    assert 'is not disabled' in text and 'lacks the ArchiveApplication role' in text
    assert {item['severity'] for item in found} == {'error', 'warning'}
    missing = pa.info(response(apps=[LEGACY], user=None, mailuser=None))['partner_application_findings']
    assert [item['id'] for item in missing] == ['partner_application_missing', 'partner_application_no_account']

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Partner applications, the application account (a mail user) and its management role assignments; mirrors
plugins/module_utils/exchange/partner_application.py (which lists the sources of what the
Configure-EnterprisePartnerApplication.ps1 script sets up; no public copy of the script was found).

State (``org['partner_application']``)::

    {"applications": {"<name lower>": {"name", "application_identifier", "auth_metadata_url", "realm", "enabled",
                                       "use_auth_server", "linked_account" (DN or None), "certificate_strings",
                                       "trust_any_ssl_certificate"}},
     "users": {"<DN lower>": {"name", "dn", "sam_account_name", "recipient_type", "recipient_type_details",
                              "user_account_control", "hidden", "external_email_address"}},
     "role_assignments": [{"name", "role", "user_dn", "enabled"}],
     "skype_metadata": {"<Skype deployment key>": {"certificate": "<base64 DER>", "realm"}}}

``skype_metadata`` is what the Skype pools of the lab serve at https://<pool>/metadata/json/1, as this Exchange
organisation downloads it: the features see only their own org, not the Skype deployment state (tests replace the
certificate there to model an OAuthTokenIssuer rotation; see ``rotate_skype_certificate``).
"""

from __future__ import annotations

import base64
import datetime
import fnmatch
import re
import urllib.parse
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import NO_CHANGE_WARNING, ExchangeFeature

# Source: integration-procedure.md section 8 (well-known identifier of Skype for Business / Lync in its metadata).
SKYPE_APPLICATION_ID = '00000004-0000-0ff1-ce00-000000000000'
# Source: integration-procedure.md section 8 (EX-PLAN: https://<pool FQDN>/metadata/json/1).
METADATA_PATH = '/metadata/json/1'
# Roles the lab knows (New-ManagementRoleAssignment refuses others as not found). Source: FreeBusyChecker
# (CSS-Exchange Diagnostics/FreeBusyChecker/Functions/OnPremOAuthFunctions.ps1) checks these application roles;
# integration-procedure.md section 15 assigns UserApplication and ArchiveApplication.
KNOWN_ROLES = ('UserApplication', 'ArchiveApplication', 'LegalHoldApplication', 'MailboxSearchApplication',
               'TeamMailboxLifecycleApplication', 'MeetingGraphApplication', 'Mailbox Search', 'Legal Hold')
# New-MailUser in the DisabledUser set (no password): a disabled account. UserAccountControl text: the value
# FreeBusyChecker expects of an application account ("AccountDisabled, PasswordNotRequired, NormalAccount").
DISABLED_UAC = 'AccountDisabled, PasswordNotRequired, NormalAccount'
# The container Exchange puts a new recipient in without -OrganizationalUnit: the domain's Users container
# (LinkedAccount shows "contoso.lab/Users/Exchange Online-ApplicationAccount" in CSS-Exchange HealthChecker test data).
USERS_CONTAINER = 'Users'
_FILTER = re.compile(r"^\s*Name\s+-eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def _certificate(subject: str) -> str:
    """A real self-signed RSA 2048 certificate (base64 DER) whose subject is the SIP domain: the OAuthTokenIssuer
    certificate must have the SIP domain in its subject and at least 2048-bit keys (integration-procedure.md section 3)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=730)).sign(key, hashes.SHA256()))
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode('ascii')


def rotate_skype_certificate(org: dict[str, Any], deployment: str, subject: str) -> str:
    """Lab hook for tests: the Skype deployment now publishes a new OAuth certificate; returns it (base64 DER)."""
    store = org.setdefault('partner_application', {}).setdefault('skype_metadata', {})
    entry = store.setdefault(deployment, {})
    entry['certificate'] = _certificate(subject)
    return entry['certificate']


def _text(value: Any) -> str:
    if isinstance(value, list):
        raise lab_not_implemented('a list for a single-valued identity parameter')
    return str(value)


class PartnerApplications(ExchangeFeature):
    """Get-/New-/Set-/Remove-PartnerApplication, the application account cmdlets and role assignments."""

    IMPLEMENTED = ('Get-PartnerApplication', 'New-PartnerApplication', 'Set-PartnerApplication', 'Remove-PartnerApplication',
                   'Get-User', 'Get-MailUser', 'New-MailUser', 'Set-MailUser', 'Remove-MailUser',
                   'Get-ManagementRoleAssignment', 'New-ManagementRoleAssignment', 'Remove-ManagementRoleAssignment')

    @property
    def _state(self) -> dict[str, Any]:
        state = self.org.setdefault('partner_application', {})
        for key, empty in (('applications', {}), ('users', {}), ('role_assignments', []), ('skype_metadata', {})):
            state.setdefault(key, empty)
        return state

    # -- metadata download ------------------------------------------------------------------------------------

    def _skype_deployment(self, host_name: str) -> tuple[str, str] | None:
        """(deployment key, pool FQDN) of the Skype pool or Front End named ``host_name`` in the topology, or None."""
        for host in getattr(self.topology, 'hosts', None) or ():
            if getattr(host, 'product', None) != 'skype':
                continue
            settings = dict(getattr(host, 'settings', None) or {})
            pool = str(settings.get('pool_fqdn', host.fqdn)).lower()
            if host_name in (pool, host.fqdn.lower()):
                return str(settings.get('deployment', host.name)), pool
        return None

    def _download(self, call: BoundCall, url: str) -> dict[str, Any]:
        """What Exchange reads from the metadata document: identifier, realm, certificates. Fails as a download fails.

        No source for any of the error texts below (lab choice; Exchange's own texts were not found). Exchange reads the
        document over https; the lab trusts the Skype pools' web certificates (domain CA; lab choice), so
        -TrustAnySSLCertificate changes nothing here.
        """
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme.lower() != 'https' or not parts.hostname:
            raise self._task_error(call, "The metadata URL '%s' isn't valid: Exchange downloads authorization metadata over "
                                   "https only." % url, 'Microsoft.Exchange.Management.SystemConfigurationTasks.AuthMetadataException')
        found = self._skype_deployment(parts.hostname.lower())
        if found is None:
            raise self._task_error(call, "The metadata document couldn't be downloaded from '%s': The remote name could not "
                                   "be resolved: '%s'" % (url, parts.hostname),
                                   'Microsoft.Exchange.Management.SystemConfigurationTasks.AuthMetadataException')
        if (parts.path or '/').rstrip('/').lower() != METADATA_PATH or parts.query:
            raise self._task_error(call, "The metadata document couldn't be downloaded from '%s': The remote server returned "
                                   "an error: (404) Not Found." % url,
                                   'Microsoft.Exchange.Management.SystemConfigurationTasks.AuthMetadataException')
        deployment, _pool = found
        # Realm: REF-SFB Set-CsOAuthConfiguration -Realm "By default, Skype for Business Server uses your default SIP
        # domain as its OAuth realm" (the lab cannot see a realm changed on the Skype side: features see their org only).
        realm = str(getattr(self.topology, 'sip_domain', '') or '')
        entry = self._state['skype_metadata'].setdefault(deployment, {})
        if not entry.get('certificate'):
            entry['certificate'] = _certificate(realm or 'skype')
        entry.setdefault('realm', realm)
        # ApplicationIdentifier: the well-known Skype principal (integration-procedure.md section 8).
        return {'application_identifier': SKYPE_APPLICATION_ID, 'realm': entry['realm'], 'certificate_strings': [entry['certificate']]}

    # -- partner applications ---------------------------------------------------------------------------------

    def _app_object(self, app: dict[str, Any]) -> PSObject:
        """Property names: CSS-Exchange HealthChecker test data GetPartnerApplication.xml (Exchange 2019)."""
        linked = self._state['users'].get((app['linked_account'] or '').lower())
        return PSObject({
            'Name': app['name'],
            'Identity': PSText(app['name']),
            'Enabled': app['enabled'],
            'ApplicationIdentifier': app['application_identifier'],
            'CertificateStrings': list(app['certificate_strings']),
            'AuthMetadataUrl': app['auth_metadata_url'] or '',
            'Realm': app['realm'] or '',
            'UseAuthServer': app['use_auth_server'],
            'AcceptSecurityIdentifierInformation': False,
            'LinkedAccount': None if linked is None else PSText(self._canonical(linked)),
            'IssuerIdentifier': '',
        }, app['name'])

    def _app(self, call: BoundCall, identity: str) -> dict[str, Any]:
        app = self._state['applications'].get(identity.strip().lower())
        if app is None:
            raise self._not_found(call, identity)
        return app

    def get_partner_application(self, call: BoundCall) -> Outcome:
        """Get-PartnerApplication [-Identity <name>]."""
        refuse_unmodelled(call, {'Identity'})
        apps = self._state['applications']
        if call.values.get('Identity') is not None:
            return Outcome(objects=[self._app_object(self._app(call, _text(call.values['Identity'])))])
        return Outcome(objects=[self._app_object(apps[key]) for key in sorted(apps)])

    def new_partner_application(self, call: BoundCall) -> Outcome:
        """New-PartnerApplication -Name -AuthMetadataUrl [-LinkedAccount] [-Enabled] [-TrustAnySSLCertificate]."""
        refuse_unmodelled(call, {'Name', 'AuthMetadataUrl', 'LinkedAccount', 'Enabled', 'TrustAnySSLCertificate', 'Confirm'})
        name = _text(call.values['Name']).strip()
        if name.lower() in self._state['applications']:
            # No source for the text (lab choice): AD refuses a second object of the same name in one container.
            raise self._task_error(call, "A partner application with the name '%s' already exists." % name,
                                   'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException')
        linked = self._user_dn(call, call.values['LinkedAccount']) if call.values.get('LinkedAccount') is not None else None
        url = _text(call.values['AuthMetadataUrl'])
        metadata = self._download(call, url)
        self._state['applications'][name.lower()] = dict(metadata, name=name, auth_metadata_url=url, use_auth_server=False,
                                                         linked_account=linked, trust_any_ssl_certificate=call.switch('TrustAnySSLCertificate'),
                                                         # REF-EX New-PartnerApplication -Enabled: new applications are enabled by default
                                                         enabled=call.values.get('Enabled', True) is not False)
        return Outcome(objects=[self._app_object(self._state['applications'][name.lower()])], changed=True)

    def set_partner_application(self, call: BoundCall) -> Outcome:
        """Set-PartnerApplication -Identity [-AuthMetadataUrl | -RefreshAuthMetadata] [-Enabled] [-LinkedAccount]."""
        refuse_unmodelled(call, {'Identity', 'AuthMetadataUrl', 'RefreshAuthMetadata', 'Enabled', 'LinkedAccount',
                                 'TrustAnySSLCertificate', 'Confirm'})
        app = self._app(call, _text(call.values['Identity']))
        updated = dict(app)
        if call.has('LinkedAccount'):
            updated['linked_account'] = None if call.values['LinkedAccount'] is None else self._user_dn(call, call.values['LinkedAccount'])
        if call.has('Enabled'):
            updated['enabled'] = bool(call.values['Enabled'])
        refreshed = False
        if call.has('AuthMetadataUrl'):
            # [inference, no source] a new URL is downloaded at once, as New-PartnerApplication does
            url = _text(call.values['AuthMetadataUrl'])
            updated.update(self._download(call, url), auth_metadata_url=url)
            refreshed = True
        if call.switch('RefreshAuthMetadata'):
            if not app['auth_metadata_url']:
                # No source for the text (lab choice): nothing to refresh from
                raise self._task_error(call, "Partner application '%s' has no AuthMetadataUrl to refresh." % app['name'],
                                       'Microsoft.Exchange.Management.SystemConfigurationTasks.AuthMetadataException')
            # REF-EX Set-PartnerApplication -RefreshAuthMetadata: "refreshes the auth metadata" (from the stored URL)
            updated.update(self._download(call, app['auth_metadata_url']))
            refreshed = True
        if updated == app and not refreshed:
            return Outcome(warnings=[NO_CHANGE_WARNING % app['name']])
        app.update(updated)
        return Outcome(changed=True)

    def remove_partner_application(self, call: BoundCall) -> Outcome:
        """Remove-PartnerApplication -Identity <name> [-Confirm:$false]."""
        refuse_unmodelled(call, {'Identity', 'Confirm'})
        app = self._app(call, _text(call.values['Identity']))
        del self._state['applications'][app['name'].lower()]
        return Outcome(changed=True)

    # -- the application account ------------------------------------------------------------------------------

    def _canonical(self, user: dict[str, Any]) -> str:
        """ADObjectId.ToString(): "<domain>/Users/<name>" (HealthChecker test data)."""
        return '%s/%s/%s' % (self.org.get('domain') or 'contoso.local', USERS_CONTAINER, user['name'])

    def _dn(self, name: str) -> str:
        domain = self.org.get('domain') or 'contoso.local'
        return 'CN=%s,CN=%s,%s' % (name, USERS_CONTAINER, ','.join('DC=%s' % label for label in domain.split('.')))

    def _find_users(self, identity: str) -> list[dict[str, Any]]:
        """Users matching an identity by DN, canonical name or name (other identity forms are not modelled)."""
        wanted = identity.strip().lower()
        return [user for user in self._state['users'].values()
                if wanted in (user['dn'].lower(), self._canonical(user).lower(), user['name'].lower(), user['sam_account_name'].lower())]

    def _user_dn(self, call: BoundCall, identity: Any) -> str:
        found = self._find_users(_text(identity))
        if not found:
            raise self._not_found(call, _text(identity))
        return found[0]['dn']

    def _user_object(self, user: dict[str, Any], mail: bool) -> PSObject:
        properties = {
            'Name': user['name'],
            'Identity': PSText(self._canonical(user)),
            'DistinguishedName': user['dn'],
            'SamAccountName': user['sam_account_name'],
            'RecipientType': user['recipient_type'],
            'RecipientTypeDetails': user['recipient_type_details'],
        }
        if mail:
            properties.update(HiddenFromAddressListsEnabled=user['hidden'], ExternalEmailAddress=PSText('SMTP:%s' % user['external_email_address']))
        else:
            properties['UserAccountControl'] = PSText(user['user_account_control'])
        return PSObject(properties, self._canonical(user))

    def _filtered(self, call: BoundCall, mail: bool) -> Outcome:
        refuse_unmodelled(call, {'Identity', 'Filter'})
        users = [user for user in self._state['users'].values() if not mail or user['recipient_type'] == 'MailUser']
        if call.values.get('Identity') is not None:
            users = [user for user in self._find_users(_text(call.values['Identity'])) if user in users]
            if not users:
                raise self._not_found(call, _text(call.values['Identity']))
        if call.values.get('Filter') is not None:
            match = _FILTER.match(_text(call.values['Filter']))
            if match is None:
                raise lab_not_implemented("the OPATH filter %r (only \"Name -eq '<name>'\" is modelled)" % call.values['Filter'])
            name = match.group(1).replace("''", "'").lower()
            users = [user for user in users if user['name'].lower() == name]
        return Outcome(objects=[self._user_object(user, mail) for user in sorted(users, key=lambda u: u['dn'])])

    def get_user(self, call: BoundCall) -> Outcome:
        """Get-User [-Identity | -Filter "Name -eq '<name>'"]: the lab's users are the accounts this feature created."""
        return self._filtered(call, mail=False)

    def get_mail_user(self, call: BoundCall) -> Outcome:
        """Get-MailUser [-Identity | -Filter "Name -eq '<name>'"]."""
        return self._filtered(call, mail=True)

    def new_mail_user(self, call: BoundCall) -> Outcome:
        """New-MailUser -Name -ExternalEmailAddress (DisabledUser parameter set: no password, so a disabled account)."""
        if call.parameter_set != 'DisabledUser':
            raise lab_not_implemented('New-MailUser parameter set %s' % call.parameter_set)
        refuse_unmodelled(call, {'Name', 'ExternalEmailAddress', 'Confirm'})
        name = _text(call.values['Name']).strip()
        dn = self._dn(name)
        if dn.lower() in self._state['users']:
            # No source for the text (lab choice): AD refuses a second object named so in the Users container.
            raise self._task_error(call, "The name '%s' is already being used. Please try another name." % name,
                                   'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException')
        address = _text(call.values['ExternalEmailAddress'])
        address = address.split(':', 1)[1] if ':' in address.split('@', 1)[0] else address
        user = {'name': name, 'dn': dn,
                # sAMAccountName: the first 20 characters of the name (public AD exports show "LyncEnterprise-Appli"
                # for LyncEnterprise-ApplicationAccount; no Microsoft source)
                'sam_account_name': name[:20], 'recipient_type': 'MailUser', 'recipient_type_details': 'MailUser',
                'user_account_control': DISABLED_UAC, 'hidden': False, 'external_email_address': address}
        self._state['users'][dn.lower()] = user
        return Outcome(objects=[self._user_object(user, mail=True)], changed=True)

    def set_mail_user(self, call: BoundCall) -> Outcome:
        """Set-MailUser -Identity [-HiddenFromAddressListsEnabled]."""
        refuse_unmodelled(call, {'Identity', 'HiddenFromAddressListsEnabled', 'Confirm'})
        users = [user for user in self._find_users(_text(call.values['Identity'])) if user['recipient_type'] == 'MailUser']
        if not users:
            raise self._not_found(call, _text(call.values['Identity']))
        user = users[0]
        if call.has('HiddenFromAddressListsEnabled') and user['hidden'] != bool(call.values['HiddenFromAddressListsEnabled']):
            user['hidden'] = bool(call.values['HiddenFromAddressListsEnabled'])
            return Outcome(changed=True)
        return Outcome(warnings=[NO_CHANGE_WARNING % user['name']])

    def remove_mail_user(self, call: BoundCall) -> Outcome:
        """Remove-MailUser -Identity [-Confirm:$false]: removes the AD account too (a mail user is an AD user)."""
        refuse_unmodelled(call, {'Identity', 'Confirm'})
        users = [user for user in self._find_users(_text(call.values['Identity'])) if user['recipient_type'] == 'MailUser']
        if not users:
            raise self._not_found(call, _text(call.values['Identity']))
        user = users[0]
        del self._state['users'][user['dn'].lower()]
        # the user's role assignments go with it (no source: an assignment to a deleted user no longer resolves)
        self._state['role_assignments'][:] = [entry for entry in self._state['role_assignments'] if entry['user_dn'] != user['dn']]
        for app in self._state['applications'].values():
            if app['linked_account'] == user['dn']:
                app['linked_account'] = None
        return Outcome(changed=True)

    # -- role assignments -------------------------------------------------------------------------------------

    def _assignment_object(self, entry: dict[str, Any]) -> PSObject:
        user = self._state['users'].get(entry['user_dn'].lower())
        return PSObject({'Name': entry['name'], 'Identity': PSText(entry['name']), 'Role': PSText(entry['role']),
                         'RoleAssigneeName': user['name'] if user else None, 'RoleAssigneeType': PSText('User'),
                         'Enabled': entry['enabled']}, entry['name'])

    def get_management_role_assignment(self, call: BoundCall) -> Outcome:
        """Get-ManagementRoleAssignment [-RoleAssignee <user>] [-Role <role>] [-Identity <name>]."""
        refuse_unmodelled(call, {'RoleAssignee', 'Role', 'Identity'})
        entries = list(self._state['role_assignments'])
        if call.values.get('RoleAssignee') is not None:
            dn = self._user_dn(call, call.values['RoleAssignee'])
            entries = [entry for entry in entries if entry['user_dn'] == dn]
        if call.values.get('Role') is not None:
            pattern = _text(call.values['Role']).lower()
            entries = [entry for entry in entries if fnmatch.fnmatchcase(entry['role'].lower(), pattern)]
        if call.values.get('Identity') is not None:
            wanted = _text(call.values['Identity']).strip().lower()
            entries = [entry for entry in entries if entry['name'].lower() == wanted]
            if not entries:
                raise self._not_found(call, _text(call.values['Identity']))
        return Outcome(objects=[self._assignment_object(entry) for entry in entries])

    def new_management_role_assignment(self, call: BoundCall) -> Outcome:
        """New-ManagementRoleAssignment -Role <role> -User <user> (User parameter set, no scopes)."""
        if call.parameter_set != 'User':
            raise lab_not_implemented('New-ManagementRoleAssignment parameter set %s' % call.parameter_set)
        refuse_unmodelled(call, {'Role', 'User', 'Confirm'})
        role = next((known for known in KNOWN_ROLES if known.lower() == _text(call.values['Role']).strip().lower()), None)
        if role is None:
            raise self._not_found(call, _text(call.values['Role']))
        dn = self._user_dn(call, call.values['User'])
        user = self._state['users'][dn.lower()]
        if any(entry['role'] == role and entry['user_dn'] == dn for entry in self._state['role_assignments']):
            # No source for the text (lab choice): the same role assigned twice to one user with the same scope
            raise self._task_error(call, "The role assignment '%s' already exists." % ('%s-%s' % (role, user['name'])),
                                   'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException')
        # Name: REF-EX -Name "If you don't specify a name, a role assignment name is automatically created"; the form
        # <role>-<assignee> (at most 64 characters) is a lab choice (no source).
        entry = {'name': ('%s-%s' % (role, user['name']))[:64], 'role': role, 'user_dn': dn, 'enabled': True}
        self._state['role_assignments'].append(entry)
        return Outcome(objects=[self._assignment_object(entry)], changed=True)

    def remove_management_role_assignment(self, call: BoundCall) -> Outcome:
        """Remove-ManagementRoleAssignment -Identity <name> [-Confirm:$false]."""
        refuse_unmodelled(call, {'Identity', 'Confirm'})
        wanted = _text(call.values['Identity']).strip().lower()
        entries = [entry for entry in self._state['role_assignments'] if entry['name'].lower() == wanted]
        if not entries:
            raise self._not_found(call, _text(call.values['Identity']))
        self._state['role_assignments'].remove(entries[0])
        return Outcome(changed=True)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Skype for Business Server / Lync Server as a partner application of Exchange (integration-procedure.md section 8.1):
what ``Configure-EnterprisePartnerApplication.ps1 -ApplicationType Lync -AuthMetadataUrl https://<pool>/metadata/json/1``
sets up, as one resource of the engine, and the ``partner_`` section of exchange_info.

Sources and what they say (no public copy of the script was found; its internals are not documented):

* EX-OAUTH: the script "configures an Enterprise partner application that self-issues OAuth tokens" and "assigns RBAC
  roles to the partner application" (no names, no roles).
* Account name ``LyncEnterprise-ApplicationAccount`` [non-MS]: German admin wiki "Skype for Business 2015", section
  "Exchange 2013 Integration" ("Erstellt einen Account im AD LyncEnterprise-ApplicationAccount"; check with
  ``Get-ManagementRoleAssignment -RoleAssignee LyncEnterprise-ApplicationAccount`` and ``Get-PartnerApplication Lync*``).
  Public AD exports list ``SharePointEnterprise-ApplicationAccount`` too: ``<ApplicationType>Enterprise-ApplicationAccount``.
* Account kind and roles: the documented manual form (section 15, SFB-SFBO-EXCH, for the Skype Online application):
  ``New-MailUser -Name ... -ExternalEmailAddress ...`` (the DisabledUser parameter set: no password, a disabled account),
  ``Set-MailUser -HiddenFromAddressListsEnabled $true``, ``New-ManagementRoleAssignment -Role UserApplication`` and
  ``-Role ArchiveApplication``. CSS-Exchange FreeBusyChecker checks the same two roles on an application account.
* Partner application name: not published. The module creates ``LyncEnterprise`` (a module choice matching the wiki's
  ``Lync*``) and adopts an existing one by its metadata URL or its identifier instead of creating a duplicate.
* Get-PartnerApplication properties: CSS-Exchange HealthChecker test data (GetPartnerApplication.xml) and FreeBusyChecker:
  ``Name, Enabled, ApplicationIdentifier, CertificateStrings, AuthMetadataUrl, Realm, UseAuthServer, LinkedAccount``
  (``LinkedAccount`` prints as ``contoso.lab/Users/<name>``). The same data hold a ``SfBLegacy`` application with the
  Skype identifier 00000004-... that uses the auth server (Skype Online; versions-and-changes-2025.md: "must not be
  deleted yet"): an application without an AuthMetadataUrl is never adopted, changed or removed here.
* ``CertificateStrings`` holds the certificates the metadata published; that they are base64 X.509 (DER) is an inference
  (no source shows a filled value): a value that does not decode fails the certificate comparison with a clear error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import normalize_uri, uri_equal
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS, local_server, product_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, output_of

SKYPE_APPLICATION_ID = '00000004-0000-0ff1-ce00-000000000000'
DEFAULT_NAME = 'LyncEnterprise'
DEFAULT_ACCOUNT = 'LyncEnterprise-ApplicationAccount'
DEFAULT_ROLES = ('UserApplication', 'ArchiveApplication')
METADATA_PATH = '/metadata/json/1'

APP_PROPERTIES = ['Name', 'Identity', 'Enabled', 'ApplicationIdentifier', 'AuthMetadataUrl', 'Realm', 'UseAuthServer',
                  'LinkedAccount', 'CertificateStrings']
USER_PROPERTIES = ['Name', 'Identity', 'DistinguishedName', 'RecipientType', 'RecipientTypeDetails', 'UserAccountControl']
MAILUSER_PROPERTIES = ['Name', 'Identity', 'DistinguishedName', 'HiddenFromAddressListsEnabled', 'ExternalEmailAddress']
ROLE_PROPERTIES = ['Name', 'Identity', 'Role', 'RoleAssigneeName', 'Enabled']

# An account name the OPATH filter can carry safely: letters, digits, space, dot, underscore, hyphen (AD allows more;
# the module refuses the rest rather than quote them).
_ACCOUNT_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$')
_ROLE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$')
_THUMBPRINT = re.compile(r'^[0-9A-F]{40}$')


def thumbprint_of(certificate_string):
    """SHA-1 thumbprint (upper-case hex) of a base64 X.509 certificate; ValueError when it is not base64."""
    try:
        der = base64.b64decode(''.join(str(certificate_string).split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError('not base64') from None
    if not der or der[0] != 0x30:
        raise ValueError('not a DER certificate')
    return hashlib.sha1(der).hexdigest().upper()  # nosec - a certificate thumbprint is SHA-1 by definition


def thumbprints(certificate_strings):
    """(thumbprints, undecodable count) of a CertificateStrings value."""
    found, bad = [], 0
    for value in certificate_strings or []:
        try:
            found.append(thumbprint_of(value))
        except ValueError:
            bad += 1
    return found, bad


def account_name_of(linked_account):
    """The account name from LinkedAccount ('contoso.local/Users/Name' -> 'Name'); None when unset."""
    if not linked_account:
        return None
    return str(linked_account).rstrip('/').rsplit('/', 1)[-1]


def name_filter(name):
    """The OPATH filter selecting one object by Name (the name is checked by validate: it holds no quote)."""
    return "Name -eq '%s'" % name


def is_metadata_application(row):
    """An application configured from a metadata document (not one that trusts an auth server)."""
    return bool(row.get('AuthMetadataUrl'))


def validate(params):
    """Check the options before anything is sent; returns the desired values (see SkypePartnerApplication.desired)."""
    state = params.get('state') or 'present'
    account = params.get('linked_account') or DEFAULT_ACCOUNT
    if not _ACCOUNT_NAME.match(account):
        raise OptionError('linked_account %r: use letters, digits, spaces, dots, underscores and hyphens only (at most 64), '
                          'for example %s.' % (account, DEFAULT_ACCOUNT))
    name = params.get('name') or DEFAULT_NAME
    if not _ACCOUNT_NAME.match(name):
        raise OptionError('name %r: use letters, digits, spaces, dots, underscores and hyphens only (at most 64), for '
                          'example %s.' % (name, DEFAULT_NAME))
    roles = list(params.get('roles') if params.get('roles') is not None else DEFAULT_ROLES)
    for role in roles:
        if not _ROLE_NAME.match(role or ''):
            raise OptionError('roles: %r is not a management role name (for example UserApplication).' % (role,))
    if len(set(role.casefold() for role in roles)) != len(roles):
        raise OptionError('roles: each role once, please (got %s).' % ', '.join(roles))
    url = params.get('auth_metadata_url')
    thumbprint = params.get('skype_certificate_thumbprint')
    if state == 'absent':
        if params.get('refresh_metadata') or thumbprint:
            raise OptionError('refresh_metadata and skype_certificate_thumbprint apply to state=present only.')
        return {'state': state, 'name': name, 'account': account, 'roles': roles, 'url': url and _checked_url(url)}
    if not url:
        raise OptionError('auth_metadata_url is required with state=present: the Skype for Business pool metadata URL, '
                          'https://<pool FQDN>%s.' % METADATA_PATH)
    desired = {'state': state, 'name': name, 'account': account, 'roles': roles, 'url': _checked_url(url)}
    if thumbprint is not None:
        normalized = ''.join(thumbprint.split()).upper()
        if not _THUMBPRINT.match(normalized):
            raise OptionError('skype_certificate_thumbprint %r is not a certificate thumbprint (40 hexadecimal digits, the '
                              'Thumbprint of Get-CsCertificate -Type OAuthTokenIssuer or of skype_info).' % thumbprint)
        desired['thumbprint'] = normalized
    address = params.get('linked_account_address')
    if address is not None and not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', address):
        raise OptionError('linked_account_address %r is not an e-mail address.' % address)
    desired['address'] = address or '%s@%s' % (account, _parent_domain(desired['url']))
    return desired


def _checked_url(url):
    try:
        normalized = normalize_uri(url)
    except ValueError as error:
        raise OptionError('auth_metadata_url: %s. Give https://<Skype for Business pool FQDN>%s.' % (error, METADATA_PATH)) from None
    if not normalized.startswith('https://'):
        raise OptionError('auth_metadata_url must use https:// (Exchange downloads the metadata over TLS); got %s.' % url)
    path = normalized.split('/', 3)[3] if normalized.count('/') >= 3 else ''
    if '/' + path.lower().rstrip('/') != METADATA_PATH or '?' in normalized or '#' in normalized:
        host = normalized.split('/')[2]
        raise OptionError('auth_metadata_url %s: the Skype for Business metadata document is https://<pool FQDN>%s '
                          '(integration-procedure.md section 8); use https://%s%s.' % (url, METADATA_PATH, host, METADATA_PATH))
    return url


def _parent_domain(url):
    host = normalize_uri(url).split('/')[2].split(':')[0]
    labels = host.split('.')
    return '.'.join(labels[1:]) if len(labels) > 2 else host


class _Exact(Property):
    """A property compared exactly (booleans, existence)."""

    def equal(self, desired, current):
        return desired == current

    def stored(self, value):
        return value


class _NameOf(Property):
    """LinkedAccount: compared by the account name (the server shows domain/OU path/name)."""

    def equal(self, desired, current):
        return (account_name_of(desired) or '').casefold() == (account_name_of(current) or '').casefold()


class _Roles(Property):
    """The roles assigned to the linked account: a set, case-insensitive."""

    def equal(self, desired, current):
        return sorted(r.casefold() for r in desired or []) == sorted(r.casefold() for r in current or [])

    def stored(self, value):
        return list(value or [])


class _Holds(Property):
    """The certificate thumbprints the application holds: equal when they include the desired one."""

    def equal(self, desired, current):
        return desired in (current or [])

    def stored(self, value):
        return [value]


class _Always(Property):
    """An action the user asked for: never already done."""

    def equal(self, desired, current):
        return False

    def stored(self, value):
        return None


def reads(account, prefix='partner'):
    """The read invocations: every partner application, the linked account (as user and as mail user), its roles."""
    return [
        Invocation('%s_apps' % prefix, 'Get-PartnerApplication', properties=APP_PROPERTIES),
        Invocation('%s_user' % prefix, 'Get-User', parameters={'Filter': name_filter(account)}, properties=USER_PROPERTIES),
        Invocation('%s_mailuser' % prefix, 'Get-MailUser', parameters={'Filter': name_filter(account)}, properties=MAILUSER_PROPERTIES),
        # once per account found (none: no call), so a missing account is never an error
        Invocation('%s_roles' % prefix, 'Get-ManagementRoleAssignment', properties=ROLE_PROPERTIES,
                   foreach=('%s_user' % prefix, 'DistinguishedName', 'RoleAssignee')),
    ]


def info_reads(account=DEFAULT_ACCOUNT):
    """The reads of the exchange_info section (keys ``partner_*``)."""
    return reads(account)


def _app_report(row):
    prints, bad = thumbprints(row.get('CertificateStrings'))
    return {
        'name': row.get('Name'),
        'application_identifier': row.get('ApplicationIdentifier'),
        'auth_metadata_url': row.get('AuthMetadataUrl') or None,
        'realm': row.get('Realm') or None,
        'enabled': row.get('Enabled'),
        'use_auth_server': row.get('UseAuthServer'),
        'linked_account': row.get('LinkedAccount') or None,
        'certificate_thumbprints': prints,
    }


def _account_report(response, prefix='partner'):
    users = response.output('%s_user' % prefix)
    if not users:
        return None
    user = users[0]
    mail = next(iter(response.output('%s_mailuser' % prefix)), None)
    return {
        'name': user.get('Name'),
        'distinguished_name': user.get('DistinguishedName'),
        'recipient_type': user.get('RecipientType'),
        'recipient_type_details': user.get('RecipientTypeDetails'),
        'user_account_control': user.get('UserAccountControl'),
        'hidden_from_address_lists': None if mail is None else mail.get('HiddenFromAddressListsEnabled'),
        'roles': sorted(str(row.get('Role')) for row in response.output('%s_roles' % prefix)),
    }


def _finding(code, severity, message):
    # the shape of every exchange_info finding (module_utils/exchange/info.py)
    return {'id': 'partner_application_%s' % code, 'severity': severity, 'feature': 'partner_applications', 'server': None,
            'message': message, 'source': 'CSS-Exchange FreeBusyChecker (partner application and application account checks)'}


def findings(apps, account, roles=DEFAULT_ROLES):
    """What FreeBusyChecker checks on its application (Enabled, identifier, realm, linked account, account disabled,
    UserApplication and ArchiveApplication assigned), applied to the Skype for Business metadata application(s)."""
    found = []
    skype = [app for app in apps if (app['application_identifier'] or '').lower() == SKYPE_APPLICATION_ID and app['auth_metadata_url']]
    if not skype:
        found.append(_finding('missing', 'error', 'No Skype for Business / Lync partner application configured from metadata (identifier %s): '
                              'run Configure-EnterprisePartnerApplication.ps1 -ApplicationType Lync or exchange_partner_application.'
                              % SKYPE_APPLICATION_ID))
    if len(skype) > 1:
        found.append(_finding('duplicate', 'warning', '%d Skype for Business partner applications from metadata (%s): keep one.'
                              % (len(skype), ', '.join(app['name'] for app in skype))))
    for app in skype:
        if app['enabled'] is not True:
            found.append(_finding('disabled', 'error', 'Partner application %s is disabled.' % app['name']))
        if not app['realm']:
            found.append(_finding('no_realm', 'warning', 'Partner application %s has no Realm: its metadata did not give one.' % app['name']))
        if not app['certificate_thumbprints']:
            found.append(_finding('no_certificate', 'error', 'Partner application %s holds no certificate from its metadata: refresh it '
                                  '(Set-PartnerApplication -RefreshAuthMetadata).' % app['name']))
        linked = account_name_of(app['linked_account'])
        if not linked:
            found.append(_finding('no_linked_account', 'error', 'Partner application %s has no LinkedAccount: its RBAC roles cannot apply.'
                                  % app['name']))
        elif account is None or linked.casefold() != (account['name'] or '').casefold():
            found.append(_finding('other_linked_account', 'warning', 'Partner application %s links %s, which is not the account checked here.'
                                  % (app['name'], app['linked_account'])))
    if account is None:
        found.append(_finding('no_account', 'error', 'The application account %s does not exist.' % DEFAULT_ACCOUNT))
        return found
    if 'AccountDisabled' not in str(account['user_account_control'] or ''):
        found.append(_finding('account_enabled', 'warning', 'The application account %s is not disabled (UserAccountControl %s).'
                              % (account['name'], account['user_account_control'])))
    for role in roles:
        if role.casefold() not in [r.casefold() for r in account['roles']]:
            found.append(_finding('role_missing', 'error', 'The application account %s lacks the %s role assignment.' % (account['name'], role)))
    return found


def info(response):
    """The ``partner_applications`` section of exchange_info from the reads of ``info_reads``."""
    apps = [_app_report(row) for row in response.output('partner_apps')]
    account = _account_report(response)
    return {'partner_applications': apps, 'skype_application_account': account, 'partner_application_findings': findings(apps, account)}


class SkypePartnerApplication(Resource):
    """The Skype partner application with its linked account and role assignments, as one object of the engine.

    The state of the object joins the three sub-resources: ``PartnerApplication``/``Account`` (whether they exist), the
    application's ``AuthMetadataUrl``, ``Enabled``, ``LinkedAccount`` and ``CertificateThumbprints``, the account's
    ``AccountHidden`` and its ``Roles``. The object exists when any part does, so the plan creates only what is missing
    (``write`` with the missing parts as changes) and ``absent`` removes whatever is left. One read request reads every
    part; the write request ends with the same reads (``verify``).
    """

    current_key = 'partner'
    after_key = 'partner_after'
    properties = (
        _Exact('state', 'PartnerApplication'),
        Property('auth_metadata_url', 'AuthMetadataUrl', 'uri_text'),
        _Exact('enabled', 'Enabled'),
        _NameOf('linked_account', 'LinkedAccount'),
        _Exact('linked_account', 'Account'),
        _Exact('linked_account', 'AccountHidden'),
        _Roles('roles', 'Roles'),
        _Holds('skype_certificate_thumbprint', 'CertificateThumbprints'),
        _Always('refresh_metadata', 'RefreshMetadata'),
    )

    def __init__(self, params, host):
        super().__init__(params)
        self.host = host
        self.options = validate(params)
        self.current = {}

    def desired(self):
        if self.options['state'] == 'absent':
            return {}
        desired = {'PartnerApplication': True, 'AuthMetadataUrl': self.options['url'], 'Enabled': self.params.get('enabled', True) is not False,
                   'LinkedAccount': self.options['account'], 'Account': True, 'AccountHidden': True, 'Roles': list(self.options['roles'])}
        if self.options.get('thumbprint'):
            desired['CertificateThumbprints'] = self.options['thumbprint']
        if self.params.get('refresh_metadata'):
            desired['RefreshMetadata'] = True
        return desired

    def reads(self):
        return [SERVERS] + reads(self.options['account'])

    def context(self, response):
        # reported only: no cmdlet here differs between versions (the cmdlet reference lists 2013 to SE for all of them)
        row = local_server(response)
        return {'product': product_of(row.get('AdminDisplayVersion')) if row else None}

    def objects(self, response, key, context=None):
        """{name: state} of the one composite object (empty when no part exists)."""
        apps = response.output('%s_apps' % key)
        app = self._adopt(apps)
        users = response.output('%s_user' % key)
        if len(users) > 1:
            raise OptionError('%d accounts are named %s (%s): give linked_account a name only one account has.'
                              % (len(users), self.options['account'], '; '.join(str(u.get('DistinguishedName')) for u in users)))
        user = users[0] if users else None
        mail = next(iter(response.output('%s_mailuser' % key)), None)
        assignments = response.output('%s_roles' % key)
        if app is None and user is None:
            self.current = {}
            return {}
        prints, bad = thumbprints(app.get('CertificateStrings')) if app else ([], 0)
        if bad and self.options.get('thumbprint') and key == self.current_key:
            raise ScriptFailure('Partner application %s holds %d CertificateStrings value(s) that are not base64 certificates, '
                                'so skype_certificate_thumbprint cannot be compared: use refresh_metadata: true instead.'
                                % (app.get('Name'), bad), host=self.host)
        state = {
            'PartnerApplication': app is not None,
            'AuthMetadataUrl': app.get('AuthMetadataUrl') if app else None,
            'Enabled': app.get('Enabled') if app else None,
            'LinkedAccount': app.get('LinkedAccount') if app else None,
            'Account': user is not None,
            'AccountHidden': bool(mail and mail.get('HiddenFromAddressListsEnabled')),
            'Roles': sorted(set(str(row.get('Role')) for row in assignments)),
            'CertificateThumbprints': prints,
            'RefreshMetadata': None,
            # not managed, reported
            'ApplicationIdentifier': app.get('ApplicationIdentifier') if app else None,
            'Realm': app.get('Realm') if app else None,
            'AccountDistinguishedName': user.get('DistinguishedName') if user else None,
            'AccountIsMailUser': mail is not None,
            'Assignments': [(str(row.get('Role')), str(row.get('Identity') or row.get('Name'))) for row in assignments],
        }
        name = app.get('Name') if app else self.options['name']
        if key == self.current_key:
            self.current = state
        return {name: state}

    def _adopt(self, apps):
        """The partner application this task manages: by name, else by metadata URL, else by the Skype identifier
        (metadata applications only: an auth-server application such as SfBLegacy is never taken)."""
        name = self.options['name']
        by_name = [row for row in apps if (row.get('Name') or '').casefold() == name.casefold()]
        if by_name:
            if not is_metadata_application(by_name[0]):
                raise OptionError('Partner application %s exists but trusts an auth server (no AuthMetadataUrl; for example '
                                  'the Skype Online application, which must stay): give name another value.' % name)
            return by_name[0]
        url = self.options.get('url')
        found = [row for row in apps if url and is_metadata_application(row) and uri_equal(url, row.get('AuthMetadataUrl'))]
        if not found:
            found = [row for row in apps if is_metadata_application(row)
                     and (row.get('ApplicationIdentifier') or '').lower() == SKYPE_APPLICATION_ID]
        if len(found) > 1:
            raise OptionError('%d Skype for Business partner applications exist (%s): give name to say which one this task '
                              'manages, and remove the others.' % (len(found), ', '.join(str(row.get('Name')) for row in found)))
        return found[0] if found else None

    def create(self, identity, desired, context):
        empty = {'PartnerApplication': False, 'Account': False, 'Roles': [], 'AccountHidden': False, 'Assignments': [],
                 'AccountDistinguishedName': None, 'AccountIsMailUser': False}
        self.current = empty
        return self.write(identity, self.changes(desired, empty), context)

    def new_identity(self, desired, context):
        return self.options['name']

    def write(self, identity, changes, context):
        """The invocations for what differs, account first (the application links it), then roles, then the application."""
        current = self.current
        account = self.options['account']
        invocations = []
        account_ref = current.get('AccountDistinguishedName')
        if not current.get('Account'):
            invocations.append(Invocation('partner_new_account', 'New-MailUser', parameters={
                'Name': account, 'ExternalEmailAddress': self.options['address']},
                properties=['Name', 'DistinguishedName'], description='New-MailUser -Name %s' % account))
            account_ref = output_of('partner_new_account', 'DistinguishedName')
        if 'AccountHidden' in changes:
            if current.get('Account') and not current.get('AccountIsMailUser'):
                raise OptionError('The account %s exists but is not a mail user, so it cannot be hidden from address lists: '
                                  'remove it or give linked_account another name.' % account)
            invocations.append(Invocation('partner_hide_account', 'Set-MailUser', parameters={
                'Identity': account_ref, 'HiddenFromAddressListsEnabled': True},
                description='Set-MailUser -Identity %s -HiddenFromAddressListsEnabled $true' % account))
        if 'Roles' in changes:
            have = dict((role.casefold(), role) for role in current.get('Roles') or [])
            want = dict((role.casefold(), role) for role in changes['Roles'])
            for folded, role in want.items():
                if folded not in have:
                    invocations.append(Invocation('partner_role_%d' % len(invocations), 'New-ManagementRoleAssignment', parameters={
                        'Role': role, 'User': account_ref}, description='New-ManagementRoleAssignment -Role %s -User %s' % (role, account)))
            for role, assignment in current.get('Assignments') or []:
                if role.casefold() not in want:
                    invocations.append(Invocation('partner_unrole_%d' % len(invocations), 'Remove-ManagementRoleAssignment', parameters={
                        'Identity': assignment, 'Confirm': False}, description='Remove-ManagementRoleAssignment -Identity %s' % assignment))
        invocations.extend(self._application(identity, changes, current))
        return invocations

    def _application(self, identity, changes, current):
        url = self.options['url']
        trust = {'TrustAnySSLCertificate': {'__ucops_type': 'switch', 'value': True}} if self.params.get('trust_any_ssl_certificate') else {}
        enabled = self.params.get('enabled', True) is not False
        if not current.get('PartnerApplication'):
            parameters = dict({'Name': identity, 'AuthMetadataUrl': url, 'LinkedAccount': self.options['account'], 'Enabled': enabled}, **trust)
            return [Invocation('partner_new_app', 'New-PartnerApplication', parameters=parameters,
                               description='New-PartnerApplication -Name %s -AuthMetadataUrl %s' % (identity, url))]
        invocations = []
        settings = {}
        if 'Enabled' in changes:
            settings['Enabled'] = enabled
        if 'LinkedAccount' in changes:
            settings['LinkedAccount'] = self.options['account']
        if 'AuthMetadataUrl' in changes:
            # setting the URL makes Exchange read the metadata again [inference: as New-PartnerApplication does]
            invocations.append(Invocation('partner_set_app', 'Set-PartnerApplication',
                                          parameters=dict(settings, Identity=identity, AuthMetadataUrl=url, **trust),
                                          description='Set-PartnerApplication -Identity %s -AuthMetadataUrl %s' % (identity, url)))
            settings = {}
        if settings or 'RefreshMetadata' in changes or ('CertificateThumbprints' in changes and 'AuthMetadataUrl' not in changes):
            # Enabled and LinkedAccount are in all three parameter sets of Set-PartnerApplication and the reference names
            # no default set, so alone they cannot be bound (AmbiguousParameterSet): every Set names its set, here with
            # -RefreshAuthMetadata, which only reads the metadata again (REF-EX: "refreshes the auth metadata").
            invocations.append(Invocation('partner_refresh_app', 'Set-PartnerApplication', parameters=dict(
                settings, Identity=identity, RefreshAuthMetadata={'__ucops_type': 'switch', 'value': True}),
                description='Set-PartnerApplication -Identity %s -RefreshAuthMetadata%s' % (
                    identity, ''.join(' -%s' % name for name in sorted(settings)))))
        return invocations

    def remove(self, identity, current, context):
        """Remove the application, the account's role assignments and the account (a mail user only; a plain user is left
        and a warning says so)."""
        invocations = []
        if current.get('PartnerApplication'):
            invocations.append(Invocation('partner_remove_app', 'Remove-PartnerApplication', parameters={'Identity': identity, 'Confirm': False},
                                          description='Remove-PartnerApplication -Identity %s' % identity))
        for index, (role, assignment) in enumerate(current.get('Assignments') or []):
            invocations.append(Invocation('partner_remove_role_%d' % index, 'Remove-ManagementRoleAssignment',
                                          parameters={'Identity': assignment, 'Confirm': False},
                                          description='Remove-ManagementRoleAssignment -Identity %s' % assignment))
        if current.get('Account') and current.get('AccountIsMailUser'):
            invocations.append(Invocation('partner_remove_account', 'Remove-MailUser',
                                          parameters={'Identity': current['AccountDistinguishedName'], 'Confirm': False},
                                          description='Remove-MailUser -Identity %s' % self.options['account']))
        return invocations

    def verify(self, context):
        return reads(self.options['account'], prefix=self.after_key)

    def report(self, identity, state):
        return {
            'name': identity,
            'exists': bool(state.get('PartnerApplication')),
            'auth_metadata_url': state.get('AuthMetadataUrl'),
            'enabled': state.get('Enabled'),
            'application_identifier': state.get('ApplicationIdentifier'),
            'realm': state.get('Realm'),
            'linked_account': state.get('LinkedAccount'),
            'certificate_thumbprints': list(state.get('CertificateThumbprints') or []),
            'account': {'name': self.options['account'], 'exists': bool(state.get('Account')),
                        'hidden_from_address_lists': bool(state.get('AccountHidden')), 'roles': sorted(state.get('Roles') or [])},
        }

    def notes(self, before, after, writes, context, sent):
        notes = []
        if self.params.get('trust_any_ssl_certificate') and writes:
            notes.append('trust_any_ssl_certificate: Microsoft does not recommend -TrustAnySSLCertificate in production.')
        current = next(iter(before.values()), {})
        if self.wanted() == 'absent' and current.get('Account') and not current.get('AccountIsMailUser'):
            notes.append('The account %s is not a mail user; it was left in place.' % self.options['account'])
        thumbprint = self.options.get('thumbprint')
        state = next(iter(after.values()), {})
        if sent and thumbprint and thumbprint not in (state.get('CertificateThumbprints') or []):
            notes.append('After the refresh, partner application %s still does not hold certificate %s: the metadata at %s '
                         'publishes %s. Check that Skype for Business uses that OAuthTokenIssuer certificate and that the '
                         'URL points at that deployment.' % (next(iter(after)), thumbprint, self.options['url'],
                                                             ', '.join(state.get('CertificateThumbprints') or []) or 'none'))
        return notes

    def result(self, after, changed, context):
        report = next(iter(after.values()), None)
        return {'exchange_version': context['product'], 'partner_application': report}

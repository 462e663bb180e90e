# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange as a partner application of Skype for Business Server / Lync Server 2013 (integration-procedure.md section
8.2), as one resource of the engine, and the ``partner_`` section of skype_info.

Sources and what they say:

* SFB-PARTNER: ``New-CsPartnerApplication -Identity Exchange -ApplicationTrustLevel Full -MetadataUrl
  "https://autodiscover.litwareinc.com/autodiscover/metadata/json/1"``; the trust level should be Full.
* SFB-ONPREM-PA (Microsoft's idempotent script): reads ``microsoft.exchange``, creates it from the metadata URL when
  missing, re-creates it when its ApplicationIdentifier is not Exchange's (00000002-0000-0ff1-ce00-000000000000), else
  sets ``-ApplicationTrustLevel Full``; then ``Set-CsOAuthConfiguration -ServiceName 00000004-...`` (skype_oauth_configuration).
* Identity names differ between Microsoft's pages (``Exchange``, ``microsoft.exchange``, ``MicrosoftExchange``): the
  application is found by its identifier and metadata URL, and an existing one is adopted under its own name (an
  XDS Identity cannot be renamed: Set-CsPartnerApplication has no parameter for it).
* REF-SFB: ApplicationIdentifier and MetadataUrl are in different parameter sets ("You cannot use the ApplicationIdentifier
  parameter and the MetadataUrl parameter in the same command"): the identifier always comes from the metadata here.
  Set-CsPartnerApplication has a MetadataUrl set: the URL changes in place.
* A failed download (SFB-ONPREM-PA): "Cannot bind parameter 'MetadataUrl' to the target. Exception setting "MetadataUrl":
  "The metadata document could not be downloaded from the URL in the MetadataUrl parameter or downloaded data is not a
  valid metadata document."": ``explain`` turns it into the checks to make from the Front End.
* An application with the Exchange identifier that trusts the OAuth server (``-UseOAuthServer``, SFB-HYBRID-S2S: Exchange
  Online) is never adopted, changed or removed here, and none is created beside it (two applications with one identifier
  are not documented).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import normalize_uri, uri_equal
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure, OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource, run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version

EXCHANGE_APPLICATION_ID = '00000002-0000-0ff1-ce00-000000000000'
METADATA_PATH = '/autodiscover/metadata/json/1'
# the Skype pool's own metadata path (section 8: Exchange's side of the partnership uses it)
SKYPE_METADATA_PATH = '/metadata/json/1'
DEFAULT_NAME = 'microsoft.exchange'
TRUST_LEVELS = ('Full', 'Application', 'User')
PROPERTIES = ['Identity', 'ApplicationIdentifier', 'Realm', 'ApplicationTrustLevel', 'Enabled', 'MetadataUrl',
              'AcceptSecurityIdentifierInformation', 'UseOAuthServer']
# the part of the cmdlet's text (SFB-ONPREM-PA) that says the metadata could not be downloaded
METADATA_FAILURE = 'metadata document could not be downloaded'
# a global-relative XDS identity: no scope prefix ("site:", "service:") and no slash (module choice; the product's own
# rule is not documented)
_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
# -Filter '*' returns every application (REF-SFB: -Filter takes wildcards); a bare Get-CsPartnerApplication fits both
# parameter sets and the reference names no default one
ALL = {'Filter': '*'}


def _lower(value):
    return str(value or '').lower()


def is_exchange(row):
    """The application carries Exchange's identifier."""
    return _lower(row.get('ApplicationIdentifier')) == EXCHANGE_APPLICATION_ID


def is_metadata(row):
    """The application was configured from a metadata document (not the OAuth server, not a certificate)."""
    return bool(row.get('MetadataUrl'))


def validate_url(url):
    """Refuse anything but https://<host>/autodiscover/metadata/json/1, naming the fix; returns the URL as given."""
    try:
        normalized = normalize_uri(url)
    except ValueError as error:
        raise OptionError('metadata_url: %s. Give https://<Exchange server or autodiscover FQDN>%s.' % (error, METADATA_PATH)) from None
    parts = urlsplit(normalized)
    if parts.scheme != 'https':
        raise OptionError('metadata_url must use https:// (Skype for Business downloads the Exchange metadata over TLS); got %s.' % url)
    path = parts.path.rstrip('/').lower()
    if path != METADATA_PATH or parts.query or parts.fragment:
        hint = ''
        if path == SKYPE_METADATA_PATH:
            hint = (' %s is the Skype for Business pool\'s own metadata path, which Exchange uses for its side '
                    '(exchange_partner_application).' % SKYPE_METADATA_PATH)
        raise OptionError('metadata_url %s: the Exchange metadata document is https://<Exchange server or autodiscover FQDN>%s '
                          '(integration-procedure.md section 8); use https://%s%s.%s' % (url, METADATA_PATH, parts.netloc, METADATA_PATH, hint))
    return url


def validate(params):
    """The options checked before anything is sent: {'state', 'name', 'url', 'trust'}."""
    state = params.get('state') or 'present'
    name = params.get('name') or DEFAULT_NAME
    if not _NAME.match(name):
        raise OptionError('name %r: use letters, digits, dots, underscores and hyphens only (at most 64), for example %s.' % (name, DEFAULT_NAME))
    url = params.get('metadata_url')
    if state == 'present' and not url:
        raise OptionError('metadata_url is required with state=present: the Exchange metadata document, for example '
                          'https://autodiscover.contoso.com%s.' % METADATA_PATH)
    trust = params.get('application_trust_level') or 'Full'
    matched = [level for level in TRUST_LEVELS if level.lower() == str(trust).lower()]
    if not matched:
        raise OptionError('application_trust_level must be one of %s (got %s); Microsoft recommends Full.' % (', '.join(TRUST_LEVELS), trust))
    return {'state': state, 'name': name, 'url': validate_url(url) if url else None, 'trust': matched[0]}


def _listing(rows):
    return ', '.join('%s (%s)' % (row.get('Identity'), row.get('MetadataUrl') or 'no metadata URL') for row in rows)


def choose(rows, name, url, state='present'):
    """(the application this task manages or None, the other Exchange metadata applications) among every row read.

    Exchange's applications are the metadata applications with Exchange's identifier or the desired URL. One is adopted
    whatever its name; several are told apart by name, then by URL. With none, an application holding the name must not
    be something else, and none may trust the OAuth server for Exchange (it would share the identifier).
    """
    mine = [row for row in rows if is_metadata(row) and (is_exchange(row) or (url and uri_equal(url, row.get('MetadataUrl'))))]
    if len(mine) > 1:
        for picked in ([row for row in mine if _lower(row.get('Identity')) == name.lower()],
                       [row for row in mine if url and uri_equal(url, row.get('MetadataUrl'))]):
            if len(picked) == 1:
                return picked[0], [row for row in mine if row is not picked[0]]
        raise OptionError('%d partner applications for Exchange exist: %s. Give name to say which one this task manages, and remove '
                          'the others.' % (len(mine), _listing(mine)))
    if mine:
        return mine[0], []
    if state == 'absent':
        return None, []
    taken = [row for row in rows if _lower(row.get('Identity')) == name.lower()]
    if taken:
        row = taken[0]
        if is_metadata(row):
            raise OptionError('Partner application %s exists for another application (identifier %s, metadata URL %s), not for '
                              'Exchange: give name another value, or remove it if it is a leftover.'
                              % (row.get('Identity'), row.get('ApplicationIdentifier'), row.get('MetadataUrl')))
        raise OptionError('Partner application %s exists but is not configured from a metadata document (%s): it is left alone; '
                          'give name another value.' % (row.get('Identity'), 'it trusts the OAuth server' if row.get('UseOAuthServer')
                                                        else 'it holds a certificate'))
    online = [row for row in rows if is_exchange(row) and not is_metadata(row)]
    if online:
        raise OptionError('Partner application %s already has the Exchange identifier %s and %s (for example Exchange Online through '
                          'the OAuth server, a hybrid configuration): a second application with the same identifier is not '
                          'documented. Remove it first if on-premises Exchange is the partner (this module leaves it alone).'
                          % (online[0].get('Identity'), EXCHANGE_APPLICATION_ID,
                             'trusts the OAuth server' if online[0].get('UseOAuthServer') else 'holds a certificate'))
    return None, []


def explain(error, url):
    """The CmdletFailure a failed metadata download becomes: what failed and the three checks on the Front End. Other
    errors are returned unchanged."""
    if not isinstance(error, CmdletFailure) or METADATA_FAILURE not in str(error.message or '').lower():
        return error
    host = urlsplit(url).hostname if url else '<host of metadata_url>'
    front_end = error.host or 'the Front End'
    message = ('Skype for Business could not download the Exchange metadata document %s (%s). Check on the Front End %s: '
               '1) DNS: %s resolves there (Resolve-DnsName %s); '
               '2) certificate: the Front End trusts the certificate Exchange presents for %s (that name is on it and its root CA is '
               'in the Front End\'s Trusted Root Certification Authorities store); '
               '3) reachability: Exchange answers over https from the Front End (port 443, no proxy in the way: '
               'Invoke-WebRequest %s -UseBasicParsing). The URL must be https://<Exchange server or autodiscover FQDN>%s.'
               % (url, error.message, front_end, host, host, host, url, METADATA_PATH))
    explained = CmdletFailure(message, host=error.host, details=error.details, changes_made=error.changes_made,
                              possible_changes=error.possible_changes)
    explained.delivered = error.delivered
    return explained


def report(row):
    """Return shape of one Get-CsPartnerApplication row (also the skype_info section's entries)."""
    return {
        'identity': row.get('Identity'),
        'application_identifier': row.get('ApplicationIdentifier'),
        'realm': row.get('Realm') or None,
        'metadata_url': row.get('MetadataUrl') or None,
        'application_trust_level': row.get('ApplicationTrustLevel'),
        'enabled': row.get('Enabled'),
        'accept_security_identifier_information': row.get('AcceptSecurityIdentifierInformation'),
        'use_oauth_server': row.get('UseOAuthServer'),
    }


def info_reads():
    """The reads of the skype_info section (keys ``partner_*``)."""
    return [Invocation('partner_apps', 'Get-CsPartnerApplication', parameters=dict(ALL), properties=PROPERTIES)]


def _finding(code, severity, message):
    # the shape of every info finding (module_utils/exchange/partner_application.py)
    return {'id': 'partner_application_%s' % code, 'severity': severity, 'feature': 'partner_applications', 'server': None,
            'message': message, 'source': 'integration-procedure.md section 8.2 (SFB-PARTNER, SFB-ONPREM-PA)'}


def findings(apps):
    """Checks on the Exchange partner application(s) (report() dicts): present, one, enabled, trust level Full."""
    found = []
    exchange = [app for app in apps if _lower(app['application_identifier']) == EXCHANGE_APPLICATION_ID]
    metadata = [app for app in exchange if app['metadata_url']]
    if not exchange:
        found.append(_finding('missing', 'error', 'Skype for Business has no partner application for Exchange (identifier %s): run '
                              'skype_partner_application, or New-CsPartnerApplication -Identity %s -ApplicationTrustLevel Full '
                              '-MetadataUrl https://<autodiscover FQDN>%s.' % (EXCHANGE_APPLICATION_ID, DEFAULT_NAME, METADATA_PATH)))
    if len(metadata) > 1:
        found.append(_finding('duplicate', 'warning', '%d partner applications for Exchange from metadata (%s): keep one.'
                              % (len(metadata), ', '.join(app['identity'] for app in metadata))))
    for app in exchange:
        if not app['metadata_url']:
            found.append(_finding('oauth_server', 'info', 'Partner application %s for Exchange %s: that is the Exchange Online (hybrid) '
                                  'form; on-premises Exchange is trusted from its metadata document.'
                                  % (app['identity'], 'trusts the OAuth server' if app['use_oauth_server'] else 'holds a certificate')))
        if app['enabled'] is not True:
            found.append(_finding('disabled', 'error', 'Partner application %s for Exchange is disabled.' % app['identity']))
        if _lower(app['application_trust_level']) != 'full':
            found.append(_finding('trust_level', 'warning', 'Partner application %s for Exchange has trust level %s: Microsoft sets Full, '
                                  'so that Exchange can represent itself and any user in the realm (SFB-PARTNER).'
                                  % (app['identity'], app['application_trust_level'])))
    return found


def info(response):
    """The ``partner_applications`` section of skype_info from the reads of ``info_reads``."""
    apps = [report(row) for row in response.output('partner_apps')]
    return {'partner_applications': apps, 'partner_application_findings': findings(apps)}


class _Exact(Property):
    """A property compared exactly (booleans)."""

    def equal(self, desired, current):
        return desired == current

    def stored(self, value):
        return value


class ExchangePartnerApplication(Resource):
    """The Exchange partner application of the deployment (global: one Front End per deployment writes it)."""

    current_key = 'partner'
    after_key = 'partner_after'
    properties = (
        # a string parameter: stored as given, compared as a URL
        Property('metadata_url', 'MetadataUrl', 'uri_text'),
        Property('application_trust_level', 'ApplicationTrustLevel', 'text'),
        _Exact('enabled', 'Enabled'),
        _Exact('accept_security_identifier_information', 'AcceptSecurityIdentifierInformation'),
    )
    # Nothing forces a re-create: Set-CsPartnerApplication changes the URL in place (its MetadataUrl set), the identifier
    # comes from the metadata, and the Identity is never renamed (an existing application is adopted under its name).
    recreate = ()

    def __init__(self, params):
        super().__init__(params)
        self.options = validate(params)
        self.managed = None
        self.others = []

    def wanted(self):
        return self.options['state']

    def desired(self):
        if self.options['state'] == 'absent':
            return {}
        desired = {'MetadataUrl': self.options['url'], 'ApplicationTrustLevel': self.options['trust'],
                   'Enabled': self.params.get('enabled') is not False}
        if self.params.get('accept_security_identifier_information') is not None:
            desired['AcceptSecurityIdentifierInformation'] = self.params['accept_security_identifier_information']
        return desired

    def reads(self):
        return [Invocation('version', 'Get-CsServerVersion'),
                Invocation(self.current_key, 'Get-CsPartnerApplication', parameters=dict(ALL), properties=PROPERTIES)]

    def context(self, response):
        return {'product': parse_server_version((response.output('version') or [''])[0])['product']}

    def state(self, row):
        return dict((name, row.get(name)) for name in PROPERTIES)

    def objects(self, response, key, context=None):
        """{identity: state} of the one application managed: chosen among those read (``choose``), then the same one (or
        the one just created) in the verifying read."""
        rows = response.output(key)
        if key == self.current_key:
            row, self.others = choose(rows, self.options['name'], self.options['url'], self.options['state'])
            self.managed = row.get('Identity') if row else None
        else:
            wanted = self.managed or self.options['name']
            row = next((item for item in rows if _lower(item.get('Identity')) == wanted.lower()), None)
        return {row.get('Identity'): self.state(row)} if row else {}

    def new_identity(self, desired, context):
        return self.options['name']

    def create(self, identity, desired, context):
        parameters = {'Identity': identity, 'ApplicationTrustLevel': desired['ApplicationTrustLevel'], 'MetadataUrl': desired['MetadataUrl'],
                      'Enabled': desired['Enabled']}
        if 'AcceptSecurityIdentifierInformation' in desired:
            parameters['AcceptSecurityIdentifierInformation'] = desired['AcceptSecurityIdentifierInformation']
        return Invocation('partner_new', 'New-CsPartnerApplication', parameters=parameters,
                          description='New-CsPartnerApplication -Identity %s -ApplicationTrustLevel %s -MetadataUrl %s'
                          % (identity, desired['ApplicationTrustLevel'], desired['MetadataUrl']))

    def write(self, identity, changes, context):
        # -MetadataUrl is always sent: it selects the MetadataUrl parameter set (with -Identity and the common parameters
        # alone, the Identity and UseOAuthServer sets both fit and the reference names no default), and it reads the
        # metadata again (the Exchange certificate it publishes may have been renewed)
        parameters = dict(changes, Identity=identity, MetadataUrl=self.options['url'])
        return Invocation('partner_set', 'Set-CsPartnerApplication', parameters=parameters,
                          description='Set-CsPartnerApplication -Identity %s -MetadataUrl %s (%s)'
                          % (identity, self.options['url'], ', '.join(sorted(changes))))

    def remove(self, identity, current, context):
        return Invocation('partner_remove', 'Remove-CsPartnerApplication', parameters={'Identity': identity, 'Confirm': False},
                          description='Remove-CsPartnerApplication -Identity %s' % identity)

    def verify(self, context):
        return Invocation(self.after_key, 'Get-CsPartnerApplication', parameters=dict(ALL), properties=PROPERTIES)

    def report(self, identity, state):
        return dict(report(dict(state, Identity=identity)), exists=True)

    def notes(self, before, after, writes, context, sent):
        notes = []
        if self.managed and self.managed.lower() != self.options['name'].lower():
            notes.append('Partner application %s already trusts Exchange (found by its identifier or metadata URL): it is managed under '
                         'that name; a partner application cannot be renamed.' % self.managed)
        if self.others:
            notes.append('Other partner applications for Exchange exist besides %s: %s. Remove those that are leftovers.'
                         % (self.managed, _listing(self.others)))
        return notes

    def result(self, after, changed, context):
        return {'partner_application': next(iter(after.values()), None), 'skype_version': context['product']}

    def diff(self, before, after):
        return {'before': next(iter(before.values()), None), 'after': next(iter(after.values()), None)}


def run_module(module):
    """Validate, run the engine, and turn a failed metadata download into the checks to make."""
    resource = ExchangePartnerApplication(module.params)
    try:
        return run(module, resource)
    except CmdletFailure as error:
        raise explain(error, resource.options['url']) from None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The global OAuth configuration (Get/Set-CsOAuthConfiguration): option names, properties, return shape, and the
resource that skype_oauth_configuration manages on the resource engine."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import normalize_uri
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import CMDLETS_OF, PRODUCT_NAMES, parse_server_version

# option -> (Set-CsOAuthConfiguration parameter / Get-CsOAuthConfiguration property, comparison)
SETTINGS = {
    'exchange_autodiscover_url': ('ExchangeAutodiscoverUrl', 'uri'),
    'exchange_autodiscover_allowed_domains': ('ExchangeAutodiscoverAllowedDomains', 'domains'),
    'realm': ('Realm', 'text'),
    'service_name': ('ServiceName', 'text'),
    'client_authorization_oauth_server_identity': ('ClientAuthorizationOAuthServerIdentity', 'text'),
}
PROPERTIES = ['Identity'] + [parameter for parameter, _kind in SETTINGS.values()]
# comparison of each kind on the resource engine: ExchangeAutodiscoverUrl is a string parameter (kept as given,
# compared as a URL); the allowed domains are one ';'-separated string
ENGINE_COMPARISONS = {'uri': 'uri_text', 'domains': 'delimited', 'text': 'text'}


def report(row):
    """Return shape of a Get-CsOAuthConfiguration row: ``identity`` plus one key per option."""
    result = {'identity': row.get('Identity')}
    for option, (parameter, _kind) in SETTINGS.items():
        result[option] = row.get(parameter)
    return result


# The cmdlet reference lists ClientAuthorizationOAuthServerIdentity for Skype for Business Server 2015 and 2019 only.
NOT_ON_LYNC_2013 = ('client_authorization_oauth_server_identity',)
GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def corrected_svc_url(url):
    """The autodiscover.svc form of an autodiscover.xml URL."""
    parts = urlsplit(url)
    path = re.sub(r'autodiscover\.xml$', 'autodiscover.svc', parts.path, flags=re.IGNORECASE)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def validate_autodiscover_url(url):
    """Refuse anything but an absolute https URL of autodiscover.svc, saying why and what to use."""
    try:
        normalized = normalize_uri(url)
    except ValueError as error:
        raise OptionError('exchange_autodiscover_url: %s. Use the URL of the Exchange Autodiscover service, such as '
                          'https://autodiscover.contoso.com/autodiscover/autodiscover.svc.' % error) from None
    path = urlsplit(normalized).path
    if path.lower().endswith('/autodiscover.xml'):
        raise OptionError('exchange_autodiscover_url must point to the Autodiscover service (autodiscover.svc), not to '
                          'autodiscover.xml, the XML file the service uses (Microsoft: "Plan to integrate Skype for Business '
                          'Server and Exchange"). Use %s' % corrected_svc_url(url))
    if not path.lower().endswith('/autodiscover.svc'):
        raise OptionError('exchange_autodiscover_url must be the URL of autodiscover.svc, for example https://%s/autodiscover/'
                          'autodiscover.svc; got %s' % (urlsplit(normalized).hostname, url))
    if not normalized.startswith('https://'):
        raise OptionError('exchange_autodiscover_url must use https:// (Exchange Autodiscover is reached over TLS); got %s' % url)


def desired_settings(params):
    """Option values as cmdlet parameter values (None clears); validated before anything is sent."""
    desired = {}
    for option, (parameter, kind) in SETTINGS.items():
        value = params.get(option)
        if value is None:
            continue
        if kind == 'domains':
            value = ';'.join(d.strip() for d in value if d.strip()) or None
        elif value == '':
            value = None
        desired[parameter] = value
    if desired.get('ExchangeAutodiscoverUrl'):
        validate_autodiscover_url(desired['ExchangeAutodiscoverUrl'])
    if desired.get('ServiceName') and not GUID.match(desired['ServiceName']):
        raise OptionError('service_name must be a GUID such as 00000004-0000-0ff1-ce00-000000000000; got %s' % desired['ServiceName'])
    if not desired:
        raise OptionError('Nothing to set: give at least one of %s.' % ', '.join(sorted(SETTINGS)))
    return desired


class OAuthConfiguration(Resource):
    """The single, global OAuth configuration (Set-CsOAuthConfiguration -Identity Global)."""

    properties = tuple(Property(option, parameter, ENGINE_COMPARISONS[kind]) for option, (parameter, kind) in SETTINGS.items())
    current_key = 'oauth'

    def desired(self):
        return desired_settings(self.params)

    def reads(self):
        return [Invocation('version', 'Get-CsServerVersion'),
                Invocation('oauth', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=PROPERTIES)]

    def context(self, response):
        version = parse_server_version((response.output('version') or [''])[0])
        # Subscription Edition has the 2019 cmdlets (CMDLETS_OF; the reference lists only 2015 and 2019).
        if CMDLETS_OF.get(version['product']) == '2013':
            for option in NOT_ON_LYNC_2013:
                if self.params.get(option) is not None:
                    raise OptionError('%s is not available on %s (the cmdlet reference lists it for Skype for Business Server '
                                      '2015 and 2019 only); remove it for this host.' % (option, PRODUCT_NAMES['2013']))
        return {'product': version['product']}

    def state(self, row):
        return dict((name, row.get(name)) for name in PROPERTIES)

    def none_found(self):
        # The global collection always exists (REF-SFB: a single, global collection): none is a read problem, not "absent".
        return OptionError('Get-CsOAuthConfiguration -Identity Global returned nothing, so the settings cannot be compared; '
                           'check that the account can read the Skype for Business configuration.')

    def write(self, identity, changes, context):
        return Invocation('set', 'Set-CsOAuthConfiguration', parameters=dict(changes, Identity='Global'),
                          description='Set-CsOAuthConfiguration -Identity Global (%s)' % ', '.join(sorted(changes)))

    def verify(self, context):
        return Invocation('after', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=PROPERTIES)

    def report(self, identity, state):
        return report(state)

    def result(self, after, changed, context):
        return {'oauth_configuration': next(iter(after.values())), 'skype_version': context['product']}

    def diff(self, before, after):
        return {'before': next(iter(before.values())), 'after': next(iter(after.values()))}


# skype_info provider (plugins/module_utils/skype/info.py): the section ``oauth_configuration``.
INFO_KEY = 'oauth'
EXPECTED_SERVICE_NAME = '00000004-0000-0ff1-ce00-000000000000'


def info_reads():
    """The read skype_info makes (the same call as OAuthConfiguration.reads(), so both run once)."""
    return [Invocation(INFO_KEY, 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=PROPERTIES)]


def info(response):
    """The global OAuth configuration with the keys of skype_oauth_configuration's return. The global collection always
    exists, so none is a read problem (OptionError), never "not configured"."""
    rows = response.output(INFO_KEY)
    if not rows:
        raise OAuthConfiguration.none_found(None)
    return report(rows[0])


def info_findings(section):
    """What SFB-PLAN section 5 requires of the configuration: an Exchange Autodiscover URL of autodiscover.svc."""
    url = section.get('exchange_autodiscover_url')
    source = 'integration-procedure.md section 5 (SFB-PLAN: Set-CsOAuthConfiguration -ExchangeAutodiscoverUrl .../autodiscover.svc)'
    if not url:
        return [{'id': 'oauth_autodiscover_url_missing', 'severity': 'warning', 'feature': 'oauth_configuration', 'server': None,
                 'message': 'Get-CsOAuthConfiguration has no ExchangeAutodiscoverUrl: Skype for Business cannot find Exchange for '
                            'server-to-server authentication. Set it to https://<autodiscover name>/autodiscover/autodiscover.svc '
                            '(ucops.skype_exchange.skype_oauth_configuration).', 'source': source}]
    try:
        validate_autodiscover_url(url)
    except OptionError as error:
        return [{'id': 'oauth_autodiscover_url_invalid', 'severity': 'error', 'feature': 'oauth_configuration', 'server': None,
                 'message': 'ExchangeAutodiscoverUrl %s is not usable: %s' % (url, error.message.replace('exchange_autodiscover_url ', '', 1)),
                 'source': source}]
    return []

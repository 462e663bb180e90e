# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Client Access server Autodiscover settings (Get-ClientAccessService / Get-ClientAccessServer rows), and the
resource that exchange_client_access_server manages on the resource engine."""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import normalize_uri
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS, client_access_cmdlet, connected_product
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

URI = 'AutoDiscoverServiceInternalUri'
SCOPE = 'AutoDiscoverSiteScope'
PROPERTIES = ['Name', 'Fqdn', URI, SCOPE]


def state_of(row):
    """The managed properties of one row."""
    return {URI: row.get(URI), SCOPE: list(row.get(SCOPE) or [])}


def report(name, state):
    """Return shape of one server."""
    return {'name': name, 'autodiscover_internal_uri': state[URI], 'autodiscover_site_scope': state[SCOPE]}


def validate(params):
    """Check the options before anything is sent; returns the desired values keyed by property."""
    desired = {}
    uri = params.get('autodiscover_internal_uri')
    if uri is not None:
        if uri == '':
            desired[URI] = None
        else:
            try:
                normalized = normalize_uri(uri)
            except ValueError as error:
                raise OptionError('autodiscover_internal_uri: %s. Give an absolute URL such as '
                                  'https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml.' % error) from None
            if not normalized.startswith('https://'):
                raise OptionError('autodiscover_internal_uri must use https:// (Outlook and Skype for Business reach '
                                  'Autodiscover over TLS); got %s.' % uri)
            desired[URI] = uri
    scope = params.get('autodiscover_site_scope')
    if scope is not None:
        if all(scope.get(key) is None for key in ('add', 'remove', 'set')):
            raise OptionError('autodiscover_site_scope needs set (the whole list; [] clears it), or add and/or remove.')
        desired[SCOPE] = dict(scope)
    if not desired:
        raise OptionError('Nothing to set: give autodiscover_internal_uri and/or autodiscover_site_scope.')
    return desired


class ClientAccessServers(Resource):
    """The Autodiscover settings of the Client Access servers in scope, set with the cmdlet of the server's version."""

    properties = (Property('autodiscover_internal_uri', URI, 'uri'), Property('autodiscover_site_scope', SCOPE, 'multiset'))
    current_key = 'cas'

    def __init__(self, params, host):
        super().__init__(params)
        self.host = host
        self.get_parameters = {'Identity': params['identity']} if params.get('identity') else {}

    def desired(self):
        return validate(self.params)

    def reads(self):
        return [
            SERVERS,
            Invocation('cas', 'Get-ClientAccessService', alternatives=['Get-ClientAccessServer'],
                       parameters=self.get_parameters, properties=PROPERTIES),
        ]

    def context(self, response):
        product = connected_product(response, self.host, 'Set-ClientAccessServer or Set-ClientAccessService')
        return {'product': product, 'set': client_access_cmdlet('Set', product), 'get': client_access_cmdlet('Get', product)}

    def identity(self, row):
        return row['Name']

    def state(self, row):
        return state_of(row)

    def none_found(self):
        return OptionError('No Client Access server found%s.' % (' named %s' % self.params['identity'] if self.params.get('identity') else ''))

    def write(self, identity, changes, context):
        return Invocation('set_%s' % identity, context['set'], parameters=dict(changes, Identity=identity),
                          description='%s -Identity %s (%s)' % (context['set'], identity, ', '.join(sorted(changes))))

    def verify(self, context):
        return Invocation('after', context['get'], parameters=self.get_parameters, properties=PROPERTIES)

    def report(self, identity, state):
        return report(identity, state)

    def result(self, after, changed, context):
        return {'cmdlet': context['set'], 'exchange_version': context['product'],
                'servers': [after[name] for name in sorted(after)], 'changed_servers': sorted(changed)}


# -- exchange_info provider ------------------------------------------------------------------------------------------
# The SCP of every Client Access server, and what is wrong with it for the integration.

def info_reads():
    """Get-ClientAccessService (2016 and later), Get-ClientAccessServer where it does not exist (2013)."""
    return [SERVERS, Invocation('cas', 'Get-ClientAccessService', alternatives=['Get-ClientAccessServer'], properties=PROPERTIES)]


def info(response):
    """The ``client_access_servers`` list of exchange_info."""
    return [dict(report(row.get('Name'), state_of(row)), fqdn=row.get('Fqdn')) for row in response.output('cas')]


def corrected_xml_url(url):
    """The Autodiscover.xml form of an autodiscover.svc URL (same host and folder)."""
    head, _sep, _tail = url.rpartition('/')
    return head + '/Autodiscover.xml'


def info_findings(section):
    """An SCP that is blank (SFB-PLAN: "If this value is blank, you must assign a URI", integration-procedure.md section 4)
    or that points to autodiscover.svc: that URL is the one Skype for Business's OAuth configuration takes
    (Set-CsOAuthConfiguration -ExchangeAutodiscoverUrl, section 5); the SCP is the Autodiscover.xml URL (section 4 note)."""
    found = []
    for server in section or []:
        uri = server.get('autodiscover_internal_uri')
        if not uri:
            found.append({'id': 'scp_blank', 'severity': 'warning', 'feature': 'client_access_servers', 'server': server['name'],
                          'source': 'integration-procedure.md section 4 (SFB-PLAN)',
                          'message': 'The Autodiscover SCP (AutoDiscoverServiceInternalUri) of %s is blank: assign the Autodiscover URL '
                                     '(https://<name>/Autodiscover/Autodiscover.xml) with exchange_client_access_server.' % server['name']})
            continue
        path = uri.split('?', 1)[0].split('#', 1)[0].rstrip('/')
        if path.lower().endswith('/autodiscover.svc'):
            found.append({'id': 'scp_autodiscover_svc', 'severity': 'warning', 'feature': 'client_access_servers', 'server': server['name'],
                          'source': 'integration-procedure.md sections 4 and 5 (SFB-PLAN)',
                          'message': 'The Autodiscover SCP (AutoDiscoverServiceInternalUri) of %s is %s: autodiscover.svc is the URL '
                                     'Skype for Business takes (Set-CsOAuthConfiguration -ExchangeAutodiscoverUrl), not the one '
                                     'Outlook and domain clients read from the SCP. Set it to %s with exchange_client_access_server.'
                                     % (server['name'], uri, corrected_xml_url(path))})
    return found

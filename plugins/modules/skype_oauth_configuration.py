#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: skype_oauth_configuration
short_description: Manage the global OAuth configuration of Skype for Business Server or Lync Server 2013
version_added: 1.0.0
description:
  - Sets the on-premises settings of the single, global OAuth configuration with
    C(Set-CsOAuthConfiguration), above all C(ExchangeAutodiscoverUrl), which tells Skype for Business
    Server where Exchange Autodiscover is.
  - Only the options given are compared, and only the settings that differ are sent.
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
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change.
  diff_mode:
    support: full
options:
  exchange_autodiscover_url:
    description:
      - C(ExchangeAutodiscoverUrl), the URL of the Autodiscover B(service) of Exchange, for example
        C(https://autodiscover.contoso.com/autodiscover/autodiscover.svc).
      - Microsoft's procedure requires C(autodiscover.svc), not C(autodiscover.xml) (the XML file the
        service uses); an C(autodiscover.xml) URL is refused with the corrected URL.
      - Compared as a URL (scheme and host case, default port, empty path), as the server would resolve it.
      - An empty string clears it.
    type: str
  exchange_autodiscover_allowed_domains:
    description:
      - C(ExchangeAutodiscoverAllowedDomains), the domains that Autodiscover requests may be redirected to,
        for example V(*.contoso.com). Sent as one C(;)-separated string; compared case-insensitively, in any order.
      - An empty list clears it; an empty item is refused.
    type: list
    elements: str
  realm:
    description:
      - C(Realm), the server-to-server security container. By default Skype for Business Server uses the
        default SIP domain; set it only when the documented procedure for your topology requires it.
    type: str
  service_name:
    description:
      - C(ServiceName), the GUID of the OAuth service, for example V(00000004-0000-0ff1-ce00-000000000000) in the
        on-premises partner application procedure.
    type: str
  client_authorization_oauth_server_identity:
    description:
      - C(ClientAuthorizationOAuthServerIdentity), the OAuth server used for client (modern) authentication.
      - Skype for Business Server 2015 and 2019 only; refused on Lync Server 2013 before anything is changed.
    type: str
seealso:
  - module: ucops.skype_exchange.exchange_client_access_server
  - module: ucops.skype_exchange.skype_info
  - name: Set-CsOAuthConfiguration
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/set-csoauthconfiguration
"""

EXAMPLES = r"""
- name: Point Skype for Business at Exchange Autodiscover (targets an inventory Front End host)
  ucops.skype_exchange.skype_oauth_configuration:
    exchange_autodiscover_url: https://autodiscover.contoso.com/autodiscover/autodiscover.svc

- name: Same, from the controller with explicit connection options
  ucops.skype_exchange.skype_oauth_configuration:
    server: fe01.contoso.local
    username: CONTOSO\sfbadmin
    password: "{{ vault_sfb_password }}"
    exchange_autodiscover_url: https://autodiscover.contoso.com/autodiscover/autodiscover.svc
    exchange_autodiscover_allowed_domains: ['*.contoso.com']
  delegate_to: localhost
"""

RETURN = r"""
oauth_configuration:
  description: The global OAuth configuration after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    identity:
      description: Always C(Global).
      type: str
      sample: Global
    exchange_autodiscover_url:
      description: C(ExchangeAutodiscoverUrl) as stored.
      type: str
      sample: https://autodiscover.contoso.com/autodiscover/autodiscover.svc
    exchange_autodiscover_allowed_domains:
      description: C(ExchangeAutodiscoverAllowedDomains) as stored.
      type: str
      sample: '*.contoso.com'
    realm:
      description: C(Realm).
      type: str
      sample: contoso.com
    service_name:
      description: C(ServiceName).
      type: str
      sample: 00000004-0000-0ff1-ce00-000000000000
    client_authorization_oauth_server_identity:
      description: C(ClientAuthorizationOAuthServerIdentity); null on Lync Server 2013, which does not have it.
      type: str
      sample: null
skype_version:
  description: Product version of the server the module connected to (V(2013) is Lync Server 2013, V(se) Skype for Business Server Subscription Edition).
  returned: always
  type: str
  sample: '2015'
"""

import re
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import multiset_equal, normalize_uri, text_equal, uri_equal
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth import PROPERTIES, SETTINGS, report
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import CMDLETS_OF, PRODUCT_NAMES, parse_server_version

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


def same(kind, desired, current):
    """Compare one setting the way the server would treat it."""
    if kind == 'uri':
        return uri_equal(desired, current)
    if kind == 'domains':
        return multiset_equal((desired or '').split(';') if desired else [], (current or '').split(';') if current else [])
    return text_equal(desired, current)


def main():
    module = UcopsModule(
        product='skype',
        argument_spec=dict(
            exchange_autodiscover_url=dict(type='str'),
            exchange_autodiscover_allowed_domains=dict(type='list', elements='str'),
            realm=dict(type='str'),
            service_name=dict(type='str'),
            client_authorization_oauth_server_identity=dict(type='str'),
        ),
        supports_check_mode=True,
    )

    def work():
        desired = desired_settings(module.params)
        module.connection_options()
        shell = module.shell()
        response = module.runner.read(shell, [
            Invocation('version', 'Get-CsServerVersion'),
            Invocation('oauth', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=PROPERTIES),
        ])
        version = parse_server_version((response.output('version') or [''])[0])
        # Subscription Edition has the 2019 cmdlets (CMDLETS_OF; the reference lists only 2015 and 2019).
        if CMDLETS_OF.get(version['product']) == '2013':
            for option in NOT_ON_LYNC_2013:
                if module.params.get(option) is not None:
                    raise OptionError('%s is not available on %s (the cmdlet reference lists it for Skype for Business Server '
                                      '2015 and 2019 only); remove it for this host.' % (option, PRODUCT_NAMES['2013']))
        rows = response.output('oauth')
        current = rows[0] if rows else {}
        kinds = dict(SETTINGS.values())
        changes = dict((parameter, value) for parameter, value in desired.items() if not same(kinds[parameter], value, current.get(parameter)))
        after = dict(current)
        after.update(changes)
        if changes and not module.check_mode:
            written = module.runner.write(shell, [
                Invocation('set', 'Set-CsOAuthConfiguration', parameters=dict(changes, Identity='Global'),
                           description='Set-CsOAuthConfiguration -Identity Global (%s)' % ', '.join(sorted(changes))),
                Invocation('after', 'Get-CsOAuthConfiguration', parameters={'Identity': 'Global'}, properties=PROPERTIES),
            ])
            after = (written.output('after') or [after])[0]
        result = {'changed': bool(changes), 'oauth_configuration': report(after), 'skype_version': version['product']}
        if module._diff:
            result['diff'] = {'before': report(current), 'after': report(after)}
        return result

    module.run(work)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: exchange_client_access_server
short_description: Set the Exchange Autodiscover internal URI (SCP) of Client Access servers
version_added: 1.0.0
description:
  - Sets C(AutoDiscoverServiceInternalUri) (and optionally C(AutoDiscoverSiteScope)) on one or all
    Exchange Client Access servers, the Autodiscover service connection point that domain-joined clients
    use. Skype for Business Server integration needs it configured before its OAuth configuration
    points at Exchange Autodiscover.
  - Uses C(Set-ClientAccessService) on Exchange 2016, 2019 and Subscription Edition (SE) and C(Set-ClientAccessServer) on
    Exchange 2013, chosen from the version of the Exchange server the module connects to (its C(AdminDisplayVersion));
    an unrecognised version fails the task instead of guessing.
  - Only the properties given are compared and only the ones that differ are sent.
author:
  - ucops.skype_exchange contributors (@ucops)
extends_documentation_fragment:
  - ucops.skype_exchange.connection
  - ucops.skype_exchange.product_shell
  - ucops.skype_exchange.product_shell.exchange
  - ucops.skype_exchange.attributes
  - ucops.skype_exchange.attributes.actiongroup_exchange
attributes:
  check_mode:
    support: full
    details: Check mode sends only Get cmdlets (the runner refuses anything else) and reports the change.
  diff_mode:
    support: full
options:
  identity:
    description:
      - Name or FQDN of the Client Access server to set.
      - Omit it to set every Client Access server of the organization, as the documented
        C(Get-ClientAccessServer | Set-ClientAccessServer) pipeline does.
      - An empty or blank value is refused (it is not read as "every server"), so that a template variable that
        renders empty cannot change the whole organization.
    type: str
  autodiscover_internal_uri:
    description:
      - The C(AutoDiscoverServiceInternalUri), an absolute C(https://) URL, normally
        C(https://autodiscover.<domain>/Autodiscover/Autodiscover.xml).
      - Compared the way Exchange stores a URI (C(System.Uri.AbsoluteUri)). Scheme and host case and
        the default port do not count; the path does.
      - An empty string clears the value.
    type: str
  autodiscover_site_scope:
    description:
      - The Active Directory sites whose clients use this server's internal URI (C(AutoDiscoverSiteScope)).
      - Compared case-insensitively, in any order. An empty list clears it; an empty item is refused.
    type: list
    elements: str
seealso:
  - module: ucops.skype_exchange.skype_oauth_configuration
  - module: ucops.skype_exchange.exchange_info
  - name: Set-ClientAccessService
    description: Microsoft's cmdlet reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-clientaccessservice
"""

EXAMPLES = r"""
- name: Point every Client Access server's SCP at the Autodiscover name (targets an inventory Exchange host)
  ucops.skype_exchange.exchange_client_access_server:
    autodiscover_internal_uri: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml

- name: Set one server, with explicit connection options, from the controller
  ucops.skype_exchange.exchange_client_access_server:
    server: ex01.contoso.local
    username: CONTOSO\exadmin
    password: "{{ vault_exchange_password }}"
    identity: EX01
    autodiscover_internal_uri: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml
    autodiscover_site_scope: [Redmond]
  delegate_to: localhost
"""

RETURN = r"""
cmdlet:
  description: The Set cmdlet used (or that would be used in check mode) for this Exchange version.
  returned: always
  type: str
  sample: Set-ClientAccessService
exchange_version:
  description: Product version of the Exchange server the module connected to (V(2013), V(2016), V(2019), or V(se) for Exchange Server Subscription Edition).
  returned: always
  type: str
  sample: '2019'
servers:
  description: The Client Access servers in scope, as they are after the task (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Server name.
      type: str
      sample: EX01
    autodiscover_internal_uri:
      description: C(AutoDiscoverServiceInternalUri) as Exchange stores it.
      type: str
      sample: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml
    autodiscover_site_scope:
      description: C(AutoDiscoverSiteScope).
      type: list
      elements: str
      sample: [Redmond]
changed_servers:
  description: Names of the servers that were (or would be) changed.
  returned: always
  type: list
  elements: str
  sample: [EX01]
"""

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import multiset_equal, normalize_uri, uri_equal
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.client_access import PROPERTIES as CAS_PROPERTIES
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.client_access import SCOPE, URI, report, state_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import client_access_cmdlet, product_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation


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
    if params.get('autodiscover_site_scope') is not None:
        desired[SCOPE] = list(params['autodiscover_site_scope'])
    if not desired:
        raise OptionError('Nothing to set: give autodiscover_internal_uri and/or autodiscover_site_scope.')
    return desired


def differences(desired, current):
    """Properties whose desired value differs from the current one."""
    changes = {}
    if URI in desired and not uri_equal(desired[URI], current[URI]):
        changes[URI] = desired[URI]
    if SCOPE in desired and not multiset_equal(desired[SCOPE], current[SCOPE]):
        changes[SCOPE] = desired[SCOPE]
    return changes


def predicted(current, changes):
    """The state Exchange would store after ``changes`` (URIs in AbsoluteUri form)."""
    after = dict(current)
    for name, value in changes.items():
        after[name] = normalize_uri(value) if name == URI else list(value or [])
    return after


def local_product(response, host):
    """Exchange version of the server the runner connected to (its own Get-ExchangeServer entry)."""
    computer = (response.host.get('computer_name') or '').lower()
    rows = response.output('servers')
    for row in rows:
        if (row.get('Name') or '').lower() == computer:
            product = product_of(row.get('AdminDisplayVersion'))
            if product is None:
                # Never guess: the cmdlet name depends on the version (Set-ClientAccessServer or Set-ClientAccessService).
                raise ScriptFailure('The Exchange version of this server (%s) is not recognised (AdminDisplayVersion %r), so '
                                    'whether it has Set-ClientAccessServer or Set-ClientAccessService is unknown'
                                    % (computer, row.get('AdminDisplayVersion')), host=host)
            return product
    raise ScriptFailure('Get-ExchangeServer did not list this server (%s), so its Exchange version, which picks '
                        'Set-ClientAccessServer or Set-ClientAccessService, is unknown' % computer, host=host)


def main():
    module = UcopsModule(
        product='exchange',
        argument_spec=dict(
            identity=dict(type='str'),
            autodiscover_internal_uri=dict(type='str'),
            autodiscover_site_scope=dict(type='list', elements='str'),
        ),
        not_blank={'identity': 'omit identity to set every Client Access server of the organization'},
        supports_check_mode=True,
    )

    def work():
        desired = validate(module.params)
        module.connection_options()
        shell = module.shell()
        get_parameters = {'Identity': module.params['identity']} if module.params.get('identity') else {}
        reads = [
            Invocation('servers', 'Get-ExchangeServer', properties=['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole']),
            Invocation('cas', 'Get-ClientAccessService', alternatives=['Get-ClientAccessServer'],
                       parameters=get_parameters, properties=CAS_PROPERTIES),
        ]
        response = module.runner.read(shell, reads)
        product = local_product(response, module.host)
        set_cmdlet = client_access_cmdlet('Set', product)
        get_cmdlet = client_access_cmdlet('Get', product)

        before, after, writes = {}, {}, []
        for row in response.output('cas'):
            name = row['Name']
            current = state_of(row)
            changes = differences(desired, current)
            before[name] = current
            after[name] = predicted(current, changes)
            if changes:
                description = '%s -Identity %s (%s)' % (set_cmdlet, name, ', '.join(sorted(changes)))
                writes.append(Invocation('set_%d' % len(writes), set_cmdlet, parameters=dict(changes, Identity=name),
                                         description=description))
        if not before:
            raise OptionError('No Client Access server found%s.' % (' named %s' % module.params['identity'] if module.params.get('identity') else ''))

        if writes and not module.check_mode:
            verify = Invocation('after', get_cmdlet, parameters=get_parameters, properties=CAS_PROPERTIES)
            written = module.runner.write(shell, writes + [verify])
            after = dict((row['Name'], state_of(row)) for row in written.output('after'))
        final = dict((name, report(name, after.get(name, before[name]))) for name in sorted(before))
        result = {
            'changed': bool(writes),
            'cmdlet': set_cmdlet,
            'exchange_version': product,
            'servers': list(final.values()),
            'changed_servers': sorted(w.parameters['Identity'] for w in writes),
        }
        if response.warnings():
            result['warnings'] = response.warnings()
        if module._diff:
            result['diff'] = {'before': dict((name, report(name, before[name])) for name in sorted(before)), 'after': final}
        return result

    module.run(work)


if __name__ == '__main__':
    main()

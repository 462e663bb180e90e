# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The trusted application pool and trusted application for Outlook on the web IM (integration-procedure.md section
14.2): the resource that skype_trusted_application manages on the resource engine, and the skype_info section.

The pool and its application are managed as ONE object of the engine (identity: the pool FQDN): the application only
exists inside its pool, removing the pool removes it (REF-SFB Remove-CsTrustedApplicationPool), and a pool re-created
for a new site must get its application back in the same request. The object's state joins the pool's settings with
the application's presence (``ApplicationId``) and ``Port``.

Sources: REF-SFB (MicrosoftDocs/office-docs-powershell skype/skype-ps/skype/) New-/Get-/Set-/Remove-CsTrustedApplicationPool,
New-/Get-/Set-/Remove-CsTrustedApplication, Enable-CsTopology; LYNC enable-exchange-2013-outlook-web-app-and-im-integration
and integrating-lync-server-and-outlook-web-app-2013 (as cited in integration-procedure.md 14.2).
"""

from __future__ import annotations

import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version

URN = 'urn:application:'
POOL_PROPERTIES = ['Identity', 'PoolFqdn', 'SiteId', 'Registrar', 'RequiresReplication', 'ThrottleAsServer', 'TreatAsAuthenticated',
                   'OutboundOnly', 'ServiceId']
APPLICATION_PROPERTIES = ['Identity', 'ApplicationId', 'TrustedApplicationPoolFqdn', 'Port']
SITE_PROPERTIES = ['Identity', 'SiteId', 'DisplayName']
POOL_TOPOLOGY_PROPERTIES = ['Identity', 'Fqdn', 'Site', 'Services']
# An FQDN: labels of letters, digits and hyphens, at least two of them (what a certificate name and -Identity take).
FQDN = re.compile(r'^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
# Example values of the documented procedure (integration-procedure.md 14.2: -ApplicationId OutlookWebApp ... -Port 5199).
DEFAULT_APPLICATION_ID = 'OutlookWebApp'
DEFAULT_PORT = 5199
# option -> Set-/New-CsTrustedApplicationPool parameter for the Boolean pool settings
BOOLEANS = {'requires_replication': 'RequiresReplication', 'throttle_as_server': 'ThrottleAsServer',
            'treat_as_authenticated': 'TreatAsAuthenticated'}
POOL_SETTINGS = ('Registrar',) + tuple(BOOLEANS.values())
REF = 'REF-SFB %s.md'


def bare_application_id(value):
    """The application ID without the urn:application: prefix the product stores (REF-SFB Get-CsTrustedApplication)."""
    text = '' if value is None else str(value).strip()
    return text[len(URN):] if text.lower().startswith(URN) else text


def registrar_fqdn(value):
    """The FQDN of a Registrar given as FQDN or service ID (Registrar:<FQDN>), lower case; None for none."""
    text = '' if value is None else str(value).strip()
    if text.lower().startswith('registrar:'):
        text = text[len('registrar:'):]
    return text.lower() or None


def _list(value):
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def validate(params):
    """Options checked before anything is sent; returns the normalised ones."""
    state = params.get('state') or 'present'
    fqdn = (params.get('pool_fqdn') or '').strip().rstrip('.').lower()
    if not FQDN.match(fqdn):
        raise OptionError('pool_fqdn must be the FQDN of Outlook on the web (the name in the Subject and Subject Alternative Name of '
                          'the certificate that provides access to it), such as owa.contoso.com; got %r.' % params.get('pool_fqdn'))
    application = bare_application_id(params.get('application_id') or DEFAULT_APPLICATION_ID)
    if not application or any(ch.isspace() for ch in application) or '/' in application:
        raise OptionError('application_id must be one word without spaces or "/" (REF-SFB New-CsTrustedApplication -ApplicationId: '
                          '"The string cannot contain spaces"), such as OutlookWebApp; got %r.' % params.get('application_id'))
    port = params.get('application_port')
    port = DEFAULT_PORT if port is None else port
    if not 1 <= int(port) <= 65535:
        raise OptionError('application_port must be a TCP port number from 1 to 65535 (any free port, unique within the pool); got %s.' % port)
    registrar = params.get('registrar')
    if registrar is not None and not FQDN.match(registrar_fqdn(registrar) or ''):
        raise OptionError('registrar must be the FQDN of the Registrar pool (Front End pool), such as pool01.contoso.local, or its '
                          'service ID Registrar:pool01.contoso.local; got %r.' % registrar)
    site = params.get('site')
    if site is not None and not str(site).strip():
        raise OptionError('site must be the name of a site (Get-CsSite DisplayName), its Identity (Site:<name>) or its SiteId number; '
                          'omit it to use the site of the Registrar pool.')
    return {'state': state, 'fqdn': fqdn, 'application': application, 'port': int(port), 'registrar': registrar_fqdn(registrar),
            'site': None if site is None else str(site).strip()}


class _Exact(Property):
    """Booleans and numbers: the same value."""

    def equal(self, desired, current):
        return desired == current

    def stored(self, value):
        return value


class _Registrar(Property):
    """FQDN and service ID name the same Registrar (REF-SFB -Registrar: "The service ID or FQDN")."""

    def equal(self, desired, current):
        return registrar_fqdn(desired) == registrar_fqdn(current)


class TrustedApplication(Resource):
    """The Outlook on the web trusted application pool with its trusted application, as one object of the engine."""

    current_key = 'trusted_pools'
    after_key = 'trusted_pools_after'
    APPLICATION_KEYS = {'trusted_pools': 'trusted_applications', 'trusted_pools_after': 'trusted_applications_after'}
    properties = (
        _Registrar('registrar', 'Registrar'),
        # Set-CsTrustedApplicationPool has no -Site (cmdlet reference): a new site needs remove + create (recreate)
        Property('site', 'SiteId', 'text'),
        _Exact('requires_replication', 'RequiresReplication'),
        _Exact('throttle_as_server', 'ThrottleAsServer'),
        _Exact('treat_as_authenticated', 'TreatAsAuthenticated'),
        # the application: present (its bare ID) or None, and its port
        Property('application_id', 'ApplicationId', 'text'),
        _Exact('application_port', 'Port'),
    )
    recreate = ('SiteId',)

    def __init__(self, params):
        super().__init__(params)
        self.options = validate(params)
        self.current = {}
        self.topology = {}

    # -- the read -------------------------------------------------------------------------------------------------

    def desired(self):
        if self.options['state'] == 'absent':
            return {}
        desired = {'ApplicationId': self.options['application'], 'Port': self.options['port']}
        if self.options['registrar']:
            desired['Registrar'] = self.options['registrar']
        if self.options['site']:
            # the site as given; changes() puts the site Identity the read resolves it to in its place
            desired['SiteId'] = self.options['site']
        for option, name in BOOLEANS.items():
            if self.params.get(option) is not None:
                desired[name] = bool(self.params[option])
        return desired

    def reads(self):
        return [Invocation('version', 'Get-CsServerVersion'),
                Invocation('sites', 'Get-CsSite', properties=SITE_PROPERTIES),
                Invocation('topology_pools', 'Get-CsPool', properties=POOL_TOPOLOGY_PROPERTIES)] + info_reads()

    def context(self, response):
        """The product, the site and Registrar the options name (resolved from Get-CsSite / Get-CsPool in Python), and the
        checks that need the read: all raise before any write."""
        version = parse_server_version((response.output('version') or [''])[0])
        sites = response.output('sites')
        pools = response.output('topology_pools')
        fqdn = self.options['fqdn']
        front_end = [row for row in pools if str(row.get('Fqdn') or row.get('Identity') or '').lower() == fqdn]
        if front_end:
            raise OptionError('pool_fqdn %s is a pool of the Skype for Business topology (Get-CsPool), not the Outlook on the web '
                              'name: give the FQDN of Outlook on the web (the name on its certificate). On an existing pool '
                              'New-CsTrustedApplicationPool only adds the ExternalServer service (%s).' % (fqdn, REF % 'New-CsTrustedApplicationPool'))
        context = {'product': version['product'], 'site': None, 'registrar': None, 'registrar_site': None}
        # changes() and create() use the resolved site and Registrar
        self.topology = context
        if self.options['state'] == 'absent':
            return context
        registrar = self.options['registrar']
        if registrar:
            hosting = [row for row in pools if any(str(service).lower() == 'registrar:%s' % registrar for service in _list(row.get('Services')))]
            if not hosting:
                registrars = sorted(set(str(service)[len('registrar:'):] for row in pools for service in _list(row.get('Services'))
                                        if str(service).lower().startswith('registrar:')))
                raise OptionError('registrar %s is not a Registrar pool of this topology (Get-CsPool services); the Registrar pools are: %s.'
                                  % (registrar, ', '.join(registrars) or 'none'))
            context['registrar'] = registrar
            context['registrar_site'] = hosting[0].get('Site')
        wanted = self.options['site'] or context['registrar_site']
        if wanted:
            context['site'] = self._site(sites, wanted, given=bool(self.options['site']))
        self._check_port(response)
        return context

    def _site(self, sites, wanted, given):
        """The Get-CsSite row a site name, Identity or SiteId names (REF-SFB New-CsTrustedApplicationPool -Site takes the
        SiteId; Get-CsTrustedApplicationPool shows the site Identity)."""
        text = str(wanted).strip().lower()
        for row in sites:
            names = (str(row.get('SiteId')), str(row.get('DisplayName') or '').lower(), str(row.get('Identity') or '').lower())
            if text in names:
                return {'identity': row.get('Identity'), 'site_id': row.get('SiteId'), 'name': row.get('DisplayName')}
        listed = ', '.join('%s (SiteId %s)' % (row.get('DisplayName'), row.get('SiteId')) for row in sites) or 'none'
        if given:
            raise OptionError('site %s is not a site of this topology (Get-CsSite): use one of %s.' % (wanted, listed))
        raise OptionError('The Registrar pool is in site %s, which Get-CsSite does not list (%s): give site.' % (wanted, listed))

    def _check_port(self, response):
        """REF-SFB New-CsTrustedApplication -Port: "The port must be unique within a given pool"."""
        fqdn, application, port = self.options['fqdn'], self.options['application'], self.options['port']
        for row in response.output('trusted_applications'):
            if str(row.get('TrustedApplicationPoolFqdn') or '').lower() != fqdn:
                continue
            if bare_application_id(row.get('ApplicationId')).lower() != application.lower() and row.get('Port') == port:
                raise OptionError('application_port %d is already used by %s on pool %s (a port must be unique within the pool): give another port.'
                                  % (port, row.get('Identity'), fqdn))

    def objects(self, response, key, context=None):
        """{pool FQDN: state} of the pool this task manages joined with its application (empty when the pool does not exist)."""
        fqdn = self.options['fqdn']
        pool = next((row for row in response.output(key) if str(row.get('PoolFqdn') or '').lower() == fqdn), None)
        if pool is None:
            if key == self.current_key:
                self.current = {}
            return {}
        apps = [row for row in response.output(self.APPLICATION_KEYS[key]) if str(row.get('TrustedApplicationPoolFqdn') or '').lower() == fqdn]
        ours = next((row for row in apps if bare_application_id(row.get('ApplicationId')).lower() == self.options['application'].lower()), None)
        state = {
            'Registrar': pool.get('Registrar'),
            'SiteId': pool.get('SiteId'),
            'RequiresReplication': pool.get('RequiresReplication'),
            'ThrottleAsServer': pool.get('ThrottleAsServer'),
            'TreatAsAuthenticated': pool.get('TreatAsAuthenticated'),
            'ApplicationId': bare_application_id(ours.get('ApplicationId')) if ours else None,
            'Port': ours.get('Port') if ours else None,
            # reported, not managed
            'Identity': pool.get('Identity'),
            'ServiceId': pool.get('ServiceId'),
            'ApplicationIdentity': ours.get('Identity') if ours else None,
            'OtherApplications': sorted(str(row.get('Identity')) for row in apps if row is not ours),
        }
        if key == self.current_key:
            self.current = state
            if self.options['state'] == 'absent' and ours is None and state['OtherApplications']:
                # only other applications live in the pool: nothing of this task's is left to remove
                return {}
        return {fqdn: state}

    # -- the plan -------------------------------------------------------------------------------------------------

    def resolved(self, desired, creating):
        """The desired values with the site and Registrar as the server stores them (resolved by ``context``)."""
        resolved = dict(desired)
        site = self.topology.get('site')
        if 'SiteId' in resolved or (creating and site):
            resolved['SiteId'] = site['identity']
        return resolved

    def changes(self, desired, current):
        return super().changes(self.resolved(desired, current is None), current)

    def predict(self, current, changes):
        predicted = super().predict(current, changes)
        if current is None:
            # a new pool gets the product defaults of the settings not sent (REF-SFB New-CsTrustedApplicationPool: "Default: True")
            for name in BOOLEANS.values():
                predicted.setdefault(name, True)
        return predicted

    def none_found(self):
        return OptionError('Nothing found to manage.')

    def new_identity(self, desired, context):
        return self.options['fqdn']

    def create(self, identity, desired, context):
        """New-CsTrustedApplicationPool then New-CsTrustedApplication (integration-procedure.md 14.2)."""
        if not context.get('registrar'):
            raise OptionError('registrar is required to create the trusted application pool %s: give the FQDN of the Registrar '
                              '(Front End) pool. A pool without a Registrar cannot be removed later (%s).'
                              % (identity, REF % 'Remove-CsTrustedApplicationPool'))
        if not context.get('site'):
            raise OptionError('site is required to create the trusted application pool %s (%s -Site).' % (identity, REF % 'New-CsTrustedApplicationPool'))
        parameters = {'Identity': identity, 'Registrar': context['registrar'], 'Site': str(context['site']['site_id'])}
        for option, name in BOOLEANS.items():
            if name in desired:
                parameters[name] = desired[name]
        return [Invocation('new_pool', 'New-CsTrustedApplicationPool', parameters=parameters,
                           description='New-CsTrustedApplicationPool -Identity %s -Registrar %s -Site %s%s' % (
                               identity, context['registrar'], parameters['Site'],
                               ''.join(' -%s $%s' % (name, str(parameters[name]).lower()) for name in BOOLEANS.values() if name in parameters))),
                self._new_application(identity)]

    def _new_application(self, identity):
        application, port = self.options['application'], self.options['port']
        return Invocation('new_application', 'New-CsTrustedApplication',
                          parameters={'ApplicationId': application, 'TrustedApplicationPoolFqdn': identity, 'Port': port},
                          description='New-CsTrustedApplication -ApplicationId %s -TrustedApplicationPoolFqdn %s -Port %d' % (application, identity, port))

    def write(self, identity, changes, context):
        invocations = []
        settings = dict((name, changes[name]) for name in POOL_SETTINGS if name in changes)
        if settings:
            invocations.append(Invocation('set_pool', 'Set-CsTrustedApplicationPool', parameters=dict(settings, Identity=identity),
                                          description='Set-CsTrustedApplicationPool -Identity %s (%s)' % (identity, ', '.join(sorted(settings)))))
        if 'ApplicationId' in changes:
            invocations.append(self._new_application(identity))
        elif 'Port' in changes:
            target = '%s/%s%s' % (identity, URN, self.current['ApplicationId'])
            invocations.append(Invocation('set_application', 'Set-CsTrustedApplication', parameters={'Identity': target, 'Port': changes['Port']},
                                          description='Set-CsTrustedApplication -Identity %s -Port %d' % (target, changes['Port'])))
        return invocations

    def remove(self, identity, current, context):
        """absent: the application, and the pool too unless other applications live in it. A re-create (new site): the pool,
        which takes its applications with it (REF-SFB Remove-CsTrustedApplicationPool), so refused when it holds others."""
        others = current.get('OtherApplications') or []
        if self.wanted() == 'absent' and others:
            target = '%s/%s%s' % (identity, URN, current['ApplicationId'])
            return [Invocation('remove_application', 'Remove-CsTrustedApplication', parameters={'Identity': target},
                               description='Remove-CsTrustedApplication -Identity %s' % target)]
        if others:
            raise OptionError('The site of trusted application pool %s cannot be changed in place (Set-CsTrustedApplicationPool has no '
                              '-Site): it would be removed and created again, and removing it also removes its other applications '
                              '(%s). Move or remove them first, or keep the current site.' % (identity, ', '.join(others)))
        invocations = []
        if not current.get('Registrar'):
            # REF-SFB Remove-CsTrustedApplicationPool: "you must add a Registrar value with the Set-CsTrustedApplicationPool cmdlet
            # and then remove the pool"
            registrar = context.get('registrar') or self.options['registrar']
            if not registrar:
                raise OptionError('Trusted application pool %s has no Registrar, and such a pool cannot be removed (%s): give registrar, '
                                  'which is set first.' % (identity, REF % 'Remove-CsTrustedApplicationPool'))
            invocations.append(Invocation('set_registrar', 'Set-CsTrustedApplicationPool', parameters={'Identity': identity, 'Registrar': registrar},
                                          description='Set-CsTrustedApplicationPool -Identity %s -Registrar %s' % (identity, registrar)))
        invocations.append(Invocation('remove_pool', 'Remove-CsTrustedApplicationPool', parameters={'Identity': identity},
                                      description='Remove-CsTrustedApplicationPool -Identity %s' % identity))
        return invocations

    def verify(self, context):
        # Enable-CsTopology only in a write request, so only when something changed, after every New/Set/Remove
        # (integration-procedure.md 14.2: "Enable-CsTopology must be run after creating the trusted application")
        return [Invocation('enable_topology', 'Enable-CsTopology', description='Enable-CsTopology'),
                Invocation(self.after_key, 'Get-CsTrustedApplicationPool', parameters={'Filter': '*'}, properties=POOL_PROPERTIES),
                Invocation(self.APPLICATION_KEYS[self.after_key], 'Get-CsTrustedApplication', parameters={'Filter': '*'},
                           properties=APPLICATION_PROPERTIES)]

    def notes(self, before, after, writes, context, sent):
        notes = []
        for identity, current in before.items():
            registrar = self.options['registrar']
            if registrar and current.get('Registrar') and registrar_fqdn(current.get('Registrar')) != registrar and self.wanted() == 'present':
                notes.append('The Registrar of trusted application pool %s changes from %s to %s: contacts attached to its applications are '
                             'orphaned and must be moved with Move-CsApplicationEndpoint (%s -Registrar).'
                             % (identity, current.get('Registrar'), registrar, REF % 'Set-CsTrustedApplicationPool'))
            if self.wanted() == 'absent' and current.get('OtherApplications'):
                notes.append('Trusted application pool %s is kept: it still holds %s.' % (identity, ', '.join(current['OtherApplications'])))
        return notes

    # -- the result -----------------------------------------------------------------------------------------------

    def report(self, identity, state):
        application = state.get('ApplicationId')
        return {
            'pool': {
                'pool_fqdn': identity,
                'identity': state.get('Identity') or 'TrustedApplicationPool:%s' % identity,
                'service_id': state.get('ServiceId'),
                'site': state.get('SiteId'),
                'registrar': state.get('Registrar'),
                'requires_replication': state.get('RequiresReplication'),
                'throttle_as_server': state.get('ThrottleAsServer'),
                'treat_as_authenticated': state.get('TreatAsAuthenticated'),
                'other_applications': list(state.get('OtherApplications') or []),
            },
            'application': None if not application else {
                'identity': state.get('ApplicationIdentity') or '%s/%s%s' % (identity, URN, application),
                'application_id': URN + application,
                'port': state.get('Port'),
            },
        }

    def result(self, after, changed, context):
        report = after.get(self.options['fqdn'])
        return {
            'trusted_application_pool': report['pool'] if report else None,
            'trusted_application': report['application'] if report else None,
            # Enable-CsTopology ends every write request (check mode: would)
            'topology_enabled': bool(changed),
            'skype_version': context['product'],
        }

    def diff(self, before, after):
        return {'before': before.get(self.options['fqdn']) or {}, 'after': after.get(self.options['fqdn']) or {}}


# -- skype_info ------------------------------------------------------------------------------------------------------


def info_reads():
    """The reads of the skype_info section (keys ``trusted_*``). -Filter * reads every pool / application: the reference
    names no default parameter set for a call without parameters (Identity and Filter sets)."""
    return [Invocation('trusted_pools', 'Get-CsTrustedApplicationPool', parameters={'Filter': '*'}, properties=POOL_PROPERTIES),
            Invocation('trusted_applications', 'Get-CsTrustedApplication', parameters={'Filter': '*'}, properties=APPLICATION_PROPERTIES)]


def _finding(code, severity, message, source):
    # the shape of every info finding (module_utils/exchange/info.py)
    return {'id': 'trusted_application_%s' % code, 'severity': severity, 'feature': 'trusted_applications', 'server': None,
            'message': message, 'source': source}


def _is_owa(application_ids):
    return any('owa' in text.lower() or 'outlook' in text.lower() for text in application_ids)


def findings(pools):
    """What the documented procedure asks of a pool (integration-procedure.md 14.2), applied to each pool read."""
    found = []
    for pool in pools:
        name = pool['pool_fqdn']
        if not pool['registrar']:
            found.append(_finding('no_registrar', 'warning', 'Trusted application pool %s has no Registrar: it cannot be removed and no '
                                  'application endpoint can be created on it until one is set.' % name,
                                  'REF-SFB New-CsTrustedApplicationPool -Registrar, Remove-CsTrustedApplicationPool'))
        if not pool['applications']:
            found.append(_finding('no_application', 'info', 'Trusted application pool %s has no trusted application (Outlook on the web '
                                  'IM needs one, New-CsTrustedApplication, then Enable-CsTopology).' % name, 'integration-procedure.md 14.2'))
        elif _is_owa(pool['applications']) and pool['requires_replication'] is True:
            found.append(_finding('replication', 'info', 'Trusted application pool %s (Outlook on the web) has RequiresReplication True; '
                                  'it is usually False for Outlook Web Access.' % name, 'REF-SFB New-CsTrustedApplicationPool -RequiresReplication'))
    return found


def info(response):
    """The ``trusted_applications`` section of skype_info from the reads of ``info_reads``."""
    apps = response.output('trusted_applications')
    pools = []
    for row in response.output('trusted_pools'):
        fqdn = str(row.get('PoolFqdn') or '').lower()
        mine = [app for app in apps if str(app.get('TrustedApplicationPoolFqdn') or '').lower() == fqdn]
        pools.append({
            'pool_fqdn': row.get('PoolFqdn'),
            'identity': row.get('Identity'),
            'service_id': row.get('ServiceId'),
            'site': row.get('SiteId'),
            'registrar': row.get('Registrar'),
            'requires_replication': row.get('RequiresReplication'),
            'throttle_as_server': row.get('ThrottleAsServer'),
            'treat_as_authenticated': row.get('TreatAsAuthenticated'),
            'applications': [str(app.get('ApplicationId')) for app in mine],
        })
    applications = [{'identity': app.get('Identity'), 'application_id': app.get('ApplicationId'),
                     'pool_fqdn': app.get('TrustedApplicationPoolFqdn'), 'port': app.get('Port')} for app in apps]
    return {'trusted_application_pools': pools, 'trusted_applications': applications, 'trusted_application_findings': findings(pools)}

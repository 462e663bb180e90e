# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit of the whole integration, decided in Python from what the info modules read (one PowerShell run per host).

``build_report`` takes the ``exchange_info`` result of every Exchange host, the ``skype_info`` result of every Skype host
(a failed or unreachable task stays in as the failure: it becomes a ``failed`` result, never "absent" or "drift"), the
``autodiscover_dns_info`` result and the desired settings, and returns the report of docs/audit-report.schema.json: for
each step of the documented order (integration-procedure.md, "Documented order") and each server, ``compliant``,
``would_change`` (with the diff), ``failed`` (with the reason) or ``not_applicable``. Desired values are compared with
the comparisons of the modules that apply them (their resource ``Property`` objects), so the audit and the apply agree.
"""

from __future__ import annotations

import datetime

from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.client_access import ClientAccessServers
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.owa_im import OVERRIDE_PRODUCTS, unsupported_pair
from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration import matrix
from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration.report import SCHEMA_ID, SCHEMA_VERSION
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.oauth import OAuthConfiguration

# the collection's version (galaxy.yml; a unit test keeps them equal)
COLLECTION_VERSION = '1.1.0'
TITLE = 'Skype for Business and Exchange integration audit'

COMPLIANT, WOULD_CHANGE, FAILED, NOT_APPLICABLE = 'compliant', 'would_change', 'failed', 'not_applicable'
# a step's status is the worst of its results
SEVERITY = {NOT_APPLICABLE: 0, COMPLIANT: 1, WOULD_CHANGE: 2, FAILED: 3}
BRANCHES = ('on_premises', 'exchange_online')

# (id, title, product, scope, section): the documented order (integration-procedure.md, "Documented order" and §1-§14)
STEPS = (
    ('prerequisites', 'Both products installed, reachable and supported', 'both', 'server', 'integration-procedure.md §1'),
    ('exchange_auth_certificate', 'Exchange Auth certificate', 'exchange', 'organization', 'integration-procedure.md §2'),
    ('skype_oauth_certificate', 'Skype for Business OAuthTokenIssuer certificate', 'skype', 'deployment', 'integration-procedure.md §3'),
    ('exchange_autodiscover', 'Exchange Autodiscover internal URI (SCP)', 'exchange', 'server', 'integration-procedure.md §4'),
    ('skype_oauth_configuration', 'Skype for Business OAuth configuration (Exchange Autodiscover URL)', 'skype', 'deployment',
     'integration-procedure.md §5'),
    ('autodiscover_dns', 'Autodiscover DNS record', 'dns', 'organization', 'integration-procedure.md §6'),
    ('exchange_partner_application', 'Skype for Business as a partner application of Exchange', 'exchange', 'organization',
     'integration-procedure.md §8.1'),
    ('skype_partner_application', 'Exchange as a partner application of Skype for Business', 'skype', 'deployment',
     'integration-procedure.md §8.2'),
    ('server_to_server_verification', 'Verify server-to-server authentication', 'skype', 'deployment', 'integration-procedure.md §8.3'),
    ('exchange_online', 'Exchange Online: shared SIP address space and hosting provider', 'skype', 'deployment',
     'integration-procedure.md §7'),
    ('skype_trusted_application', 'Trusted application pool for Outlook on the web IM', 'skype', 'deployment',
     'integration-procedure.md §14.2'),
    ('exchange_owa_im', 'Outlook on the web IM on Exchange', 'exchange', 'server', 'integration-procedure.md §14.3, §14.4'),
)
ON_PREMISES_STEPS = ('exchange_partner_application', 'skype_partner_application', 'server_to_server_verification')
OWA_STEPS = ('skype_trusted_application', 'exchange_owa_im')

# Which info findings belong to which step (the ``feature`` of each finding).
EXCHANGE_FEATURE_STEPS = {'auth_certificate': 'exchange_auth_certificate', 'client_access_servers': 'exchange_autodiscover',
                          'virtual_directories': 'exchange_autodiscover', 'partner_applications': 'exchange_partner_application'}
SKYPE_FEATURE_STEPS = {'oauth_certificate': 'skype_oauth_certificate', 'oauth_configuration': 'skype_oauth_configuration',
                       'partner_applications': 'skype_partner_application', 'exchange_online': 'exchange_online',
                       'oauth_servers': 'exchange_online', 'trusted_applications': 'skype_trusted_application'}
# Findings the step's module puts right when it runs (the rest need the administrator: they are ``failed``).
FIXED_BY_APPLY = {
    'exchange_partner_application': ('partner_application_missing', 'partner_application_no_account', 'partner_application_role_missing',
                                     'partner_application_no_linked_account', 'partner_application_no_certificate',
                                     'partner_application_disabled'),
    'skype_partner_application': ('partner_application_missing', 'partner_application_disabled', 'partner_application_trust_level'),
    'skype_oauth_certificate': ('not_assigned',),
    'skype_oauth_configuration': ('oauth_autodiscover_url_missing',),
}


def autodiscover_internal_uri(fqdn):
    """The SCP value Microsoft documents for the Autodiscover name (integration-procedure.md §4)."""
    return 'https://%s/Autodiscover/Autodiscover.xml' % fqdn


def exchange_autodiscover_url(fqdn):
    """The ExchangeAutodiscoverUrl Skype for Business needs: autodiscover.svc, never .xml (integration-procedure.md §5)."""
    return 'https://%s/autodiscover/autodiscover.svc' % fqdn


def _failed_read(result):
    """The reason a host's info task failed, or None when it read."""
    if not isinstance(result, dict):
        return 'no result (the host was not audited)'
    if result.get('unreachable'):
        return 'unreachable: %s' % (result.get('msg') or 'the connection failed')
    if result.get('failed'):
        return result.get('msg') or 'the read failed'
    if result.get('skipped'):
        return 'skipped: %s' % (result.get('skip_reason') or 'the task did not run')
    return None


def _result(server, status, message, diff=None, checks=None):
    return {'server': server, 'status': status, 'message': message, 'diff': diff, 'checks': list(checks or [])}


def _check(ident, status, message, source):
    return {'id': ident, 'status': status, 'message': message, 'source': source}


def _worst(statuses, default=NOT_APPLICABLE):
    statuses = list(statuses)
    return max(statuses, key=SEVERITY.get) if statuses else default


def _finding_status(step, finding):
    if finding.get('severity') != 'error':
        return COMPLIANT
    return WOULD_CHANGE if finding.get('id') in FIXED_BY_APPLY.get(step, ()) else FAILED


def _finding_checks(step, findings):
    return [_check(item.get('id'), _finding_status(step, item), item.get('message'), item.get('source')) for item in findings]


class _Product:
    """The readable hosts of one product, their failures, and the host that speaks for the organisation/deployment."""

    def __init__(self, results):
        self.results = dict(results or {})
        self.failures = dict((host, reason) for host, reason in ((host, _failed_read(result)) for host, result in self.results.items())
                             if reason)
        self.read = dict((host, result) for host, result in self.results.items() if host not in self.failures)
        # organisation-wide data is the same from every host of one organisation: the first readable host speaks for it
        self.first = next(iter(self.read.values()), None)
        self.host_of = dict((str(result.get('computer_name') or '').lower(), host) for host, result in self.read.items())

    def name(self, server):
        """The inventory host of a server name or FQDN when it is in the inventory, else the name."""
        if not server:
            return server
        text = str(server).lower()
        return self.host_of.get(text) or self.host_of.get(text.split('.', 1)[0]) or server

    def findings(self, feature_steps, step):
        """The findings of the first readable host (organisation-wide) plus per-server ones of every host, for ``step``."""
        seen, found = set(), []
        for host, result in self.read.items():
            for item in result.get('findings') or []:
                if feature_steps.get(item.get('feature')) != step:
                    continue
                key = (item.get('id'), item.get('server'), item.get('message'))
                if key in seen:
                    continue
                seen.add(key)
                found.append(dict(item, server=self.name(item.get('server')) if item.get('server') else None, host=host))
        return found


def _unreadable(product, step_product):
    """``failed`` results for the hosts whose read failed; a step cannot be judged from them."""
    return [_result(host, FAILED, 'Could not read %s: %s' % (step_product, reason)) for host, reason in product.failures.items()]


def _prerequisites(exchange, skype):
    results = []
    for label, product in (('Exchange', exchange), ('Skype for Business', skype)):
        if not product.results:
            results.append(_result(None, FAILED, 'No %s host was audited: check the inventory group.' % label))
        for host, reason in product.failures.items():
            results.append(_result(host, FAILED, '%s host not usable: %s' % (label, reason)))
        for host, result in product.read.items():
            status = COMPLIANT
            support = result.get('support_status')
            checks = [_check('reachable', COMPLIANT, 'Read through the product shell (%s).' % (result.get('shell') or 'remote session'),
                             'integration-procedure.md §1')]
            if not result.get('version'):
                status = FAILED
                checks.append(_check('version_recognised', FAILED, 'The product version was not recognised: %s.'
                                     % (result.get('admin_display_version') or result.get('server_version')), 'integration-procedure.md §1'))
            message = '%s, %s' % (result.get('product') or 'unknown version', support or 'unknown')
            if support == 'out_of_support':
                message += ' since %s (no security updates; the Subscription Edition is supported)' % result.get('end_of_support')
            checks.append(_check('support_status', NOT_APPLICABLE if status == FAILED and support != 'supported' else COMPLIANT,
                                 message, 'versions-and-changes-2025.md (supported versions)'))
            results.append(_result(host, status, message, checks=checks))
    return results


def _auth_certificate(exchange):
    results = _unreadable(exchange, 'the Auth certificate')
    if not exchange.first:
        return results
    section = exchange.first.get('auth_certificate') or {}
    findings = exchange.findings(EXCHANGE_FEATURE_STEPS, 'exchange_auth_certificate')
    current = section.get('current') or {}
    checks = [
        _check('configured', COMPLIANT if current.get('thumbprint') else FAILED,
               'AuthConfig current certificate %s' % (current.get('thumbprint') or 'not set'), 'CSS-Exchange FreeBusyChecker (AuthConfig)'),
        _check('present_on_every_server', COMPLIANT if current and not current.get('missing_on') else FAILED,
               'present on %s; missing on %s' % (', '.join(current.get('present_on') or []) or 'none',
                                                 ', '.join(current.get('missing_on') or []) or 'none'), 'CSS-Exchange HealthChecker'),
        _check('valid', FAILED if current.get('expired') else COMPLIANT if current else NOT_APPLICABLE,
               'expires %s (%s days left)' % (current.get('not_after'), current.get('days_left')) if current else 'no current certificate',
               'CSS-Exchange HealthChecker, MonitorExchangeAuthCertificate'),
    ]
    following = section.get('next')
    checks.append(_check('staged_certificate', COMPLIANT if following else NOT_APPLICABLE,
                         'next certificate %s effective %s' % (following.get('thumbprint'), section.get('next_effective_date') or
                                                               following.get('effective_date')) if following else 'none staged',
                         'CSS-Exchange HealthChecker (NextCertificateEffectiveDate)'))
    for item in findings:
        # the role audits the certificate by default: an error needs exchange_auth_certificate_mode stage or replace
        status = FAILED if item.get('severity') == 'error' else COMPLIANT
        checks.append(_check(item['id'], status, item['message'], item.get('source')))
    status = _worst(check['status'] for check in checks)
    errors = [item['message'] for item in findings if item.get('severity') == 'error']
    read_through = ', '.join(sorted(exchange.read))
    message = ' '.join(errors) + ' (Exchange organization read through %s.) Fix: exchange_auth_certificate_mode replace (or stage) in the ' \
        'exchange_auth_certificate role.' % read_through if errors \
        else 'Current Auth certificate %s is valid on every server.' % current.get('thumbprint') if status == COMPLIANT else \
        'The Auth certificate needs attention.'
    results.append(_result(None, status, message, checks=checks))
    return results


def _oauth_certificate(skype):
    results = _unreadable(skype, 'the OAuthTokenIssuer certificate')
    issuers = {}
    for host, result in skype.read.items():
        section = result.get('oauth_certificate') or {}
        issuer = section.get('oauth_token_issuer') or {}
        thumbprint = issuer.get('thumbprint')
        issuers[host] = thumbprint
        checks = []
        for item in section.get('findings') or []:
            checks.append(_check(item.get('id'), _finding_status('skype_oauth_certificate', item), item.get('message'), item.get('source')))
        status = _worst((check['status'] for check in checks), COMPLIANT)
        if not thumbprint:
            message = 'No OAuthTokenIssuer certificate is assigned on %s: the role assigns one at -Identity Global.' % host
            status = WOULD_CHANGE if status != FAILED else status
            diff = {'before': {'oauth_token_issuer': None}, 'after': {'oauth_token_issuer': 'assigned (Global)'}}
        else:
            message = 'OAuthTokenIssuer %s (expires %s).' % (thumbprint, issuer.get('not_after'))
            diff = None
        if status == FAILED:
            message = ' '.join(check['message'] for check in checks if check['status'] == FAILED)
        results.append(_result(host, status, message, diff=diff, checks=checks))
    # one certificate per deployment, replicated to every Front End: any difference (one with none included) is a fault the
    # assignment alone does not cure, as skype_oauth_certificate judges it
    if len(issuers) > 1 and any(issuers.values()) and len(set(str(value or '').upper() for value in issuers.values())) > 1:
        held = ', '.join('%s (%s): %s' % (host, skype.read[host].get('computer_name'), value or 'none') for host, value in sorted(issuers.items()))
        results.append(_result(None, FAILED, 'The Front Ends hold different OAuthTokenIssuer certificates (%s): assign one certificate at '
                                             '-Identity Global and check Central Management store replication (skype_oauth_certificate).' % held,
                               checks=[_check('front_end_mismatch', FAILED, 'certificates differ between Front Ends',
                                              'SFB-CERT (one OAuthTokenIssuer per deployment)')]))
    return results


def _client_access(exchange, fqdn):
    results = _unreadable(exchange, 'the Client Access servers')
    if not exchange.first:
        return results
    uri = ClientAccessServers.properties[0]
    desired = autodiscover_internal_uri(fqdn)
    oauth_checks = {}
    for kind in ('autodiscover', 'web_services'):
        for directory in (exchange.first.get('virtual_directories') or {}).get(kind) or []:
            on = directory.get('oauth_authentication')
            oauth_checks.setdefault(str(directory.get('server') or '').lower(), []).append(
                _check('%s_oauth' % kind, COMPLIANT if on else FAILED,
                       '%s: OAuth authentication %s' % (directory.get('identity'), 'on' if on else 'off: enable OAuth on the directory'),
                       'CSS-Exchange FreeBusyChecker (OAuth on Autodiscover and EWS)'))
    for server in exchange.first.get('client_access_servers') or []:
        current = server.get('autodiscover_internal_uri')
        checks = list(oauth_checks.get(str(server.get('name') or '').lower(), []))
        if uri.equal(desired, current):
            status, message, diff = COMPLIANT, 'AutoDiscoverServiceInternalUri is %s.' % current, None
        else:
            status = WOULD_CHANGE
            message = 'AutoDiscoverServiceInternalUri is %s; the documented value is %s.' % (current or 'not set', desired)
            diff = {'before': {'autodiscover_internal_uri': current}, 'after': {'autodiscover_internal_uri': desired}}
        checks.insert(0, _check('scp', status, message, 'integration-procedure.md §4'))
        results.append(_result(exchange.name(server.get('name')), _worst(check['status'] for check in checks), message, diff, checks))
    return results


def _oauth_configuration(skype, fqdn):
    results = _unreadable(skype, 'the OAuth configuration')
    if not skype.first:
        return results
    current = (skype.first.get('oauth_configuration') or {}).get('exchange_autodiscover_url')
    desired = exchange_autodiscover_url(fqdn)
    prop = [item for item in OAuthConfiguration.properties if item.option == 'exchange_autodiscover_url'][0]
    if prop.equal(desired, current):
        results.append(_result(None, COMPLIANT, 'ExchangeAutodiscoverUrl is %s.' % current))
    else:
        results.append(_result(None, WOULD_CHANGE, 'ExchangeAutodiscoverUrl is %s; the documented value is %s.' % (current or 'not set', desired),
                               diff={'before': {'exchange_autodiscover_url': current}, 'after': {'exchange_autodiscover_url': desired}}))
    return results


def _dns(dns, settings):
    if dns is None:
        return [_result(None, NOT_APPLICABLE, 'The Autodiscover DNS check did not run.')]
    reason = _failed_read(dns) if dns.get('failed') or dns.get('unreachable') else None
    if reason and not dns.get('resolvers'):
        return [_result(None, FAILED, 'The Autodiscover DNS check failed: %s' % reason)]
    results = []
    fixable = settings.get('dns_mode') in ('rfc2136', 'windows_dns')
    for view in dns.get('resolvers') or []:
        ok = view.get('status') == 'ok'
        status = COMPLIANT if ok else WOULD_CHANGE if fixable else FAILED
        message = '%s answers %s: %s' % (view.get('resolver'), dns.get('name') or settings.get('autodiscover_fqdn'),
                                         ', '.join(view.get('addresses') or []) or view.get('status'))
        if not ok:
            message += ' (%s). Fix: create the record (autodiscover_dns_mode rfc2136 or windows_dns) or correct it in your DNS.' \
                % (view.get('mismatch') or view.get('error') or view.get('status'))
        results.append(_result(view.get('resolver'), status, message))
    for item in dns.get('findings') or []:
        if item.get('id') == 'autodiscover_dns_disagreement':
            results.append(_result(None, FAILED, item.get('message')))
    return results or [_result(None, FAILED, 'The Autodiscover DNS check returned no resolver.')]


def _findings_step(product, feature_steps, step, ok_message):
    results = _unreadable(product, step.replace('_', ' '))
    if not product.first:
        return results
    checks = _finding_checks(step, product.findings(feature_steps, step))
    status = _worst((check['status'] for check in checks), COMPLIANT)
    message = ok_message if status == COMPLIANT else ' '.join(check['message'] for check in checks if check['status'] == status)
    results.append(_result(None, status, message, checks=checks))
    return results


def _exchange_online(skype):
    results = _unreadable(skype, 'the Exchange Online settings')
    if not skype.first:
        return results
    section = skype.first.get('exchange_online') or {}
    checks = []
    for item in section.get('findings') or []:
        ident = item.get('id')
        # what skype_exchange_online sets: the hosting provider and the shared SIP address space
        if ident in ('exchange_online_not_configured', 'shared_sip_address_space_disabled'):
            status = WOULD_CHANGE
        elif item.get('severity') == 'error':
            status = FAILED
        else:
            status = COMPLIANT
        checks.append(_check(ident, status, item.get('message'), item.get('source')))
    providers = section.get('exchange_online_providers') or []
    status = _worst((check['status'] for check in checks), COMPLIANT)
    message = 'Hosting provider for Exchange Online: %s.' % (', '.join(str(item.get('identity')) for item in providers) or 'none')
    diff = None
    if status == WOULD_CHANGE:
        diff = {'before': {'hosting_provider': [item.get('proxy_fqdn') for item in providers] or None,
                           'allow_federated_users': (section.get('access_edge') or {}).get('allow_federated_users')},
                'after': {'hosting_provider': 'Exchange Online', 'allow_federated_users': True}}
    results.append(_result(None, status, message, diff=diff, checks=checks))
    if skype.first.get('version') == '2013':
        results.append(_result(None, COMPLIANT, 'Lync Server 2013 does not support server-to-server authentication with Microsoft 365 '
                                                '(IM and presence in Outlook on the web only).'))
    return results


def _trusted_application(skype, exchange):
    results = _unreadable(skype, 'the trusted applications')
    if not skype.first:
        return results
    pools = [str(item.get('identity') or item.get('fqdn') or '').lower() for item in skype.first.get('trusted_application_pools') or []]
    wanted = sorted(set(str(server.get('fqdn') or '').lower() for server in (exchange.first or {}).get('servers') or [] if server.get('fqdn')))
    missing = [fqdn for fqdn in wanted if not any(fqdn in pool for pool in pools)]
    checks = _finding_checks('skype_trusted_application', skype.findings(SKYPE_FEATURE_STEPS, 'skype_trusted_application'))
    if missing:
        status = WOULD_CHANGE
        message = 'No trusted application pool for %s.' % ', '.join(missing)
        diff = {'before': {'trusted_application_pools': sorted(pools)}, 'after': {'trusted_application_pools': sorted(set(pools) | set(missing))}}
    else:
        status, message, diff = _worst((check['status'] for check in checks), COMPLIANT), 'Trusted application pools: %s.' % (
            ', '.join(sorted(pools)) or 'none'), None
    results.append(_result(None, status, message, diff=diff, checks=checks))
    return results


def _owa_im(exchange, skype):
    results = _unreadable(exchange, 'Outlook on the web')
    if not exchange.first:
        return results
    skype_version = (skype.first or {}).get('version')
    product = exchange.first.get('version')
    refusal = unsupported_pair(skype_version, product, ', '.join(sorted(exchange.read))) if skype_version else None
    if refusal:
        return results + [_result(None, FAILED, '%s (Skype for Business: %s.)' % (refusal, ', '.join(sorted(skype.read))))]
    overrides = exchange.first.get('owa_im_setting_overrides') or []
    for directory in exchange.first.get('owa_virtual_directories') or []:
        im_type = directory.get('instant_messaging_type')
        checks = [_check('instant_messaging_type', COMPLIANT if str(im_type).lower() == 'ocs' else WOULD_CHANGE,
                         'InstantMessagingType %s' % im_type, 'integration-procedure.md §14')]
        server = directory.get('server')
        server_product = next((item.get('version') for item in exchange.first.get('servers') or [] if item.get('name') == server), product)
        if server_product in OVERRIDE_PRODUCTS:
            checks.append(_check('im_setting_override', COMPLIANT if overrides else WOULD_CHANGE,
                                 'OwaServer/IMSettings setting override %s' % ('present' if overrides else 'missing'),
                                 'integration-procedure.md §14.4 (EX-IM)'))
        else:
            checks.append(_check('web_config', NOT_APPLICABLE, 'The Exchange 2013 OWA web.config is not read by the audit (exchange_owa_im '
                                 'reads and sets it).', 'integration-procedure.md §14.3'))
        status = _worst(check['status'] for check in checks)
        diff = None
        if status == WOULD_CHANGE:
            diff = {'before': {'instant_messaging_type': im_type, 'im_setting_override': bool(overrides)},
                    'after': {'instant_messaging_type': 'Ocs', 'im_setting_override': server_product in OVERRIDE_PRODUCTS or None}}
        results.append(_result(exchange.name(server), status, '; '.join(check['message'] for check in checks), diff, checks))
    return results


def _verification(settings):
    addresses = settings.get('test_sip_addresses') or []
    if not addresses:
        return [_result(None, NOT_APPLICABLE, 'No test SIP address given (skype_exchange_test_sip_addresses): Test-CsExStorageConnectivity '
                                              'writes and deletes an item in a mailbox, so the audit does not run it.')]
    return [_result(None, NOT_APPLICABLE, 'The audit does not run Test-CsExStorageConnectivity (it writes and deletes an item in the '
                                          'mailbox of %s); the integration playbook does.' % ', '.join(addresses))]


def _topology(exchange, skype):
    def side(product, extra):
        if not product.first:
            return None
        first = product.first
        found = {'product': first.get('product'), 'version': first.get('version'), 'support_status': first.get('support_status'),
                 'end_of_support': first.get('end_of_support'), 'servers': sorted(product.results)}
        found.update(extra(first))
        return found
    ex = side(exchange, lambda first: {})
    sk = side(skype, lambda first: {'pools': [item.get('fqdn') for item in first.get('pools') or []]})
    return ex, sk


def build_report(exchange, skype, dns, settings, now=None, collection_version=None):
    """The audit report (docs/audit-report.schema.json) from the info results ({inventory host: result}) and the settings."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    settings = dict(settings)
    branch = settings.get('branch') or 'on_premises'
    if branch not in BRANCHES:
        raise ValueError('branch must be one of %s, got %r' % (', '.join(BRANCHES), branch))
    fqdn = settings.get('autodiscover_fqdn')
    ex, sk = _Product(exchange), _Product(skype)
    builders = {
        'prerequisites': lambda: _prerequisites(ex, sk),
        'exchange_auth_certificate': lambda: _auth_certificate(ex),
        'skype_oauth_certificate': lambda: _oauth_certificate(sk),
        'exchange_autodiscover': lambda: _client_access(ex, fqdn),
        'skype_oauth_configuration': lambda: _oauth_configuration(sk, fqdn),
        'autodiscover_dns': lambda: _dns(dns, settings),
        'exchange_partner_application': lambda: _findings_step(ex, EXCHANGE_FEATURE_STEPS, 'exchange_partner_application',
                                                               'The Skype for Business partner application, its linked account and '
                                                               'roles are in place.'),
        'skype_partner_application': lambda: _findings_step(sk, SKYPE_FEATURE_STEPS, 'skype_partner_application',
                                                            'Exchange is a partner application of Skype for Business.'),
        'server_to_server_verification': lambda: _verification(settings),
        'exchange_online': lambda: _exchange_online(sk),
        'skype_trusted_application': lambda: _trusted_application(sk, ex),
        'exchange_owa_im': lambda: _owa_im(ex, sk),
    }
    steps = []
    for order, (ident, title, product, scope, section) in enumerate(STEPS, 1):
        if ident in ON_PREMISES_STEPS and branch != 'on_premises':
            results = [_result(None, NOT_APPLICABLE, 'Branch %s: this step belongs to the on-premises Exchange branch.' % branch)]
        elif ident == 'exchange_online' and branch != 'exchange_online':
            results = [_result(None, NOT_APPLICABLE, 'Branch on_premises: the Exchange Online branch does not apply.')]
        elif ident in OWA_STEPS and not settings.get('owa_im'):
            results = [_result(None, NOT_APPLICABLE, 'Outlook on the web IM is optional and not requested (skype_exchange_owa_im).')]
        elif ident in OWA_STEPS and branch != 'on_premises':
            results = [_result(None, NOT_APPLICABLE, 'Outlook on the web IM with Exchange on premises: not in the Exchange Online branch.')]
        else:
            results = builders[ident]()
        steps.append({'id': ident, 'order': order, 'title': title, 'product': product, 'scope': scope, 'section': section,
                      'status': _worst(result['status'] for result in results), 'results': results})
    counts = dict((status, 0) for status in SEVERITY)
    for step in steps:
        counts[step['status']] += 1
    drift = counts[WOULD_CHANGE] > 0 or counts[FAILED] > 0
    overall = 'failed' if counts[FAILED] else 'drift' if drift else 'compliant'
    findings = []
    for product in (ex, sk):
        for host, result in product.read.items():
            for item in result.get('findings') or []:
                entry = {'id': item.get('id'), 'severity': item.get('severity'), 'feature': item.get('feature'),
                         'server': product.name(item.get('server')) if item.get('server') else None,
                         'message': item.get('message'), 'source': item.get('source')}
                if entry not in findings:
                    findings.append(entry)
        for host, reason in product.failures.items():
            findings.append({'id': 'host_unreadable', 'severity': 'error', 'feature': 'prerequisites', 'server': host, 'message': reason,
                             'source': None})
    for item in (dns or {}).get('findings') or []:
        findings.append({'id': item.get('id'), 'severity': item.get('severity'), 'feature': item.get('feature'), 'server': item.get('server'),
                         'message': item.get('message'), 'source': item.get('source')})
    ex_side, sk_side = _topology(ex, sk)
    step_status = dict((step['id'], step['status']) for step in steps)
    features = matrix.evaluate(ex_side and ex_side['version'] if branch == 'on_premises' else 'online', sk_side and sk_side['version'],
                               step_status=step_status, today=now.date())
    return {
        'schema': SCHEMA_ID,
        'schema_version': SCHEMA_VERSION,
        'title': TITLE,
        'generated_at': now.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'collection_version': collection_version or COLLECTION_VERSION,
        'check_mode': True,
        'settings': {'autodiscover_fqdn': fqdn, 'branch': branch, 'owa_im': bool(settings.get('owa_im')),
                     'exchange_group': settings.get('exchange_group') or 'exchange', 'skype_group': settings.get('skype_group') or 'skype',
                     'dns_mode': settings.get('dns_mode') or 'verify'},
        'topology': {'column': matrix.column_of(ex_side and ex_side['version'] if branch == 'on_premises' else 'online',
                                                sk_side and sk_side['version']),
                     'exchange': ex_side, 'skype': sk_side},
        'summary': dict(counts, drift=drift, status=overall),
        'steps': steps,
        'findings': findings,
        'features': features,
    }

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Skype for Business / Lync Server OAuthTokenIssuer certificate: the read (Get-CsCertificate, the machine store,
the SIP domains), the validation of a certificate with ``cryptography`` against the documented rules, the comparison
of the Front Ends, the findings, and the plan of skype_oauth_certificate.

Rules (integration-procedure.md section 3: SFB-PLAN, SFB-CERT, SFB-ROLL, LYNC prerequisites):

* the SIP domain name is in the certificate's Subject (SFB-PLAN; a SIP domain only in the Subject Alternative Names does
  not meet it);
* the key has at least 2048 bits;
* the certificate is within its validity (this collection's rule: an expired or not yet valid certificate cannot sign);
* the private key is exportable (SFB-ROLL: "Cert must have an exportable private key");
* the same certificate is the OAuthTokenIssuer on every Front End (SFB-PLAN), and is in each one's store;
* a roll-over's effective date is at least 24 hours before the current certificate expires (SFB-ROLL).

What travels: Get-CsCertificate returns public data only (Thumbprint, Subject, Issuer, NotAfter in REF-SFB's examples;
NotBefore, SerialNumber, Use in public scripts reading it; AlternativeNames, EffectiveDate, PreviousThumbprint,
PreviousNotAfter, SourceScope: UNVERIFIED names, read when present). The key size and the private key come from the
machine store (``Get-ChildItem Cert:\\LocalMachine\\My``, X509Certificate2 objects): RawData is parsed here; the
exportability is ``PrivateKey.CspKeyContainerInfo.Exportable`` (the runner's dotted property path), which is null for a
CNG key (its PrivateKey getter throws on .NET Framework 4.x) or an unreadable key: reported as unknown, never guessed.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.auth_certificate import iso, parse_date, raw_bytes, thumbprint
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, datetime_value
from ansible_collections.ucops.skype_exchange.plugins.module_utils.skype.version import parse_server_version

try:
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the module reports it
    HAS_CRYPTOGRAPHY = False

OAUTH = 'OAuthTokenIssuer'
DEFAULT = 'Default'
MIN_KEY_SIZE = 2048
# SFB-ROLL: "The minimum time that the OAuthTokenIssuer certificate should have for its lead time is 24 hours before
# the expiration time of the current certificate."
ROLL_LEAD_HOURS = 24
FEATURE = 'oauth_certificate'
STORE_PATH = 'Cert:\\LocalMachine\\My'
CERT_PROPERTIES = ['Thumbprint', 'Subject', 'Issuer', 'NotAfter', 'NotBefore', 'SerialNumber', 'AlternativeNames', 'EffectiveDate',
                   'PreviousThumbprint', 'PreviousNotAfter', 'Use', 'SourceScope']
EXPORTABLE = 'PrivateKey.CspKeyContainerInfo.Exportable'
STORE_PROPERTIES = ['Thumbprint', 'Subject', 'HasPrivateKey', 'RawData', EXPORTABLE]
_THUMBPRINT = re.compile(r'^[0-9A-F]{40}$')
SOURCES = {
    'sip_domain': 'SFB-PLAN: the certificate includes the SIP domain name in the Subject',
    'key_size': 'SFB-PLAN: key length at least 2048 bits',
    'validity': 'this collection: a certificate outside its validity cannot sign tokens',
    'exportable': 'SFB-ROLL: the certificate must have an exportable private key',
    'same': 'SFB-PLAN: the same certificate is the OAuthTokenIssuer on all Front End Servers',
    'assigned': 'SFB-CERT: if no certificate information is returned you must assign a token issuer certificate',
    'roll': 'SFB-ROLL: OAuthTokenIssuer lead time at least 24 hours before the current certificate expires',
}


# -- the read --------------------------------------------------------------------------------------------------------


def info_reads():
    """The read invocations (keys prefixed ``cert_``): the server version, every certificate assigned (Get-CsCertificate
    without -Type: Default, OAuthTokenIssuer, ...), the SIP domains, and the machine store (a host cmdlet: it runs in the
    WinRM session itself, whatever the Skype shell)."""
    return [
        Invocation('cert_version', 'Get-CsServerVersion'),
        Invocation('cert_certificates', 'Get-CsCertificate', properties=CERT_PROPERTIES),
        # -Filter '*': every SIP domain (REF-SFB Get-CsSipDomain example 3 form), IsDefault marks the default one
        Invocation('cert_sip_domains', 'Get-CsSipDomain', parameters={'Filter': '*'}, properties=['Name', 'Identity', 'IsDefault']),
        Invocation('cert_store', 'Get-ChildItem', parameters={'Path': STORE_PATH}, properties=STORE_PROPERTIES),
    ]


def _key(public_key):
    if isinstance(public_key, rsa.RSAPublicKey):
        return 'RSA', public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return 'EC', public_key.curve.key_size
    if isinstance(public_key, dsa.DSAPublicKey):
        return 'DSA', public_key.key_size
    return type(public_key).__name__, None


def store_certificate(row):
    """One machine-store row parsed with cryptography (RawData): public data, key, private key and exportability
    (True, False, or None = unknown)."""
    der = raw_bytes(row.get('RawData'))
    data = {'thumbprint': thumbprint(row.get('Thumbprint')), 'subject': row.get('Subject'), 'subject_values': [], 'dns_names': [],
            'not_before': None, 'not_after': None, 'key_type': None, 'key_size': None, 'issuer': None,
            'has_private_key': row.get('HasPrivateKey') is True, 'exportable': None, 'parsed': False}
    exportable = row.get(EXPORTABLE)
    data['exportable'] = exportable if isinstance(exportable, bool) else None
    if der is None or not HAS_CRYPTOGRAPHY:
        return data
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return data
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    key_type, key_size = _key(cert.public_key())
    data.update(thumbprint=hashlib.sha1(der).hexdigest().upper(),  # nosec - X509Certificate2.Thumbprint is SHA-1
                subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                subject_values=[str(attribute.value) for attribute in cert.subject], dns_names=list(names),
                not_before=iso(cert.not_valid_before_utc), not_after=iso(cert.not_valid_after_utc), key_type=key_type,
                key_size=key_size, parsed=True)
    return data


def _in_domain(value, domain):
    value, domain = str(value or '').strip().lower().rstrip('.'), str(domain or '').strip().lower().rstrip('.')
    return bool(domain) and (value == domain or value.endswith('.' + domain))


def sip_domain_in_subject(cert, domain):
    """Whether a Subject value (CN, O, ...) is the SIP domain or a name in it."""
    return any(_in_domain(value, domain) for value in cert.get('subject_values') or [])


def _reference(row):
    return {'thumbprint': thumbprint(row.get('Thumbprint')), 'use': row.get('Use'), 'subject': row.get('Subject'),
            'issuer': row.get('Issuer'), 'not_before': iso(parse_date(row.get('NotBefore'))),
            'not_after': iso(parse_date(row.get('NotAfter'))), 'serial_number': row.get('SerialNumber'),
            'alternative_names': list(row.get('AlternativeNames') or []), 'effective_date': iso(parse_date(row.get('EffectiveDate'))),
            'previous_thumbprint': thumbprint(row.get('PreviousThumbprint')),
            'previous_not_after': iso(parse_date(row.get('PreviousNotAfter'))), 'source_scope': row.get('SourceScope')}


def server_view(response, name, server=None):
    """What one Front End's read says: its version, its certificates by use, its OAuthTokenIssuer, its Default
    certificate, the SIP domains, its machine store."""
    version = parse_server_version((response.output('cert_version') or [''])[0])
    by_use = {}
    for row in response.output('cert_certificates'):
        by_use.setdefault(str(row.get('Use') or ''), []).append(_reference(row))
    store = {}
    for row in response.output('cert_store'):
        cert = store_certificate(row)
        if cert['thumbprint']:
            store[cert['thumbprint']] = cert
    domains = response.output('cert_sip_domains')
    default_domain = next((row.get('Name') or row.get('Identity') for row in domains if row.get('IsDefault') is True), None)
    oauth = (by_use.get(OAUTH) or [None])[0]
    default = (by_use.get(DEFAULT) or [None])[0]
    return {'name': name, 'server': server, 'computer_name': response.host.get('computer_name'), 'product': version['product'],
            'certificates': by_use, 'oauth': oauth, 'default': default, 'store': store,
            'sip_domains': [row.get('Name') or row.get('Identity') for row in domains], 'default_sip_domain': default_domain}


# -- rules -----------------------------------------------------------------------------------------------------------


def _finding(severity, ident, server, message, source):
    return {'id': ident, 'severity': severity, 'feature': FEATURE, 'server': server, 'message': message, 'source': SOURCES[source]}


def check_certificate(cert, sip_domain, now, server, what='certificate'):
    """Findings for one certificate of a machine store against the documented rules (empty: it meets them all; a finding of
    severity error is a broken rule, ``exportability_unknown`` a warning)."""
    found = []
    name = '%s %s' % (what, cert['thumbprint'])
    if not cert['parsed']:
        found.append(_finding('warning', 'certificate_unreadable', server, 'The %s on %s has no readable RawData: its key size and '
                              'SIP domain could not be checked.' % (name, server), 'key_size'))
    else:
        if not sip_domain_in_subject(cert, sip_domain):
            where = (' (it is only in the Subject Alternative Names, which does not meet the rule)'
                     if any(_in_domain(value, sip_domain) for value in cert['dns_names']) else '')
            found.append(_finding('error', 'sip_domain_not_in_subject', server, 'The %s does not have the SIP domain %s in its Subject '
                                  '(%s)%s.' % (name, sip_domain, cert['subject'], where), 'sip_domain'))
        if cert['key_size'] is None or cert['key_size'] < MIN_KEY_SIZE:
            found.append(_finding('error', 'key_too_small', server, 'The %s has a %s-bit %s key; at least %d bits are required.'
                                  % (name, cert['key_size'], cert['key_type'], MIN_KEY_SIZE), 'key_size'))
        not_before, not_after = parse_date(cert['not_before']), parse_date(cert['not_after'])
        if not_after is not None and not_after <= now:
            found.append(_finding('error', 'expired', server, 'The %s expired on %s.' % (name, cert['not_after']), 'validity'))
        elif not_before is not None and not_before > now:
            found.append(_finding('error', 'not_yet_valid', server, 'The %s is not valid before %s.' % (name, cert['not_before']), 'validity'))
    if not cert['has_private_key']:
        found.append(_finding('error', 'no_private_key', server, 'The %s has no private key on %s.' % (name, server), 'exportable'))
    elif cert['exportable'] is False:
        found.append(_finding('error', 'not_exportable', server, 'The private key of the %s is not exportable on %s.' % (name, server),
                              'exportable'))
    elif cert['exportable'] is None:
        found.append(_finding('warning', 'exportability_unknown', server, 'Whether the private key of the %s is exportable on %s is '
                              'unknown: its key is not a CryptoAPI key the server can describe (a CNG key, or a key the account '
                              'cannot read). Check it with certutil -store My %s.' % (name, server, cert['thumbprint']), 'exportable'))
    return found


def compare_front_ends(views):
    """Findings across Front Ends: a different OAuthTokenIssuer (names the servers and thumbprints) or a store that lacks
    the OAuthTokenIssuer it shows."""
    found = []
    seen = dict((view['name'], (view['oauth'] or {}).get('thumbprint')) for view in views)
    if len(set(seen.values())) > 1:
        found.append(_finding('error', 'front_end_mismatch', ', '.join(sorted(seen)), 'The Front Ends show different OAuthTokenIssuer '
                              'certificates: %s. The same certificate must be configured on every Front End (assign it once '
                              'at -Identity Global and check Central Management store replication).'
                              % ', '.join('%s: %s' % (name, seen[name] or 'none') for name in sorted(seen)), 'same'))
    for view in views:
        wanted = seen[view['name']]
        if wanted and wanted not in view['store']:
            found.append(_finding('error', 'not_in_store', view['name'], 'The OAuthTokenIssuer %s is not in the machine certificate store '
                                  'of %s (Cert:\\LocalMachine\\My): that Front End cannot sign with it.' % (wanted, view['name']), 'same'))
    return found


def assess(views, sip_domain, now):
    """State and findings of the OAuthTokenIssuer over the Front Ends read (the task's host first)."""
    local = views[0]
    found = []
    oauth = local['oauth']
    if oauth is None or not oauth.get('thumbprint'):
        found.append(_finding('error', 'not_assigned', local['name'], 'Get-CsCertificate -Type OAuthTokenIssuer returned nothing on %s: '
                              'assign a token issuer certificate.' % local['name'], 'assigned'))
    else:
        cert = local['store'].get(oauth['thumbprint'])
        if cert is not None:
            found.extend(check_certificate(cert, sip_domain, now, local['name'], 'OAuthTokenIssuer certificate'))
        effective = parse_date(oauth.get('effective_date'))
        if effective is not None and effective > now and oauth.get('previous_thumbprint'):
            found.append(_finding('info', 'roll_pending', local['name'], 'The OAuthTokenIssuer %s becomes current on %s; until then the '
                                  'previous certificate %s signs.' % (oauth['thumbprint'], iso(effective), oauth['previous_thumbprint']),
                                  'roll'))
    found.extend(compare_front_ends(views))
    return found


# -- options and plan -------------------------------------------------------------------------------------------------


def effective_date(value, now):
    """The ``effective_date`` option as a UTC datetime: an ISO 8601 date and time (with an offset, or UTC), or a number of
    hours from now. OptionError for anything else (never locale-formatted text)."""
    if value in (None, ''):
        return None
    text = str(value).strip()
    try:
        return now + datetime.timedelta(hours=float(text))
    except ValueError:
        pass
    if 'T' not in text and ' ' not in text:
        raise OptionError('effective_date: give an ISO 8601 date and time (2027-01-31T08:00:00Z) or a number of hours from now '
                          '(72), not %r: locale-formatted dates such as "7/1/2015" are refused.' % value)
    try:
        parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        raise OptionError('effective_date: %r is neither an ISO 8601 date and time (2027-01-31T08:00:00+01:00) nor a number of '
                          'hours from now (72).' % value) from None
    return parsed.astimezone(datetime.timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def validate(params, now):
    """Checks that need no server (before anything is sent); returns (desired thumbprint or None, effective date or None)."""
    wanted = thumbprint(params.get('thumbprint'))
    if params.get('thumbprint') is not None and params.get('use_default_certificate'):
        raise OptionError('thumbprint and use_default_certificate are mutually exclusive: give one.')
    if wanted is not None and not _THUMBPRINT.match(wanted):
        raise OptionError('thumbprint must be 40 hexadecimal characters (spaces are ignored), such as '
                          'B142918E463981A76503828BB1278391B7162809; got %r.' % params.get('thumbprint'))
    if params.get('thumbprint') is not None and wanted is None:
        raise OptionError('thumbprint is empty: give the thumbprint of the certificate, or use_default_certificate: true.')
    when = effective_date(params.get('effective_date'), now)
    if when is not None and wanted is None and not params.get('use_default_certificate'):
        raise OptionError('effective_date schedules a roll-over to a new certificate: give thumbprint or use_default_certificate too.')
    if when is not None and when <= now:
        raise OptionError('effective_date %s is not in the future: a roll-over is scheduled ahead; assign without effective_date '
                          'to make the certificate current now.' % iso(when))
    return wanted, when


class Plan:
    """What skype_oauth_certificate does: ``thumbprint`` to assign (None: nothing), ``effective`` for a roll-over."""

    def __init__(self, thumbprint=None, effective=None, reason=None):
        self.thumbprint = thumbprint
        self.effective = effective
        self.reason = reason


def plan(params, views, sip_domain, now, wanted, when):
    """Decide, after the read and before any write. OptionError for a certificate that breaks a rule (naming the rule)."""
    local = views[0]
    if wanted is None and params.get('use_default_certificate'):
        default = local['default']
        if default is None or not default.get('thumbprint'):
            raise OptionError('use_default_certificate: Get-CsCertificate -Type Default returned nothing on %s; give thumbprint.'
                              % local['name'])
        wanted = default['thumbprint']
    if wanted is None:
        return Plan(reason='audit only (no thumbprint given)')
    current = local['oauth'] or {}
    if current.get('thumbprint') == wanted:
        return Plan(reason='the certificate %s is already the OAuthTokenIssuer' % wanted)
    cert = local['store'].get(wanted)
    if cert is None:
        raise OptionError('The certificate %s is not in the machine certificate store of %s (Cert:\\LocalMachine\\My): import it there '
                          'with its private key first (Import-CsCertificate or the Deployment Wizard). Nothing was changed.'
                          % (wanted, local['name']))
    broken = [item for item in check_certificate(cert, sip_domain, now, local['name']) if item['severity'] == 'error']
    if broken:
        raise OptionError('The certificate %s on %s cannot be the OAuthTokenIssuer: %s Nothing was changed. Fix: give thumbprint of a '
                          'certificate that meets the rule, or replace the certificate on %s.'
                          % (wanted, local['name'], ' '.join('%s [rule: %s]' % (item['message'], item['source']) for item in broken), local['name']))
    if when is not None:
        not_after = parse_date(current.get('not_after'))
        if not current.get('thumbprint') or not_after is None:
            raise OptionError('effective_date: no current OAuthTokenIssuer (or its expiry is unknown) to roll over from; assign without '
                              'effective_date.')
        latest = not_after - datetime.timedelta(hours=ROLL_LEAD_HOURS)
        if when > latest:
            raise OptionError('effective_date %s is less than %d hours before the current OAuthTokenIssuer %s expires (%s) [rule: %s]: '
                              'give %s or earlier, or assign without effective_date if it is too late for a roll-over.'
                              % (iso(when), ROLL_LEAD_HOURS, current['thumbprint'], iso(not_after), SOURCES['roll'], iso(latest)))
    return Plan(wanted, when, reason='assign %s%s' % (wanted, ' from %s' % iso(when) if when else ''))


def write_invocation(decision):
    """Set-CsCertificate -Identity Global -Type OAuthTokenIssuer -Thumbprint <t> [-Roll -EffectiveDate <DateTime>]: once per
    deployment (SFB-CERT: "You should not configure the OAuthTokenIssuer certificate on each Front End Server")."""
    parameters = {'Identity': 'Global', 'Type': [OAUTH], 'Thumbprint': decision.thumbprint}
    description = 'Set-CsCertificate -Identity Global -Type OAuthTokenIssuer -Thumbprint %s' % decision.thumbprint
    if decision.effective is not None:
        # a DateTime parsed invariantly on the server, never text in the server's locale (SFB-ROLL's locale caveat)
        parameters.update(Roll={'__ucops_type': 'switch', 'value': True}, EffectiveDate=datetime_value(iso(decision.effective)))
        description += ' -Roll -EffectiveDate %s' % iso(decision.effective)
    return Invocation('set_oauth', 'Set-CsCertificate', parameters=parameters, description=description)


def snapshot(view):
    """The diff form: the OAuthTokenIssuer as one Front End shows it."""
    oauth = view['oauth'] or {}
    return {'thumbprint': oauth.get('thumbprint'), 'effective_date': oauth.get('effective_date'),
            'previous_thumbprint': oauth.get('previous_thumbprint')}


def report(view, sip_domain, now):
    """Return shape of the OAuthTokenIssuer of one Front End: the reference with the store's data."""
    oauth = view['oauth']
    if oauth is None:
        return None
    result = dict(oauth)
    cert = view['store'].get(oauth['thumbprint'])
    result.update(in_store=cert is not None, key_size=cert['key_size'] if cert else None,
                  has_private_key=cert['has_private_key'] if cert else None, exportable=cert['exportable'] if cert else None,
                  sip_domain_in_subject=sip_domain_in_subject(cert, sip_domain) if cert and cert['parsed'] else None,
                  dns_names=cert['dns_names'] if cert else [])
    if cert and cert['not_after']:
        result['not_after'] = cert['not_after']
        result['days_left'] = int((parse_date(cert['not_after']) - now).total_seconds() // 86400)
    return result


def front_end_report(view):
    oauth = view['oauth'] or {}
    return {'name': view['name'], 'server': view['server'], 'inventory_name': view.get('inventory_name'), 'oauth_thumbprint': oauth.get('thumbprint'),
            'in_store': bool(oauth.get('thumbprint')) and oauth['thumbprint'] in view['store']}


# -- info section ----------------------------------------------------------------------------------------------------


def info(response, now=None):
    """The ``oauth_certificate`` section of skype_info from a response holding ``info_reads()``: certificates by type with their
    public data, and the findings of the connected Front End."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    view = server_view(response, response.host.get('computer_name') or 'the server')
    sip_domain = view['default_sip_domain']
    return {'certificates': view['certificates'], 'sip_domain': sip_domain, 'oauth_token_issuer': report(view, sip_domain, now),
            'findings': assess([view], sip_domain, now)}


# -- the module's run ------------------------------------------------------------------------------------------------


def _view(response, inventory_name, server):
    """A Front End's view named by its computer name (what findings name), with its inventory name when it is a peer."""
    view = server_view(response, response.host.get('computer_name') or inventory_name or server, server)
    view['inventory_name'] = inventory_name
    return view


def run(module, now=None):
    """Read the task's Front End and the other Front Ends (``front_ends``), decide, write once at -Identity Global on the
    task's host ending with a verifying read, read the other Front Ends again, report.

    Not the resource engine's ``run``: the decision is over several servers' reads (one request per Front End) and a
    certificate's rules, and a roll-over date is computed from the current certificate. It keeps the engine's shape: one
    read per Front End, a plan computed in Python before anything is sent, one write request ending with a verifying read,
    diff and ``changed``.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    params = module.params
    if not HAS_CRYPTOGRAPHY:
        raise OptionError('The Python library cryptography is required on the controller (pip install cryptography).')
    wanted, when = validate(params, now)
    module.connection_options()
    shell = module.shell()
    response = module.runner.read(shell, info_reads())
    peers = module.peers()
    views = [_view(response, None, module.host)]
    for name, server, runner, peer_shell in peers:
        views.append(_view(runner.read(peer_shell, info_reads()), name, server))
    sip_domain = params.get('sip_domain') or views[0]['default_sip_domain']
    if not sip_domain:
        raise OptionError('Get-CsSipDomain returned no default SIP domain on %s: give sip_domain.' % module.host)
    decision = plan(params, views, sip_domain, now, wanted, when)
    warnings = list(response.warnings())
    before = snapshot(views[0])
    after_views = views
    changes = []
    if decision.thumbprint is not None:
        invocation = write_invocation(decision)
        changes.append(invocation.description)
        if not module.check_mode:
            written = module.runner.write(shell, [invocation] + info_reads())
            warnings.extend(written.warnings())
            after_views = [_view(written, None, module.host)]
            for name, server, runner, peer_shell in peers:
                after_views.append(_view(runner.read(peer_shell, info_reads()), name, server))
            found = (after_views[0]['oauth'] or {}).get('thumbprint')
            if found != decision.thumbprint:
                raise ScriptFailure('Set-CsCertificate ran, but Get-CsCertificate -Type OAuthTokenIssuer shows %s, not %s'
                                    % (found, decision.thumbprint), host=module.host, changes_made=changes)
    findings = assess(after_views, sip_domain, now)
    for item in findings:
        if item['id'] == 'front_end_mismatch' or (item['id'] == 'not_in_store' and decision.thumbprint is not None):
            warnings.append(item['message'])
    result = {'changed': bool(changes), 'changes': changes, 'reason': decision.reason, 'thumbprint': decision.thumbprint,
              'effective_date': iso(decision.effective), 'sip_domain': sip_domain, 'skype_version': views[0]['product'],
              'oauth_certificate': report(after_views[0], sip_domain, now),
              'default_certificate': (views[0]['default'] or {}).get('thumbprint'),
              'front_ends': [front_end_report(view) for view in after_views], 'findings': findings}
    for warning in warnings:
        module.warn(warning)
    if module._diff:  # pylint: disable=protected-access
        after = snapshot(after_views[0])
        if changes and module.check_mode:
            after = {'thumbprint': decision.thumbprint, 'effective_date': iso(decision.effective),
                     'previous_thumbprint': before['thumbprint'] or before['previous_thumbprint']}
        result['diff'] = {'before': before, 'after': after}
    return result

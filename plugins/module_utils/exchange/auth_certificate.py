# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Exchange Auth certificate ("Microsoft Exchange Server Auth Certificate"): the read, the validation of each
certificate's public data with ``cryptography``, the findings, and the plan of exchange_auth_certificate.

Sources: integration-procedure.md section 2 (EX-PLAN, EX-MAINT, EX-KB2617816, REF-EX), and Microsoft's CSS-Exchange
scripts at commit f88378b1e7a252e413cb2e579e88411393737c11:
``Admin/MonitorExchangeAuthCertificate/DataCollection/Get-ExchangeAuthCertificateStatus.ps1`` (thresholds, per-server
presence, hybrid stop), ``.../ConfigurationAction/New-ExchangeAuthCertificate.ps1`` (unattended creation that restores
the internal transport certificate, staging and immediate replacement),
``Shared/CertificateFunctions/Import-ExchangeCertificateFromRawData.ps1`` (RawData fallback) and HealthChecker
``Analyzer/Invoke-AnalyzerHybridInformation.ps1`` (AuthServer / hybrid application detection).

What travels: through the Exchange remote session a certificate is a deserialized ``ExchangeCertificate`` whose
``RawData`` is a CLIXML byte array (CSS-Exchange test data GetExchangeCertificate.xml); the runner returns a byte array
as a JSON array of numbers. When the configured Auth certificate has expired and serialization data signing is on, the
objects carry RawData only (CSS-Exchange GetExchangeCertificateBroken.xml): the public data is then read from RawData
alone. RawData is always parsed here; the listed properties are the fallback.

Idempotency keys on the AuthConfig thumbprints, never on friendly names (Microsoft's script appends a timestamp to the
friendly name, and so does this module).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import parse_admin_display_version, product_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, datetime_value, output_of

try:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the module reports it
    HAS_CRYPTOGRAPHY = False

# The documented Subject and friendly name (integration-procedure.md section 2).
SUBJECT = 'cn=Microsoft Exchange Server Auth Certificate'
FRIENDLY_NAME = 'Microsoft Exchange Server Auth Certificate'
# Source: REF-EX Get-AuthConfig / CSS-Exchange GetAuthConfig.xml (ServiceName, the well-known GUID).
SERVICE_NAME = '00000002-0000-0ff1-ce00-000000000000'
# Defaults of CSS-Exchange Get-ExchangeAuthCertificateStatus.ps1: a new next certificate is configured when the current
# one has 60 days or less and the next one (if any) 120 days or less.
RENEW_CURRENT_DAYS = 60
RENEW_NEXT_DAYS = 120
MIN_KEY_SIZE = 2048
# EX-MAINT: "Configure the Auth Certificate to become the new active one in 49 hours at the earliest"; "plan for at
# least 48 hours".
MIN_EFFECTIVE_HOURS = 48
SAFE_EFFECTIVE_HOURS = 49
# CSS-Exchange New-ExchangeAuthCertificate.ps1: the next certificate becomes active in 30 days by default.
DEFAULT_EFFECTIVE_DAYS = 30
# The services the runner restores on the transport certificate: New-ExchangeCertificate's default services are IMAP,
# POP and SMTP (REF-EX), so only those can have moved to the new certificate; IIS was never touched.
RESTORABLE = ('IMAP', 'POP', 'SMTP')
# Source: integration-procedure.md section 2 (EX-KB2617816; CSS-Exchange ReplaceExpiredAuthCertificate).
RESTART_SERVICE = 'MSExchangeServiceHost'
RESTART_APP_POOLS = ('MSExchangeOWAAppPool', 'MSExchangeECPAppPool')

CERT_PROPERTIES = ['Thumbprint', 'Subject', 'Issuer', 'FriendlyName', 'NotBefore', 'NotAfter', 'Services', 'HasPrivateKey', 'RawData']
CONFIG_PROPERTIES = ['CurrentCertificateThumbprint', 'PreviousCertificateThumbprint', 'NextCertificateThumbprint',
                     'NextCertificateEffectiveDate', 'ServiceName', 'Realm']
ROLES = {'current': 'CurrentCertificateThumbprint', 'next': 'NextCertificateThumbprint', 'previous': 'PreviousCertificateThumbprint'}
_GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def thumbprint(value):
    """A thumbprint compared as Exchange does: no spaces, upper case; None for empty."""
    text = ''.join(str(value or '').split()).upper()
    return text or None


def parse_date(value):
    """A UTC datetime from the runner's round-trip text (seven fractional digits), or None."""
    if value in (None, ''):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value).strip().replace('Z', '+00:00')
        head, dot, tail = text.partition('.')
        if dot:
            digits = ''.join(ch for ch in tail if ch.isdigit())
            text = head + '.' + digits[:6] + tail[len(digits):]
        parsed = datetime.datetime.fromisoformat(text)
    return parsed.astimezone(datetime.timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def iso(value):
    """ISO 8601 UTC text of a datetime (None stays None)."""
    return None if value is None else value.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def raw_bytes(value):
    """RawData as bytes: a JSON array of numbers (the runner's form of byte[]) or base64 text; None if absent or bad."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        try:
            return bytes(int(item) for item in value)
        except (TypeError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def _key(public_key):
    if isinstance(public_key, rsa.RSAPublicKey):
        return 'RSA', public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return 'EC', public_key.curve.key_size
    if isinstance(public_key, dsa.DSAPublicKey):
        return 'DSA', public_key.key_size
    return type(public_key).__name__, None


def public_data(row):
    """The public data of one certificate row: parsed from RawData with cryptography, else the listed properties.

    ``source`` says which ('raw_data' or 'listed'); ``thumbprint`` is the SHA-1 of the DER when RawData parsed.
    """
    der = raw_bytes(row.get('RawData'))
    if der is not None and HAS_CRYPTOGRAPHY:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            cert = None
        if cert is not None:
            key_type, key_size = _key(cert.public_key())
            try:
                algorithm = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else None
            except Exception:  # pylint: disable=broad-except
                # an unsupported algorithm is only not reported
                algorithm = None
            return {
                'thumbprint': hashlib.sha1(der).hexdigest().upper(),  # nosec - X509Certificate2.Thumbprint is SHA-1
                'subject': cert.subject.rfc4514_string(),
                'issuer': cert.issuer.rfc4514_string(),
                'serial_number': '%X' % cert.serial_number,
                'not_before': iso(cert.not_valid_before_utc),
                'not_after': iso(cert.not_valid_after_utc),
                'key_type': key_type,
                'key_size': key_size,
                'signature_hash': algorithm,
                'friendly_name': row.get('FriendlyName'),
                'source': 'raw_data',
            }
    return {
        'thumbprint': thumbprint(row.get('Thumbprint')),
        'subject': row.get('Subject'),
        'issuer': row.get('Issuer'),
        'serial_number': None,
        'not_before': iso(parse_date(row.get('NotBefore'))),
        'not_after': iso(parse_date(row.get('NotAfter'))),
        'key_type': None,
        'key_size': None,
        'signature_hash': None,
        'friendly_name': row.get('FriendlyName'),
        'source': 'listed',
    }


def services_of(row):
    """The AllowedServices names of a row ('IMAP, POP, IIS, SMTP'), or None when the row does not say."""
    value = row.get('Services')
    if value is None:
        return None
    items = value if isinstance(value, list) else str(value).split(',')
    return [item.strip().upper() for item in items if item and item.strip() and item.strip().lower() != 'none']


# -- the read ------------------------------------------------------------------------------------------------------


def info_reads():
    """The read invocations (keys prefixed ``auth_``): servers, AuthConfig, the current/next/previous certificate on every
    server (Microsoft's per-server ``Get-ExchangeCertificate -Server -Thumbprint``, errors kept as data), transport
    certificates, AuthServers and the hybrid configuration."""
    reads = [
        Invocation('auth_servers', 'Get-ExchangeServer', properties=['Name', 'Fqdn', 'AdminDisplayVersion', 'ServerRole', 'Site']),
        Invocation('auth_config', 'Get-AuthConfig', properties=CONFIG_PROPERTIES),
    ]
    for role, name in ROLES.items():
        # an empty thumbprint reaches the cmdlet as $null: whatever it answers (an error or rows), rows are filtered by
        # thumbprint and errors of an unset role are ignored
        reads.append(Invocation('auth_%s' % role, 'Get-ExchangeCertificate', parameters={'Thumbprint': output_of('auth_config', name)},
                                properties=CERT_PROPERTIES, foreach=('auth_servers', 'Name', 'Server'), tolerate_errors=True))
    reads.extend([
        Invocation('auth_transport', 'Get-TransportService', properties=['Name', 'InternalTransportCertificateThumbprint']),
        # each server's transport certificate looked up on the connected server (no -Server): the connected server's own
        # one is found there, with its services, which the write restores; the others are normally not there (ignored)
        Invocation('auth_transport_certificates', 'Get-ExchangeCertificate', properties=CERT_PROPERTIES,
                   foreach=('auth_transport', 'InternalTransportCertificateThumbprint', 'Thumbprint'), tolerate_errors=True),
        Invocation('auth_auth_servers', 'Get-AuthServer', properties=['Name', 'Type', 'Enabled', 'Realm', 'ApplicationIdentifier',
                                                                      'AuthMetadataUrl', 'DomainName']),
        Invocation('auth_hybrid', 'Get-HybridConfiguration', properties=['Name']),
    ])
    return reads


def _applicable(row):
    """Whether a server should hold the Auth certificate: Exchange 2013 or later, not an Edge Transport server (CSS-Exchange
    filters Mailbox/Client Access servers whose version starts with 15)."""
    version = parse_admin_display_version(row.get('AdminDisplayVersion'))
    if version is None or version[0] < 15:
        return False
    return 'edge' not in str(row.get('ServerRole') or '').lower()


def _missing(error):
    """Whether an item error says the certificate is not on that server (EX-MAINT: "... The certificate with thumbprint
    ... was not found."; CSS-Exchange: reason InvalidOperationException), rather than that the server was not reached."""
    return 'was not found' in (error.get('message') or '') or 'InvalidOperationException' in (error.get('exception_type') or '')


def _certificate(response, role, wanted, servers):
    """One AuthConfig certificate: its public data and on which applicable servers it is present / missing / unknown."""
    if wanted is None:
        return None
    key = 'auth_%s' % role
    rows = [row for row in response.output(key) if thumbprint(public_data(row)['thumbprint']) == wanted]
    present = sorted(set(str(row.get('__item')) for row in rows))
    missing, unreachable = [], []
    errors = dict((str(error.get('item')), error) for error in response.item_errors(key))
    for name in servers:
        if name in present:
            continue
        error = errors.get(name)
        if error is None or _missing(error):
            missing.append(name)
        else:
            unreachable.append({'server': name, 'message': error.get('message')})
    data = public_data(rows[0]) if rows else {'thumbprint': wanted, 'source': None}
    data.update(thumbprint=wanted, present_on=present, missing_on=missing, unreachable=unreachable)
    if rows and data['thumbprint'] != wanted:
        data['thumbprint'] = wanted
    return data


def _days_left(cert, now):
    not_after = parse_date(cert.get('not_after')) if cert else None
    return None if not_after is None else (not_after - now).total_seconds() / 86400.0


def assess(response, now=None, renew_current_days=RENEW_CURRENT_DAYS, renew_next_days=RENEW_NEXT_DAYS, min_key_size=MIN_KEY_SIZE):
    """The Auth certificate state from the read: certificates, presence, transport certificates, hybrid, findings, and
    what Microsoft's script would do (``replace_required``, ``stage_required``)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    server_rows = response.output('auth_servers')
    servers = [row.get('Name') for row in server_rows if _applicable(row)]
    configs = response.output('auth_config')
    if not configs:
        raise ScriptFailure('Get-AuthConfig returned nothing: the organization has no Auth configuration to check')
    config = configs[0]
    wanted = dict((role, thumbprint(config.get(name))) for role, name in ROLES.items())
    certificates = dict((role, _certificate(response, role, wanted[role], servers)) for role in ROLES)
    effective = parse_date(config.get('NextCertificateEffectiveDate'))
    if certificates['next'] is not None:
        certificates['next']['effective_date'] = iso(effective)
    for cert in certificates.values():
        if cert is not None:
            days = _days_left(cert, now)
            cert['days_left'] = None if days is None else int(days // 1)
            cert['expired'] = None if days is None else days < 0
            cert['key_size_ok'] = None if cert.get('key_size') is None else cert['key_size'] >= min_key_size

    transport_rows = response.output('auth_transport')
    transport_certs = dict((thumbprint(public_data(row)['thumbprint']), row) for row in response.output('auth_transport_certificates'))
    auth_thumbprints = set(value for value in wanted.values() if value)
    transport = []
    for row in transport_rows:
        value = thumbprint(row.get('InternalTransportCertificateThumbprint'))
        known = transport_certs.get(value)
        transport.append({'server': row.get('Name'), 'thumbprint': value, 'is_auth_certificate': value in auth_thumbprints,
                          'services': services_of(known) if known else None,
                          'not_after': public_data(known)['not_after'] if known else None})

    auth_servers = []
    for row in response.output('auth_auth_servers'):
        kind = str(row.get('Type') or '')
        app = row.get('ApplicationIdentifier')
        auth_servers.append({'name': row.get('Name'), 'type': kind, 'enabled': row.get('Enabled') is True, 'realm': row.get('Realm'),
                             'application_identifier': app,
                             'dedicated_hybrid_application': kind == 'AzureAD' and bool(app and _GUID.match(str(app)))})
    hybrid_configuration = bool(response.output('auth_hybrid'))
    oauth_servers = [item for item in auth_servers if item['enabled'] and item['type'] in ('AzureAD', 'MicrosoftACS')]
    hybrid = {'detected': hybrid_configuration or bool(oauth_servers), 'hybrid_configuration': hybrid_configuration,
              'auth_servers': [item['name'] for item in oauth_servers],
              'dedicated_hybrid_application': [item['application_identifier'] for item in oauth_servers
                                               if item['dedicated_hybrid_application']]}

    unreachable = sorted(set(item['server'] for cert in certificates.values() if cert for item in cert['unreachable']))
    result = {'servers': servers, 'service_name': config.get('ServiceName'), 'realm': config.get('Realm'),
              'current': certificates['current'], 'next': certificates['next'], 'previous': certificates['previous'],
              'transport': transport, 'auth_servers': auth_servers, 'hybrid': hybrid, 'unreachable_servers': unreachable}
    result['findings'] = findings(result, now, renew_current_days, renew_next_days, min_key_size)
    result.update(decide(result, renew_current_days, renew_next_days))
    return result


def _finding(severity, code, message, servers=None):
    return {'severity': severity, 'code': code, 'message': message, 'servers': sorted(servers or [])}


def findings(state, now, renew_current_days, renew_next_days, min_key_size):
    """What an administrator must know, each with a severity (error, warning, info) and a stable code."""
    found = []
    current, nxt = state['current'], state['next']
    if current is None:
        found.append(_finding('error', 'current_not_configured', 'AuthConfig has no CurrentCertificateThumbprint: Exchange cannot sign '
                                                                 'OAuth tokens. Replace it (action=replace).'))
    else:
        found.extend(_certificate_findings('current', current, renew_current_days, min_key_size, state['servers']))
    if nxt is not None:
        found.extend(_certificate_findings('next', nxt, renew_next_days, min_key_size, state['servers']))
        effective = parse_date(nxt.get('effective_date'))
        if effective is not None and effective < now:
            # EX-MAINT: the AuthAdmin servicelet publishes it when the date is reached; it runs every 12 hours
            found.append(_finding('info', 'next_effective_date_passed', 'The next Auth certificate %s was due to become current on %s; '
                                  'the AuthAdmin servicelet (MSExchangeServiceHost, every 12 hours) has not published it yet.'
                                  % (nxt['thumbprint'], iso(effective))))
    if state['unreachable_servers']:
        found.append(_finding('warning', 'server_unreachable', 'The certificate store of %s could not be read: the Auth certificate '
                              'state there is unknown.' % ', '.join(state['unreachable_servers']), state['unreachable_servers']))
    for item in state['transport']:
        if item['thumbprint'] is None:
            # HealthChecker: "No Internal Transport Certificate found"
            found.append(_finding('warning', 'transport_certificate_missing', '%s has no internal transport certificate.' % item['server'],
                                  [item['server']]))
        elif item['is_auth_certificate']:
            found.append(_finding('error', 'transport_certificate_is_auth_certificate', 'The internal transport certificate of %s is '
                                  'the Auth certificate %s (New-ExchangeCertificate -Force replaced it): enable the previous '
                                  'transport certificate for SMTP again.' % (item['server'], item['thumbprint']), [item['server']]))
    if state['hybrid']['detected']:
        found.append(_finding('info', 'hybrid_detected', hybrid_message(state)))
    return found


def _certificate_findings(role, cert, threshold, min_key_size, servers):
    found = []
    name = '%s Auth certificate %s' % (role, cert['thumbprint'])
    if not cert['present_on'] and not cert['unreachable']:
        found.append(_finding('error', '%s_missing' % role, 'The %s is on no Exchange server.' % name, cert['missing_on']))
        return found
    if cert['missing_on']:
        # HealthChecker reports a configured Auth certificate missing on a server; EX-MAINT FAQ: the servicelet copies it
        # within the AD site, another site needs Export-/Import-ExchangeCertificate
        found.append(_finding('error' if role == 'current' else 'warning', '%s_missing_on_server' % role,
                              'The %s is missing on %s (export it with Export-ExchangeCertificate and import it there, or '
                              'replace it).' % (name, ', '.join(cert['missing_on'])), cert['missing_on']))
    if cert.get('expired'):
        found.append(_finding('error', '%s_expired' % role, 'The %s expired on %s.' % (name, cert['not_after'])))
    elif cert.get('days_left') is not None and cert['days_left'] < threshold:
        found.append(_finding('warning', '%s_expiring' % role, 'The %s expires on %s (%d days left, threshold %d).'
                              % (name, cert['not_after'], cert['days_left'], threshold)))
    if cert.get('key_size_ok') is False:
        found.append(_finding('error', '%s_key_too_small' % role, 'The %s has a %s-bit key; at least %d bits are required.'
                              % (name, cert['key_size'], min_key_size)))
    return found


def _usable(cert):
    """Present where it can be checked, not expired, key large enough (unknown counts as fine)."""
    return (cert is not None and bool(cert['present_on']) and not cert['missing_on'] and not cert.get('expired')
            and cert.get('key_size_ok') is not False)


def decide(state, renew_current_days, renew_next_days):
    """``replace_required`` and ``stage_required``: the decisions of CSS-Exchange Get-ExchangeAuthCertificateStatus.ps1,
    with a weak key and a missing certificate counted as unusable (this collection's rule)."""
    current, nxt = state['current'], state['next']
    replace = not _usable(current)
    next_ok = _usable(nxt) and nxt.get('days_left') is not None and nxt['days_left'] >= renew_next_days
    current_due = current is not None and current.get('days_left') is not None and current['days_left'] < renew_current_days
    stage = not replace and not next_ok and (current_due or nxt is not None)
    return {'replace_required': replace, 'stage_required': stage}


def hybrid_message(state):
    """What a rotation needs elsewhere in a hybrid deployment."""
    hybrid = state['hybrid']
    seen = []
    if hybrid['hybrid_configuration']:
        seen.append('a hybrid configuration (Get-HybridConfiguration)')
    if hybrid['auth_servers']:
        seen.append('OAuth AuthServers %s' % ', '.join(hybrid['auth_servers']))
    if hybrid['dedicated_hybrid_application']:
        seen.append('the dedicated Exchange hybrid application %s' % ', '.join(hybrid['dedicated_hybrid_application']))
    return ('Hybrid deployment detected (%s). A new Auth certificate must also reach Exchange Online: once it is current, run '
            'the Hybrid Configuration Wizard again, or upload it to the Exchange hybrid application '
            '(ConfigureExchangeHybridApplication.ps1), and to the Teams/Cloud Voicemail service principals if OAuth with '
            'Teams is configured; Skype for Business partner applications may need their Exchange metadata read again.'
            % '; '.join(seen))


# -- info section ----------------------------------------------------------------------------------------------------


def info(response, now=None):
    """The ``auth_certificate`` section of exchange_info from a response holding ``info_reads()``."""
    state = assess(response, now)
    return dict((key, state[key]) for key in ('current', 'next', 'previous', 'service_name', 'servers', 'unreachable_servers',
                                              'transport', 'hybrid', 'findings', 'replace_required', 'stage_required'))


# -- options and plan ------------------------------------------------------------------------------------------------


def effective_date(value, now):
    """The ``effective_date`` option as a UTC datetime: ISO 8601 date-time (with an offset, or UTC), or a number of hours
    from now. OptionError for anything else."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return now + datetime.timedelta(hours=float(text))
    except ValueError:
        pass
    try:
        parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        raise OptionError('effective_date: %r is neither an ISO 8601 date-time (2027-01-31T08:00:00+01:00) nor a number of hours '
                          'from now (72).' % value) from None
    if 'T' not in text and ' ' not in text:
        raise OptionError('effective_date: give a date and a time (2027-01-31T08:00:00Z), not a date alone: %r.' % value)
    return parsed.astimezone(datetime.timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def validate(params, now):
    """Option checks that need no server; returns the explicit effective date (or None)."""
    action = params.get('action') or 'audit'
    for name in ('renew_current_days', 'renew_next_days'):
        if params.get(name) is not None and params[name] < 0:
            raise OptionError('%s must be 0 or more days (got %s).' % (name, params[name]))
    when = effective_date(params.get('effective_date'), now)
    if when is not None and action != 'stage':
        raise OptionError('effective_date applies to action=stage only (action=replace makes the new certificate current now).')
    if when is not None and when < now + datetime.timedelta(hours=MIN_EFFECTIVE_HOURS) and not params.get('force'):
        raise OptionError('effective_date %s is less than %d hours away: Microsoft says to plan at least 48 hours (49 at the '
                          'earliest) so that every server has the new certificate before it signs tokens. Give a later date, '
                          'or force: true.' % (iso(when), MIN_EFFECTIVE_HOURS))
    return when


def default_effective_date(current, now):
    """30 days ahead (Microsoft's script), or 49 hours when the current certificate expires before that (EX-MAINT's earliest)."""
    when = now + datetime.timedelta(days=DEFAULT_EFFECTIVE_DAYS)
    not_after = parse_date(current.get('not_after')) if current else None
    if not_after is not None and not_after < when + datetime.timedelta(days=2):
        when = now + datetime.timedelta(hours=SAFE_EFFECTIVE_HOURS)
    return when


def friendly_name(now):
    """The documented friendly name with a timestamp, as CSS-Exchange New-ExchangeAuthCertificate.ps1 names it."""
    return '%s - %s' % (FRIENDLY_NAME, now.strftime('%Y%m%d%H%M%S'))


def local_transport(state, computer):
    """The connected server's transport entry, or None."""
    for item in state['transport']:
        if (item['server'] or '').lower() == (computer or '').lower():
            return item
    return None


def restore_services(item):
    """The services to enable the transport certificate for again: those it had among IMAP, POP and SMTP (SMTP always);
    SMTP alone when its services are unknown (CSS-Exchange does the same when Services is null)."""
    known = item.get('services') if item else None
    if not known:
        return 'SMTP'
    names = [name for name in RESTORABLE if name in known]
    if 'SMTP' not in names:
        names.append('SMTP')
    return ', '.join(names)


class Plan:
    """What exchange_auth_certificate will do: ``action`` (None: nothing), the write invocations, messages."""

    def __init__(self, action=None, reason=None, effective=None, warnings=None):
        self.action = action
        self.reason = reason
        self.effective = effective
        self.warnings = list(warnings or [])


def plan(params, state, computer, now, explicit_effective=None):
    """Decide, before any write, what the task does. OptionError (naming the option and the fix) for what it refuses."""
    action = params.get('action') or 'audit'
    if action == 'audit':
        return Plan()
    if action == 'replace':
        if not state['replace_required']:
            return Plan(reason='the current Auth certificate is configured, valid and present on every server')
    else:
        if state['replace_required']:
            raise OptionError('The current Auth certificate cannot be used (%s): staging a next one does not help before it '
                              'becomes current. Use action=replace.' % _why_unusable(state['current']))
        if not state['stage_required']:
            return Plan(reason='a next Auth certificate is staged and valid, or the current one is not due for renewal')
    unreachable = state['unreachable_servers']
    if unreachable and not params.get('ignore_unreachable_servers'):
        raise OptionError('The certificate store of %s could not be read, so the Auth certificate state there is unknown (CSS-Exchange '
                          'does not renew then either). Make the server reachable, or set ignore_unreachable_servers: true.'
                          % ', '.join(unreachable))
    warnings = []
    if state['hybrid']['detected']:
        if not params.get('allow_hybrid'):
            raise OptionError(hybrid_message(state) + ' Nothing was changed: set allow_hybrid: true to rotate anyway, then do '
                                                      'those steps.')
        warnings.append(hybrid_message(state))
    transport = local_transport(state, computer)
    if transport is None or transport['thumbprint'] is None:
        raise OptionError('%s has no internal transport certificate: New-ExchangeCertificate would make the new Auth certificate '
                          'its SMTP certificate with nothing to restore. Create a transport certificate first '
                          '(New-ExchangeCertificate -Services SMTP -IncludeServerFQDN).' % computer)
    if transport['is_auth_certificate']:
        raise OptionError('The internal transport certificate of %s is an Auth certificate (%s): restore a real transport certificate '
                          'first (Enable-ExchangeCertificate -Services SMTP -Force).' % (computer, transport['thumbprint']))
    if action == 'replace':
        return Plan('replace', reason=_why_unusable(state['current']), effective=now, warnings=warnings)
    when = explicit_effective or default_effective_date(state['current'], now)
    not_after = parse_date(state['current'].get('not_after'))
    if not_after is not None and when > not_after and not params.get('force'):
        raise OptionError('The current Auth certificate expires on %s, before the effective date %s: OAuth would fail in between. '
                          'Give an earlier effective_date, use action=replace, or force: true.' % (iso(not_after), iso(when)))
    if when < now + datetime.timedelta(hours=MIN_EFFECTIVE_HOURS) and not params.get('force'):
        raise OptionError('The current Auth certificate expires on %s: there are not %d hours left to stage a next one. Use '
                          'action=replace, or force: true with an effective_date.' % (iso(not_after), MIN_EFFECTIVE_HOURS))
    return Plan('stage', reason='the current Auth certificate has %s days left' % state['current'].get('days_left'),
                effective=when, warnings=warnings)


def _why_unusable(cert):
    if cert is None:
        return 'none is configured'
    if not cert['present_on'] and not cert['unreachable']:
        return 'it is on no Exchange server'
    if cert['missing_on']:
        return 'it is missing on %s' % ', '.join(cert['missing_on'])
    if cert.get('expired'):
        return 'it expired on %s' % cert['not_after']
    if cert.get('key_size_ok') is False:
        return 'its key has %s bits' % cert['key_size']
    return 'it is usable'


def create_invocations(computer, key_size, now):
    """Remember the transport certificate, create the Auth certificate with -Force (it takes over SMTP), put the transport
    certificate back: CSS-Exchange New-ExchangeAuthCertificate.ps1's unattended method (the documented command prompts
    "Overwrite the existing default SMTP certificate?", which a non-interactive session cannot answer)."""
    return [
        Invocation('transport_before', 'Get-TransportService', parameters={'Identity': computer},
                   properties=['Name', 'InternalTransportCertificateThumbprint']),
        Invocation('new_cert', 'New-ExchangeCertificate', parameters={
            'Server': computer, 'KeySize': key_size, 'PrivateKeyExportable': True, 'SubjectName': SUBJECT,
            'FriendlyName': friendly_name(now), 'DomainName': [],
            # the documented default, given explicitly: only the self-signed parameter set has -Services, so the set is
            # never ambiguous with the request set (-GenerateRequest)
            'Services': 'IMAP, POP, SMTP', 'Force': {'__ucops_type': 'switch', 'value': True}},
            properties=['Thumbprint', 'RawData'], description='New-ExchangeCertificate (Auth certificate) on %s' % computer),
    ]


def restore_invocation(computer, services):
    return Invocation('restore_transport', 'Enable-ExchangeCertificate', parameters={
        'Server': computer, 'Thumbprint': output_of('transport_before', 'InternalTransportCertificateThumbprint'),
        'Services': services, 'Force': {'__ucops_type': 'switch', 'value': True}},
        description='Enable-ExchangeCertificate (the previous transport certificate for %s) on %s' % (services, computer))


def configure_invocations(action, new_thumbprint, effective):
    """Set-AuthConfig: stage the new certificate (with its effective date), and for a replacement publish it and clear the
    previous one (EX-KB2617816; CSS-Exchange uses -Force with -NewCertificateThumbprint)."""
    invocations = [Invocation('set_next', 'Set-AuthConfig', parameters={
        'NewCertificateThumbprint': new_thumbprint, 'NewCertificateEffectiveDate': datetime_value(iso(effective)),
        'Force': {'__ucops_type': 'switch', 'value': True}}, description='Set-AuthConfig -NewCertificateThumbprint')]
    if action == 'replace':
        invocations.append(Invocation('publish', 'Set-AuthConfig', parameters={'PublishCertificate': {'__ucops_type': 'switch', 'value': True}},
                                      description='Set-AuthConfig -PublishCertificate'))
        invocations.append(Invocation('clear_previous', 'Set-AuthConfig',
                                      parameters={'ClearPreviousCertificate': {'__ucops_type': 'switch', 'value': True}},
                                      description='Set-AuthConfig -ClearPreviousCertificate'))
    return invocations


def restart_invocations():
    """MSExchangeServiceHost, then the OWA and ECP application pools (EX-KB2617816)."""
    invocations = [Invocation('restart_service_host', 'Restart-Service', parameters={'Name': [RESTART_SERVICE]},
                              description='Restart-Service %s' % RESTART_SERVICE)]
    for pool in RESTART_APP_POOLS:
        invocations.append(Invocation('restart_%s' % pool.lower(), 'Restart-WebAppPool', parameters={'Name': pool},
                                      description='Restart-WebAppPool %s' % pool))
    return invocations


def new_certificate_thumbprint(response):
    """The thumbprint of the certificate New-ExchangeCertificate returned (from RawData when the object lacks it)."""
    rows = response.output('new_cert')
    if not rows:
        return None
    return thumbprint(rows[0].get('Thumbprint')) or thumbprint(public_data(rows[0])['thumbprint'])


# -- the module's run ------------------------------------------------------------------------------------------------


def _degraded(response):
    """Whether certificate objects came with RawData only (the configured Auth certificate expired with serialization data
    signing on): a new certificate's Thumbprint then cannot be passed on inside the request."""
    for key in ('auth_current', 'auth_next', 'auth_previous', 'auth_transport_certificates'):
        for row in response.output(key):
            if row.get('Thumbprint') in (None, '') and row.get('RawData') is not None:
                return True
    return False


def _snapshot(state, computer):
    """The diff form: AuthConfig thumbprints and the connected server's transport certificate."""
    transport = local_transport(state, computer)
    return {
        'current_thumbprint': (state['current'] or {}).get('thumbprint'),
        'next_thumbprint': (state['next'] or {}).get('thumbprint'),
        'next_effective_date': (state['next'] or {}).get('effective_date'),
        'previous_thumbprint': (state['previous'] or {}).get('thumbprint'),
        'transport_thumbprint': transport['thumbprint'] if transport else None,
    }


def _product(response, computer):
    for row in response.output('auth_servers'):
        if (row.get('Name') or '').lower() == (computer or '').lower():
            return product_of(row.get('AdminDisplayVersion'))
    return None


def run(module, now=None):
    """Read, decide, write once (ending with the same read as verification), report.

    Not the resource engine's ``run``: this is an action, not settings. Its "desired state" is a decision from thresholds
    over several servers' certificates, and the write creates an object whose thumbprint the next cmdlet of the same
    request takes (``output_of``). It keeps the engine's shape: one read, a plan computed in Python before anything is
    sent, one write request ending with a verifying read (two when the certificate objects arrive with RawData only),
    diff and ``changed``.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    params = module.params
    if not HAS_CRYPTOGRAPHY:
        raise OptionError('The Python library cryptography is required on the controller (pip install cryptography).')
    explicit = validate(params, now)
    module.connection_options()
    shell = module.shell()
    thresholds = dict(renew_current_days=params.get('renew_current_days', RENEW_CURRENT_DAYS),
                      renew_next_days=params.get('renew_next_days', RENEW_NEXT_DAYS))
    response = module.runner.read(shell, info_reads())
    computer = response.host.get('computer_name') or ''
    state = assess(response, now, **thresholds)
    decision = plan(params, state, computer, now, explicit)
    warnings = list(response.warnings()) + decision.warnings
    before = _snapshot(state, computer)
    after_state, new = state, None
    if decision.action and not module.check_mode:
        transport = local_transport(state, computer)
        writes = create_invocations(computer, params.get('key_size') or MIN_KEY_SIZE, now) + [restore_invocation(computer, restore_services(transport))]
        tail = []
        if decision.action == 'replace':
            if params.get('allow_restarts'):
                tail = restart_invocations()
            else:
                warnings.append('Restart %s and the %s application pools on every Exchange server (or wait: the certificate can '
                                'take an hour to be published), as Microsoft documents; allow_restarts: true does it on %s.'
                                % (RESTART_SERVICE, ' and '.join(RESTART_APP_POOLS), computer))
        done = [i.description for i in writes]
        if _degraded(response):
            written = module.runner.write(shell, writes + info_reads())
            new = new_certificate_thumbprint(written)
            if new is None:
                raise ScriptFailure('New-ExchangeCertificate returned no certificate data, so AuthConfig was not changed', host=module.host,
                                    changes_made=done)
            configure = configure_invocations(decision.action, new, decision.effective) + tail
            written = module.runner.write(shell, configure + info_reads())
            done.extend(i.description for i in configure)
        else:
            configure = configure_invocations(decision.action, output_of('new_cert', 'Thumbprint'), decision.effective) + tail
            written = module.runner.write(shell, writes + configure + info_reads())
            new = new_certificate_thumbprint(written)
            done.extend(i.description for i in configure)
        warnings.extend(written.warnings())
        after_state = assess(written, now, **thresholds)
        problems = check_after(decision.action, after_state, before['transport_thumbprint'], new, computer)
        if problems:
            raise ScriptFailure('The Auth certificate %s did not verify: %s' % (decision.action, '; '.join(problems)), host=module.host,
                                changes_made=done)
    result = dict((key, after_state[key]) for key in ('current', 'next', 'previous', 'servers', 'transport', 'hybrid', 'findings'))
    result.update(changed=bool(decision.action), action=decision.action, reason=decision.reason, new_thumbprint=new,
                  effective_date=iso(decision.effective) if decision.action else None, exchange_version=_product(response, computer),
                  replace_required=state['replace_required'], stage_required=state['stage_required'])
    for warning in warnings:
        module.warn(warning)
    if module._diff:  # pylint: disable=protected-access
        after = _snapshot(after_state, computer)
        if decision.action and module.check_mode:
            after = dict(before, transport_thumbprint=before['transport_thumbprint'])
            key = 'current_thumbprint' if decision.action == 'replace' else 'next_thumbprint'
            after[key] = '(new certificate)'
            if decision.action == 'replace':
                after.update(previous_thumbprint=None, next_thumbprint=None, next_effective_date=None)
            else:
                after['next_effective_date'] = iso(decision.effective)
        result['diff'] = {'before': before, 'after': after}
    return result


def check_after(action, state, before_transport, new_thumbprint, computer):
    """Problems the verifying read shows (empty when the write did what it should)."""
    problems = []
    transport = local_transport(state, computer)
    now_transport = transport['thumbprint'] if transport else None
    if now_transport != before_transport:
        problems.append('the internal transport certificate of %s is %s, not %s as before: run Enable-ExchangeCertificate -Server %s '
                        '-Thumbprint %s -Services SMTP -Force' % (computer, now_transport, before_transport, computer, before_transport))
    role = 'current' if action == 'replace' else 'next'
    found = (state[role] or {}).get('thumbprint')
    if new_thumbprint is None or found != new_thumbprint:
        problems.append('AuthConfig %s certificate is %s, not the new certificate %s' % (role, found, new_thumbprint))
    return problems

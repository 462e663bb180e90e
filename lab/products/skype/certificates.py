# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Skype for Business certificates: each Front End's machine store (the Default certificate), the global
OAuthTokenIssuer assignment (current and previous, -Roll with -EffectiveDate) and the SIP domains. Mirrors
plugins/module_utils/skype/oauth_certificate.py.

Sources: integration-procedure.md section 3 (SFB-PLAN, SFB-CERT, SFB-ROLL, REF-SFB Get-/Set-CsCertificate) and REF-SFB
Get-CsSipDomain.md. Certificates are real X.509 certificates made with ``cryptography`` (self-signed RSA, SHA-256).

State (``deployment['certificates']``, created on first use)::

    {"certs": {THUMBPRINT: {"der": base64, "key_storage": "csp" | "cng", "exportable": bool, "has_private_key": bool,
                            "friendly_name": str}},
     "stores": {FRONT END FQDN: [THUMBPRINT, ...]},          # Cert:\\LocalMachine\\My of each Front End
     "default": {FRONT END FQDN: THUMBPRINT},                  # its Default certificate (a local assignment)
     "oauth": {"current": THUMBPRINT | null, "previous": THUMBPRINT | null, "effective": ISO UTC | null},
     "stale": {FRONT END FQDN: THUMBPRINT},                    # a replica that shows another OAuthTokenIssuer
     "not_replicated": [FRONT END FQDN, ...]}                  # global certificates are not copied there

Topology settings (``settings.oauth_certificate`` of a Skype host; they shape that Front End's store when it is first
used):

* ``default_key_size`` (default 2048), ``default_days_left`` (its Default certificate expires this many days after first
  use; negative: expired), ``default_exportable`` (default true), ``default_key_storage`` (``csp`` or ``cng``: a CNG key,
  whose exportability cannot be read), ``default_sip_domain_in`` (``subject``, the default, or ``san``: the SIP domain
  only in the Subject Alternative Names, which breaks section 3's rule);
* ``different``: this Front End's replica shows another OAuthTokenIssuer (a certificate of its own, in its store) and
  does not follow the global assignment (a mismatch);
* ``not_replicated``: a global assignment is not copied into this Front End's store (a mismatch: the store lacks it);
* ``spare``: a second valid certificate (exportable, friendly name ``spare``) in this Front End's store, to assign or roll
  over to.
"""

from __future__ import annotations

import base64
import datetime
import fnmatch
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ... import psvalues
from ...binder import BoundCall
from ...pserrors import PSError, lab_not_implemented
from ...psvalues import PSEnum, PSObject, PSText
from .. import windows
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _deployment_key, _not_found, _pool_of

# The date the lab's Front Ends were deployed (no source: lab choice); their Default certificates are valid five years
# from it (no source: a typical internal CA validity).
LAB_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
VALID_YEARS = 5
OAUTH = 'OAuthTokenIssuer'
DEFAULT = 'Default'
# No source for any Skype for Business certificate error text below (the cmdlet reference gives none): lab choices,
# worded like the product's "Command execution failed" messages, with the FQID form of the other Cs cmdlets.
ROLL_NEEDS_DATE = 'Command execution failed: The Roll parameter requires the EffectiveDate parameter.'
NOT_IN_STORE = 'Command execution failed: The certificate with thumbprint "%s" was not found in the local computer\'s certificate store.'
NO_PRIVATE_KEY = 'Command execution failed: The certificate with thumbprint "%s" does not have a private key.'


def make_certificate(common_name: str, not_before: datetime.datetime, not_after: datetime.datetime, key_size: int = 2048,
                     organization: str | None = None, dns_names: list[str] | None = None) -> bytes:
    """A self-signed RSA certificate (DER)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after))
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(item) for item in dns_names]), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(encoding=Encoding.DER)


def thumbprint_of(der: bytes) -> str:
    """X509Certificate2.Thumbprint: the SHA-1 of the DER, upper-case hex."""
    return hashlib.sha1(der).hexdigest().upper()  # nosec - the thumbprint is SHA-1 by definition


def _certificates(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment.setdefault('certificates', {'certs': {}, 'stores': {}, 'default': {}, 'stale': {}, 'not_replicated': [],
                                                  'oauth': {'current': None, 'previous': None, 'effective': None}})


def _add(state: dict[str, Any], der: bytes, **details: Any) -> str:
    thumbprint = thumbprint_of(der)
    state['certs'][thumbprint] = dict({'der': base64.b64encode(der).decode('ascii'), 'key_storage': 'csp', 'exportable': True,
                                       'has_private_key': True, 'friendly_name': ''}, **details)
    return thumbprint


def ensure_store(deployment: dict[str, Any], fqdn: str, pool: str, settings: dict[str, Any],
                 now: datetime.datetime | None = None) -> bool:
    """The Front End ``fqdn``'s store, made on first use (True when made now)."""
    state = _certificates(deployment)
    fqdn = fqdn.lower()
    if fqdn in state['stores']:
        return False
    now = now or datetime.datetime.now(datetime.timezone.utc)
    options = dict(settings.get('oauth_certificate') or {})
    sip_domain = deployment.get('sip_domain') or 'contoso.com'
    if options.get('default_days_left') is not None:
        not_after = now.replace(microsecond=0) + datetime.timedelta(days=float(options['default_days_left']))
        not_before = min(LAB_DATE, not_after - datetime.timedelta(days=365))
    else:
        not_before, not_after = LAB_DATE, LAB_DATE.replace(year=LAB_DATE.year + VALID_YEARS)
    # The Default certificate of a Front End: Subject CN = the pool FQDN (SfB's certificate wizard; no source in the shared
    # docs), with the SIP domain in the Subject (section 3's first rule, so that the Default certificate can be the
    # OAuthTokenIssuer as SFB-CERT says) unless the topology stages it in the SAN only.
    in_subject = str(options.get('default_sip_domain_in', 'subject')).lower() == 'subject'
    sans = [pool, fqdn, 'sip.%s' % sip_domain] + ([] if in_subject else [sip_domain])
    der = make_certificate(pool, not_before, not_after, int(options.get('default_key_size', 2048)),
                           organization=sip_domain if in_subject else None, dns_names=list(dict.fromkeys(sans)))
    default = _add(state, der, key_storage=str(options.get('default_key_storage', 'csp')).lower(),
                   exportable=bool(options.get('default_exportable', True)), friendly_name='Skype for Business Server Default')
    store = [default]
    if options.get('different'):
        other = _add(state, make_certificate(pool, LAB_DATE, LAB_DATE.replace(year=LAB_DATE.year + VALID_YEARS), 2048,
                                             organization=sip_domain, dns_names=[pool, fqdn]),
                     friendly_name='OAuthTokenIssuer (local)')
        store.append(other)
        state['stale'][fqdn] = other
    if options.get('spare'):
        store.append(_add(state, make_certificate(pool, LAB_DATE, LAB_DATE.replace(year=LAB_DATE.year + VALID_YEARS + 1), 2048,
                                                  organization=sip_domain, dns_names=[pool, fqdn, 'sip.%s' % sip_domain]),
                          friendly_name='spare'))
    if options.get('not_replicated') and fqdn not in state['not_replicated']:
        state['not_replicated'].append(fqdn)
    state['stores'][fqdn] = store
    state['default'][fqdn] = default
    return True


def _host_of(host: Any, state: dict[str, Any]) -> dict[str, Any] | None:
    """The deployment of a lab host (None for another product)."""
    if getattr(host, 'product', None) != 'skype':
        return None
    deployment = (state.get('skype') or {}).get(_deployment_key(host))
    if deployment is None or 'sip_domain' not in deployment:
        raise lab_not_implemented("the machine certificate store of %s before its Skype for Business deployment is loaded (send the "
                                  "request with the Skype shell)" % host.name)
    return deployment


def store_entries(state: dict[str, Any], host: Any) -> list[dict[str, Any]]:
    """windows.CERTIFICATE_SOURCES: the certificates of a Skype host's Cert:\\LocalMachine\\My."""
    deployment = _host_of(host, state)
    if deployment is None:
        return []
    ensure_store(deployment, host.fqdn, _pool_of(host), dict(getattr(host, 'settings', None) or {}))
    found = _certificates(deployment)
    return [dict(found['certs'][thumbprint]) for thumbprint in found['stores'][host.fqdn.lower()]]


windows.CERTIFICATE_SOURCES.append(store_entries)


def _dotnet_name(name: x509.Name) -> str:
    return ', '.join('+'.join(attribute.rfc4514_string() for attribute in rdn) for rdn in reversed(list(name.rdns)))


class Certificates(SkypeFeature):
    """Get-CsCertificate, Set-CsCertificate, Get-CsSipDomain."""

    IMPLEMENTED = ('Get-CsCertificate', 'Set-CsCertificate', 'Get-CsSipDomain')

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the default SIP domain of the deployment (no RSA work here: the stores are made on first use)
        self.deployment.setdefault('sip_domain', getattr(self.topology, 'sip_domain', None) or 'contoso.com')

    def handlers(self) -> dict[str, Any]:
        return {'Get-CsCertificate': self.get_certificate, 'Set-CsCertificate': self.set_certificate, 'Get-CsSipDomain': self.get_sip_domain}

    # -- state ---------------------------------------------------------------------------------------------------

    def _front_ends(self) -> list[str]:
        """Every Front End FQDN of the deployment's pools."""
        found: list[str] = []
        for pool in self.deployment.get('pools') or []:
            found += [computer for computer in pool.get('computers') or [] if computer not in found]
        server = (self.server or '').lower()
        if server and server not in found:
            found.append(server)
        return found

    def _settings_of(self, fqdn: str) -> tuple[str, dict[str, Any]]:
        """(pool FQDN, topology settings) of a Front End."""
        if fqdn == (self.server or '').lower():
            return str(self.settings.get('pool_fqdn', fqdn)).lower(), dict(self.settings)
        for host in getattr(self.topology, 'hosts', None) or ():
            if str(getattr(host, 'fqdn', '')).lower() == fqdn:
                return _pool_of(host), dict(getattr(host, 'settings', None) or {})
        pool = next((entry['fqdn'] for entry in self.deployment.get('pools') or [] if fqdn in (entry.get('computers') or [])), fqdn)
        return pool, {}

    def _ensure_all(self) -> bool:
        made = False
        for fqdn in self._front_ends():
            pool, settings = self._settings_of(fqdn)
            made = ensure_store(self.deployment, fqdn, pool, settings) or made
        return made

    def _reference(self, use: str, thumbprint: str, scope: str, previous: str | None = None,
                   effective: str | None = None) -> PSObject:
        """A CertificateReference (REF-SFB Get-CsCertificate OUTPUTS). Properties: Thumbprint, Subject, Issuer, NotAfter
        (REF-SFB examples and section 3), NotBefore, SerialNumber, Use (public scripts reading Get-CsCertificate output),
        AlternativeNames, EffectiveDate, PreviousThumbprint, PreviousNotAfter, SourceScope (UNVERIFIED: names from the
        brief, no Microsoft page lists them)."""
        state = _certificates(self.deployment)
        cert = x509.load_der_x509_certificate(base64.b64decode(state['certs'][thumbprint]['der']))
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        previous_after = None
        if previous and previous in state['certs']:
            previous_after = x509.load_der_x509_certificate(base64.b64decode(state['certs'][previous]['der'])).not_valid_after_utc
        subject = _dotnet_name(cert.subject)
        return PSObject({
            'Thumbprint': thumbprint, 'Subject': subject, 'Issuer': _dotnet_name(cert.issuer),
            'NotAfter': cert.not_valid_after_utc, 'NotBefore': cert.not_valid_before_utc, 'SerialNumber': '%X' % cert.serial_number,
            'AlternativeNames': [PSText(name) for name in names],
            'EffectiveDate': None if effective is None else datetime.datetime.fromisoformat(effective.replace('Z', '+00:00')),
            'PreviousThumbprint': previous, 'PreviousNotAfter': previous_after,
            'Use': PSEnum('Microsoft.Rtc.Management.Deployment.CertType', use),
            'SourceScope': PSEnum('Microsoft.Rtc.Management.Deployment.CertificateScope', scope),
        }, 'Use=%s, Thumbprint=%s' % (use, thumbprint))

    # -- cmdlets -------------------------------------------------------------------------------------------------

    def get_certificate(self, call: BoundCall) -> Outcome:
        """Get-CsCertificate [-Type <CertType[]>] [-Identity global]: this server's Default certificate (a local
        assignment) and the OAuthTokenIssuer as this server's replica of the Central Management store shows it."""
        refuse_unmodelled(call, {'Type', 'Identity'})
        made = self._ensure_all()
        identity = call.values.get('Identity')
        if identity is not None and identity.strip().lower() != 'global':
            raise lab_not_implemented('Get-CsCertificate -Identity %s (only the global scope is modelled)' % identity)
        types = call.values.get('Type')
        wanted = None if types is None else [str(item).strip().lower() for item in (types if isinstance(types, list) else [types])]
        state = _certificates(self.deployment)
        server = (self.server or '').lower()
        objects = []
        if identity is None and server in state['default']:
            # SourceScope of a local assignment: no source (lab choice)
            objects.append(self._reference(DEFAULT, state['default'][server], 'Local'))
        oauth = state['oauth']
        if server in state['stale']:
            objects.append(self._reference(OAUTH, state['stale'][server], 'Global'))
        elif oauth['current']:
            objects.append(self._reference(OAUTH, oauth['current'], 'Global', oauth['previous'], oauth['effective']))
        if wanted is not None:
            objects = [obj for obj in objects if str(obj.properties['Use']).lower() in wanted]
        return Outcome(objects=objects, changed=made)

    def set_certificate(self, call: BoundCall) -> Outcome:
        """Set-CsCertificate -Identity Global -Type OAuthTokenIssuer -Thumbprint <t> [-Roll -EffectiveDate <date>]."""
        refuse_unmodelled(call, {'Identity', 'Type', 'Thumbprint', 'EffectiveDate', 'Roll', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        types = call.values.get('Type')
        types = [str(item) for item in (types if isinstance(types, list) else [types])] if types is not None else []
        if [item.lower() for item in types] != [OAUTH.lower()]:
            raise lab_not_implemented('Set-CsCertificate -Type %s (only -Type OAuthTokenIssuer is modelled)' % ','.join(types or ['(none)']))
        identity = call.values.get('Identity')
        if identity is None or identity.strip().lower() != 'global':
            # SFB-CERT: the OAuthTokenIssuer is assigned at -Identity global; a local one is not modelled
            raise lab_not_implemented('Set-CsCertificate -Type OAuthTokenIssuer without -Identity Global')
        roll = call.switch('Roll')
        effective = call.values.get('EffectiveDate')
        if roll and effective is None:
            # REF-SFB Set-CsCertificate -Roll: "your command will fail if you specify the Roll parameter without including
            # the EffectiveDate parameter" (text: no source)
            raise PSError(ROLL_NEEDS_DATE, 'InvalidArgument,Microsoft.Rtc.Management.Deployment.SetCertificateCmdlet', 'InvalidArgument',
                          'System.ArgumentException')
        if effective is not None and not roll:
            raise lab_not_implemented('Set-CsCertificate -EffectiveDate without -Roll')
        made = self._ensure_all()
        state = _certificates(self.deployment)
        server = (self.server or '').lower()
        thumbprint = ''.join(str(call.values['Thumbprint']).split()).upper()
        if thumbprint not in state['stores'].get(server, []):
            # the certificate is taken from the local computer's store (SFB-CERT: import it there first; text: no source)
            raise PSError(NOT_IN_STORE % thumbprint, 'CertificateNotFound,Microsoft.Rtc.Management.Deployment.SetCertificateCmdlet',
                          'ObjectNotFound', 'System.InvalidOperationException')
        if not state['certs'][thumbprint].get('has_private_key', True):
            raise PSError(NO_PRIVATE_KEY % thumbprint, 'NoPrivateKey,Microsoft.Rtc.Management.Deployment.SetCertificateCmdlet',
                          'InvalidData', 'System.InvalidOperationException')
        # No source that Set-CsCertificate checks key size, SIP domain or exportability: the lab does not (the module must).
        if call.switch('WhatIf'):
            return Outcome(changed=made)
        oauth = state['oauth']
        old = oauth['current']
        if roll:
            # SFB-CERT / SFB-ROLL: with -Roll -EffectiveDate the new certificate becomes current at that time and the old
            # one becomes previous
            when = effective if effective.tzinfo else effective.replace(tzinfo=datetime.timezone.utc)
            oauth.update(current=thumbprint, previous=old, effective=psvalues.format_roundtrip_utc(when))
        else:
            # SFB-CERT: "immediately configures that certificate to act as the current OAuthTokenIssuer certificate"; SfB
            # keeps two copies per type (current and previous)
            oauth.update(current=thumbprint, previous=old if old != thumbprint else oauth['previous'], effective=None)
        # REF-SFB Set-CsCertificate -Identity: "Global certificates will automatically be copied and distributed to the
        # appropriate computers" (CMS replication), except where the topology stages a replica that does not receive it
        for fqdn in self._front_ends():
            if fqdn in state['not_replicated']:
                continue
            store = state['stores'].setdefault(fqdn, [])
            if thumbprint not in store:
                store.append(thumbprint)
        return Outcome(changed=True)

    def get_sip_domain(self, call: BoundCall) -> Outcome:
        """Get-CsSipDomain [-Identity <domain> | -Filter <wildcard>]: Identity, Name, IsDefault (REF-SFB example 4:
        ``Where-Object {$_.IsDefault -eq $True}``; Name: no source)."""
        refuse_unmodelled(call, {'Identity', 'Filter'})
        domains = self.deployment.setdefault('sip_domains', [{'name': self.deployment['sip_domain'], 'default': True}])
        identity = call.values.get('Identity')
        found = list(domains)
        if identity is not None:
            found = [item for item in found if item['name'].lower() == identity.strip().lower()]
            if not found:
                raise _not_found(call.cmdlet, 'SIP domain', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            found = [item for item in found if fnmatch.fnmatchcase(item['name'].lower(), pattern.lower())]
        return Outcome(objects=[PSObject({'Identity': PSText(item['name']), 'Name': item['name'], 'IsDefault': bool(item['default'])},
                                         item['name']) for item in found])

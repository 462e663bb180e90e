# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Exchange Auth certificate ("Microsoft Exchange Server Auth Certificate") and what surrounds it: the AuthConfig,
each server's certificate store, its internal transport (default SMTP) certificate, the AuthServers and the hybrid
configuration. Mirrors plugins/module_utils/exchange/auth_certificate.py.

Sources (cited at each behaviour): integration-procedure.md section 2 (EX-PLAN, EX-MAINT, EX-KB2617816, REF-EX) and
Microsoft's CSS-Exchange scripts (``Admin/MonitorExchangeAuthCertificate``, ``Shared/CertificateFunctions``,
``Diagnostics/HealthChecker``), read at commit f88378b1e7a252e413cb2e579e88411393737c11.

Certificates are real X.509 certificates made with ``cryptography`` (self-signed RSA, SHA-256). Initial state, made at
the first use of an org: an Auth certificate valid five years from ``LAB_DATE`` (EX-PLAN: "The default Server Auth
Certificate created by Exchange 2016 is valid for five years"), present on every server of the org (EX-PLAN: Setup
"replicates the certificate to all front-end servers"), and per server a self-signed certificate that is its internal
transport certificate and is enabled for IMAP, POP, IIS and SMTP (no source for the exact services of Setup's
certificate: the usual default self-signed certificate's).

State (``org['auth']``)::

    {"certificates": {THUMBPRINT: {"der": base64, "friendly_name": str}},
     "stores": {SERVER: {THUMBPRINT: {"services": ["SMTP", ...]}}},
     "transport": {SERVER: THUMBPRINT or null},
     "config": {"current", "next", "previous", "next_effective" (ISO UTC or null), "realm", "service_name", "when_changed"},
     "auth_servers": [{"name", "type", "enabled", "realm", "application_identifier", "auth_metadata_url", "domain_name"}],
     "hybrid": bool, "unreachable": [SERVER, ...]}

Topology settings (``settings.auth_certificate`` of an Exchange host; the first host of the org that has it wins):

* ``days_left``: the Auth certificate expires this many days after the org's first use (negative: already expired)
  instead of five years after ``LAB_DATE``;
* ``key_size``: its RSA key size (default 2048);
* ``missing_on``: names of servers of the org that lack the Auth certificate (a HealthChecker finding);
* ``unreachable``: names of servers whose certificate store cannot be read (``Get-ExchangeCertificate -Server`` fails);
* ``hybrid``: true for a hybrid organization: ``Get-HybridConfiguration`` returns an object and an enabled AzureAD
  AuthServer ("EvoSts") carries the dedicated Exchange hybrid application's id (versions-and-changes-2025.md).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ...binder import BoundCall
from ...pserrors import PSError
from ...psvalues import PSEnum, PSObject, PSText, format_roundtrip_utc
from ..common import Outcome, refuse_unmodelled
from .organization import ExchangeFeature

# The date the lab's Exchange Setup ran (no source: lab choice; the certificates it made are valid five years from it).
LAB_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
# Source: EX-PLAN / SFB-PLAN (the certificate's name), integration-procedure.md section 2 (Subject in the documented command).
AUTH_SUBJECT = 'Microsoft Exchange Server Auth Certificate'
# Source: CSS-Exchange DataCollection/Tests/Data/GetAuthConfig.xml (ServiceName, Name of the AuthConfig object).
SERVICE_NAME = '00000002-0000-0ff1-ce00-000000000000'
# Source: REF-EX New-ExchangeCertificate -Services: "the default value is IMAP,POP,SMTP"; -KeySize 1024 | 2048 | 4096.
DEFAULT_SERVICES = ['IMAP', 'POP', 'SMTP']
KEY_SIZES = (1024, 2048, 4096)
# AllowedServices names in the order Exchange prints them (no source for the order: the usual "IMAP, POP, IIS, SMTP").
SERVICE_ORDER = ('Federation', 'IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'UMCallRouter')
# Source: EX-MAINT, missing-cert signal: "A special Rpc error occurs on server <Servername>: The certificate with
# thumbprint <AuthCertificateThumbprint> was not found." CSS-Exchange Get-ExchangeAuthCertificateStatus.ps1 tells it
# apart from an unreachable server by the error's reason InvalidOperationException.
NOT_FOUND = 'A special Rpc error occurs on server %s: The certificate with thumbprint %s was not found.'
# No source for the text of an unreachable server's error: the RPC "server is unavailable" message, lab choice.
UNREACHABLE = 'A special Rpc error occurs on server %s: The RPC server is unavailable.'
# Source: PowerShell's host error when a prompt is needed in -NonInteractive mode (InternalHostUserInterface
# ThrowNotInteractive); the runner's powershell.exe runs -NonInteractive (docs/design.md section 1).
NON_INTERACTIVE = 'Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.'
# The dedicated Exchange hybrid application's id in the lab (a GUID; HealthChecker only checks that it is one).
HYBRID_APP_ID = '6b0f5b6e-8d7a-4f4e-9a55-3c0d1a7e2b41'
TENANT_ID = 'f3b2c1d0-1111-4c4c-8e8e-0123456789ab'


def make_certificate(common_name: str, not_before: datetime.datetime, not_after: datetime.datetime, key_size: int = 2048,
                     dns_names: list[str] | None = None) -> bytes:
    """A self-signed RSA certificate (DER), as New-ExchangeCertificate makes one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after))
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(item) for item in dns_names]), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(encoding=Encoding.DER)


def thumbprint_of(der: bytes) -> str:
    """X509Certificate2.Thumbprint: the SHA-1 of the DER, upper-case hex."""
    return hashlib.sha1(der).hexdigest().upper()  # nosec - the thumbprint is SHA-1 by definition


def _services_text(services: list[str]) -> str:
    ordered = [name for name in SERVICE_ORDER if name in services]
    return ', '.join(ordered) if ordered else 'None'


def _host_settings(topology: Any, org: dict[str, Any]) -> dict[str, Any]:
    """``settings.auth_certificate`` of the first topology host that belongs to this org."""
    for host in getattr(topology, 'hosts', None) or ():
        if getattr(host, 'product', None) != 'exchange':
            continue
        if str(host.computer_name).upper() in org['servers']:
            found = (getattr(host, 'settings', None) or {}).get('auth_certificate')
            if found:
                return dict(found)
    return {}


def init_auth(org: dict[str, Any], topology: Any, now: datetime.datetime | None = None) -> tuple[dict[str, Any], bool]:
    """The org's Auth state, created on first use; (state, whether it was created or completed now)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    made = False
    state = org.get('auth')
    if state is None:
        settings = _host_settings(topology, org)
        if settings.get('days_left') is not None:
            not_after = now.replace(microsecond=0) + datetime.timedelta(days=float(settings['days_left']))
            not_before = min(LAB_DATE, not_after - datetime.timedelta(days=365 * 5))
        else:
            not_before, not_after = LAB_DATE, LAB_DATE.replace(year=LAB_DATE.year + 5)
        der = make_certificate(AUTH_SUBJECT, not_before, not_after, int(settings.get('key_size', 2048)))
        auth = thumbprint_of(der)
        missing = set(str(name).upper() for name in settings.get('missing_on') or [])
        state = {
            'certificates': {auth: {'der': base64.b64encode(der).decode('ascii'), 'friendly_name': AUTH_SUBJECT}},
            'stores': {}, 'transport': {},
            'config': {'current': auth, 'next': None, 'previous': None, 'next_effective': None, 'realm': None,
                       'service_name': SERVICE_NAME, 'when_changed': format_roundtrip_utc(not_before)},
            'auth_servers': [], 'hybrid': bool(settings.get('hybrid')),
            'unreachable': [str(name).upper() for name in settings.get('unreachable') or []],
            'missing_on': sorted(missing),
        }
        if state['hybrid']:
            # The Hybrid Configuration Wizard's AuthServer for Entra ID with the dedicated hybrid application
            # (versions-and-changes-2025.md; CSS-Exchange Invoke-AnalyzerHybridInformation.ps1: Type AzureAD, Enabled,
            # ApplicationIdentifier a GUID). Name "EvoSts - <tenant id>": no source beyond HealthChecker's "evoSts" naming.
            state['auth_servers'].append({'name': 'EvoSts - %s' % TENANT_ID, 'type': 'AzureAD', 'enabled': True, 'realm': TENANT_ID,
                                          'application_identifier': HYBRID_APP_ID,
                                          'auth_metadata_url': 'https://login.windows.net/contoso.com/federationmetadata/2007-06/'
                                                               'federationmetadata.xml',
                                          'domain_name': ['contoso.com']})
        org['auth'] = state
        made = True
    auth = state['config']['current']
    for name, server in sorted(org['servers'].items()):
        if name in state['stores']:
            continue
        # a server joins with its own transport/IIS certificate and (unless the topology says otherwise) the Auth one
        der = make_certificate(name, LAB_DATE, LAB_DATE.replace(year=LAB_DATE.year + 5), 2048, [name, server['fqdn']])
        own = thumbprint_of(der)
        state['certificates'][own] = {'der': base64.b64encode(der).decode('ascii'), 'friendly_name': 'Microsoft Exchange'}
        store = {own: {'services': ['IMAP', 'POP', 'IIS', 'SMTP']}}
        if auth and name not in state.get('missing_on', []):
            # the Auth certificate created by Setup is enabled for SMTP (created with the default services; no source
            # for the value shown on every server)
            store[auth] = {'services': ['SMTP']}
        state['stores'][name] = store
        state['transport'][name] = own
        made = True
    return state, made


class AuthCertificate(ExchangeFeature):
    """Get-/Set-AuthConfig, Get-/New-/Enable-ExchangeCertificate, Get-TransportService, Get-AuthServer, Get-HybridConfiguration."""

    IMPLEMENTED = ('Get-AuthConfig', 'Set-AuthConfig', 'Get-ExchangeCertificate', 'New-ExchangeCertificate', 'Enable-ExchangeCertificate',
                   'Get-TransportService', 'Get-AuthServer', 'Get-HybridConfiguration')

    def _state(self) -> tuple[dict[str, Any], bool]:
        return init_auth(self.org, self.topology)

    # -- objects ------------------------------------------------------------------------------------------------

    def _degraded(self, state: dict[str, Any]) -> bool:
        """Whether certificate objects arrive with RawData only.

        Source: CSS-Exchange Shared/CertificateFunctions/Import-ExchangeCertificateFromRawData.ps1 ("if Serialization Data
        Signing is enabled, but the Auth Certificate which is configured has expired ... The 'Get-ExchangeCertificate'
        cmdlet fails to deserialize and so, only RawData (byte[]) will be returned") and its test data
        GetExchangeCertificateBroken.xml (every object of the answer has RawData only). Only through the remote session
        (deserialization). Exchange 2013 is left out: serialization data signing is opt-in there (no source in the shared
        docs: the November 2023 SU turned it on by default for 2016 and 2019 only).
        """
        if not self.remote:
            return False
        server = self.org['servers'].get(self.session_server) or {}
        if server.get('version') == '2013':
            return False
        current = state['config']['current']
        if not current or current not in state['certificates']:
            return False
        return self._certificate(state, current).not_valid_after_utc < datetime.datetime.now(datetime.timezone.utc)

    @staticmethod
    def _certificate(state: dict[str, Any], thumbprint: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(base64.b64decode(state['certificates'][thumbprint]['der']))

    def _certificate_object(self, state: dict[str, Any], server: str, thumbprint: str, degraded: bool) -> PSObject:
        """An ExchangeCertificate (an X509Certificate2). RawData is a byte[]: through the remote session it is a CLIXML
        <BA> and deserializes as byte[] (CSS-Exchange test data GetExchangeCertificate.xml); the runner returns it as an
        array of numbers (docs/design.md section 3)."""
        der = base64.b64decode(state['certificates'][thumbprint]['der'])
        cert = x509.load_der_x509_certificate(der)
        subject = cert.subject.rfc4514_string()
        issuer = cert.issuer.rfc4514_string()
        text = ('[Subject]\r\n  %s\r\n\r\n[Issuer]\r\n  %s\r\n\r\n[Serial Number]\r\n  %X\r\n\r\n[Not Before]\r\n  %s\r\n\r\n'
                '[Not After]\r\n  %s\r\n\r\n[Thumbprint]\r\n  %s\r\n'
                % (subject, issuer, cert.serial_number, cert.not_valid_before_utc.strftime('%m/%d/%Y %H:%M:%S'),
                   cert.not_valid_after_utc.strftime('%m/%d/%Y %H:%M:%S'), thumbprint))
        if degraded:
            return PSObject(text=text, properties={'RawData': list(der)})
        services = state['stores'][server][thumbprint]['services']
        try:
            domains = [name.value for name in cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value]
        except x509.ExtensionNotFound:
            domains = []
        return PSObject(text=text, properties={
            'Thumbprint': thumbprint,
            'Subject': subject,
            'Issuer': issuer,
            'FriendlyName': state['certificates'][thumbprint]['friendly_name'],
            'NotBefore': cert.not_valid_before_utc,
            'NotAfter': cert.not_valid_after_utc,
            'SerialNumber': '%X' % cert.serial_number,
            'Services': PSEnum('AllowedServices', _services_text(services)),
            'CertificateDomains': [PSText(item) for item in domains],
            'IsSelfSigned': subject == issuer,
            'HasPrivateKey': True,
            'RawData': list(der),
            'Identity': PSText('%s\\%s' % (server, thumbprint)),
        })

    # -- lookups ------------------------------------------------------------------------------------------------

    def _server_name(self, call: BoundCall, state: dict[str, Any], server: Any) -> str:
        """The server a certificate cmdlet acts on (-Server, else the local one: REF-EX "If you don't use this parameter,
        the command is run on the local server")."""
        name = self.session_server if server is None else self._resolve(call, str(server))[0]['name']
        if name in state['unreachable']:
            raise self._task_error(call, UNREACHABLE % name,
                                   'Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificateRpcException')
        return name

    def _not_found_on(self, call: BoundCall, server: str, thumbprint: str) -> PSError:
        return self._task_error(call, NOT_FOUND % (server, thumbprint), 'System.InvalidOperationException')

    @staticmethod
    def _thumb(value: Any) -> str:
        return ''.join(str(value or '').split()).upper()

    # -- cmdlets ------------------------------------------------------------------------------------------------

    def get_auth_config(self, call: BoundCall) -> Outcome:
        """Get-AuthConfig. Properties: CSS-Exchange DataCollection/Tests/Data/GetAuthConfig.xml (integration-procedure.md
        section 2)."""
        refuse_unmodelled(call, {'DomainController'})
        state, made = self._state()
        config = state['config']
        effective = config['next_effective']
        org_name = 'First Organization'  # no source: the org name the lab shows
        return Outcome(changed=made, objects=[PSObject(text='Auth Configuration', properties={
            'Name': 'Auth Configuration',
            'Identity': PSText('Auth Configuration'),
            'CurrentCertificateThumbprint': config['current'],
            'PreviousCertificateThumbprint': config['previous'],
            'NextCertificateThumbprint': config['next'],
            'NextCertificateEffectiveDate': None if effective is None else _parse_iso(effective),
            'ServiceName': config['service_name'],
            'Realm': config['realm'],
            'DistinguishedName': 'CN=Auth Configuration,CN=%s,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=%s'
                                 % (org_name, ',DC='.join((self.org.get('domain') or 'contoso.local').split('.'))),
            'WhenChanged': _parse_iso(config['when_changed']),
        })])

    def set_auth_config(self, call: BoundCall) -> Outcome:
        """Set-AuthConfig in its four parameter sets (REF-EX; integration-procedure.md section 2)."""
        if call.has('Server'):
            # REF-EX: "The Server parameter isn't available in this release." (no source for the error text: the same words)
            raise self._task_error(call, "The Server parameter isn't available in this release.", 'System.ArgumentException')
        refuse_unmodelled(call, {'CertificateThumbprint', 'NewCertificateThumbprint', 'NewCertificateEffectiveDate', 'PublishCertificate',
                                 'ClearPreviousCertificate', 'SkipImmediateCertificateDeployment', 'Force', 'Realm', 'ServiceName',
                                 'WhatIf', 'DomainController'})
        state = self._state()[0]
        config = dict(state['config'])
        deploy = []
        if call.parameter_set == 'CurrentCertificateParameter':
            thumbprint = self._existing(call, state, call.values['CertificateThumbprint'])
            config['previous'], config['current'] = config['current'], thumbprint
            deploy.append(thumbprint)
        elif call.parameter_set == 'NewCertificateParameter':
            if call.has('NewCertificateThumbprint'):
                thumbprint = self._existing(call, state, call.values['NewCertificateThumbprint'])
                config['next'] = thumbprint
                deploy.append(thumbprint)
            if call.has('NewCertificateEffectiveDate'):
                when = call.values['NewCertificateEffectiveDate']
                if when is not None and when.tzinfo is None:
                    # the lab's servers run in UTC (psvalues.format_roundtrip_utc: lab choice)
                    when = when.replace(tzinfo=datetime.timezone.utc)
                config['next_effective'] = None if when is None else format_roundtrip_utc(when)
        elif call.parameter_set == 'PublishAuthCertificateParameter':
            if call.switch('PublishCertificate'):
                # REF-EX: "immediately rolls over the specified certificate as the current certificate ... You must have
                # installed a certificate marked as the next certificate." No source for the error text without one.
                if not config['next']:
                    raise self._task_error(call, 'No next certificate is configured. Configure one with -NewCertificateThumbprint first.',
                                           'System.InvalidOperationException')
                config['previous'], config['current'] = config['current'], config['next']
                config['next'], config['next_effective'] = None, None
                deploy.append(config['current'])
            if call.switch('ClearPreviousCertificate'):
                config['previous'] = None
        else:
            if call.has('ServiceName') or call.has('Realm'):
                # REF-EX -ServiceName: "You shouldn't change this parameter" (the lab allows it, as the product does)
                config['service_name'] = call.values.get('ServiceName', config['service_name'])
                config['realm'] = call.values.get('Realm', config['realm'])
        if call.switch('WhatIf'):
            return Outcome()
        if not call.switch('SkipImmediateCertificateDeployment'):
            for thumbprint in deploy:
                self._deploy(state, thumbprint)
        if config == state['config']:
            return Outcome(changed=True, warnings=["The command completed successfully but no settings of 'Auth Configuration' have "
                                                   "been modified."])
        config['when_changed'] = format_roundtrip_utc(datetime.datetime.now(datetime.timezone.utc))
        state['config'] = config
        return Outcome(changed=True)

    def _existing(self, call: BoundCall, state: dict[str, Any], value: Any) -> str:
        """A thumbprint Set-AuthConfig may use: the certificate must exist on the server where the task runs (no source for
        the exact check and text: the task reads the certificate to deploy it; the lab refuses an unknown one)."""
        thumbprint = self._thumb(value)
        if thumbprint not in state['stores'].get(self.session_server, {}):
            raise self._not_found_on(call, self.session_server, thumbprint)
        return thumbprint

    def _deploy(self, state: dict[str, Any], thumbprint: str) -> None:
        """The certificate is deployed to the servers of the same AD site as the servers holding it.

        Source: REF-EX -PublishCertificate "The certificate is immediately deployed to all Client Access servers" and
        -SkipImmediateCertificateDeployment (so deployment is immediate without it); EX-MAINT FAQ: the servicelet replicates
        within the site, a server in another AD site needs Export-/Import-ExchangeCertificate.
        """
        holders = [name for name, store in state['stores'].items() if thumbprint in store]
        sites = set(self.org['servers'][name]['site'] for name in holders if name in self.org['servers'])
        for name, server in self.org['servers'].items():
            if server['site'] in sites and name not in state['unreachable']:
                state['stores'].setdefault(name, {}).setdefault(thumbprint, {'services': []})

    def get_exchange_certificate(self, call: BoundCall) -> Outcome:
        """Get-ExchangeCertificate [-Server] [-Thumbprint]: the certificates of one server's store."""
        refuse_unmodelled(call, {'Server', 'Thumbprint', 'DomainController'})
        state, made = self._state()
        server = self._server_name(call, state, call.values.get('Server'))
        store = state['stores'].get(server, {})
        degraded = self._degraded(state)
        if call.has('Thumbprint'):
            thumbprint = self._thumb(call.values['Thumbprint'])
            if thumbprint not in store:
                raise self._not_found_on(call, server, thumbprint)
            return Outcome(changed=made, objects=[self._certificate_object(state, server, thumbprint, degraded)])
        return Outcome(changed=made, objects=[self._certificate_object(state, server, thumbprint, degraded) for thumbprint in store])

    def new_exchange_certificate(self, call: BoundCall) -> Outcome:
        """New-ExchangeCertificate (self-signed; REF-EX and integration-procedure.md section 2)."""
        refuse_unmodelled(call, {'Server', 'KeySize', 'PrivateKeyExportable', 'SubjectName', 'FriendlyName', 'DomainName', 'Services',
                                 'Force', 'IncludeServerFQDN', 'WhatIf', 'DomainController'})
        state = self._state()[0]
        server = self._server_name(call, state, call.values.get('Server'))
        key_size = call.values.get('KeySize', 2048)
        if key_size not in KEY_SIZES:
            # REF-EX -KeySize: 1024, 2048 (default) or 4096. No source for the error text.
            raise self._task_error(call, 'The key size %s is not valid. Valid values are 1024, 2048 and 4096.' % key_size,
                                   'System.ArgumentException')
        friendly = call.values.get('FriendlyName', 'Microsoft Exchange')
        if friendly is not None and len(friendly) >= 64:
            # REF-EX -FriendlyName: "The value must be less than 64 characters." No source for the error text.
            raise self._task_error(call, 'The friendly name must be less than 64 characters.', 'System.ArgumentException')
        services = self._services(call.values.get('Services')) if call.has('Services') else list(DEFAULT_SERVICES)
        if 'SMTP' in services and not call.switch('Force') and state['transport'].get(server):
            # REF-EX -Force: without it "you're prompted to replace the existing default SMTP certificate"; the runner is
            # non-interactive, so the prompt fails. No source for whether the certificate is created before the prompt:
            # the lab fails before creating anything.
            raise PSError(NON_INTERACTIVE, 'HostFunctionNotImplemented', 'NotImplemented',
                          'System.Management.Automation.Host.HostException')
        subject = call.values.get('SubjectName') or 'CN=%s' % server
        common_name = subject.split('=', 1)[1] if subject.lower().startswith('cn=') else subject
        domains = [item for item in call.values.get('DomainName') or [] if item]
        if call.switch('IncludeServerFQDN'):
            domains.append(self.org['servers'][server]['fqdn'])
        if call.switch('WhatIf'):
            return Outcome()
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # five years: EX-PLAN ("valid for five years"); CSS-Exchange New-ExchangeAuthCertificate.ps1 ("Creating a default
        # self-signed certificate with a lifetime of 5 years")
        der = make_certificate(common_name, now, now.replace(year=now.year + 5), key_size, domains)
        thumbprint = thumbprint_of(der)
        state['certificates'][thumbprint] = {'der': base64.b64encode(der).decode('ascii'), 'friendly_name': friendly}
        state['stores'].setdefault(server, {})[thumbprint] = {'services': services}
        if 'SMTP' in services:
            # REF-EX -Force: "the new SMTP certificate automatically replaces the existing SMTP certificate without asking"
            state['transport'][server] = thumbprint
        return Outcome(changed=True, objects=[self._certificate_object(state, server, thumbprint, self._degraded(state))])

    def enable_exchange_certificate(self, call: BoundCall) -> Outcome:
        """Enable-ExchangeCertificate -Thumbprint -Services [-Server] [-Force] (REF-EX)."""
        refuse_unmodelled(call, {'Thumbprint', 'Server', 'Services', 'Force', 'DoNotRequireSsl', 'WhatIf', 'DomainController'})
        state = self._state()[0]
        server = self._server_name(call, state, call.values.get('Server'))
        thumbprint = self._thumb(call.values['Thumbprint'])
        store = state['stores'].get(server, {})
        if thumbprint not in store:
            raise self._not_found_on(call, server, thumbprint)
        services = self._services(call.values['Services'])
        replaces = 'SMTP' in services and state['transport'].get(server) not in (None, thumbprint)
        if replaces and not call.switch('Force'):
            # REF-EX -Force: "when you enable a certificate for SMTP, the command prompts you to replace the existing
            # certificate that's enabled for SMTP"; a prompt fails in the non-interactive runner.
            raise PSError(NON_INTERACTIVE, 'HostFunctionNotImplemented', 'NotImplemented',
                          'System.Management.Automation.Host.HostException')
        if call.switch('WhatIf'):
            return Outcome()
        # services add to those the certificate has (no source for keeping the others: the usual behaviour)
        store[thumbprint]['services'] = [name for name in SERVICE_ORDER if name in set(store[thumbprint]['services']) | set(services)]
        if 'SMTP' in services:
            state['transport'][server] = thumbprint
        return Outcome(changed=True)

    @staticmethod
    def _services(value: Any) -> list[str]:
        """AllowedServices names from the bound value (one name, a comma-separated text, or a list)."""
        items = value if isinstance(value, list) else [value]
        names = []
        for item in items:
            for part in str(item or '').split(','):
                part = part.strip()
                for name in SERVICE_ORDER + ('None',):
                    if part.lower() == name.lower() and name != 'None' and name not in names:
                        names.append(name)
        return names

    def get_transport_service(self, call: BoundCall) -> Outcome:
        """Get-TransportService [-Identity]: Name, InternalTransportCertificateThumbprint (CSS-Exchange HealthChecker
        Invoke-JobExchangeInformationCmdlet.ps1 reads $getTransportService.InternalTransportCertificateThumbprint)."""
        refuse_unmodelled(call, {'Identity', 'DomainController'})
        state, made = self._state()
        objects = []
        for server in self._resolve(call, call.values.get('Identity')):
            objects.append(PSObject(text=server['name'], properties={
                'Name': server['name'],
                'Identity': PSText(server['name']),
                'InternalTransportCertificateThumbprint': state['transport'].get(server['name']),
            }))
        return Outcome(changed=made, objects=objects)

    def get_auth_server(self, call: BoundCall) -> Outcome:
        """Get-AuthServer [-Identity]. Properties: those HealthChecker reads (Invoke-AnalyzerHybridInformation.ps1: Type,
        Enabled, ApplicationIdentifier, Realm, DomainName, Id)."""
        refuse_unmodelled(call, {'Identity', 'DomainController'})
        state, made = self._state()
        servers = state['auth_servers']
        if call.values.get('Identity') is not None:
            servers = [item for item in servers if item['name'].lower() == str(call.values['Identity']).lower()]
            if not servers:
                raise self._not_found(call, str(call.values['Identity']))
        return Outcome(changed=made, objects=[PSObject(text=item['name'], properties={
            'Name': item['name'], 'Identity': PSText(item['name']), 'Id': PSText(item['name']),
            # AuthServerType enum (Unknown, MicrosoftACS, Facebook, LinkedIn, ADFS, AzureAD: no source beyond HealthChecker's
            # MicrosoftACS and AzureAD)
            'Type': PSEnum('AuthServerType', item['type']),
            'Enabled': item['enabled'], 'Realm': item['realm'], 'ApplicationIdentifier': item['application_identifier'],
            'AuthMetadataUrl': item['auth_metadata_url'], 'DomainName': list(item['domain_name']),
        }) for item in servers])

    def get_hybrid_configuration(self, call: BoundCall) -> Outcome:
        """Get-HybridConfiguration: one object in a hybrid organization, none otherwise (CSS-Exchange
        Get-ExchangeAuthCertificateStatus.ps1 takes "not $null" as "hybrid detected"). Properties: no source beyond
        HealthChecker's SendingTransportServers / ReceivingTransportServers."""
        refuse_unmodelled(call, {'DomainController'})
        state, made = self._state()
        if not state['hybrid']:
            return Outcome(changed=made)
        names = sorted(self.org['servers'])
        return Outcome(changed=made, objects=[PSObject(text='Hybrid Configuration', properties={
            'Name': 'Hybrid Configuration', 'Identity': PSText('Hybrid Configuration'),
            'Domains': ['contoso.com'], 'Features': ['FreeBusy', 'MoveMailbox', 'Mailtips', 'MessageTracking', 'OwaRedirection',
                                                     'OnlineArchive', 'SecureMail', 'Photos'],
            'SendingTransportServers': [PSText(name) for name in names],
            'ReceivingTransportServers': [PSText(name) for name in names],
            'Guid': uuid.UUID(int=0x1),
        })])


def _parse_iso(text: str) -> datetime.datetime:
    """A UTC datetime from round-trip text ("2025-01-01T00:00:00.0000000Z": seven fractional digits, Python reads six)."""
    head, _dot, fraction = text.rstrip('Z').partition('.')
    return datetime.datetime.fromisoformat('%s.%s+00:00' % (head, (fraction + '000000')[:6]))

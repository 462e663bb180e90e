# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Windows side of a server: the few local cmdlets the collection sends besides the products' (service and IIS
application pool restarts, a configuration file, a registry value, the machine's certificate store).

They run in the WinRM session itself, never through a product's remote session, so the Exchange or Skype endpoint
plays no part in them. Signatures are in ``lab/reference/windows.json`` (hand-written from Microsoft's reference
pages named there); the binder checks every call against them as it does for the products.

State (``state.json`` under ``windows``, one entry per host)::

    {"ex2019": {"services": {"MSExchangeServiceHost": {"status": "Running", "restarts": 0}},
                "app_pools": {"MSExchangeOWAAppPool": {"restarts": 0}},
                "files": {"c:\\\\...\\\\web.config": "<configuration>..."},
                "registry": {"hklm:\\\\software\\\\...": {"MsiInstallPath": "..."}}}}

The certificate store (``Get-ChildItem -Path Cert:\\LocalMachine\\My``) is not kept here: the products own their
certificates (for example the Skype deployment state), and ``CERTIFICATE_SOURCES`` lists what each host's store holds.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

import dns.name
import dns.rcode
import dns.rdatatype

from ..binder import BoundCall
from ..dns import initial_zones, resolve
from ..pserrors import PSError, lab_not_implemented
from ..psvalues import PSEnum, PSObject
from .common import Outcome, ProductModel, refuse_unmodelled

# Label of the Windows PowerShell cmdlets in lab/reference/windows.json (they exist on every version the lab runs).
LABEL = 'Windows PowerShell'

# Exchange install path. Source: Exchange Setup's registry value HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup
# MsiInstallPath (CSS-Exchange Shared/Get-ExchangeInstallDirectory.ps1 reads it; default path: Exchange Setup's
# default "C:\Program Files\Microsoft\Exchange Server\V15\").
EXCHANGE_SETUP_KEY = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'
EXCHANGE_INSTALL_PATH = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\'

# Services and IIS application pools of an Exchange server that the collection may restart. Source:
# integration-procedure.md section 2 (Auth certificate: "Restart-Service MSExchangeServiceHost", "Restart-WebAppPool
# MSExchangeOWAAppPool / MSExchangeECPAppPool") and section 8.1 (OWA app pool). Other names: no source (lab choice).
EXCHANGE_SERVICES = ('MSExchangeServiceHost', 'MSExchangeTransport', 'MSExchangeFrontEndTransport', 'MSExchangeIS', 'W3SVC')
EXCHANGE_APP_POOLS = ('MSExchangeOWAAppPool', 'MSExchangeECPAppPool', 'MSExchangeAutodiscoverAppPool', 'MSExchangeServicesAppPool',
                      'MSExchangePowerShellAppPool', 'MSExchangeSyncAppPool')
SKYPE_SERVICES = ('RTCSRV', 'RTCMRAUTH', 'REPLICA', 'W3SVC')
# A domain controller with the DNS Server role (lab host kind 'windows'). No source: the Windows service names.
DC_SERVICES = ('DNS', 'NTDS', 'Netlogon', 'W32Time')

# Files a product feature places on its hosts: callables (host) -> {path: text}. Features append to it at import
# time (for example lab/products/exchange/owa.py seeds the OWA web.config of Exchange 2013).
FILE_SEEDS: list[Callable[[Any], dict[str, str]]] = []

# Certificates in a host's machine store (Cert:\LocalMachine\My): callables (state, host) -> list of dicts
# {"der": bytes or base64 text, "has_private_key": bool, "key_storage": "csp" | "cng" | None, "exportable": bool,
#  "friendly_name": str}. Features append to it at import time (lab/products/skype/certificates.py).
CERTIFICATE_SOURCES: list[Callable[[dict[str, Any], Any], list[dict[str, Any]]]] = []
# The only store the lab models. Source: the Cert: drive of the PowerShell Certificate provider (LocalMachine\My is
# the computer's Personal store, where Skype for Business / Exchange certificates live).
MACHINE_STORE = 'cert:\\localmachine\\my'

# Resolve-DnsName (DnsClient module; https://learn.microsoft.com/powershell/module/dnsclient/resolve-dnsname). Its errors
# are Win32Exceptions whose FullyQualifiedErrorId is the Win32 error name. Source for the NXDOMAIN record ("<name> : DNS
# name does not exist", ResourceUnavailable, Win32Exception, DNS_ERROR_RCODE_NAME_ERROR,...ResolveDnsName): console
# transcripts in public repositories (e.g. scripts that catch that id for a missing TXT record). SERVFAIL's id
# DNS_ERROR_RCODE_SERVER_FAILURE: same kind of source (a script telling it apart from NXDOMAIN). The texts of SERVFAIL,
# REFUSED and the timeout are the winerror.h messages of DNS_ERROR_RCODE_SERVER_FAILURE (9002), DNS_ERROR_RCODE_REFUSED
# (9005) and ERROR_TIMEOUT (1460); their categories: no source (the NXDOMAIN one reused).
RESOLVE_ERRORS = {
    'nxdomain': ('DNS name does not exist', 'DNS_ERROR_RCODE_NAME_ERROR'),
    'servfail': ('DNS server failure', 'DNS_ERROR_RCODE_SERVER_FAILURE'),
    'refused': ('DNS request refused', 'DNS_ERROR_RCODE_REFUSED'),
    'timeout': ('This operation returned because the timeout period expired', 'ERROR_TIMEOUT'),
}
RECORD_TYPE = 'Microsoft.DnsClient.Commands.RecordType'
# No source for the enum's type name (lab choice); its values Answer/Authority/Additional are the Section column.
SECTION_TYPE = 'Microsoft.DnsClient.Commands.DnsSection'


def init_host(state: dict[str, Any], host: Any) -> dict[str, Any]:
    """The host's entry, created from its product on first use."""
    hosts = state.setdefault('windows', {})
    entry = hosts.get(host.name)
    if entry is None:
        exchange = host.product == 'exchange'
        entry = {
            'services': {name: {'status': 'Running', 'restarts': 0}
                         for name in (EXCHANGE_SERVICES if exchange else SKYPE_SERVICES if host.product == 'skype' else DC_SERVICES)},
            'app_pools': {name: {'restarts': 0} for name in (EXCHANGE_APP_POOLS if exchange else ())},
            'files': {},
            'registry': {EXCHANGE_SETUP_KEY.lower(): {'MsiInstallPath': EXCHANGE_INSTALL_PATH}} if exchange else {},
        }
        for seed in FILE_SEEDS:
            entry['files'].update((path.lower(), text) for path, text in seed(host).items())
        hosts[host.name] = entry
    return entry


def _path_not_found(cmdlet: str, path: str) -> PSError:
    # Source: PowerShell SessionStateStrings.PathNotFound "Cannot find path '{0}' because it does not exist."
    # (ItemNotFoundException, ObjectNotFound, FQID PathNotFound,<command class>)
    command = cmdlet.replace('-', '') + 'Command'
    return PSError("Cannot find path '%s' because it does not exist." % path, 'PathNotFound,Microsoft.PowerShell.Commands.%s' % command,
                   'ObjectNotFound', 'System.Management.Automation.ItemNotFoundException')


class ThrowingGetter:
    """A property whose getter throws: the runner's dotted-path walk reads it as null (lab/engine.py ``_rows``).

    Source: X509Certificate2.PrivateKey of a certificate whose key is in a CNG key storage provider throws
    CryptographicException "Invalid provider type specified." on .NET Framework 4.x (Windows PowerShell 5.1), for example
    brianary/scripts#6 (``(gi Cert:\\LocalMachine\\...).get_PrivateKey()``) and IdentityServer/IdentityServer3#2859.
    """

    def __init__(self, error: PSError) -> None:
        self.getter_error = error

    def __str__(self) -> str:
        return self.getter_error.message


def _dotnet_name(name: x509.Name) -> str:
    """X500DistinguishedName as X509Certificate2.Subject prints it: the last RDN first, ", " between them."""
    parts = []
    for rdn in reversed(list(name.rdns)):
        parts.append('+'.join(attribute.rfc4514_string() for attribute in rdn))
    return ', '.join(parts)


def _key_size(public_key: Any) -> int | None:
    if isinstance(public_key, (rsa.RSAPublicKey, dsa.DSAPublicKey)):
        return public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return public_key.curve.key_size
    return None


def certificate_object(entry: dict[str, Any]) -> PSObject:
    """An X509Certificate2 as the Certificate provider returns it.

    Properties: Thumbprint (SHA-1 of the DER, upper-case hex), Subject, Issuer, NotBefore, NotAfter, SerialNumber,
    HasPrivateKey, RawData (byte[]), FriendlyName, DnsNameList (X509Certificate2 / the provider's script properties);
    PrivateKey: $null without a private key; a CryptoAPI (CSP) key is an RSACryptoServiceProvider whose
    CspKeyContainerInfo.Exportable tells exportability; a CNG key's getter throws (ThrowingGetter). ToString(): the
    "[Subject]... [Thumbprint]..." text of X509Certificate2.ToString() is not modelled (lab choice: the subject).
    """
    der = entry['der'] if isinstance(entry['der'], bytes) else base64.b64decode(entry['der'])
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        san = []
    private_key: Any = None
    if entry.get('has_private_key', True):
        if entry.get('key_storage') == 'cng':
            private_key = ThrowingGetter(PSError('Exception getting "PrivateKey": "Invalid provider type specified."',
                                                 'ExceptionWhenGetting', 'NotSpecified',
                                                 'System.Management.Automation.GetValueInvocationException'))
        else:
            container = PSObject({'Exportable': bool(entry.get('exportable', True)), 'MachineKeyStore': True,
                                  'ProviderName': 'Microsoft RSA SChannel Cryptographic Provider'},
                                 'System.Security.Cryptography.CspKeyContainerInfo')
            private_key = PSObject({'CspKeyContainerInfo': container, 'KeySize': _key_size(cert.public_key()),
                                    'KeyExchangeAlgorithm': 'RSA-PKCS1-KeyEx'},
                                   'System.Security.Cryptography.RSACryptoServiceProvider')
    subject = _dotnet_name(cert.subject)
    return PSObject({
        'Thumbprint': hashlib.sha1(der).hexdigest().upper(),  # nosec - X509Certificate2.Thumbprint is SHA-1
        'Subject': subject,
        'Issuer': _dotnet_name(cert.issuer),
        # X509Certificate2.NotBefore/NotAfter are local times; the lab's servers run in UTC (psvalues.format_roundtrip_utc)
        'NotBefore': cert.not_valid_before_utc.replace(tzinfo=None),
        'NotAfter': cert.not_valid_after_utc.replace(tzinfo=None),
        'SerialNumber': '%X' % cert.serial_number,
        'HasPrivateKey': bool(entry.get('has_private_key', True)),
        'PrivateKey': private_key,
        'RawData': list(der),
        'FriendlyName': entry.get('friendly_name') or '',
        'DnsNameList': list(san),
    }, subject)


class WindowsHost(ProductModel):
    """The local cmdlets of one host (``state``: the whole lab state, for the certificate sources)."""

    IMPLEMENTED = ('Restart-Service', 'Restart-WebAppPool', 'Get-Content', 'Set-Content', 'Get-ItemProperty', 'Get-ChildItem',
                   'Resolve-DnsName')

    def __init__(self, state: dict[str, Any], host: Any, topology: Any = None) -> None:
        self.state = state
        self.host = host
        # the lab's zones are built from the topology until a DNS model first edits them (lab/dns.py)
        self.topology = topology
        self.entry = init_host(state, host)
        self.handlers = {'Restart-Service': self.restart_service, 'Restart-WebAppPool': self.restart_web_app_pool,
                         'Get-Content': self.get_content, 'Set-Content': self.set_content, 'Get-ItemProperty': self.get_item_property,
                         'Get-ChildItem': self.get_child_item, 'Resolve-DnsName': self.resolve_dns_name}

    def resolve_dns_name(self, call: BoundCall) -> Outcome:
        """Resolve-DnsName -Name <name> -Type A|AAAA [-DnsOnly]: the host's resolver is the lab's DNS server (every lab host
        uses it), so the answer comes from the lab's zones and faults (lab/dns.py), read without changing the state.

        Output (DnsRecord objects, one per record, as the cmdlet writes them; properties from the page's output types and
        its console transcripts): the CNAME hops first (Name, Type CNAME, TTL, Section Answer, NameHost), then the
        addresses of the canonical name (Name, Type, TTL, Section, IPAddress, and IP4Address or IP6Address). A name without
        a record of that type returns its zone's SOA in the Authority section (no source checked: lab choice from memory
        of the cmdlet's output). A name outside the lab's zones fails as REFUSED (the lab's server does not recurse).
        """
        refuse_unmodelled(call, {'Name', 'Type', 'DnsOnly'})
        name = str(call.values['Name']).strip()
        rtype = str(call.values.get('Type') or 'A_AAAA').upper()
        if rtype not in ('A', 'AAAA'):
            # the default A_AAAA and the other record types are not modelled
            raise lab_not_implemented('Resolve-DnsName -Type %s (only A and AAAA are modelled)' % rtype)
        if self.topology is None:
            raise lab_not_implemented('Resolve-DnsName without the lab topology')
        zones = self.state['dns'] if isinstance(self.state.get('dns'), dict) else initial_zones(self.topology)
        qname = dns.name.from_text(name.rstrip('.') + '.')
        answer = resolve(zones, dict(self.state.get('dns_faults') or {}), qname, dns.rdatatype.from_text(rtype))
        failures = {dns.rcode.NXDOMAIN: 'nxdomain', dns.rcode.SERVFAIL: 'servfail', dns.rcode.REFUSED: 'refused'}
        failure = 'timeout' if answer.drop else failures.get(answer.rcode)
        if failure is not None:
            text, error_id = RESOLVE_ERRORS[failure]
            raise PSError('%s : %s' % (name, text), '%s,Microsoft.DnsClient.Commands.ResolveDnsName' % error_id,
                          'OperationTimeout' if failure == 'timeout' else 'ResourceUnavailable', 'System.ComponentModel.Win32Exception')
        objects: list[Any] = []
        for rrset in answer.answer:
            owner = rrset.name.to_text().rstrip('.')
            kind = dns.rdatatype.to_text(rrset.rdtype)
            for rdata in rrset:
                properties: dict[str, Any] = {'Name': owner, 'Type': PSEnum(RECORD_TYPE, kind), 'TTL': rrset.ttl,
                                              'Section': PSEnum(SECTION_TYPE, 'Answer')}
                if kind == 'CNAME':
                    properties['NameHost'] = rdata.target.to_text().rstrip('.')
                else:
                    properties['IPAddress'] = rdata.address
                    properties['IP4Address' if kind == 'A' else 'IP6Address'] = rdata.address
                objects.append(PSObject(properties, 'Microsoft.DnsClient.Commands.DnsRecord_%s' % kind))
        if not any(dns.rdatatype.to_text(rrset.rdtype) == rtype for rrset in answer.answer):
            for rrset in answer.authority:
                for rdata in rrset:
                    objects.append(PSObject({'Name': rrset.name.to_text().rstrip('.'), 'Type': PSEnum(RECORD_TYPE, 'SOA'),
                                             'TTL': rrset.ttl, 'Section': PSEnum(SECTION_TYPE, 'Authority'),
                                             'PrimaryServer': rdata.mname.to_text().rstrip('.'),
                                             'NameAdministrator': rdata.rname.to_text().rstrip('.'), 'SerialNumber': rdata.serial},
                                            'Microsoft.DnsClient.Commands.DnsRecord_SOA'))
        return Outcome(objects=objects)

    def get_child_item(self, call: BoundCall) -> Outcome:
        """Get-ChildItem -Path Cert:\\LocalMachine\\My: the X509Certificate2 objects of the machine's Personal store (the
        only path the lab models; the file system and the other stores fail loudly)."""
        refuse_unmodelled(call, {'Path'})
        objects: list[Any] = []
        for path in call.values.get('Path') or []:
            normalised = path.strip().rstrip('\\').lower()
            if normalised != MACHINE_STORE:
                if normalised.startswith('cert:\\localmachine\\') or normalised.startswith('cert:\\currentuser\\'):
                    raise lab_not_implemented('Get-ChildItem on the certificate store %s (only Cert:\\LocalMachine\\My is modelled)' % path)
                raise lab_not_implemented('Get-ChildItem on %s (only Cert:\\LocalMachine\\My is modelled)' % path)
            for source in CERTIFICATE_SOURCES:
                objects.extend(certificate_object(entry) for entry in source(self.state, self.host))
        # a source may have made its certificates on this first use (real keys): persisted like a product's first-use state
        # (saving an unchanged state is harmless)
        return Outcome(objects=objects, changed=bool(objects))

    def restart_service(self, call: BoundCall) -> Outcome:
        """Restart-Service -Name <names> [-Force]."""
        refuse_unmodelled(call, {'Name', 'Force', 'WhatIf'})
        names = call.values['Name']
        services = self.entry['services']
        by_lower = {name.lower(): name for name in services}
        for name in names:
            if name.lower() not in by_lower:
                # Source: PowerShell ServiceResources.NoServiceFoundForGivenName "Cannot find any service with service name
                # '{0}'." (ServiceCommandException, ObjectNotFound)
                raise PSError("Cannot find any service with service name '%s'." % name,
                              'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.RestartServiceCommand', 'ObjectNotFound',
                              'Microsoft.PowerShell.Commands.ServiceCommandException')
        if call.switch('WhatIf'):
            return Outcome()
        for name in names:
            services[by_lower[name.lower()]]['restarts'] += 1
        return Outcome(changed=True)

    def restart_web_app_pool(self, call: BoundCall) -> Outcome:
        """Restart-WebAppPool -Name <pool> (WebAdministration)."""
        refuse_unmodelled(call, {'Name', 'WhatIf'})
        name = call.values['Name']
        pools = self.entry['app_pools']
        by_lower = {pool.lower(): pool for pool in pools}
        if name.lower() not in by_lower:
            # No source for the text: the lab fails for an application pool IIS does not have.
            raise PSError("Cannot find application pool '%s'." % name, 'InvalidArgument,Microsoft.IIs.PowerShell.Provider.RestartAppPoolCommand',
                          'InvalidArgument', 'System.ArgumentException')
        if call.switch('WhatIf'):
            return Outcome()
        pools[by_lower[name.lower()]]['restarts'] += 1
        return Outcome(changed=True)

    def get_content(self, call: BoundCall) -> Outcome:
        """Get-Content -Path <file> -Raw (without -Raw PowerShell returns one string per line)."""
        refuse_unmodelled(call, {'Path', 'Raw', 'Encoding'})
        paths = call.values['Path']
        objects: list[Any] = []
        for path in paths:
            text = self.entry['files'].get(path.lower())
            if text is None:
                raise _path_not_found(call.cmdlet, path)
            objects.extend([text] if call.switch('Raw') else text.splitlines())
        return Outcome(objects=objects)

    def set_content(self, call: BoundCall) -> Outcome:
        """Set-Content -Path <file> -Value <text> [-Encoding] [-NoNewline]: replaces the file's text (an existing file only,
        the collection never creates one; no source for refusing a new path: lab choice)."""
        refuse_unmodelled(call, {'Path', 'Value', 'Encoding', 'NoNewline', 'WhatIf'})
        values = call.values.get('Value')
        values = values if isinstance(values, list) else [values]
        text = ('' if call.switch('NoNewline') else '\r\n').join('' if item is None else str(item) for item in values)
        if not call.switch('NoNewline'):
            text += '\r\n'
        for path in call.values['Path']:
            if path.lower() not in self.entry['files']:
                raise _path_not_found(call.cmdlet, path)
        if call.switch('WhatIf'):
            return Outcome()
        for path in call.values['Path']:
            self.entry['files'][path.lower()] = text
        return Outcome(changed=True)

    def get_item_property(self, call: BoundCall) -> Outcome:
        """Get-ItemProperty -Path <key> [-Name <value names>] on the registry provider."""
        refuse_unmodelled(call, {'Path', 'Name'})

        objects = []
        for path in call.values['Path']:
            values = self.entry['registry'].get(path.lower())
            if values is None:
                raise _path_not_found(call.cmdlet, path)
            wanted = call.values.get('Name')
            selected = dict(values) if not wanted else {name: values[name] for name in values if name.lower() in [w.lower() for w in wanted]}
            if wanted and not selected:
                # Source: PowerShell's "Property {0} does not exist at path {1}." (PSArgumentException, InvalidArgument)
                raise PSError('Property %s does not exist at path %s.' % (wanted[0], path),
                              'System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand',
                              'InvalidArgument', 'System.Management.Automation.PSArgumentException')
            objects.append(PSObject(text='@{%s}' % '; '.join('%s=%s' % item for item in selected.items()), properties=dict(selected)))
        return Outcome(objects=objects)

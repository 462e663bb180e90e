# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Partner applications of the deployment (Get-/New-/Set-/Remove-CsPartnerApplication); mirrors
plugins/module_utils/skype/partner_application.py. Sources: integration-procedure.md section 8.2 (SFB-PARTNER,
SFB-ONPREM-PA, REF-SFB New-/Set-/Get-/Remove-CsPartnerApplication).

State (``deployment['partner_applications']``, global: shared by the Front Ends of one deployment)::

    {"<identity lower>": {"identity", "application_identifier", "realm", "application_trust_level", "enabled",
                          "accept_security_identifier_information", "metadata_url", "use_oauth_server"}}

``metadata_exchange_hosts`` (lab hook for tests) lists what the Front Ends can download the Exchange metadata from.
"""

from __future__ import annotations

import fnmatch
import urllib.parse
from typing import Any

from ...binder import BoundCall
from ...pserrors import PARAMETER_BINDING_EXCEPTION, PSError, lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found

# Source: integration-procedure.md section 8.2 ("ApplicationIdentifier (for Exchange metadata:
# 00000002-0000-0ff1-ce00-000000000000)").
EXCHANGE_APPLICATION_ID = '00000002-0000-0ff1-ce00-000000000000'
# Source: integration-procedure.md section 8 (EX-PLAN: Exchange AuthMetadataUrl https://<serverfqdn>/autodiscover/metadata/json/1).
EXCHANGE_METADATA_PATH = '/autodiscover/metadata/json/1'
# Source: REF-SFB New-CsPartnerApplication -ApplicationTrustLevel ("Allowed values are: Full, Application, User").
TRUST_LEVELS = ('Full', 'Application', 'User')
# Source: integration-procedure.md section 8.2 (SFB-ONPREM-PA): the text of a failed metadata download, raised while
# PowerShell binds -MetadataUrl (the cmdlet's property setter downloads the document).
METADATA_DOWNLOAD_FAILED = ('The metadata document could not be downloaded from the URL in the MetadataUrl parameter or downloaded '
                            'data is not a valid metadata document.')


def metadata_binding_error(cmdlet: str) -> PSError:
    """The binding error of a failed download. Message: SFB-ONPREM-PA (integration-procedure.md section 8.2). FQID
    ``ParameterBindingFailed``, category WriteError and ParameterBindingException: PowerShell's ParameterBinderBase for
    an exception thrown by a parameter's setter (no Skype source shows them)."""
    return PSError('Cannot bind parameter \'MetadataUrl\' to the target. Exception setting "MetadataUrl": "%s"' % METADATA_DOWNLOAD_FAILED,
                   'ParameterBindingFailed,%s' % cmdlet, 'WriteError', PARAMETER_BINDING_EXCEPTION)


def _text(value: Any) -> str:
    if isinstance(value, list):
        raise lab_not_implemented('a list for a single-valued parameter')
    return str(value)


class PartnerApplications(SkypeFeature):
    """Get-CsPartnerApplication, New-CsPartnerApplication, Set-CsPartnerApplication, Remove-CsPartnerApplication."""

    IMPLEMENTED = ('Get-CsPartnerApplication', 'New-CsPartnerApplication', 'Set-CsPartnerApplication', 'Remove-CsPartnerApplication')

    @property
    def _apps(self) -> dict[str, Any]:
        # setdefault: deployments created before this feature existed gain the entry
        return self.deployment.setdefault('partner_applications', {})

    # -- metadata download ------------------------------------------------------------------------------------

    def _metadata_hosts(self) -> set[str]:
        """Host names the Front End downloads Exchange metadata from: every Exchange host FQDN of the topology, and
        autodiscover.<AD domain> / autodiscover.<SIP domain> while an Exchange host exists (lab choice: the lab has no
        DNS for the autodiscover name; SFB-PARTNER's example uses autodiscover.<domain>). The lab trusts the Exchange
        certificates from every Front End (lab choice: domain CA)."""
        hosts = getattr(self.topology, 'hosts', None) or ()
        exchange = {host.fqdn.lower() for host in hosts if getattr(host, 'product', None) == 'exchange'}
        if exchange:
            for domain in (getattr(self.topology, 'domain', None), getattr(self.topology, 'sip_domain', None)):
                if domain:
                    exchange.add('autodiscover.%s' % str(domain).lower())
        # lab hook: tests make a host unreachable (or reachable) from this deployment's Front Ends
        override = self.deployment.get('metadata_exchange_hosts')
        return {str(name).lower() for name in override} if override is not None else exchange

    def _download(self, cmdlet: str, url: str) -> dict[str, Any]:
        """What the Front End reads from the Exchange metadata document; the documented binding error otherwise.

        SFB-ONPREM-PA gives one text for every cause ("could not be downloaded ... or ... not a valid metadata document"):
        the lab raises it for anything but https://<reachable Exchange name>[:443]/autodiscover/metadata/json/1 (path
        case-insensitive, IIS; a trailing slash tolerated: lab choice)."""
        try:
            parts = urllib.parse.urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise metadata_binding_error(cmdlet) from None
        if parts.scheme.lower() != 'https' or not parts.hostname or port not in (None, 443):
            raise metadata_binding_error(cmdlet)
        if parts.hostname.lower() not in self._metadata_hosts():
            raise metadata_binding_error(cmdlet)
        if (parts.path or '/').rstrip('/').lower() != EXCHANGE_METADATA_PATH or parts.query:
            raise metadata_binding_error(cmdlet)
        # Realm: no source for what Skype stores from Exchange metadata. The lab's Exchange AuthConfig Realm is null by
        # default (lab/products/exchange/auth.py) and a Skype feature cannot read the Exchange org: None (lab choice).
        return {'application_identifier': EXCHANGE_APPLICATION_ID, 'realm': None}

    # -- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    def _object(app: dict[str, Any]) -> PSObject:
        """A partner application. Property names: integration-procedure.md section 8.2 (Identity, ApplicationIdentifier,
        ApplicationTrustLevel, Enabled; MetadataUrl, Realm, AcceptSecurityIdentifierInformation, UseOAuthServer are
        [param-mirror]); ToString() is the Identity (lab choice)."""
        identity = app['identity']
        return PSObject({
            'Identity': PSText(identity),
            'ApplicationIdentifier': app['application_identifier'],
            'Realm': app['realm'],
            'ApplicationTrustLevel': app['application_trust_level'],
            'AcceptSecurityIdentifierInformation': app['accept_security_identifier_information'],
            'Enabled': app['enabled'],
            'MetadataUrl': app['metadata_url'],
            'UseOAuthServer': app['use_oauth_server'],
        }, identity)

    def _find(self, call: BoundCall) -> dict[str, Any]:
        identity = _text(call.values['Identity'])
        app = self._apps.get(identity.strip().lower())
        if app is None:
            # SFB-ONPREM-PA reads with -ErrorAction SilentlyContinue: a missing Identity is an error (text: lab choice)
            raise _not_found(call.cmdlet, 'PartnerApplication', identity)
        return app

    @staticmethod
    def _trust_level(call: BoundCall) -> str:
        """ApplicationTrustLevel is an enum (REF-SFB lists Full, Application, User); the reference carries no accepted
        values, so the binder keeps the text and the conversion error is modelled here (PowerShell's enum text)."""
        value = _text(call.values['ApplicationTrustLevel'])
        for name in TRUST_LEVELS:
            if name.lower() == value.strip().lower():
                return name
        raise PSError('Cannot bind parameter \'ApplicationTrustLevel\'. Cannot convert value "%s" to type '
                      '"Microsoft.Rtc.Management.WritableConfig.Policy.PartnerApplication.ApplicationTrustLevel". Error: "Unable to '
                      'match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and '
                      'try again:\n%s"' % (value, value, ', '.join(TRUST_LEVELS)),
                      'CannotConvertArgumentNoMessage,%s' % call.cmdlet, 'InvalidArgument', PARAMETER_BINDING_EXCEPTION)

    # -- cmdlets ----------------------------------------------------------------------------------------------

    def get_cs_partner_application(self, call: BoundCall) -> Outcome:
        """Get-CsPartnerApplication [-Identity <id> | -Filter <wildcard>] [-LocalStore] (REF-SFB). -LocalStore reads the
        local replica: the lab's replica is always current (lab choice)."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        if call.values.get('Identity') is not None:
            return Outcome(objects=[self._object(self._find(call))])
        apps = list(self._apps.values())
        pattern = call.values.get('Filter')
        if pattern is not None:
            # REF-SFB: "-Filter "*Microsoft*"" matches the Identity with wildcards (case-insensitive: lab choice)
            apps = [app for app in apps if fnmatch.fnmatchcase(app['identity'].lower(), _text(pattern).lower())]
        return Outcome(objects=[self._object(app) for app in apps])

    def new_cs_partner_application(self, call: BoundCall) -> Outcome:
        """New-CsPartnerApplication -Identity -ApplicationTrustLevel (-MetadataUrl | -ApplicationIdentifier [-Realm]
        -UseOAuthServer) [-Enabled] [-AcceptSecurityIdentifierInformation] [-Force] [-WhatIf]. The binder already refused
        -ApplicationIdentifier with -MetadataUrl (different parameter sets; REF-SFB: "You cannot use the ApplicationIdentifier
        parameter and the MetadataUrl parameter in the same command")."""
        refuse_unmodelled(call, {'Identity', 'ApplicationTrustLevel', 'MetadataUrl', 'ApplicationIdentifier', 'Realm', 'UseOAuthServer',
                                 'Enabled', 'AcceptSecurityIdentifierInformation', 'Force', 'WhatIf', 'Confirm'})
        if call.parameter_set in ('CertificateFileData', 'CertificateRawData'):
            raise lab_not_implemented('New-CsPartnerApplication with a certificate (%s)' % call.parameter_set)
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        metadata = None
        if call.has('MetadataUrl'):
            # the download happens while -MetadataUrl is bound: before -Identity is even looked at (SFB-ONPREM-PA text)
            metadata = self._download(call.cmdlet, _text(call.values['MetadataUrl']))
        trust = self._trust_level(call)
        if call.values.get('Identity') is None:
            # REF-SFB marks -Identity optional but says nothing of the name a nameless application gets
            raise lab_not_implemented('New-CsPartnerApplication without -Identity')
        identity = _text(call.values['Identity']).strip()
        if identity.lower() in self._apps:
            # No source for the text, FQID or exception type of a duplicate Identity (lab choice)
            raise PSError('A PartnerApplication with Identity "%s" already exists.' % identity,
                          'DuplicateIdentity,%s' % call.cmdlet, 'ResourceExists', 'System.InvalidOperationException')
        if call.switch('WhatIf'):
            return Outcome()
        if metadata is not None:
            app = {'application_identifier': metadata['application_identifier'], 'realm': metadata['realm'],
                   'metadata_url': _text(call.values['MetadataUrl']), 'use_oauth_server': False}
        else:
            # UseOAuthServer set (SFB-HYBRID-S2S: Exchange Online through the OAuth server)
            app = {'application_identifier': _text(call.values['ApplicationIdentifier']), 'realm': call.values.get('Realm'),
                   'metadata_url': None, 'use_oauth_server': call.switch('UseOAuthServer')}
        app.update(identity=identity, application_trust_level=trust,
                   # REF-SFB: -Enabled "The default value is True"; -AcceptSecurityIdentifierInformation "The default value is False"
                   enabled=call.values.get('Enabled', True) is not False,
                   accept_security_identifier_information=call.values.get('AcceptSecurityIdentifierInformation') is True)
        self._apps[identity.lower()] = app
        # New-CsPartnerApplication's output: no source (lab choice: none)
        return Outcome(changed=True)

    def set_cs_partner_application(self, call: BoundCall) -> Outcome:
        """Set-CsPartnerApplication -Identity [-MetadataUrl] [-ApplicationTrustLevel] [-Enabled]
        [-AcceptSecurityIdentifierInformation]. -MetadataUrl downloads the metadata again (same setter as New; inference)."""
        refuse_unmodelled(call, {'Identity', 'MetadataUrl', 'ApplicationTrustLevel', 'Enabled', 'AcceptSecurityIdentifierInformation',
                                 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        metadata = None
        if call.has('MetadataUrl'):
            metadata = self._download(call.cmdlet, _text(call.values['MetadataUrl']))
        trust = self._trust_level(call) if call.values.get('ApplicationTrustLevel') is not None else None
        app = self._find(call)
        if metadata is not None and app['use_oauth_server']:
            # switching an OAuth-server application to metadata: not documented
            raise lab_not_implemented('Set-CsPartnerApplication -MetadataUrl on an application that uses the OAuth server')
        if call.switch('WhatIf'):
            return Outcome()
        if metadata is not None:
            app.update(metadata, metadata_url=_text(call.values['MetadataUrl']))
        if trust is not None:
            app['application_trust_level'] = trust
        for parameter, key in (('Enabled', 'enabled'), ('AcceptSecurityIdentifierInformation', 'accept_security_identifier_information')):
            if call.has(parameter):
                app[key] = call.values[parameter] is True
        return Outcome(changed=True)

    def remove_cs_partner_application(self, call: BoundCall) -> Outcome:
        """Remove-CsPartnerApplication -Identity [-Force] (REF-SFB: no wildcards)."""
        refuse_unmodelled(call, {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        app = self._find(call)
        if call.switch('WhatIf'):
            return Outcome()
        del self._apps[app['identity'].lower()]
        return Outcome(changed=True)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OAuth servers (security token servers) of the deployment (Get-CsOAuthServer); read by skype_info
(plugins/module_utils/skype/info.py).

State (``deployment['oauth_servers']``, created from the host setting ``oauth_servers``: a list of ``{identity,
metadata_url?, realm?, issuer_identifier?, type?, accept_security_identifier_information?, authorization_uri_override?}``).
A deployment starts with none (no source: lab choice; on premises an OAuth server exists only after the hybrid procedure,
SFB-HYBRID-S2S New-CsOAuthServer microsoft.sts).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found

# Properties: the parameters of New-CsOAuthServer [param-mirror]; Microsoft's onpremdiag reads .Realm and .MetadataUrl of
# Get-CsOAuthServer (rules/Exchange/RDTestOAuthServerConfiguration.ps1) and mocks IssuerIdentifier, Type and
# AcceptSecurityIdentifierInformation. Type, AcceptSecurityIdentifierInformation and AuthorizationUriOverride exist on
# 2015/2019 only (REF-SFB applicability of the parameters).
KEYS = (('MetadataUrl', 'metadata_url'), ('Realm', 'realm'), ('IssuerIdentifier', 'issuer_identifier'))
KEYS_2015 = (('Type', 'type'), ('AcceptSecurityIdentifierInformation', 'accept_security_identifier_information'),
             ('AuthorizationUriOverride', 'authorization_uri_override'))


class OAuthServers(SkypeFeature):
    """Get-CsOAuthServer."""

    IMPLEMENTED = ('Get-CsOAuthServer',)

    def _servers(self) -> list[dict[str, Any]]:
        if 'oauth_servers' not in self.deployment:
            self.deployment['oauth_servers'] = [dict(server) for server in self.settings.get('oauth_servers') or []]
        return self.deployment['oauth_servers']

    def _object(self, server: dict[str, Any]) -> PSObject:
        properties: dict[str, Any] = {'Identity': PSText(server['identity'])}
        for prop, key in KEYS:
            properties[prop] = server.get(key)
        if self.version != '2013':
            for prop, key in KEYS_2015:
                default = False if key == 'accept_security_identifier_information' else None  # REF-SFB: default False
                properties[prop] = server.get(key, default)
        # ToString(): the Identity (no source: lab choice)
        return PSObject(properties, server['identity'])

    def get_cs_o_auth_server(self, call: BoundCall) -> Outcome:
        """Get-CsOAuthServer [-Identity <name> | -Filter <wildcard>]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore', 'Tenant'})
        if call.values.get('Tenant') is not None:
            raise lab_not_implemented('-Tenant of Get-CsOAuthServer (Skype for Business Online)')
        servers = list(self._servers())
        identity = call.values.get('Identity')
        if identity is not None:
            servers = [server for server in servers if server['identity'].lower() == identity.strip().lower()]
            if not servers:
                raise _not_found(call.cmdlet, 'OAuth server', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            servers = [server for server in servers if fnmatch.fnmatchcase(server['identity'].lower(), pattern.lower())]
        return Outcome(objects=[self._object(server) for server in servers])

    def handlers(self) -> dict[str, Any]:
        return {'Get-CsOAuthServer': self.get_cs_o_auth_server}

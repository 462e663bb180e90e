# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The global OAuth configuration (Get-/Set-CsOAuthConfiguration); mirrors plugins/module_utils/skype/oauth.py."""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found


class OAuthConfiguration(SkypeFeature):
    """Get-CsOAuthConfiguration, Set-CsOAuthConfiguration."""

    IMPLEMENTED = ('Get-CsOAuthConfiguration', 'Set-CsOAuthConfiguration')

    def handlers(self) -> dict[str, Any]:
        return {'Get-CsOAuthConfiguration': self.get_oauth, 'Set-CsOAuthConfiguration': self.set_oauth}

    def _oauth_object(self) -> PSObject:
        """The global OAuthConfiguration object. Property names: integration-procedure.md section 5 [param-mirror];
        ClientAuthorizationOAuthServerIdentity exists only on 2015/2019 (REF-SFB applicability of the parameter)."""
        oauth = self.deployment['oauth']
        result: dict[str, Any] = {'Identity': PSText('Global')}
        for prop in ('ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains', 'Realm', 'ServiceName'):
            result[prop] = oauth.get(prop)
        if self.version != '2013':
            result['ClientAuthorizationOAuthServerIdentity'] = oauth.get('ClientAuthorizationOAuthServerIdentity')
        # ToString() of the settings object: its Identity (no source: lab choice)
        return PSObject(result, 'Global')

    @staticmethod
    def _check_global(call: BoundCall) -> None:
        """Only the Global collection exists (REF-SFB: "only allows you to have a single, global collection")."""
        identity = call.values.get('Identity')
        if identity is not None and identity.strip().lower() != 'global':
            raise _not_found(call.cmdlet, 'OAuthConfiguration', identity)

    def get_oauth(self, call: BoundCall) -> Outcome:
        """Get-CsOAuthConfiguration [-Identity Global | -Filter <wildcard>] [-LocalStore]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        self._check_global(call)
        if call.has('Filter') and call.values['Filter'] is not None:
            if not fnmatch.fnmatchcase('global', call.values['Filter'].lower()):
                return Outcome()
        return Outcome(objects=[self._oauth_object()])

    def set_oauth(self, call: BoundCall) -> Outcome:
        """Set-CsOAuthConfiguration [-Identity Global] -<property> <value>: String values are stored exactly as given."""
        properties = {'ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains', 'Realm', 'ServiceName',
                      'ClientAuthorizationOAuthServerIdentity'}
        refuse_unmodelled(call, properties | {'Identity', 'Force', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        self._check_global(call)
        if call.switch('WhatIf'):
            return Outcome()
        oauth = self.deployment['oauth']
        changed = False
        for prop in properties:
            if call.has(prop):
                oauth[prop] = call.values[prop]
                changed = True
        return Outcome(changed=changed)

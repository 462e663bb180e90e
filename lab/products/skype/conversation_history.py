# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Server-side conversation history (Get-CsConversationHistoryConfiguration, Skype for Business Server 2015 and later) and
the client policies' conversation history settings (Get-CsClientPolicy); integration-procedure.md section 17.

State: ``deployment['conversation_history']`` (the global configuration, from host setting ``conversation_history``:
``{enable_server_conversation_history?, max_continued_conversation_retry?, enable_display_name_resolution?}``) and
``deployment['client_policies']`` (``Global`` plus host setting ``client_policies``: ``[{identity, <property>: value}]``).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found

# REF-SFB Set-CsConversationHistoryConfiguration: EnableServerConversationHistory default False, MaxContinuedConversationRetry
# default 3; EnableDisplayNameResolution has no documented default (no source: lab choice False).
HISTORY_DEFAULTS = (('EnableServerConversationHistory', 'enable_server_conversation_history', False),
                    ('MaxContinuedConversationRetry', 'max_continued_conversation_retry', 3),
                    ('EnableDisplayNameResolution', 'enable_display_name_resolution', False))
# Client policy properties of the Conversation History folder (REF-SFB Set-CsClientPolicy). EnableServerConversationHistory
# exists on 2015/2019 only (default False, REF-SFB); the others are unset (null) in the lab's Global policy (no source:
# an unset client policy setting leaves the client's default).
POLICY_PROPERTIES = ('EnableIMAutoArchiving', 'EnableCallLogAutoArchiving', 'DisableSavingIM', 'EnableExchangeContactSync')


class ConversationHistory(SkypeFeature):
    """Get-CsConversationHistoryConfiguration, Get-CsClientPolicy."""

    IMPLEMENTED = ('Get-CsConversationHistoryConfiguration', 'Get-CsClientPolicy')

    def _history(self) -> dict[str, Any]:
        if 'conversation_history' not in self.deployment:
            given = dict(self.settings.get('conversation_history') or {})
            self.deployment['conversation_history'] = dict((prop, given.get(key, default)) for prop, key, default in HISTORY_DEFAULTS)
        return self.deployment['conversation_history']

    def _policies(self) -> list[dict[str, Any]]:
        if 'client_policies' not in self.deployment:
            policies = [{'identity': 'Global'}] + [dict(policy) for policy in self.settings.get('client_policies') or []]
            self.deployment['client_policies'] = policies
        return self.deployment['client_policies']

    def get_cs_conversation_history_configuration(self, call: BoundCall) -> Outcome:
        """Get-CsConversationHistoryConfiguration [-Identity Global | -Filter <wildcard>]: a single, global instance (REF-SFB)."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore'})
        identity = call.values.get('Identity')
        if identity is not None and identity.strip().lower() != 'global':
            raise _not_found(call.cmdlet, 'ConversationHistoryConfiguration', identity)
        pattern = call.values.get('Filter')
        if pattern is not None and not fnmatch.fnmatchcase('global', pattern.lower()):
            return Outcome()
        properties: dict[str, Any] = {'Identity': PSText('Global')}
        properties.update(self._history())
        return Outcome(objects=[PSObject(properties, 'Global')])

    def get_cs_client_policy(self, call: BoundCall) -> Outcome:
        """Get-CsClientPolicy [-Identity <Global | site:x | tag> | -Filter <wildcard>]."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'LocalStore', 'Tenant'})
        if call.values.get('Tenant') is not None:
            raise lab_not_implemented('-Tenant of Get-CsClientPolicy (Skype for Business Online)')
        policies = list(self._policies())
        identity = call.values.get('Identity')
        if identity is not None:
            wanted = identity.strip().lower()
            # REF-SFB: a per-user policy is named without the "tag:" prefix
            policies = [p for p in policies if p['identity'].lower() in (wanted, 'tag:' + wanted)]
            if not policies:
                raise _not_found(call.cmdlet, 'client policy', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            policies = [p for p in policies if fnmatch.fnmatchcase(p['identity'].lower(), pattern.lower())]
        objects = []
        for policy in policies:
            properties: dict[str, Any] = {'Identity': PSText(policy['identity'])}
            for prop in POLICY_PROPERTIES:
                properties[prop] = policy.get(prop)
            if self.version != '2013':
                properties['EnableServerConversationHistory'] = policy.get('EnableServerConversationHistory', False)
            objects.append(PSObject(properties, policy['identity']))
        return Outcome(objects=objects)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Client Access Autodiscover settings (the SCP); mirrors plugins/module_utils/exchange/client_access.py."""

from __future__ import annotations

from typing import Any

from ...binder import BoundCall
from ...pserrors import lab_not_implemented
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import NO_CHANGE_WARNING, ExchangeFeature


class ClientAccess(ExchangeFeature):
    """Get-/Set-ClientAccessServer (2013) and Get-/Set-ClientAccessService (2016 and later)."""

    IMPLEMENTED = ('Get-ClientAccessServer', 'Get-ClientAccessService', 'Set-ClientAccessServer', 'Set-ClientAccessService')

    def handlers(self) -> dict[str, Any]:
        return {'Get-ClientAccessServer': self.get_client_access, 'Get-ClientAccessService': self.get_client_access,
                'Set-ClientAccessServer': self.set_client_access, 'Set-ClientAccessService': self.set_client_access}

    def _cas_object(self, server: dict[str, Any]) -> PSObject:
        """A ClientAccessServer / ClientAccessService object (property names: integration-procedure.md section 4)."""
        return PSObject(text=server['name'], properties={
            'Name': server['name'],
            'Identity': PSText(server['name']),
            'Fqdn': PSText(server['fqdn']),
            'AutoDiscoverServiceInternalUri': self._uri(server['auto_discover_service_internal_uri']),
            'AutoDiscoverSiteScope': list(server['auto_discover_site_scope']),
        })

    def get_client_access(self, call: BoundCall) -> Outcome:
        """Get-ClientAccessServer / Get-ClientAccessService.

        Every server of the org is returned: Exchange 2013 servers are multi-role here and 2016+ Mailbox servers
        carry the Client Access services (integration-procedure.md section 4). No deprecation warning is emitted
        for Get-ClientAccessServer on 2016/2019: the reference has no text for one (brief: do not invent it).
        """
        refuse_unmodelled(call, {'Identity'})
        return Outcome(objects=[self._cas_object(server) for server in self._resolve(call, call.values.get('Identity'))])

    def set_client_access(self, call: BoundCall) -> Outcome:
        """Set-ClientAccessServer / Set-ClientAccessService -Identity X [-AutoDiscoverServiceInternalUri] [-AutoDiscoverSiteScope]."""
        refuse_unmodelled(call, {'Identity', 'AutoDiscoverServiceInternalUri', 'AutoDiscoverSiteScope', 'WhatIf', 'Confirm'})
        if call.values.get('Confirm') is True:
            raise lab_not_implemented('-Confirm:$true (a prompt in a non-interactive session)')
        server = self._resolve(call, call.values['Identity'])[0]
        updated = dict(server)
        if call.has('AutoDiscoverServiceInternalUri'):
            uri = call.values['AutoDiscoverServiceInternalUri']
            if uri is not None and not uri.is_absolute:
                # No source for the text: the lab requires an absolute URI for the SCP (Exchange stores a URL for
                # clients to call; a relative one is meaningless), and fails rather than accept it.
                raise self._task_error(call, "The value '%s' of AutoDiscoverServiceInternalUri isn't an absolute URI." % uri.original,
                                       'Microsoft.Exchange.Data.DataValidationException')
            # $null clears the property
            updated['auto_discover_service_internal_uri'] = None if uri is None else uri.absolute_uri
        if call.has('AutoDiscoverSiteScope'):
            scope = call.values['AutoDiscoverSiteScope']
            updated['auto_discover_site_scope'] = [] if scope is None else [item for item in scope if item is not None]
        if call.switch('WhatIf'):
            # -WhatIf writes "What if: ..." to the host (not captured) and changes nothing
            return Outcome()
        if self._same(server, updated):
            return Outcome(warnings=[NO_CHANGE_WARNING % server['name']])
        server.update(updated)
        return Outcome(changed=True)

    def _same(self, before: dict[str, Any], after: dict[str, Any]) -> bool:
        """Whether a Set changes nothing (URIs compare as System.Uri does: on their normalised form)."""
        old_uri = self._uri(before['auto_discover_service_internal_uri'])
        new_uri = self._uri(after['auto_discover_service_internal_uri'])
        same_uri = (old_uri is None and new_uri is None) or (old_uri is not None and new_uri is not None and str(old_uri) == str(new_uri))
        return same_uri and before['auto_discover_site_scope'] == after['auto_discover_site_scope']

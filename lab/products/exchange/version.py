# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange servers and their versions (Get-ExchangeServer); mirrors plugins/module_utils/exchange/version.py."""

from __future__ import annotations


from ...binder import BoundCall
from ...psvalues import PSEnum, PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SERVER_ROLES, ExchangeFeature, admin_display_version


class Servers(ExchangeFeature):
    """Get-ExchangeServer."""

    IMPLEMENTED = ('Get-ExchangeServer',)

    def get_exchange_server(self, call: BoundCall) -> Outcome:
        """Get-ExchangeServer: Name, Fqdn, AdminDisplayVersion, ServerRole, Edition, Site, Identity, Domain.

        Property names: REF-EX / OfficeDocs-Exchange build-numbers page ("Get-ExchangeServer | Format-List
        Name,Edition,AdminDisplayVersion") and integration-procedure.md section 1; ServerRole values: brief.
        """
        refuse_unmodelled(call, {'Identity', 'Domain', 'Status'})
        # -Status only adds live properties (Watson state, StaticDomainControllers...) the lab does not model:
        # they are absent from the objects and come back as null.
        servers = self._resolve(call, call.values.get('Identity'))
        if call.has('Domain'):
            domain = (call.values['Domain'] or '').lower()
            servers = [server for server in servers if server['fqdn'].partition('.')[2] == domain]
        objects = []
        for server in servers:
            # ToString() of an Exchange configuration object is its Identity (no source: recollection of ADObject.ToString)
            objects.append(PSObject(text=server['name'], properties={
                'Name': server['name'],
                'Identity': PSText(server['name']),
                'Fqdn': PSText(server['fqdn']),
                'Domain': server['fqdn'].partition('.')[2],
                'AdminDisplayVersion': PSText(admin_display_version(server['build'])),
                'ServerRole': PSEnum('ServerRole', SERVER_ROLES[server['version']]),
                'Edition': PSEnum('ServerEditionType', server['edition']),
                # ADObjectId.ToString() of the site: "<domain>/Configuration/Sites/<site>"
                'Site': PSText('%s/Configuration/Sites/%s' % (self.org.get('domain', ''), server['site'])),
            }))
        return Outcome(objects=objects)

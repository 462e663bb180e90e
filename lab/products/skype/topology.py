# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sites and pools of the deployment's topology (Get-CsSite, Get-CsPool)."""

from __future__ import annotations

import fnmatch
from typing import Any

from ...binder import BoundCall
from ...psvalues import PSObject, PSText
from ..common import Outcome, refuse_unmodelled
from .organization import SkypeFeature, _not_found


class Topology(SkypeFeature):
    """Get-CsSite, Get-CsPool."""

    IMPLEMENTED = ('Get-CsPool', 'Get-CsSite')

    def handlers(self) -> dict[str, Any]:
        return {'Get-CsPool': self.get_pool, 'Get-CsSite': self.get_site}

    def _site_object(self, site: dict[str, Any]) -> PSObject:
        """A site: Identity ("site:Redmond" form, REF-SFB Get-CsPool -Site and Get-CsSite -Identity descriptions),
        SiteId and DisplayName (REF-SFB Get-CsPool -Site: "Get-CsSite | Select-Object Identity, DisplayName"; brief)."""
        pools = [PSText(pool['fqdn']) for pool in self.deployment['pools'] if pool['site'].lower() == site['name'].lower()]
        # SiteType and Pools: REF-SFB Get-CsSite.md examples 3 and 4 (the lab models central sites only)
        # ToString(): the Identity (no source: lab choice)
        return PSObject({'Identity': PSText('Site:%s' % site['name']), 'SiteId': site['site_id'], 'DisplayName': site['name'],
                         'SiteType': PSText('CentralSite'), 'Pools': pools}, 'Site:%s' % site['name'])

    def get_site(self, call: BoundCall) -> Outcome:
        """Get-CsSite [-Identity <site name> | -Filter <wildcard on Identity>]."""
        refuse_unmodelled(call, {'Identity', 'Filter'})
        sites = list(self.deployment['sites'])
        identity = call.values.get('Identity')
        if identity is not None:
            # REF-SFB: "specify just the site name ... Do not use the format "site:Redmond""
            sites = [site for site in sites if site['name'].lower() == identity.strip().lower()]
            if not sites:
                raise _not_found(call.cmdlet, 'site', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            sites = [site for site in sites if fnmatch.fnmatchcase(('Site:%s' % site['name']).lower(), pattern.lower())]
        return Outcome(objects=[self._site_object(site) for site in sites])

    def get_pool(self, call: BoundCall) -> Outcome:
        """Get-CsPool [-Identity <FQDN> | -Filter <wildcard>] [-Site <site DisplayName>]: Identity, Fqdn, Site, Services, Computers."""
        refuse_unmodelled(call, {'Identity', 'Filter', 'Site'})
        pools = list(self.deployment['pools'])
        identity = call.values.get('Identity')
        if identity is not None:
            pools = [pool for pool in pools if pool['fqdn'] == identity.strip().lower()]
            if not pools:
                raise _not_found(call.cmdlet, 'pool', identity)
        pattern = call.values.get('Filter')
        if pattern is not None:
            pools = [pool for pool in pools if fnmatch.fnmatchcase(pool['fqdn'], pattern.lower())]
        site = call.values.get('Site')
        if site is not None:
            pools = [pool for pool in pools if pool['site'].lower() == site.strip().lower()]
        # ToString(): the pool FQDN (no source: lab choice)
        return Outcome(objects=[PSObject({
            'Identity': PSText(pool['fqdn']),
            'Fqdn': pool['fqdn'],
            'Site': PSText('Site:%s' % pool['site']),
            'Services': [PSText(service) for service in pool['services']],
            'Computers': list(pool['computers']),
        }, pool['fqdn']) for pool in pools])

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Client Access server Autodiscover settings (Get-ClientAccessService / Get-ClientAccessServer rows)."""

from __future__ import annotations

URI = 'AutoDiscoverServiceInternalUri'
SCOPE = 'AutoDiscoverSiteScope'
PROPERTIES = ['Name', 'Fqdn', URI, SCOPE]


def state_of(row):
    """The managed properties of one row."""
    return {URI: row.get(URI), SCOPE: list(row.get(SCOPE) or [])}


def report(name, state):
    """Return shape of one server."""
    return {'name': name, 'autodiscover_internal_uri': state[URI], 'autodiscover_site_scope': state[SCOPE]}

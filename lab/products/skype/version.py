# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The server's version (Get-CsServerVersion); mirrors plugins/module_utils/skype/version.py."""

from __future__ import annotations

from typing import Any

from ...binder import BoundCall
from ..common import Outcome, refuse_unmodelled
from .organization import DEFAULT_LICENSE, SERVER_VERSIONS, SkypeFeature


class ServerVersion(SkypeFeature):
    """Get-CsServerVersion."""

    IMPLEMENTED = ('Get-CsServerVersion',)

    def handlers(self) -> dict[str, Any]:
        return {'Get-CsServerVersion': self.get_server_version}

    def get_server_version(self, call: BoundCall) -> Outcome:
        """Get-CsServerVersion: one string (see SERVER_VERSIONS)."""
        refuse_unmodelled(call, set())
        text = self.settings.get('server_version') or '%s: %s' % (SERVER_VERSIONS[self.version], self.settings.get('license', DEFAULT_LICENSE))
        return Outcome(objects=[str(text)])

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model of an Exchange Server 2013/2016/2019/SE organisation, one file per feature (mirroring
plugins/module_utils/exchange/). ``ExchangeModel`` joins the features' handlers; ``IMPLEMENTED`` is every cmdlet the
lab models (lab/reference/extract.py copies exactly these signatures).
"""

from __future__ import annotations

from typing import Any

from ..common import ProductModel
from .client_access import ClientAccess
from .organization import init_org
from .version import Servers

FEATURES = (Servers, ClientAccess)
IMPLEMENTED = tuple(name for feature in FEATURES for name in feature.IMPLEMENTED)

__all__ = ['ExchangeModel', 'IMPLEMENTED', 'init_org']


class ExchangeModel(ProductModel):
    """The cmdlets of one Exchange session (remote or snap-in) against an org state."""

    def __init__(self, org: dict[str, Any], session_server: str, remote: bool) -> None:
        self.org = org
        self.session_server = session_server
        self.remote = remote
        self.handlers = {}
        for feature in FEATURES:
            self.handlers.update(feature(org, session_server, remote).handlers())

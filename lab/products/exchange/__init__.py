# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model of an Exchange Server 2013/2016/2019/SE organisation, one file per feature (mirroring
plugins/module_utils/exchange/). ``ExchangeModel`` joins the features' handlers; ``IMPLEMENTED`` is every cmdlet the
lab models (lab/reference/extract.py copies exactly these signatures).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from ..common import ProductModel
from .organization import ExchangeFeature, init_org


def _features() -> tuple[type, ...]:
    """Every ExchangeFeature subclass defined in this package's modules (a new feature file needs no registration)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        module = importlib.import_module('%s.%s' % (__name__, info.name))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, ExchangeFeature) and value is not ExchangeFeature \
                    and value.__module__ == module.__name__:
                found.append(value)
    return tuple(found)


FEATURES = _features()
IMPLEMENTED = tuple(name for feature in FEATURES for name in feature.IMPLEMENTED)

__all__ = ['ExchangeModel', 'IMPLEMENTED', 'init_org']


class ExchangeModel(ProductModel):
    """The cmdlets of one Exchange session (remote or snap-in) against an org state."""

    def __init__(self, org: dict[str, Any], session_server: str, remote: bool, topology: Any = None) -> None:
        self.org = org
        self.session_server = session_server
        self.remote = remote
        self.handlers = {}
        for feature in FEATURES:
            handlers = feature(org, session_server, remote, topology).handlers()
            clash = set(handlers) & set(self.handlers)
            if clash:
                raise RuntimeError('two lab features model %s' % ', '.join(sorted(clash)))
            self.handlers.update(handlers)

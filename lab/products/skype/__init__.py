# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model of a Lync Server 2013 / Skype for Business Server 2015/2019/SE deployment, one file per feature (mirroring
plugins/module_utils/skype/). ``SkypeModel`` joins the features' handlers; ``IMPLEMENTED`` is every cmdlet the lab
models (lab/reference/extract.py copies exactly these signatures).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from ..common import ProductModel
from .organization import SERVER_VERSIONS, SkypeFeature, init_deployment

__all__ = ['IMPLEMENTED', 'SERVER_VERSIONS', 'SkypeModel', 'init_deployment']


def _features() -> tuple[type, ...]:
    """Every SkypeFeature subclass defined in this package's modules (a new feature file needs no registration)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        module = importlib.import_module('%s.%s' % (__name__, info.name))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, SkypeFeature) and value is not SkypeFeature \
                    and value.__module__ == module.__name__:
                found.append(value)
    return tuple(found)


FEATURES = _features()
IMPLEMENTED = tuple(name for feature in FEATURES for name in feature.IMPLEMENTED)


class SkypeModel(ProductModel):
    """The cmdlets of the SkypeForBusiness / Lync module of one server."""

    def __init__(self, deployment: dict[str, Any], version: str, settings: dict[str, Any], server: str | None = None,
                 topology: Any = None) -> None:
        self.deployment = deployment
        self.version = version
        self.settings = settings
        self.handlers = {}
        for feature in FEATURES:
            handlers = feature(deployment, version, settings, server, topology).handlers()
            clash = set(handlers) & set(self.handlers)
            if clash:
                raise RuntimeError('two lab features model %s' % ', '.join(sorted(clash)))
            self.handlers.update(handlers)

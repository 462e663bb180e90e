# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pieces shared by the product models."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from ..binder import BoundCall
from ..pserrors import lab_not_implemented


@dataclasses.dataclass
class Outcome:
    """What one cmdlet invocation produced."""

    objects: list[Any] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    changed: bool = False  # the product state was modified and must be persisted


def refuse_unmodelled(call: BoundCall, handled: set[str]) -> None:
    """Fail loudly for any specified parameter the model does not implement (never pretend success)."""
    for name, value in call.values.items():
        if name in handled:
            continue
        if name == 'Confirm' and value is False:
            # -Confirm:$false only suppresses a prompt: nothing to model
            continue
        if name == 'AsJob' and value is False:
            continue
        raise lab_not_implemented("parameter -%s of %s" % (name, call.cmdlet))


def text_or_none(value: Any) -> str | None:
    """A stored string or None."""
    return None if value is None else str(value)


class ProductModel:
    """Base of the product models: ``handlers`` maps each modelled cmdlet to its implementation."""

    handlers: dict[str, Callable[[BoundCall], Outcome]]

    def invoke(self, call: BoundCall) -> Outcome:
        """Run one bound cmdlet; a cmdlet the lab does not model fails loudly instead of pretending."""
        handler = self.handlers.get(call.cmdlet)
        if handler is None:
            raise lab_not_implemented('the cmdlet %s' % call.cmdlet)
        return handler(call)

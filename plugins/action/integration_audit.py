# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Builds the audit report on the controller from results the play already holds; it connects to nothing (see plugin_utils/_controller_action.py)."""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.plugin_utils._controller_action import ControllerModuleAction


class ActionModule(ControllerModuleAction):
    """Controller-side action for this module: nothing is filled in from the host's connection."""

    FILLS_CONNECTION = False

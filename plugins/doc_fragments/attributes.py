# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Attribute documentation shared by the collection's modules."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  platform:
    description: Runs on the Ansible controller and manages a Windows server over WinRM.
    support: full
    platforms: windows
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
"""

    ACTIONGROUP_EXCHANGE = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ucops.skype_exchange.exchange) or C(group/ucops.skype_exchange.connection) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - ucops.skype_exchange.exchange
      - ucops.skype_exchange.connection
"""

    ACTIONGROUP_SKYPE = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ucops.skype_exchange.skype) or C(group/ucops.skype_exchange.connection) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - ucops.skype_exchange.skype
      - ucops.skype_exchange.connection
"""

    ACTIONGROUP_CONNECTION = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/ucops.skype_exchange.connection) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - ucops.skype_exchange.connection
"""

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Other Front Ends a module reads in the same task (argument spec: module_utils/common/argspec.py front_ends_spec)."""

    DOCUMENTATION = r"""
options:
  front_ends:
    description:
      - Inventory host names of other servers to read in the same task (for example every Front End of the pool,
        C({{ groups['skype'] }})), so that the task compares them and names the servers that differ.
      - Each host is reached with its own connection settings (C(ansible_host), C(ansible_user), C(ansible_password),
        C(ansible_winrm_*) or C(ansible_psrp_*), C(ucops_product_username)/C(ucops_product_password)), as if the task
        targeted it; the task's own host is read through its own connection and may be listed too.
      - Only reads are sent to these hosts; every write goes to the task's host.
      - Needs the task to run against an inventory host (not with every option given and C(delegate_to=localhost)) so
        that the other hosts' variables are known.
    type: list
    elements: str
  front_end_connections:
    description:
      - Filled in by the action plugin from O(front_ends); do not set it.
    type: list
    elements: dict
  front_end_passwords:
    description:
      - Filled in by the action plugin from O(front_ends) (their passwords, kept apart so that they are never logged);
        do not set it.
    type: dict
"""

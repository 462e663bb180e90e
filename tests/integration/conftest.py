# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the integration tests (helpers live in integration_support.py, whose name is unique across tests/)."""

from __future__ import annotations

from integration_support import lab  # noqa: F401  pylint: disable=unused-import

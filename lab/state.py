# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Persistence of the simulated product state in ``<state_dir>/state.json`` (atomic writes)."""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
from typing import Any

STATE_VERSION = 1


class StateStore:
    """Load and save the product state of every simulated organisation and deployment."""

    def __init__(self, state_dir: pathlib.Path) -> None:
        self.state_dir = pathlib.Path(state_dir)
        self.path = self.state_dir / 'state.json'

    def load(self) -> dict[str, Any]:
        """The persisted state, or an empty state (the engine fills it from the topology)."""
        try:
            data = json.loads(self.path.read_text(encoding='utf-8'))
        except FileNotFoundError:
            return {'version': STATE_VERSION}
        if not isinstance(data, dict) or data.get('version') != STATE_VERSION:
            raise ValueError('%s is not a state file of this lab version; run the lab reset' % self.path)
        return data

    def save(self, state: dict[str, Any]) -> None:
        """Write the state atomically (temporary file in the same directory, then rename)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix='.state.', suffix='.json', dir=str(self.state_dir))
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                json.dump(state, stream, indent=1, sort_keys=True, ensure_ascii=False)
                stream.write('\n')
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def delete(self) -> None:
        """Remove the persisted state."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

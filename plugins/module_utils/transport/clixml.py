# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decode the CLIXML that powershell.exe writes to stderr into readable text.

Handles several concatenated ``<Objs>`` blocks (ansible/ansible#69550), keeps only the ``S="Error"``
strings, and decodes ``_xHHHH_`` escapes including surrogate pairs, as ansible-core's winrm connection
plugin does (peers-and-transport.md, section 3).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_ESCAPE = re.compile(r'_x([0-9A-Fa-f]{4})_')
_BLOCK = re.compile(r'<Objs\b.*?</Objs>', re.DOTALL)


def _unescape(text):
    """Decode ``_xHHHH_`` sequences (UTF-16 code units, surrogate pairs joined)."""
    units = []
    position = 0
    for match in _ESCAPE.finditer(text):
        units.extend(ord(c) for c in text[position:match.start()])
        units.append(int(match.group(1), 16))
        position = match.end()
    raw = ''.join(chr(u) for u in units) + text[position:]
    # Join surrogate pairs that the escapes produced.
    return raw.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace')


def decode_stderr(data):
    """Return stderr (bytes or str) as text; CLIXML blocks become their error lines."""
    if isinstance(data, bytes):
        data = data.decode('utf-8', 'replace')
    if '#< CLIXML' not in data:
        return data.strip()
    lines = []
    outside = data
    for block in _BLOCK.findall(data):
        outside = outside.replace(block, '')
        try:
            root = ET.fromstring(block)
        except ET.ParseError:
            lines.append(block)
            continue
        for element in root.iter():
            if element.tag.endswith('}S') or element.tag == 'S':
                if element.get('S') == 'Error' and element.text:
                    lines.append(_unescape(element.text))
    rest = outside.replace('#< CLIXML', '').strip()
    text = ''.join(lines).replace('\r\n', '\n').strip()
    return '\n'.join(part for part in (rest, text) if part)

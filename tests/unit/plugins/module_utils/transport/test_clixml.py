# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.clixml import decode_stderr

NS = 'http://schemas.microsoft.com/powershell/2004/04'


def block(*strings):
    inner = ''.join('<S S="%s">%s</S>' % (stream, text) for stream, text in strings)
    return '<Objs Version="1.1.0.1" xmlns="%s">%s</Objs>' % (NS, inner)


def test_plain_text_is_returned_stripped():
    assert decode_stderr(b'  plain error\r\n') == 'plain error'


def test_only_error_strings_of_several_blocks_are_kept_and_escapes_decoded():
    data = '#< CLIXML\r\n' + block(('Error', 'first line_x000D__x000A_'), ('Progress', 'ignored')) + block(('Error', 'caf_x00E9_ _xD83D__xDE00_'))
    assert decode_stderr(data.encode('utf-8')) == 'first line\ncaf\u00e9 \U0001F600'


def test_unparseable_block_is_kept_verbatim():
    assert '<Objs broken' in decode_stderr('#< CLIXML\r\n<Objs broken</Objs>')

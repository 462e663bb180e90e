# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Headless Chromium (Debian's chromium) for the tests that check what an HTML page shows: the DOM after the browser
parsed it, a screenshot, a PDF print; and, without PIL, a PNG decoder to look at the screenshot's pixels.

Chromium runs offline (every host name resolves to nothing), with a throw-away profile, at device scale 1 in sRGB, so
that a page that needs the network shows it and pixel colours are the CSS colours. When chromium is missing the tests
are skipped locally and fail under CI=true (tools/test.sh installs it there).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

CANDIDATES = ('chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome')
TIMEOUT = 120
FLAGS = (
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--hide-scrollbars', '--force-device-scale-factor=1', '--force-color-profile=srgb',
    # offline: a page that fetches anything shows the failure
    '--host-resolver-rules=MAP * ~NOTFOUND',
)


def chromium_binary():
    """The path of the Chromium binary, or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium():
    """The binary; skips the test when chromium is missing, fails it under CI=true."""
    binary = chromium_binary()
    if binary is None:
        message = 'chromium is not installed (apt-get install chromium)'
        if os.environ.get('CI') == 'true':
            pytest.fail(message + ': required under CI=true')
        pytest.skip(message)
    return binary


def _run(page, *arguments):
    binary = chromium_binary()
    if binary is None:
        raise RuntimeError('chromium is not installed')
    with tempfile.TemporaryDirectory(prefix='ucops-chromium-') as profile:
        command = [binary] + list(FLAGS) + ['--user-data-dir=%s' % profile] + list(arguments) + [Path(page).resolve().as_uri()]
        completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT, check=False)
    if completed.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(command), completed.returncode, completed.stderr.decode('utf-8', 'replace')[-2000:]))
    return completed


def dump_dom(path):
    """The DOM of the page at ``path`` as Chromium built it (serialised HTML text)."""
    return _run(path, '--dump-dom').stdout.decode('utf-8')


def screenshot(path, out, width=1280, height=1800):
    """A PNG screenshot of the page's first ``width`` x ``height`` pixels at ``out``; returns ``out``."""
    out = str(Path(out).resolve())
    if os.path.exists(out):
        os.remove(out)
    _run(path, '--screenshot=%s' % out, '--window-size=%d,%d' % (width, height))
    if not os.path.exists(out):
        raise RuntimeError('chromium wrote no screenshot to %s' % out)
    return out


def print_pdf(path, out):
    """The page printed to PDF (print media rules apply) at ``out``; returns ``out``."""
    out = str(Path(out).resolve())
    if os.path.exists(out):
        os.remove(out)
    _run(path, '--print-to-pdf=%s' % out, '--no-pdf-header-footer')
    if not os.path.exists(out):
        raise RuntimeError('chromium wrote no PDF to %s' % out)
    return out


# ---------------------------------------------------------------------------------------------------------------------
# The DOM as a small tree

VOID = frozenset(('area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'))


class Node(object):
    """An element: tag, attrs (dict), children (Nodes and text strings)."""

    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return ''.join(child if isinstance(child, str) else child.text() for child in self.children)

    def nodes(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.nodes()

    def find_all(self, tag, **attrs):
        """Descendants with this tag and these attribute values (``data_status='x'`` matches ``data-status="x"``;
        ``class_='x'`` matches when ``x`` is one of the classes)."""
        found = []
        for node in self.nodes():
            if node.tag != tag:
                continue
            matches = True
            for name, value in attrs.items():
                if name == 'class_':
                    matches = matches and value in (node.attrs.get('class') or '').split()
                else:
                    matches = matches and node.attrs.get(name.replace('_', '-')) == value
            if matches:
                found.append(node)
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.root = self.current = Node('#document', [])

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_dom(text):
    """The root Node of an HTML text."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# ---------------------------------------------------------------------------------------------------------------------
# PNG (8-bit greyscale, RGB or RGBA, not interlaced: what Chromium writes)

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def _add(left, right):
    """Byte-wise (left + right) mod 256 of two equally long byte strings, as big integers."""
    size = len(left)
    high = int.from_bytes(b'\x80' * size, 'big')
    a, b = int.from_bytes(left, 'big'), int.from_bytes(right, 'big')
    return (((a & ~high) + (b & ~high)) ^ ((a ^ b) & high)).to_bytes(size, 'big')


def _unfilter(kind, line, previous, bpp):
    if kind == 0:
        return line
    if kind == 2:
        return _add(line, previous)
    out = bytearray(line)
    size = len(out)
    if kind == 1:
        for index in range(bpp, size):
            out[index] = (out[index] + out[index - bpp]) & 0xFF
    elif kind == 3:
        for index in range(size):
            left = out[index - bpp] if index >= bpp else 0
            out[index] = (out[index] + ((left + previous[index]) >> 1)) & 0xFF
    elif kind == 4:
        for index in range(size):
            a = out[index - bpp] if index >= bpp else 0
            b = previous[index]
            c = previous[index - bpp] if index >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            out[index] = (out[index] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    else:
        raise ValueError('PNG filter type %d' % kind)
    return bytes(out)


def read_png(path):
    """(width, height, channels, [row bytes]) of an 8-bit, non-interlaced PNG."""
    with open(path, 'rb') as handle:
        data = handle.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('%s is not a PNG file' % path)
    offset, header, chunks = 8, None, []
    while offset < len(data):
        length, kind = struct.unpack('>I4s', data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack('>I', data[offset + 8 + length:offset + 12 + length])[0]:
            raise ValueError('bad CRC in the %r chunk' % kind)
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            chunks.append(body)
        elif kind == b'IEND':
            break
        offset += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError('unsupported PNG: depth %d, colour type %d, interlace %d' % (depth, colour, interlace))
    channels = _CHANNELS[colour]
    raw = zlib.decompress(b''.join(chunks))
    stride = width * channels
    rows, previous = [], bytes(stride)
    for row in range(height):
        start = row * (stride + 1)
        previous = _unfilter(raw[start], raw[start + 1:start + 1 + stride], previous, channels)
        rows.append(previous)
    return width, height, channels, rows


def count_colour(png, rgb, tolerance=2):
    """How many pixels of a read_png() image are within ``tolerance`` of the colour ``rgb`` on each channel."""
    _width, _height, channels, rows = png
    if channels < 3:
        return 0
    red, green, blue = rgb
    reds = [bytes((value,)) for value in range(max(0, red - tolerance), min(255, red + tolerance) + 1)]
    count = 0
    for row in rows:
        for needle in reds:
            # bytes.find is a C-level scan: only the pixels whose red byte matches are looked at in Python
            index = row.find(needle)
            while index != -1:
                if index % channels == 0 and abs(row[index + 1] - green) <= tolerance and abs(row[index + 2] - blue) <= tolerance:
                    count += 1
                index = row.find(needle, index + 1)
    return count

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Comparisons of desired and current values, done in Python where they are tested.

URLs compare the way .NET's ``System.Uri.AbsoluteUri`` (what Exchange stores for a ``Uri`` property)
normalises them: scheme and host are case-insensitive, the default port is dropped and an empty path
is ``/``. The path, query and fragment keep their case, and a trailing ``/`` after a path segment is
significant. Multi-valued properties compare as case-insensitive multisets (order does not matter,
duplicates do), fixing the ``[a, a] == [a, b]`` defect noted in ExchangeDsc's ``Compare-ArrayContent``.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {'http': 80, 'https': 443}


def normalize_uri(value):
    """Return the ``AbsoluteUri`` form of an absolute http(s) URL, or None for None/empty.

    Raises ValueError for a string that is not an absolute http or https URL.
    """
    if value is None or value == '':
        return None
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError('%r is not an absolute http:// or https:// URL' % value)
    host = parts.hostname.lower()
    if ':' in host:
        host = '[%s]' % host
    try:
        port = parts.port
    except ValueError:
        raise ValueError('%r has an invalid port' % value) from None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else '%s:%d' % (host, port)
    if parts.username or parts.password:
        raise ValueError('%r must not contain a user name or password' % value)
    return urlunsplit((scheme, netloc, parts.path or '/', parts.query, parts.fragment))


def uri_equal(desired, current):
    """True when two URLs are the same once normalised (None and '' are equal)."""
    try:
        return normalize_uri(desired) == normalize_uri(current)
    except ValueError:
        return desired == current


def multiset_equal(desired, current):
    """Case-insensitive, order-insensitive comparison that counts duplicates; None equals []."""
    def fold(values):
        return Counter(str(v).casefold() for v in (values or []))
    return fold(desired) == fold(current)


def text_equal(desired, current, case_sensitive=False):
    """Compare strings, treating None and '' as the same (an unset property)."""
    desired = desired or ''
    current = current or ''
    if case_sensitive:
        return desired == current
    return desired.casefold() == current.casefold()

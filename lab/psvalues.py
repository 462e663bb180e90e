# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Python stand-ins for the .NET values that the simulated cmdlets take and return.

The runner (``RUNNER_PS1``) normalises every output value explicitly (docs/design.md section 3); the
functions here reproduce that table and the few PowerShell conversions the lab needs: ``[string]`` casts,
``[bool]`` casts, ``System.Uri`` parsing and ``DateTime`` formatting.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import re
import uuid
import zlib
from typing import Any

# Default ports that System.Uri drops from AbsoluteUri (.NET UriParser registrations for these schemes).
DEFAULT_PORTS = {'http': 80, 'https': 443, 'ftp': 21, 'ws': 80, 'wss': 443, 'gopher': 70, 'nntp': 119, 'news': 119,
                 'telnet': 23, 'ldap': 389, 'net.tcp': 808, 'net.pipe': None}
# Schemes System.Uri parses as hierarchical ("scheme://authority/path").
HIERARCHICAL_SCHEMES = {'http', 'https', 'ftp', 'ws', 'wss', 'gopher', 'nntp', 'telnet', 'ldap', 'file', 'net.tcp', 'net.pipe'}
# Characters System.Uri percent-encodes in AbsoluteUri (RFC 3986 "unwise"/excluded ASCII characters).
_ESCAPED_ASCII = set(' "<>\\^`{|}')
_SCHEME_RE = re.compile(r'^([A-Za-z][A-Za-z0-9+.\-]*):')


class UriFormatError(ValueError):
    """System.UriFormatException: ``str(error)`` is the .NET message."""


@dataclasses.dataclass(frozen=True)
class PSUri:
    """A System.Uri: the original text and, when absolute, its AbsoluteUri."""

    original: str
    absolute_uri: str | None

    @property
    def is_absolute(self) -> bool:
        """Uri.IsAbsoluteUri."""
        return self.absolute_uri is not None

    def __str__(self) -> str:
        return self.absolute_uri if self.absolute_uri is not None else self.original


@dataclasses.dataclass(frozen=True)
class PSEnum:
    """An enum value; ToString() is its name."""

    type_name: str
    name: str

    def __str__(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True)
class PSDeserializedEnum:
    """An enum value as it arrives through a remote session (PSRP): a PSObject over its Int32 value whose type names
    start with ``Deserialized.`` and end with ``Deserialized.System.Enum``, carrying the server's ToString() text.

    Source: MS-PSRP 2.2.5.2 (enums are serialized as the underlying integer with the type names and a ToString
    element); PowerShell MshObject.cs: only PSObject's own ToString() override returns ToStringFromDeserialization,
    while string conversion of a PSObject over an Int32 formats the integer; ``-is [int]`` is true for it.
    """

    type_name: str
    name: str
    value: int

    @property
    def type_names(self) -> list[str]:
        """``$value.PSObject.TypeNames``."""
        return ['Deserialized.' + self.type_name, 'Deserialized.System.Enum', 'Deserialized.System.ValueType',
                'Deserialized.System.Object']

    def __str__(self) -> str:
        # [string]$value and "$value": the integer (PSObject.ToString static path, TryFastTrackPrimitiveTypes)
        return str(self.value)


def deserialize(value: Any) -> Any:
    """What a value becomes after a trip through PSRP (implicit remoting): enums become :class:`PSDeserializedEnum`,
    objects become property bags with their ToString(), and nested values are deserialized too. Strings, numbers,
    booleans, DateTime, Guid and System.Uri are PSRP primitives and keep their type (MS-PSRP 2.2.5.1)."""
    if isinstance(value, PSEnum):
        # No source for the integer values of Exchange's or Skype's enums: a stable stand-in (the runner never uses it).
        return PSDeserializedEnum(value.type_name, value.name, zlib.crc32(value.name.encode('utf-8')) & 0x7FFFFFFF)
    if isinstance(value, PSObject):
        return PSObject({key: deserialize(item) for key, item in value.properties.items()}, value.text)
    if isinstance(value, list):
        return [deserialize(item) for item in value]
    return value


@dataclasses.dataclass(frozen=True)
class PSText:
    """Any object that the runner turns into ``ToString()`` (ADObjectId, Fqdn, ServerVersion, XdsIdentity...)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass
class PSObject:
    """An object a cmdlet writes: its properties (looked up case-insensitively) and its ToString() text."""

    properties: dict[str, Any]
    text: str

    def __str__(self) -> str:
        return self.text

    def property(self, name: str) -> tuple[bool, Any]:
        """``$object.PSObject.Properties[name]``: (found, value), case-insensitive; '' never matches."""
        if name == '':
            return False, None
        for key, value in self.properties.items():
            if key.lower() == name.lower():
                return True, value
        return False, None


def _escape(text: str, keep: str = '') -> str:
    """Percent-encode what System.Uri escapes in AbsoluteUri: unwise ASCII, controls and non-ASCII (as UTF-8)."""
    out = []
    for char in text:
        code = ord(char)
        if char in keep:
            out.append(char)
        elif code < 0x21 or code == 0x7f or char in _ESCAPED_ASCII or code > 0x7f:
            out.append(''.join('%%%02X' % byte for byte in char.encode('utf-8')))
        else:
            out.append(char)
    return ''.join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, which System.Uri applies to hierarchical paths."""
    output: list[str] = []
    segments = path.split('/')
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == '.':
            if last:
                output.append('')
            continue
        if segment == '..':
            if len(output) > 1:
                output.pop()
            if last:
                output.append('')
            continue
        output.append(segment)
    result = '/'.join(output)
    return result if result.startswith('/') else '/' + result


def parse_uri(text: str) -> PSUri:
    """Emulate ``new Uri(text, UriKind.RelativeOrAbsolute)`` (what PowerShell's [uri] conversion does).

    Source: .NET System.Uri behaviour (scheme and host lower-cased, default port dropped, empty path
    becomes "/", dot segments removed, unwise characters escaped); docs/design.md section 3 lists the
    AbsoluteUri rules the lab must follow. Approximation: IDN hosts and %-escape unescaping are not modelled.
    """
    stripped = text.strip(' \t\r\n\f\v')
    match = _SCHEME_RE.match(stripped)
    if len(text) > 65519:
        # .NET: Uri.c_MaxUriBufferSize
        raise UriFormatError('Invalid URI: The Uri string is too long.')
    drive = re.match(r'^([A-Za-z]):[\\/]', stripped)
    if drive:
        # A DOS path is an absolute file URI: "C:\x y" -> "file:///C:/x%20y"
        rest = stripped[2:].replace('\\', '/')
        return PSUri(text, 'file:///' + drive.group(1).upper() + ':' + _escape(_remove_dot_segments(rest)))
    if match is None or len(match.group(1)) == 1:
        # no scheme: a relative reference, kept as OriginalString
        return PSUri(text, None)
    scheme = match.group(1).lower()
    rest = stripped[match.end():]
    if scheme not in HIERARCHICAL_SCHEMES:
        # opaque URI such as mailto:, urn:, sip: - the text after the scheme is kept (escaped)
        return PSUri(text, scheme + ':' + _escape(rest, keep='%'))
    # System.Uri accepts "\" as "/" and any number of slashes after a hierarchical scheme
    rest = rest.replace('\\', '/')
    rest = rest.lstrip('/')
    split = re.search(r'[/?#]', rest)
    authority = rest[:split.start()] if split else rest
    tail = rest[split.start():] if split else ''
    userinfo = ''
    if '@' in authority:
        userinfo, authority = authority.rsplit('@', 1)
        userinfo += '@'
    port: int | None = None
    if authority.startswith('['):
        close = authority.find(']')
        if close < 0:
            raise UriFormatError('Invalid URI: The hostname could not be parsed.')
        host = authority[:close + 1].lower()
        port_text = authority[close + 1:]
        if port_text and not port_text.startswith(':'):
            raise UriFormatError('Invalid URI: The hostname could not be parsed.')
        port_text = port_text[1:] if port_text else ''
    else:
        host, _sep, port_text = authority.partition(':')
        host = host.lower()
        if ':' in port_text:
            raise UriFormatError('Invalid URI: Invalid port specified.')
        if scheme != 'file' and (not host or not re.fullmatch(r'[a-z0-9\-._~\u0080-\uffff]+', host)):
            raise UriFormatError('Invalid URI: The hostname could not be parsed.')
    if port_text:
        if not port_text.isdigit() or int(port_text) > 65535:
            raise UriFormatError('Invalid URI: Invalid port specified.')
        port = int(port_text)
    before_fragment, hash_sep, fragment = tail.partition('#')
    fragment = '#' + fragment if hash_sep else ''
    path, query_sep, query = before_fragment.partition('?')
    query = '?' + query if query_sep else ''
    path = _remove_dot_segments(path) if path else '/'
    port_part = '' if port is None or DEFAULT_PORTS.get(scheme) == port else ':%d' % port
    absolute = '%s://%s%s%s%s%s%s' % (scheme, _escape(userinfo, keep='%'), host, port_part, _escape(path, keep='%'),
                                      _escape(query, keep='%'), _escape(fragment, keep='%#'))
    return PSUri(text, absolute)


def format_roundtrip_utc(value: datetime.datetime) -> str:
    """``$dt.ToUniversalTime().ToString('o')``: seven fractional digits and ``Z``.

    A naive value is treated as local time, and the lab's simulated servers run in UTC (no source: lab choice).
    """
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc)
    return value.strftime('%Y-%m-%dT%H:%M:%S.') + '%06d0Z' % value.microsecond


def format_datetime_en_us(value: datetime.datetime) -> str:
    """DateTime.ToString() in en-US ("M/d/yyyy h:mm:ss tt"), the culture of the simulated servers (no source: lab choice)."""
    hour = value.hour % 12 or 12
    return '%d/%d/%d %d:%02d:%02d %s' % (value.month, value.day, value.year, hour, value.minute, value.second,
                                         'AM' if value.hour < 12 else 'PM')


def format_number(value: int | float | decimal.Decimal) -> str:
    """``[string]`` of a number (invariant formatting; decimals keep their digits as .NET Decimal does)."""
    if isinstance(value, float):
        text = repr(value)
        if text.endswith('.0'):
            text = text[:-2]
        return text.replace('e+', 'E+').replace('e-', 'E-')
    return str(value)


def ps_string(value: Any) -> str:
    """PowerShell's ``[string]$value`` (LanguagePrimitives.ConvertTo string) for the value kinds the lab sees."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        # arrays are joined with $OFS (a space by default)
        return ' '.join(ps_string(item) for item in value)
    if isinstance(value, dict):
        # [string] of a PSCustomObject from ConvertFrom-Json: "@{a=1; b=x}"
        return '@{' + '; '.join('%s=%s' % (key, ps_string(item)) for key, item in value.items()) + '}'
    if isinstance(value, datetime.datetime):
        # [string] of a DateTime uses the invariant culture: "MM/dd/yyyy HH:mm:ss"
        return value.strftime('%m/%d/%Y %H:%M:%S')
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def ps_is_true(value: Any) -> bool:
    """PowerShell's ``[bool]$value`` (LanguagePrimitives.IsTrue)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value != ''
    if isinstance(value, (int, float, decimal.Decimal)):
        return value != 0
    if isinstance(value, (list, tuple)):
        if not value:
            return False
        if len(value) == 1:
            return ps_is_true(value[0])
        return True
    return True


def normalise(value: Any, depth: int = 0) -> Any:
    """``ConvertTo-UcopsValue`` of RUNNER_PS1 (docs/design.md section 3, value normalisation table)."""
    if value is None:
        return None
    if isinstance(value, PSDeserializedEnum):
        # RUNNER_PS1 checks the type names first: ($Value | Out-String).Trim() is the server's ToString() text
        return value.name
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, PSEnum):
        return value.name
    if isinstance(value, (int, float, decimal.Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return format_roundtrip_utc(value)
    if isinstance(value, PSUri):
        return value.absolute_uri if value.is_absolute else value.original
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        if depth < 4:
            return [normalise(item, depth + 1) for item in value]
        # deeper than 4 levels the runner falls through to ToString()
        return 'System.Object[]'
    if isinstance(value, dict):
        return 'System.Collections.Hashtable'
    return str(value)


def member(value: Any, name: str) -> Any:
    """PowerShell member access ``$value.name`` on ConvertFrom-Json output (case-insensitive; arrays enumerate)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.lower() == name.lower():
                return item
        return None
    if isinstance(value, list):
        collected: list[Any] = []
        for item in value:
            found = member(item, name)
            if isinstance(found, list):
                collected.extend(found)
            elif found is not None:
                collected.append(found)
        if not collected:
            return None
        return collected[0] if len(collected) == 1 else collected
    return None

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm import encode_command, endpoint_of, resolve_options

BASE = {'server': 'ex01.contoso.local', 'username': 'CONTOSO\\admin', 'password': 'pw', 'validate_certs': True,
        'message_encryption': 'auto', 'operation_timeout': 20, 'read_timeout': 30, 'command_timeout': 600}


def options(**overrides):
    merged = dict(BASE)
    merged.update(overrides)
    return resolve_options(merged)


def test_defaults_are_https_5986_ntlm():
    resolved = options()
    assert (resolved['scheme'], resolved['port'], resolved['transport'], resolved['path']) == ('https', 5986, 'ntlm', '/wsman')
    assert endpoint_of(resolved) == 'https://ex01.contoso.local:5986/wsman'


def test_http_defaults_to_5985_and_ipv6_is_bracketed():
    assert endpoint_of(options(scheme='http', server='fe80::1')) == 'http://[fe80::1]:5985/wsman'


@pytest.mark.parametrize('overrides, fragment', [
    ({'server': None}, 'server is required'),
    ({'transport': 'basic', 'scheme': 'http'}, 'allow_basic_over_http=true'),
    ({'scheme': 'http', 'message_encryption': 'never'}, 'message_encryption=never'),
    ({'transport': 'certificate'}, 'client_cert and client_key'),
    ({'password': None}, 'needs username and password'),
    ({'kerberos_delegation': True}, 'only with transport=kerberos'),
    ({'read_timeout': 20}, 'read_timeout (20) must be greater than operation_timeout (20)'),
])
def test_bad_options_are_refused_with_the_option_and_the_fix(overrides, fragment):
    with pytest.raises(OptionError) as raised:
        options(**overrides)
    assert fragment in str(raised.value)


def test_basic_over_http_allowed_only_when_asked():
    assert options(transport='basic', scheme='http', allow_basic_over_http=True)['transport'] == 'basic'


def test_kerberos_may_use_a_ticket_without_password():
    assert options(transport='kerberos', password=None, username=None)['transport'] == 'kerberos'


def test_encode_command_is_utf16le_base64():
    assert base64.b64decode(encode_command('Get-Date \u00e9')).decode('utf-16-le') == 'Get-Date \u00e9'

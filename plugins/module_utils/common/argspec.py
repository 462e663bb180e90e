# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The argument spec of the shared connection options; it matches doc fragment ``ucops.skype_exchange.connection``."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

ENV_PREFIX = 'UCOPS_SKYPE_EXCHANGE_'
TRANSPORTS = ['ntlm', 'kerberos', 'credssp', 'basic', 'certificate']

# The option names, in the order the action plugin fills them from the inventory.
CONNECTION_OPTIONS = (
    'server', 'port', 'scheme', 'path', 'transport', 'username', 'password', 'validate_certs', 'ca_trust_path',
    'client_cert', 'client_key', 'message_encryption', 'allow_basic_over_http', 'kerberos_delegation',
    'operation_timeout', 'read_timeout', 'command_timeout', 'session_reuse', 'session_idle_timeout',
)


def _env(name):
    return (env_fallback, [ENV_PREFIX + name])


def connection_argument_spec():
    """Return a fresh copy of the connection options' argument spec."""
    return dict(
        server=dict(type='str', fallback=_env('SERVER')),
        port=dict(type='int', fallback=_env('PORT')),
        scheme=dict(type='str', choices=['http', 'https'], fallback=_env('SCHEME')),
        path=dict(type='str', default='/wsman'),
        transport=dict(type='str', choices=TRANSPORTS, fallback=_env('TRANSPORT')),
        username=dict(type='str', fallback=_env('USERNAME')),
        password=dict(type='str', no_log=True, fallback=_env('PASSWORD')),
        validate_certs=dict(type='bool', default=True, fallback=_env('VALIDATE_CERTS')),
        ca_trust_path=dict(type='path', fallback=_env('CA_TRUST_PATH')),
        client_cert=dict(type='path'),
        client_key=dict(type='path', no_log=False),
        message_encryption=dict(type='str', choices=['auto', 'always', 'never'], default='auto'),
        allow_basic_over_http=dict(type='bool', default=False),
        kerberos_delegation=dict(type='bool', default=False),
        operation_timeout=dict(type='int', default=20),
        read_timeout=dict(type='int', default=30),
        command_timeout=dict(type='int', default=600),
        session_reuse=dict(type='bool', default=True, fallback=_env('SESSION_REUSE')),
        session_idle_timeout=dict(type='int', default=300, fallback=_env('SESSION_IDLE_TIMEOUT')),
    )


def list_action_spec(elements='str'):
    """A multi-valued option in the add/remove/set form of microsoft.ad: ``set`` is the whole list, ``add`` and ``remove``
    keep the entries the user did not name (see resource.list_target)."""
    return dict(type='dict', options=dict(add=dict(type='list', elements=elements), remove=dict(type='list', elements=elements),
                                          set=dict(type='list', elements=elements)),
                mutually_exclusive=[['set', 'add'], ['set', 'remove']])


def front_ends_spec():
    """Other Front Ends a module reads too (``front_ends``: inventory host names). The action plugin fills in their
    connection settings (``front_end_connections``) and, apart for no_log, their passwords (``front_end_passwords``)."""
    return dict(front_ends=dict(type='list', elements='str'),
                front_end_connections=dict(type='list', elements='dict'),
                front_end_passwords=dict(type='dict', no_log=True))

# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""UcopsModule: the other Front Ends a task reads (front_ends), each with its own connection and shell."""

from __future__ import annotations

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.argspec import front_ends_spec
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.module import UcopsModule
from ansible_collections.ucops.skype_exchange.tests.unit.plugins.modules.test_inputs_modules import CONNECTION, module_args


def test_peers_use_their_own_connection_their_own_product_credential_and_the_task_shell():
    args = dict(CONNECTION, product_username='CONTOSO\\taskprod', product_password='taskpp', skype_shell='remote', front_ends=['fe2', 'fe3'],
                front_end_connections=[{'name': 'fe2', 'server': 'fe2.contoso.local', 'scheme': 'http', 'port': 5985,
                                        'username': 'CONTOSO\\b', 'transport': 'ntlm', 'product_username': 'CONTOSO\\prod'},
                                       {'name': 'fe3', 'server': 'fe3.contoso.local', 'username': 'CONTOSO\\c'}],
                front_end_passwords={'fe2': {'password': 'pw2', 'product_password': 'pp2'}, 'fe3': {'password': 'pw3', 'product_password': None}})
    with module_args(args):
        module = UcopsModule(argument_spec=front_ends_spec(), product='skype', supports_check_mode=True)
    peers = module.peers()
    assert [(name, server) for name, server, _runner, _shell in peers] == [('fe2', 'fe2.contoso.local'), ('fe3', 'fe3.contoso.local')]
    fe2, fe3 = peers
    assert fe2[2].client.options['password'] == 'pw2' and fe2[2].client.options['port'] == 5985
    assert fe3[2].client.options['scheme'] == 'https' and fe3[2].client.options['port'] == 5986
    assert fe2[3]['type'] == 'skype_remote' and fe2[3]['credential'] == {'username': 'CONTOSO\\prod', 'password': 'pp2'}
    # a peer without a product credential of its own logs on to the product session with its own WinRM account
    assert fe3[3]['credential'] == {'username': 'CONTOSO\\c', 'password': 'pw3'}
    assert 'pw2' in module.secrets() and 'pp2' in module.secrets() and 'pw3' in module.secrets()

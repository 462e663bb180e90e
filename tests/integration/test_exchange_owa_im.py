# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""exchange_owa_im through ansible and pywinrm against the lab, on every Exchange version: the setting override on 2016,
2019 and SE, the web.config on 2013, check mode, diff, idempotency, restarts only when allowed, the Lync 2013 refusal."""

from __future__ import annotations

import textwrap

import pytest

SERVER = 'skype01.contoso.com'
THUMBPRINT = 'CDF34A740E9D225A1A06193A9D44B2CE22775308'
NEW_THUMBPRINT = 'ea5a332496cc05da69b75b66111c0f78a110d22d'
HOSTS = {'ex2013': ('EX13', '2013'), 'ex2016': ('EX16', '2016'), 'ex2019': ('EX19', '2019'), 'exse': ('EXSE', 'se')}
WEB_CONFIG = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\web.config'
PRESENT = {'im_server_name': SERVER, 'im_certificate_thumbprint': THUMBPRINT, 'skype_version': '2019'}


def since(lab, before, host):
    return [entry for entry in lab.invocations()[before:] if entry['host'] == host]


def cmdlets(entries):
    return [entry['cmdlet'] for entry in entries]


def run(lab, host, args, *extra):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, 'exchange_owa_im', args, *extra)
    assert rc == 0, output
    return results[host], since(lab, before, host)


@pytest.mark.parametrize('host', sorted(HOSTS))
def test_present_check_diff_idempotent_restart_and_absent(lab, host):
    computer, version = HOSTS[host]

    # check mode: the plan, and nothing but reads reaches the server
    result, entries = run(lab, host, PRESENT, '--check')
    assert result['changed'] is True and result['exchange_version'] == version
    assert not [entry for entry in entries if entry['write']], entries
    # every server of the lab organization (ex2016's has a second server, EX16B)
    servers = sorted(d['server'] for d in result['virtual_directories'])
    assert computer in servers
    assert [d['instant_messaging_type'] for d in result['virtual_directories']] == ['Ocs'] * len(servers)
    assert result['changed_virtual_directories'] == sorted('%s\\owa (Default Web Site)' % name for name in servers)

    # the change, with a diff, and no restart without allow_restarts
    result, entries = run(lab, host, PRESENT, '--diff')
    assert result['changed'] is True
    assert sorted(result['virtual_directories'], key=lambda d: d['server']) == [
        {'identity': '%s\\owa (Default Web Site)' % name, 'server': name, 'instant_messaging_enabled': True, 'instant_messaging_type': 'Ocs'}
        for name in servers]
    assert 'Restart-WebAppPool' not in cmdlets(entries) and 'Get-ExchangeDiagnosticInfo' not in cmdlets(entries)
    assert result['restarted_servers'] == [] and result['restart_pending_servers'] == servers
    sets = [entry for entry in entries if entry['cmdlet'] == 'Set-OwaVirtualDirectory']
    # only the property that differs (InstantMessagingEnabled is True by default)
    assert sorted((entry['parameters'] for entry in sets), key=lambda p: p['Identity']) == [
        {'Identity': identity, 'InstantMessagingType': 'Ocs'} for identity in sorted('%s\\owa (Default Web Site)' % name for name in servers)]
    if version == '2013':
        assert result['setting_override'] is None
        assert result['web_config'] == {'server': computer, 'path': WEB_CONFIG, 'im_server_name': SERVER, 'im_certificate_thumbprint': THUMBPRINT}
        writes = [entry for entry in entries if entry['cmdlet'] == 'Set-Content']
        assert len(writes) == 1 and writes[0]['parameters']['Path'] == [WEB_CONFIG]
        text = writes[0]['parameters']['Value']
        # the rest of the file is kept: the keys that were there before are still there, in order
        assert text.index('key="ClientValidationEnabled"') < text.index('key="SpellcheckerEnabled"') < text.index('key="IMServerName"')
        assert '<add key="IMCertificateThumbprint" value="%s" />' % THUMBPRINT in text
        assert 'New-SettingOverride' not in cmdlets(entries)
    else:
        assert result['web_config'] is None
        override = result['setting_override']
        assert (override['name'], override['component'], override['section'], override['servers']) == ('IM Override', 'OwaServer', 'IMSettings', [])
        news = [entry for entry in entries if entry['cmdlet'] == 'New-SettingOverride']
        assert len(news) == 1
        assert sorted(news[0]['parameters']['Parameters']) == sorted(['IMServerName=' + SERVER, 'IMCertificateThumbprint=' + THUMBPRINT])
        assert 'Set-Content' not in cmdlets(entries) and 'Get-Content' not in cmdlets(entries)

    # idempotent: the thumbprint in another case and with spaces is the same thumbprint
    spaced = dict(PRESENT, im_certificate_thumbprint=' '.join(THUMBPRINT.lower()[i:i + 4] for i in range(0, 40, 4)))
    result, entries = run(lab, host, spaced)
    assert result['changed'] is False and result['restart_pending_servers'] == []
    assert not [entry for entry in entries if entry['write']]

    # a new certificate, applied now: Set-SettingOverride -Identity (no -Name/-Component/-Section), refresh, restart
    result, entries = run(lab, host, dict(PRESENT, im_certificate_thumbprint=NEW_THUMBPRINT, allow_restarts=True))
    assert result['changed'] is True
    assert result['restarted_servers'] == [computer]
    restarts = [entry for entry in entries if entry['cmdlet'] == 'Restart-WebAppPool']
    assert [entry['parameters'] for entry in restarts] == [{'Name': 'MSExchangeOWAAppPool'}]
    refreshes = [entry for entry in entries if entry['cmdlet'] == 'Get-ExchangeDiagnosticInfo']
    if version == '2013':
        assert refreshes == [] and result['refreshed_servers'] == []
        # only this server's web.config changed
        assert result['restart_pending_servers'] == []
        assert result['web_config']['im_certificate_thumbprint'] == NEW_THUMBPRINT.upper()
    else:
        # every OWA server the org-wide override applies to is refreshed; only the local application pool is restarted
        assert [entry['parameters'] for entry in refreshes] == [{'Server': name, 'Process': 'Microsoft.Exchange.Directory.TopologyService',
                                                                 'Component': 'VariantConfiguration', 'Argument': 'Refresh'} for name in servers]
        assert result['refreshed_servers'] == servers
        assert result['restart_pending_servers'] == [name for name in servers if name != computer]
        sets = [entry['parameters'] for entry in entries if entry['cmdlet'] == 'Set-SettingOverride']
        assert len(sets) == 1 and sets[0]['Identity'] == 'IM Override' and not {'Name', 'Component', 'Section'} & set(sets[0])
        assert sorted(sets[0]['Parameters']) == sorted(['IMServerName=' + SERVER, 'IMCertificateThumbprint=' + NEW_THUMBPRINT.upper()])
        assert result['setting_override']['im_certificate_thumbprint'] == NEW_THUMBPRINT.upper()
    # the writes come before the refresh and the restart, and the verifying reads end the request
    write_request = [entry for entry in entries if entry['mode'] == 'write']
    assert cmdlets(write_request).index('Restart-WebAppPool') > max(i for i, e in enumerate(write_request) if e['cmdlet'].startswith('Set-'))
    assert write_request[-1]['cmdlet'] in ('Get-Content', 'Get-SettingOverride')

    # state absent removes the IM server settings (the virtual directories stay as they are) and is idempotent too
    result, entries = run(lab, host, {'state': 'absent'}, '--diff')
    assert result['changed'] is True
    assert 'Set-OwaVirtualDirectory' not in cmdlets(entries)
    if version == '2013':
        assert result['web_config']['im_server_name'] is None and result['web_config']['im_certificate_thumbprint'] is None
        assert 'key="IM' not in [entry for entry in entries if entry['cmdlet'] == 'Set-Content'][0]['parameters']['Value']
    else:
        assert result['setting_override'] is None
        assert [entry['parameters'] for entry in entries if entry['cmdlet'] == 'Remove-SettingOverride'] == [
            {'Identity': 'IM Override', 'Confirm': {'__ucops_type': 'switch', 'value': False}}]
    result, entries = run(lab, host, {'state': 'absent'})
    assert result['changed'] is False and not [entry for entry in entries if entry['write']]


def test_diff_shows_before_and_after(lab, tmp_path):
    playbook = tmp_path / 'owa_im_diff.yml'
    playbook.write_text(textwrap.dedent('''\
        - hosts: exse
          gather_facts: false
          tasks:
            - ucops.skype_exchange.exchange_owa_im:
                im_server_name: %s
                im_certificate_thumbprint: %s
                skype_version: se
                override_name: Diff IM Override
                instant_messaging_enabled: false
        ''' % (SERVER, THUMBPRINT)))
    before = len(lab.invocations())
    rc, output = lab.playbook(playbook, '--check', '--diff')
    assert rc == 0, output
    lines = [' '.join(line.split()) for line in output.splitlines()]
    assert '+ "im_certificate_thumbprint": "%s",' % THUMBPRINT in lines, output
    assert '- "instant_messaging_enabled": true,' in lines and '+ "instant_messaging_enabled": false,' in lines, output
    assert not [entry for entry in lab.invocations()[before:] if entry['write']]


@pytest.mark.parametrize('host', ['ex2016', 'ex2019', 'exse'])
def test_lync_2013_with_exchange_2016_or_later_is_refused_before_any_write(lab, host):
    before = len(lab.invocations())
    rc, results, output = lab.module(host, 'exchange_owa_im', dict(PRESENT, skype_version='2013'))
    assert rc != 0, output
    assert "IM integration between Lync Server 2013 and Exchange 2016 or later isn't supported." in results[host]['msg']
    assert not [entry for entry in since(lab, before, host) if entry['write']]


def test_lync_2013_with_exchange_2013_is_the_documented_pairing(lab):
    rc, results, output = lab.module('ex2013', 'exchange_owa_im', dict(PRESENT, skype_version='2013'), '--check')
    assert rc == 0, output
    assert results['ex2013']['changed'] is True


def test_bad_input_is_refused_before_anything_is_sent(lab):
    before = len(lab.invocations())
    rc, results, output = lab.module('ex2019', 'exchange_owa_im', dict(PRESENT, im_certificate_thumbprint='not-a-thumbprint'))
    assert rc != 0
    assert 'im_certificate_thumbprint must be the 40 hexadecimal digits' in results['ex2019']['msg']
    rc, results, output = lab.module('ex2019', 'exchange_owa_im', dict(PRESENT, servers=['ex19.contoso.local']))
    assert rc != 0 and 'not FQDNs' in results['ex2019']['msg']
    assert lab.invocations()[before:] == []


def test_per_server_override_and_mailbox_policies(lab):
    args = dict(PRESENT, servers=['EX19'], override_name='EX19 IM Override', mailbox_policies=['*'])
    result, entries = run(lab, 'ex2019', args)
    assert result['changed'] is True
    assert [entry['parameters']['Server'] for entry in entries if entry['cmdlet'] == 'New-SettingOverride'] == [['EX19']]
    assert result['setting_override']['servers'] == ['EX19']
    assert result['mailbox_policies'] == [{'identity': 'Default', 'instant_messaging_enabled': True, 'instant_messaging_type': 'Ocs'}]
    assert result['changed_mailbox_policies'] == ['Default']
    result, entries = run(lab, 'ex2019', args)
    assert result['changed'] is False
    # the org-wide form of the same override: -Server $null on the existing one, not a second override
    result, entries = run(lab, 'ex2019', dict(args, servers=None))
    assert [entry['parameters'].get('Server', 'unset') for entry in entries if entry['cmdlet'] == 'Set-SettingOverride'] == [None]
    assert result['setting_override']['servers'] == []
    rc, results, output = lab.module('ex2019', 'exchange_owa_im', dict(PRESENT, mailbox_policies=['Nope']))
    assert rc != 0 and 'no OWA mailbox policy named Nope' in results['ex2019']['msg']

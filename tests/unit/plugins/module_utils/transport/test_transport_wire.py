# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults and bad input found on the wire: option checks before sending, and what the transport makes of pywinrm's errors."""

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import (
    ConnectionFailure,
    OptionError,
    TLSFailure,
    TransportFailure,
)
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport import winrm as transport
from ansible_collections.ucops.skype_exchange.plugins.module_utils.transport.winrm import WinRMClient
from ansible_collections.ucops.skype_exchange.tests.unit.plugins.module_utils.transport.test_winrm import options

requests = pytest.importorskip('requests')
pytest.importorskip('winrm')


def refused(**overrides):
    with pytest.raises(OptionError) as raised:
        options(**overrides)
    return str(raised.value)


@pytest.mark.parametrize('name', ['operation_timeout', 'read_timeout', 'command_timeout'])
@pytest.mark.parametrize('value', [0, -5])
def test_a_timeout_below_one_second_names_the_option(name, value):
    message = refused(**{name: value})
    assert message.startswith('%s=%s for server ex01.contoso.local must be at least 1' % (name, value)), message


@pytest.mark.parametrize('port', [0, -1, 65536, 70000])
def test_a_port_outside_the_tcp_range_is_refused(port):
    message = refused(port=port)
    assert 'port=%s for server ex01.contoso.local' % port in message and '1-65535' in message


def test_a_missing_ca_trust_path_is_refused_naming_the_path(tmp_path):
    missing = str(tmp_path / 'nope' / 'ca.pem')
    message = refused(ca_trust_path=missing)
    assert missing in message and 'ca_trust_path' in message and 'ex01.contoso.local' in message
    # an existing file or directory is fine; over http or without validation the option is not used
    (tmp_path / 'ca.pem').write_text('x')
    assert options(ca_trust_path=str(tmp_path / 'ca.pem'))['ca_trust_path'] == str(tmp_path / 'ca.pem')
    assert options(ca_trust_path=str(tmp_path))['ca_trust_path'] == str(tmp_path)
    assert options(ca_trust_path=missing, validate_certs=False)['validate_certs'] is False
    assert options(ca_trust_path=missing, scheme='http')['scheme'] == 'http'


@pytest.mark.parametrize('name, value', [('password', 'P\u0101ss\u20ac\u4e2d'), ('username', 'CONTOSO\\\u0410\u0434\u043c\u0438\u043d')])
def test_basic_refuses_credentials_outside_latin1_and_names_the_option(name, value):
    message = refused(transport='basic', **{name: value})
    assert message.startswith('%s for server ex01.contoso.local has characters outside Latin-1' % name), message
    assert 'transport=ntlm or transport=kerberos' in message
    assert value not in message


def test_latin1_basic_credentials_and_unicode_ntlm_credentials_are_accepted():
    assert options(transport='basic', password='P\u00e4ss\u00e9')['transport'] == 'basic'
    assert options(transport='ntlm', password='P\u0101ss\u20ac\u4e2d')['transport'] == 'ntlm'


# ---------------------------------------------------------------------------------------------------------------------
# The transport with a fake pywinrm Protocol


class FakeProtocol:
    """Records the calls; ``fail_at`` ('send', 'receive') raises ``error`` there."""

    def __init__(self, error=None, fail_at=None, chunks_before_failure=0):
        self.error = error
        self.fail_at = fail_at
        self.calls = []
        self.sends = 0
        self.chunks_before_failure = chunks_before_failure

    def open_shell(self, **kwargs):
        self.calls.append(('open_shell', kwargs))
        return 'SHELL'

    def run_command(self, shell_id, command, arguments, **kwargs):
        self.calls.append(('run_command', kwargs))
        return 'CMD'

    def send_command_input(self, shell_id, command_id, chunk, end=False):
        self.sends += 1
        if self.fail_at == 'send' and self.sends > self.chunks_before_failure:
            raise self.error
        self.calls.append(('send', end))

    def get_command_output_raw(self, shell_id, command_id):
        if self.fail_at == 'receive':
            raise self.error
        return b'UCOPS-RESULT:e30=\r\n', b'', 0, True

    def cleanup_command(self, shell_id, command_id):
        self.calls.append(('cleanup', None))

    def close_shell(self, shell_id):
        self.calls.append(('close', None))


def client_with(monkeypatch, protocol, **overrides):
    client = WinRMClient(options(**overrides))
    monkeypatch.setattr(client, '_protocol', lambda: protocol)
    return client


def connection_error():
    return requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))")


def test_the_shell_keeps_the_user_profile_loaded(monkeypatch):
    protocol = FakeProtocol()
    client_with(monkeypatch, protocol).run_powershell('boot', b'x')
    assert ('open_shell', {'codepage': 65001, 'noprofile': False}) in protocol.calls


def test_an_error_after_every_send_returned_says_the_payload_was_delivered(monkeypatch):
    protocol = FakeProtocol(connection_error(), 'receive')
    with pytest.raises(ConnectionFailure) as raised:
        client_with(monkeypatch, protocol).run_powershell('boot', b'x' * (transport.STDIN_CHUNK + 10))
    assert raised.value.delivered is True
    assert raised.value.host == 'ex01.contoso.local'
    assert 'Remote end closed connection without response' in raised.value.message


@pytest.mark.parametrize('chunks_before_failure, delivered', [(0, False), (1, True)])
def test_an_error_during_a_send_says_whether_the_payload_may_have_been_delivered(monkeypatch, chunks_before_failure, delivered):
    # an error while the last chunk is on its way may come after the server had it all: count it as delivered
    protocol = FakeProtocol(connection_error(), 'send', chunks_before_failure)
    with pytest.raises(ConnectionFailure) as raised:
        client_with(monkeypatch, protocol).run_powershell('boot', b'x' * (transport.STDIN_CHUNK + 10))
    assert raised.value.delivered is delivered


def test_command_timeout_after_delivery_is_marked_delivered(monkeypatch):
    protocol = FakeProtocol(transport.WinRMOperationTimeoutError(), 'receive')
    client = client_with(monkeypatch, protocol, command_timeout=1)
    times = iter([0.0, 5.0, 10.0])
    monkeypatch.setattr(transport.time, 'monotonic', lambda: next(times))
    with pytest.raises(TransportFailure) as raised:
        client.run_powershell('boot', b'x')
    assert raised.value.delivered is True and 'command_timeout=1' in raised.value.message


def non_utf8_http_500():
    """What pywinrm 0.5 (transport.py _send_message_request) raises for an HTTP 500 whose body is not UTF-8."""
    response = requests.models.Response()
    response.status_code = 500
    response._content = '<html>Erreur interne du serveur \u00e9</html>'.encode('cp1252')
    response.headers['Content-Type'] = 'text/html; charset=windows-1252'
    try:
        try:
            raise requests.exceptions.HTTPError('500 Server Error', response=response)
        except requests.exceptions.HTTPError as ex:
            ex.response.content.decode()
    except UnicodeDecodeError as error:
        return error
    raise AssertionError('the body decoded')


def test_an_http_500_whose_body_is_not_utf8_names_host_and_status(monkeypatch):
    protocol = FakeProtocol(non_utf8_http_500(), 'send')
    with pytest.raises(TransportFailure) as raised:
        client_with(monkeypatch, protocol).run_powershell('boot', b'x')
    message = raised.value.message
    assert raised.value.host == 'ex01.contoso.local'
    assert message.startswith('HTTP 500 from https://ex01.contoso.local:5986/wsman with a body that is not UTF-8'), message
    assert 'text/html; charset=windows-1252' in message


@pytest.mark.parametrize('text', [
    "HTTPSConnectionPool(host='ex01', port=5985): Max retries exceeded "
    "(Caused by SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))",
    "HTTPSConnectionPool(host='ex01', port=5985): Max retries exceeded (Caused by SSLError(SSLError(1, '[SSL] record layer failure (_ssl.c:1000)')))",
    "HTTPSConnectionPool(host='ex01', port=5985): (Caused by SSLError(SSLError(1, '[SSL: UNKNOWN_PROTOCOL] unknown protocol (_ssl.c:600)')))",
])
def test_https_against_a_plain_http_port_says_to_use_http(monkeypatch, text):
    protocol = FakeProtocol(requests.exceptions.SSLError(text), 'send')
    with pytest.raises(TLSFailure) as raised:
        client_with(monkeypatch, protocol, port=5985).run_powershell('boot', b'x')
    message = raised.value.message
    assert 'Port 5985 of ex01.contoso.local speaks plain HTTP, not HTTPS: use scheme=http' in message, message
    assert 'ca_trust_path' not in message


def test_an_untrusted_certificate_still_says_to_set_ca_trust_path(monkeypatch):
    error = requests.exceptions.SSLError("(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
                                         "certificate verify failed: unable to get local issuer certificate')))")
    with pytest.raises(TLSFailure) as raised:
        client_with(monkeypatch, FakeProtocol(error, 'send')).run_powershell('boot', b'x')
    assert 'set ca_trust_path to the CA that signed it' in raised.value.message


@pytest.mark.parametrize('name, flag, extra', [('kerberos', 'HAVE_KERBEROS', 'pip install pywinrm[kerberos]'),
                                               ('credssp', 'HAVE_CREDSSP', 'pip install pywinrm[credssp]')])
def test_a_missing_pywinrm_extra_names_the_pip_extra_before_sending(monkeypatch, name, flag, extra):
    monkeypatch.setattr(transport.winrm.transport, flag, False)
    client = WinRMClient(options(transport=name))
    with pytest.raises(OptionError) as raised:
        client.run_powershell('boot', b'x')
    assert extra in str(raised.value) and 'ex01.contoso.local' in str(raised.value)
    assert raised.value.delivered is False


@pytest.mark.parametrize('text, extra', [
    ('requested auth method is kerberos, but pykerberos is not installed', 'pip install pywinrm[kerberos]'),
    ('requests auth method is credssp, but requests-credssp is not installed', 'pip install pywinrm[credssp]'),
])
def test_pywinrms_own_missing_extra_message_is_translated(monkeypatch, text, extra):
    with pytest.raises(OptionError) as raised:
        client_with(monkeypatch, FakeProtocol(transport.WinRMError(text), 'send')).run_powershell('boot', b'x')
    assert extra in str(raised.value)


def test_pywinrm_0_5_messages_for_missing_extras_are_the_ones_matched():
    """The strings matched above are pywinrm's (winrm/transport.py build_session)."""
    import inspect  # pylint: disable=import-outside-toplevel
    source = inspect.getsource(transport.winrm.transport)
    assert 'requested auth method is kerberos, but pykerberos is not installed' in source
    assert 'requests auth method is credssp, but requests-credssp is not installed' in source

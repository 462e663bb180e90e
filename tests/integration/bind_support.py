# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A real BIND 9 (Debian's bind9) for the RFC 2136 tests: a primary zone with TSIG keys, on 127.0.0.1:<free port>.

named runs in the foreground (-g) as the current user with its configuration, zone, journal and pid file in a temporary
directory; it is stopped after the tests. When named is missing the tests are skipped locally and fail under CI=true
(tools/test.sh installs bind9 there).
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

ZONE = 'contoso.test'
# Allowed to update any name of the zone (update-policy below).
KEY_NAME = 'ansible-key'
# Known to the server but granted nothing: its updates are REFUSED.
READONLY_KEY_NAME = 'readonly-key'
ALGORITHM = 'hmac-sha256'

NAMED_CANDIDATES = ('/usr/sbin/named', '/usr/local/sbin/named')


def find_named():
    found = shutil.which('named')
    if found:
        return found
    for candidate in NAMED_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port():
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(('127.0.0.1', 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free port on 127.0.0.1')


class Bind(object):
    """A running named: address, port, zone, keys (name -> base64 secret), and helpers to read and change records."""

    def __init__(self, directory, named):
        self.directory = directory
        self.named = named
        self.address = '127.0.0.1'
        self.port = free_port()
        self.zone = ZONE
        self.keys = {KEY_NAME: _secret(), READONLY_KEY_NAME: _secret()}
        self.process = None
        self.log_path = os.path.join(directory, 'named.log')

    def write_config(self):
        zone_file = os.path.join(self.directory, '%s.db' % self.zone)
        with open(zone_file, 'w', encoding='ascii') as handle:
            handle.write(ZONE_FILE.format(zone=self.zone))
        keys = ''.join('key "%s" {\n    algorithm %s;\n    secret "%s";\n};\n' % (name, ALGORITHM, secret)
                       for name, secret in self.keys.items())
        conf = os.path.join(self.directory, 'named.conf')
        with open(conf, 'w', encoding='ascii') as handle:
            handle.write(NAMED_CONF.format(directory=self.directory, port=self.port, keys=keys, zone=self.zone,
                                           zone_file=zone_file, key=KEY_NAME))
        return conf

    def start(self):
        conf = self.write_config()
        command = [self.named, '-g', '-4', '-n', '1', '-c', conf]
        with open(self.log_path, 'w', encoding='utf-8') as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('named exited with %s:\n%s' % (self.process.returncode, self.log()))
            if self.answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError('named did not answer on %s port %d within 30 seconds:\n%s' % (self.address, self.port, self.log()))

    def answers(self):
        import dns.message
        import dns.query
        import dns.rcode
        try:
            response = dns.query.udp(dns.message.make_query(self.zone, 'SOA'), self.address, port=self.port, timeout=0.5)
        except Exception:  # pylint: disable=broad-except
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def log(self):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as handle:
                return handle.read()[-4000:]
        except OSError:
            return ''

    def lookup(self, name, rdtype):
        """{'ttl': n, 'values': [...]} of the rrset at name (relative to the zone), or None."""
        import dns.message
        import dns.name
        import dns.query
        import dns.rdatatype
        owner = dns.name.from_text(name, origin=dns.name.from_text(self.zone))
        response = dns.query.tcp(dns.message.make_query(owner, rdtype), self.address, port=self.port, timeout=5)
        for rrset in response.answer:
            if rrset.name == owner and rrset.rdtype == dns.rdatatype.from_text(rdtype):
                return {'ttl': rrset.ttl, 'values': sorted(rd.to_text().lower() for rd in rrset)}
        return None

    def update(self, *operations, key=KEY_NAME):
        """Send one update (a list of (method, args...) on dns.update.UpdateMessage); returns the rcode text."""
        import dns.name
        import dns.query
        import dns.rcode
        import dns.update
        keyring = {dns.name.from_text(key): base64.b64decode(self.keys[key])}
        update = dns.update.UpdateMessage(self.zone, keyring=keyring, keyname=dns.name.from_text(key),
                                          keyalgorithm=dns.name.from_text(ALGORITHM))
        for method, *args in operations:
            getattr(update, method)(*args)
        response = dns.query.tcp(update, self.address, port=self.port, timeout=5)
        return dns.rcode.to_text(response.rcode())

    def module_args(self, **extra):
        """The module's connection options for this server, signed with the allowed key."""
        args = dict(server=self.address, port=self.port, zone=self.zone, tsig_key_name=KEY_NAME, tsig_secret=self.keys[KEY_NAME],
                    tsig_algorithm=ALGORITHM, timeout=5)
        args.update(extra)
        return args


def _secret():
    return base64.b64encode(os.urandom(32)).decode('ascii')


ZONE_FILE = """$TTL 3600
@       IN SOA ns1.{zone}. hostmaster.{zone}. ( 1 3600 600 86400 300 )
        IN NS  ns1.{zone}.
ns1     IN A   127.0.0.1
mail    IN A   192.0.2.25
txtonly IN TXT "other data"
"""

NAMED_CONF = """options {{
    directory "{directory}";
    pid-file "{directory}/named.pid";
    session-keyfile "{directory}/session.key";
    managed-keys-directory "{directory}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    allow-query {{ any; }};
}};
controls {{ }};
{keys}
zone "{zone}" {{
    type primary;
    file "{zone_file}";
    update-policy {{ grant {key} zonesub ANY; }};
}};
"""


def started_bind(tmp_path_factory):
    """Start named for a test module and stop it afterwards (skip locally, fail under CI, when named is missing)."""
    named = find_named()
    if not named:
        message = 'named (BIND 9) is not installed: apt-get install bind9 (tools/test.sh does so with CI=true)'
        if os.environ.get('CI') == 'true':
            pytest.fail(message + '; under CI=true the RFC 2136 tests must run')
        pytest.skip(message)
    directory = str(tmp_path_factory.mktemp('bind'))
    server = Bind(directory, named)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='module')
def bind(tmp_path_factory):
    """A running BIND 9 primary for zone contoso.test on 127.0.0.1:<free port>, stopped after the test module."""
    yield from started_bind(tmp_path_factory)

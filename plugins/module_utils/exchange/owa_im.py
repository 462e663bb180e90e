# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Outlook on the web (OWA) instant messaging integration with Skype for Business / Lync Server (integration-procedure.md
sections 14.1, 14.3, 14.4 and 18), and the resources exchange_owa_im manages on the resource engine:

* the OWA virtual directories (``Set-OwaVirtualDirectory -InstantMessagingEnabled -InstantMessagingType Ocs``) and,
  when asked, OWA mailbox policies (``Set-OwaMailboxPolicy``), on every version;
* the IM server name and certificate thumbprint: on Exchange 2016, 2019 and SE one setting override (component
  ``OwaServer``, section ``IMSettings``, both keys in one override; EX-IM), on Exchange 2013 the ``IMServerName`` and
  ``IMCertificateThumbprint`` keys of ``<appSettings>`` in the OWA web.config of the server the task runs on (LYNC). The
  file is read and written by PowerShell; the edit is computed here, as text, keeping every other byte.

Also ``info_reads()`` / ``info(response)`` for exchange_info.
"""

from __future__ import annotations

import fnmatch
import re
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError, ScriptFailure
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource, plan
from ansible_collections.ucops.skype_exchange.plugins.module_utils.exchange.version import SERVERS, connected_product, product_name, product_of
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation

COMPONENT = 'OwaServer'
SECTION = 'IMSettings'
SERVER_KEY = 'IMServerName'
THUMBPRINT_KEY = 'IMCertificateThumbprint'
IM_KEYS = (SERVER_KEY, THUMBPRINT_KEY)
APP_POOL = 'MSExchangeOWAAppPool'
# Exchange's install path (Setup's registry value; CSS-Exchange Shared/Get-ExchangeInstallDirectory.ps1) and the OWA
# web.config under it (Microsoft's OWA IM troubleshooting article: "%ExchangeInstallPath%ClientAccess\Owa\web.config").
SETUP_KEY = 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup'
WEB_CONFIG_RELATIVE = 'ClientAccess\\Owa\\web.config'
DEFAULT_REASON = 'Outlook on the web IM integration with Skype for Business Server'
DEFAULT_OVERRIDE_NAME = 'IM Override'
IM_TYPES = ('None', 'Ocs')
# EX-IM ("Configure Instant Messaging integration with Outlook on the web", integration-procedure.md section 14.1)
LYNC_2013_UNSUPPORTED = "IM integration between Lync Server 2013 and Exchange 2016 or later isn't supported."
SKYPE_NAMES = {'2013': 'Lync Server 2013', '2015': 'Skype for Business Server 2015', '2019': 'Skype for Business Server 2019',
               'se': 'Skype for Business Server Subscription Edition'}
OVERRIDE_PRODUCTS = ('2016', '2019', 'se')
SWITCH_ON = {'__ucops_type': 'switch', 'value': True}
NO_CONFIRM = {'__ucops_type': 'switch', 'value': False}

VDIR_PROPERTIES = ['Identity', 'Name', 'Server', 'InstantMessagingEnabled', 'InstantMessagingType', 'InstantMessagingServerName',
                   'InstantMessagingCertificateThumbprint']
POLICY_PROPERTIES = ['Identity', 'Name', 'InstantMessagingEnabled', 'InstantMessagingType']
OVERRIDE_PROPERTIES = ['Name', 'Identity', 'ComponentName', 'SectionName', 'Parameters', 'Server', 'Reason', 'MinVersion', 'MaxVersion',
                       'Status']


def read_virtual_directories(key='owa_virtual_directories'):
    """Get-OwaVirtualDirectory -ADPropertiesOnly: the IM properties live in Active Directory, and the switch spares the IIS
    metabase of every server (REF-EX), which fails when one server is down."""
    return Invocation(key, 'Get-OwaVirtualDirectory', parameters={'ADPropertiesOnly': SWITCH_ON}, properties=VDIR_PROPERTIES)


def read_mailbox_policies(key='owa_mailbox_policies'):
    return Invocation(key, 'Get-OwaMailboxPolicy', properties=POLICY_PROPERTIES)


def read_setting_overrides(key='owa_setting_overrides'):
    # every override, selected here: REF-EX warns that a $null or unknown -Identity returns them all anyway
    return Invocation(key, 'Get-SettingOverride', properties=OVERRIDE_PROPERTIES)


def read_install_path():
    return Invocation('owa_install_path', 'Get-ItemProperty', parameters={'Path': [SETUP_KEY], 'Name': ['MsiInstallPath']},
                      properties=['MsiInstallPath'])


def read_web_config(path, key='owa_web_config'):
    return Invocation(key, 'Get-Content', parameters={'Path': [path], 'Raw': SWITCH_ON, 'Encoding': 'UTF8'})


# -- values ---------------------------------------------------------------------------------------------------------

def parameters_of(server_name, thumbprint):
    """The override's -Parameters: both keys, always (Set-SettingOverride -Parameters replaces the whole list)."""
    return ['%s=%s' % (SERVER_KEY, server_name), '%s=%s' % (THUMBPRINT_KEY, thumbprint)]


def split_parameters(parameters):
    """{key: value} of "Key=Value" strings (keys case-insensitive, the last one wins)."""
    found = {}
    for item in parameters or []:
        key, _sep, value = str(item).partition('=')
        found[key.strip().lower()] = value
    return found


def normalize_thumbprint(value):
    return ''.join((value or '').split()).upper()


_FQDN = re.compile(r'^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
_THUMBPRINT = re.compile(r'^[0-9A-F]{40}$')
_SERVER_NAME = re.compile(r'^[A-Za-z0-9*?][A-Za-z0-9*?-]{0,62}$')


def _flag(value):
    return None if value is None else bool(value)


class Flag(Property):
    """A Boolean property (the engine's comparisons are for text, lists, URIs, thumbprints and dates)."""

    def __init__(self, option, name):
        super().__init__(option, name, 'text')

    def equal(self, desired, current):
        return current is not None and bool(desired) == bool(current)

    def stored(self, value):
        return _flag(value)


# -- options ---------------------------------------------------------------------------------------------------------

def validate(params):
    """Check the options before anything is sent; returns the desired values of each part."""
    state = params.get('state') or 'present'
    desired = {'state': state}
    name, thumbprint = params.get('im_server_name'), params.get('im_certificate_thumbprint')
    if state == 'present':
        missing = [option for option in ('im_server_name', 'im_certificate_thumbprint', 'skype_version') if not params.get(option)]
        if missing:
            raise OptionError('state=present needs %s: the IM server name and certificate thumbprint go together (both keys in '
                              'one setting override, or both web.config keys), and skype_version decides whether Microsoft '
                              'supports the integration.' % ', '.join(missing))
        if not _FQDN.match(name.strip()):
            raise OptionError('im_server_name must be the FQDN of the Skype for Business pool where the trusted application pool '
                              'for Outlook on the web was created (for example skype01.contoso.com); got %r.' % name)
        normalized = normalize_thumbprint(thumbprint)
        if not _THUMBPRINT.match(normalized):
            raise OptionError('im_certificate_thumbprint must be the 40 hexadecimal digits of the SHA-1 thumbprint of the Exchange '
                              'certificate assigned to IIS (Get-ExchangeCertificate shows it); got %r.' % thumbprint)
        desired['im'] = {SERVER_KEY: name.strip(), THUMBPRINT_KEY: normalized}
    elif name or thumbprint:
        raise OptionError('im_server_name and im_certificate_thumbprint are for state=present; state=absent removes both '
                          'settings. Remove them from the task.')
    servers = params.get('servers')
    if servers is not None:
        for item in servers:
            if '.' in item or not _SERVER_NAME.match(item):
                raise OptionError('servers takes Exchange server names (wildcards * allowed), not FQDNs: New-SettingOverride -Server '
                                  'and Get-ExchangeDiagnosticInfo -Server use the name (EX01, not ex01.contoso.com); got %r.' % item)
        if not servers:
            raise OptionError('servers is empty: omit it to configure every OWA server of the organization.')
    enabled, im_type = params.get('instant_messaging_enabled'), params.get('instant_messaging_type')
    if state == 'present':
        enabled = True if enabled is None else enabled
        im_type = 'Ocs' if im_type is None else im_type
    settings = {}
    if enabled is not None:
        settings['InstantMessagingEnabled'] = bool(enabled)
    if im_type is not None:
        settings['InstantMessagingType'] = im_type
    desired['settings'] = settings
    policies = params.get('mailbox_policies')
    if policies is not None and not settings:
        raise OptionError('mailbox_policies needs instant_messaging_enabled or instant_messaging_type with state=absent: there is '
                          'nothing to set on the policies.')
    if policies is not None and '*' in policies and len(policies) > 1:
        raise OptionError("mailbox_policies: '*' (every policy) cannot be combined with names.")
    return desired


def unsupported_pair(skype_version, exchange_product, server=None):
    """The refusal for Lync Server 2013 with Exchange 2016 or later, or None (``server``: the Exchange server it is about)."""
    if skype_version == '2013' and exchange_product in OVERRIDE_PRODUCTS:
        return OptionError('skype_version=2013: %s (Microsoft, "Configure Instant Messaging integration with Outlook on the web", '
                           'learn.microsoft.com/exchange/plan-and-deploy/post-installation-tasks/configure-im-integration-with-owa). %s runs %s. '
                           'Nothing was changed. Integrate Outlook on the web with Skype for Business Server 2015 or later, '
                           'or keep Lync Server 2013 with Exchange 2013.'
                           % (LYNC_2013_UNSUPPORTED, 'Exchange server %s' % server if server else 'This server', product_name(exchange_product)))
    return None


def matches(name, patterns):
    """Whether a server name matches one of the -Server names (wildcards, case-insensitive); no patterns: every server."""
    if not patterns:
        return True
    return any(fnmatch.fnmatchcase((name or '').lower(), pattern.lower()) for pattern in patterns)


# -- the OWA web.config of Exchange 2013 -----------------------------------------------------------------------------------

_COMMENT = re.compile(r'<!--.*?-->|<!\[CDATA\[.*?\]\]>', re.DOTALL)
_OPEN = re.compile(r'<appSettings(\s[^>]*?)?(?<!/)>', re.IGNORECASE)
_SELF_CLOSED = re.compile(r'<appSettings(\s[^>]*)?/>', re.IGNORECASE)
_CLOSE = re.compile(r'</appSettings\s*>', re.IGNORECASE)
_ADD = re.compile(r'<add\b[^>]*?/?>', re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w:.-]+)\s*=\s*("([^"]*)"|\'([^\']*)\')')


class WebConfigError(ScriptFailure):
    """The web.config cannot be read or edited safely."""


def _masked(text):
    """The text with comments and CDATA blanked (same length), so that markup inside them is never taken for elements."""
    return _COMMENT.sub(lambda match: ' ' * len(match.group(0)), text)


def _local(tag):
    """An element name without its namespace (old web.config files declare the .NetConfiguration namespace)."""
    return tag.rsplit('}', 1)[-1]


def app_settings(text, path='web.config'):
    """{key (lower case): value} of ``configuration/appSettings`` (the last <add> of a key wins, as in .NET)."""
    try:
        root = ElementTree.fromstring(text.lstrip('\ufeff').encode('utf-8'))
    except ElementTree.ParseError as error:
        raise WebConfigError('%s is not well-formed XML (%s): nothing was changed; repair the file (or restore it from the last '
                             'Cumulative Update) first.' % (path, error)) from None
    sections = [child for child in root if _local(child.tag) == 'appSettings'] if _local(root.tag) == 'configuration' else []
    if len(sections) > 1:
        raise WebConfigError('%s has %d <appSettings> sections under <configuration>: nothing was changed; merge them first.'
                             % (path, len(sections)))
    if sections and sections[0].get('configSource') or sections and sections[0].get('file'):
        raise WebConfigError('%s takes <appSettings> from another file (configSource or file): nothing was changed; set the keys in '
                             'that file.' % path)
    found = {}
    for element in (sections[0] if sections else []):
        tag = _local(element.tag) if isinstance(element.tag, str) else None
        if tag == 'add' and element.get('key') is not None:
            found[element.get('key').lower()] = element.get('value')
        elif tag == 'remove' and element.get('key') is not None:
            found.pop(element.get('key').lower(), None)
        elif tag == 'clear':
            found.clear()
    return found


def _line_bounds(text, start, end):
    """(start, end) widened to the whole line when the element is alone on it (its indentation and line end go too)."""
    line_start = text.rfind('\n', 0, start) + 1
    line_end = text.find('\n', end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() == '' and text[end:line_end].strip() == '':
        return line_start, line_end
    return start, end


def edit_app_settings(text, values, path='web.config'):
    """``text`` with the appSettings keys of ``values`` ({key: value, or None to remove}) set; every other byte is kept.

    An <add> of a key gets its value attribute replaced in place; a missing key is added as a new line before
    </appSettings>, indented like the last <add>; a removed key loses its line. The result is parsed again and checked.
    """
    app_settings(text, path)  # a file that is not well-formed XML is never edited
    if root_is_missing(text):
        raise WebConfigError('%s has no <configuration> root: nothing was changed.' % path)
    newline = '\r\n' if '\r\n' in text else '\n'
    masked = _masked(text)
    opening = _OPEN.search(masked)
    if opening is None:
        closed = _SELF_CLOSED.search(masked)
        end_of_root = masked.rfind('</configuration')
        if closed is not None:
            text = text[:closed.start()] + '<appSettings%s>%s</appSettings>' % (closed.group(1) or '', newline) + text[closed.end():]
        elif end_of_root >= 0:
            indent = '  '
            text = text[:end_of_root] + indent + '<appSettings>' + newline + indent + '</appSettings>' + newline + text[end_of_root:]
        else:
            raise WebConfigError('%s has no <configuration> element to hold <appSettings>: nothing was changed.' % path)
        masked = _masked(text)
        opening = _OPEN.search(masked)
    closing = _CLOSE.search(masked, opening.end())
    if closing is None:
        raise WebConfigError('%s has <appSettings> without </appSettings>: nothing was changed.' % path)
    edits = []  # (start, end, replacement), applied from the end
    seen = set()
    last_add = None
    for element in _ADD.finditer(masked, opening.end(), closing.start()):
        last_add = element
        attributes = dict((match.group(1).lower(), match) for match in _ATTRIBUTE.finditer(element.group(0)))
        key = attributes.get('key')
        if key is None:
            continue
        name = (key.group(3) if key.group(3) is not None else key.group(4)).lower()
        wanted = [k for k in values if k.lower() == name]
        if not wanted:
            continue
        seen.add(wanted[0].lower())
        value = values[wanted[0]]
        if value is None:
            start, end = _line_bounds(text, element.start(), element.end())
            edits.append((start, end, ''))
            continue
        current = attributes.get('value')
        if current is not None:
            quote = current.group(2)[0]
            escaped = escape(value, {'"': '&quot;'} if quote == '"' else {"'": '&apos;'})
            start = element.start() + current.start(2)
            edits.append((start, element.start() + current.end(2), quote + escaped + quote))
        else:
            insert_at = element.start() + key.end()
            edits.append((insert_at, insert_at, ' value="%s"' % escape(value, {'"': '&quot;'})))
    missing = [key for key, value in values.items() if value is not None and key.lower() not in seen]
    if missing:
        if last_add is not None:
            line_start = text.rfind('\n', 0, last_add.start()) + 1
            indent = re.match(r'[ \t]*', text[line_start:]).group(0)
        else:
            line_start = text.rfind('\n', 0, opening.start()) + 1
            indent = re.match(r'[ \t]*', text[line_start:]).group(0) + '  '
        quoted = dict((key, (escape(key, {'"': '&quot;'}), escape(values[key], {'"': '&quot;'}))) for key in missing)
        lines = ''.join('%s<add key="%s" value="%s" />%s' % (indent, quoted[key][0], quoted[key][1], newline) for key in missing)
        close_line = text.rfind('\n', 0, closing.start()) + 1
        if text[close_line:closing.start()].strip() == '':
            edits.append((close_line, close_line, lines))
        else:
            edits.append((closing.start(), closing.start(), newline + lines))
    for start, end, replacement in sorted(edits, key=lambda item: item[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    result = app_settings(text, path)
    for key, value in values.items():
        if result.get(key.lower()) != value:
            raise WebConfigError('editing <appSettings> of %s did not give %s the expected value: nothing was changed.' % (path, key))
    return text


def root_is_missing(text):
    return '<configuration' not in _masked(text)


# -- resources ---------------------------------------------------------------------------------------------------------

class ImSettings(Resource):
    """InstantMessagingEnabled / InstantMessagingType of OWA virtual directories or OWA mailbox policies."""

    properties = (Flag('instant_messaging_enabled', 'InstantMessagingEnabled'), Property('instant_messaging_type', 'InstantMessagingType'))
    kind = None
    set_cmdlet = None

    def __init__(self, params, desired):
        super().__init__(params)
        self._desired = desired

    def desired(self):
        return self._desired

    def wanted(self):
        # these objects are only ever set, never created or removed
        return 'present'

    def identity(self, row):
        return str(row.get('Identity') or row.get('Name'))

    def state(self, row):
        return {'InstantMessagingEnabled': _flag(row.get('InstantMessagingEnabled')), 'InstantMessagingType': row.get('InstantMessagingType')}

    def write(self, identity, changes, context):
        index = context.setdefault('counter', [0])
        index[0] += 1
        return Invocation('owa_set_%s_%d' % (self.kind, index[0]), self.set_cmdlet, parameters=dict(changes, Identity=identity),
                          description='%s -Identity %s (%s)' % (self.set_cmdlet, identity, ', '.join(sorted(changes))))

    def report(self, identity, state):
        return {'identity': identity, 'instant_messaging_enabled': state.get('InstantMessagingEnabled'),
                'instant_messaging_type': state.get('InstantMessagingType')}


class VirtualDirectories(ImSettings):
    """The OWA virtual directories of the servers in scope (by default every server's)."""

    kind = 'vdir'
    set_cmdlet = 'Set-OwaVirtualDirectory'
    current_key = 'owa_virtual_directories'
    after_key = 'owa_virtual_directories_after'

    def state(self, row):
        state = super().state(row)
        state['Server'] = row.get('Server')
        return state

    def select(self, found, context):
        patterns = self.params.get('servers')
        return dict((identity, state) for identity, state in found.items() if matches(state.get('Server'), patterns))

    def none_found(self):
        servers = self.params.get('servers')
        return OptionError('No OWA virtual directory found%s.' % (' on servers matching %s' % ', '.join(servers) if servers else ''))

    def verify(self, context):
        return read_virtual_directories(self.after_key)

    def report(self, identity, state):
        return dict(super().report(identity, state), server=state.get('Server'))


class MailboxPolicies(ImSettings):
    """The OWA mailbox policies named by ``mailbox_policies`` ('*': every policy)."""

    kind = 'policy'
    set_cmdlet = 'Set-OwaMailboxPolicy'
    current_key = 'owa_mailbox_policies'
    after_key = 'owa_mailbox_policies_after'

    def identity(self, row):
        return str(row.get('Name') or row.get('Identity'))

    def select(self, found, context):
        names = self.params.get('mailbox_policies') or []
        if '*' in names:
            return found
        wanted = set(name.lower() for name in names)
        return dict((identity, state) for identity, state in found.items() if identity.lower() in wanted)

    def none_found(self):
        return OptionError('No OWA mailbox policy found.')

    def verify(self, context):
        return read_mailbox_policies(self.after_key)


class SettingOverride(Resource):
    """The IM setting override of Exchange 2016 and later (one per organization, or per server with ``servers``)."""

    properties = (Property('im_settings', 'Parameters', 'multiset'), Property('servers', 'Server', 'multiset'))
    current_key = 'owa_setting_overrides'
    after_key = 'owa_setting_overrides_after'

    def __init__(self, params, desired):
        super().__init__(params)
        self.name = params.get('override_name') or DEFAULT_OVERRIDE_NAME
        self.reason = params.get('reason') or DEFAULT_REASON
        self._desired = desired

    def desired(self):
        return self._desired

    def identity(self, row):
        return str(row.get('Name') or row.get('Identity'))

    def state(self, row):
        server = row.get('Server')
        return {'Parameters': list(row.get('Parameters') or []), 'Server': [server] if isinstance(server, str) else list(server or []),
                'ComponentName': row.get('ComponentName'), 'SectionName': row.get('SectionName'), 'Reason': row.get('Reason')}

    def select(self, found, context):
        return dict((identity, state) for identity, state in found.items() if identity.lower() == self.name.lower())

    def new_identity(self, desired, context):
        return self.name

    def create(self, identity, desired, context):
        parameters = {'Name': identity, 'Component': COMPONENT, 'Section': SECTION, 'Parameters': list(desired['Parameters']),
                      'Reason': self.reason}
        if desired.get('Server'):
            parameters['Server'] = list(desired['Server'])
        return Invocation('owa_new_override', 'New-SettingOverride', parameters=parameters,
                          description='New-SettingOverride -Name %s -Component %s -Section %s' % (identity, COMPONENT, SECTION))

    def write(self, identity, changes, context):
        # Set-SettingOverride has no -Name, -Component or -Section (REF-EX; integration-procedure.md section 14.4 pitfall)
        parameters = {'Identity': identity, 'Reason': self.reason}
        if 'Parameters' in changes:
            parameters['Parameters'] = list(changes['Parameters'])
        if 'Server' in changes:
            # $null: every server again (REF-EX Set-SettingOverride -Server)
            parameters['Server'] = list(changes['Server']) or None
        return Invocation('owa_set_override', 'Set-SettingOverride', parameters=parameters,
                          description='Set-SettingOverride -Identity %s (%s)' % (identity, ', '.join(sorted(changes))))

    def remove(self, identity, current, context):
        return Invocation('owa_remove_override', 'Remove-SettingOverride', parameters={'Identity': identity, 'Confirm': NO_CONFIRM},
                          description='Remove-SettingOverride -Identity %s' % identity)

    def predict(self, current, changes):
        predicted = super().predict(current, changes)
        if current is None:
            predicted.update(ComponentName=COMPONENT, SectionName=SECTION)
        predicted['Reason'] = self.reason if changes else (current or {}).get('Reason')
        return predicted

    def verify(self, context):
        return read_setting_overrides(self.after_key)

    def report(self, identity, state):
        return override_report(identity, state)


def override_report(identity, state):
    values = split_parameters(state.get('Parameters'))
    return {'name': identity, 'component': state.get('ComponentName'), 'section': state.get('SectionName'),
            'parameters': list(state.get('Parameters') or []), 'servers': list(state.get('Server') or []), 'reason': state.get('Reason'),
            'im_server_name': values.get(SERVER_KEY.lower()), 'im_certificate_thumbprint': values.get(THUMBPRINT_KEY.lower())}


class WebConfig(Resource):
    """The IM keys of the OWA web.config of the Exchange 2013 server the task runs on (one object: the file)."""

    properties = (Property('im_server_name', SERVER_KEY, 'text'), Property('im_certificate_thumbprint', THUMBPRINT_KEY, 'thumbprint'))
    current_key = 'owa_web_config'
    after_key = 'owa_web_config_after'

    def __init__(self, params, desired, path, server):
        super().__init__(params)
        self._desired = desired
        self.path = path
        self.server = server

    def desired(self):
        return self._desired

    def objects(self, response, key, context=None):
        rows = response.output(key)
        if len(rows) != 1 or not isinstance(rows[0], str):
            # a read that did not return the file is an error, never "no IM keys"
            raise WebConfigError('Get-Content -Raw did not return the text of %s (got %d objects)' % (self.path, len(rows)))
        values = app_settings(rows[0], self.path)
        if context is not None:
            context.setdefault('web_config_text', {})[key] = rows[0]
        found = {self.server: {SERVER_KEY: values.get(SERVER_KEY.lower()), THUMBPRINT_KEY: values.get(THUMBPRINT_KEY.lower())}}
        return self.select(found, context)

    def select(self, found, context):
        if self.wanted() == 'absent':
            return dict((identity, state) for identity, state in found.items() if any(value is not None for value in state.values()))
        return found

    def _set_content(self, values, context):
        text = edit_app_settings(context['web_config_text'][self.current_key], values, self.path)
        # Set-Content ends the text with a line break of its own (no -NoNewline before Windows PowerShell 5.0)
        if text.endswith('\r\n'):
            text = text[:-2]
        elif text.endswith('\n'):
            text = text[:-1]
        return Invocation('owa_set_web_config', 'Set-Content', parameters={'Path': [self.path], 'Value': text, 'Encoding': 'UTF8'},
                          description='Set-Content -Path %s (%s)' % (self.path, ', '.join(sorted(values))))

    def write(self, identity, changes, context):
        return self._set_content(dict((name, self.property(name).stored(value)) for name, value in changes.items()), context)

    def remove(self, identity, current, context):
        return self._set_content(dict((key, None) for key in IM_KEYS), context)

    def verify(self, context):
        return read_web_config(self.path, self.after_key)

    def report(self, identity, state):
        return {'server': identity, 'path': self.path, 'im_server_name': state.get(SERVER_KEY),
                'im_certificate_thumbprint': state.get(THUMBPRINT_KEY)}


# -- the task ------------------------------------------------------------------------------------------------------------

# The web.config read: the server's own cmdlets (runner.LOCAL_CMDLETS), which need no product shell.
NO_SHELL = {'type': 'none'}


def _owa_servers(response, products, patterns):
    """Names of the Mailbox servers of ``products`` that match ``patterns`` (the servers that run OWA)."""
    names = []
    for row in response.output('servers'):
        if product_of(row.get('AdminDisplayVersion')) in products and 'mailbox' in str(row.get('ServerRole') or '').lower() \
                and matches(row.get('Name'), patterns):
            names.append(row.get('Name'))
    return sorted(names, key=str.lower)


def run_task(module):
    """Read, plan, write once (ending with verifying reads), report.

    Not ``resource.run``: this task manages several resources in one write request (the virtual directories, the mailbox
    policies, and the override or the web.config, chosen by the Exchange version), followed by the refresh and restart
    actions, and ``run`` drives one resource. It uses the engine's pieces (``plan`` per resource, ``objects``,
    ``report``) and its rules: one read request, the plan in Python, one write request ending with verifying reads.
    Exchange 2013 needs a second read request: the web.config path is the install path read from the registry plus
    ClientAccess\\Owa\\web.config, a concatenation PowerShell must not do for us, and only Exchange 2013 needs the file.
    """
    params = module.params
    desired = validate(params)
    module.connection_options()
    shell = module.shell()
    reads = [SERVERS, read_virtual_directories(), read_setting_overrides(), read_install_path()]
    if params.get('mailbox_policies') is not None:
        reads.append(read_mailbox_policies())
    response = module.runner.read(shell, reads)
    product = connected_product(response, module.host, 'the way Outlook on the web gets its IM settings')
    if product not in ('2013',) + OVERRIDE_PRODUCTS:
        raise OptionError('exchange_owa_im supports Exchange 2013, 2016, 2019 and SE; this server runs %s.' % (product_name(product) or product))
    if desired['state'] == 'present':
        refusal = unsupported_pair(params.get('skype_version'), product, '%s (%s)' % (module.host, response.host.get('computer_name')))
        if refusal is not None:
            raise refusal
    local = (response.host.get('computer_name') or '').upper()
    context = {'product': product}
    warnings = list(response.warnings())

    parts = []
    if desired['settings']:
        parts.append(('virtual_directories', VirtualDirectories(params, desired['settings']), response))
    if params.get('mailbox_policies') is not None:
        policies = MailboxPolicies(params, desired['settings'])
        known = set(policies.identity(row).lower() for row in response.output('owa_mailbox_policies'))
        unknown = [name for name in params['mailbox_policies'] if name != '*' and name.lower() not in known]
        if unknown:
            raise OptionError('mailbox_policies: no OWA mailbox policy named %s (Get-OwaMailboxPolicy lists %s). Nothing was changed.'
                              % (', '.join(unknown), ', '.join(sorted(known)) or 'none'))
        parts.append(('mailbox_policies', policies, response))
    override = web_config = None
    if product in OVERRIDE_PRODUCTS:
        override = SettingOverride(params, {'Parameters': parameters_of(*[desired['im'][key] for key in IM_KEYS]),
                                            'Server': list(params.get('servers') or [])} if 'im' in desired else {})
        for name, state in override.objects(response, override.current_key, context).items():
            if (state['ComponentName'] or '').lower() != COMPONENT.lower() or (state['SectionName'] or '').lower() != SECTION.lower():
                raise OptionError('override_name: the setting override %s exists for component %s, section %s, not %s, %s; it is not '
                                  'this module\'s to change. Choose another override_name. Nothing was changed.'
                                  % (name, state['ComponentName'], state['SectionName'], COMPONENT, SECTION))
        parts.append(('setting_override', override, response))
    else:
        rows = response.output('owa_install_path')
        install = rows[0].get('MsiInstallPath') if rows else None
        if not install:
            raise ScriptFailure('The Exchange install path (MsiInstallPath under %s) could not be read, so the OWA web.config cannot be '
                                'found. Nothing was changed.' % SETUP_KEY, host=module.host)
        path = install.rstrip('\\') + '\\' + WEB_CONFIG_RELATIVE
        web_config = WebConfig(params, dict(desired.get('im') or {}), path, local)
        file_response = module.runner.read(NO_SHELL, [read_web_config(path)])
        warnings.extend(file_response.warnings())
        parts.append(('web_config', web_config, file_response))

    before, after, writes, changed = {}, {}, [], {}
    for name, resource, source in parts:
        found = resource.objects(source, resource.current_key, context)
        if name == 'virtual_directories' and not found:
            raise resource.none_found()
        predicted, part_writes, part_changed = plan(resource, resource.desired(), found, context)
        before[name], after[name], changed[name] = found, predicted, part_changed
        writes.extend(part_writes)

    # what must happen for OWA to use the change, and what the user allows
    servers = params.get('servers')
    affected = {}  # upper-case name -> name: the servers whose OWA must pick the change up
    names = []
    if changed.get('setting_override'):
        names.extend(_owa_servers(response, OVERRIDE_PRODUCTS, servers))
    if changed.get('web_config'):
        names.append(local)
    for identity in changed.get('virtual_directories') or []:
        names.append(str((before['virtual_directories'].get(identity) or {}).get('Server') or ''))
    for name in names:
        if name:
            affected.setdefault(name.upper(), name)
    refresh = sorted(_owa_servers(response, OVERRIDE_PRODUCTS, servers), key=str.lower) if changed.get('setting_override') else []
    allowed = bool(params.get('allow_restarts'))
    actions = []
    restarted = []
    if allowed and writes:
        for index, server in enumerate(refresh):
            actions.append(Invocation('owa_refresh_%d' % index, 'Get-ExchangeDiagnosticInfo', properties=['Server'],
                                      parameters={'Server': server, 'Process': 'Microsoft.Exchange.Directory.TopologyService',
                                                  'Component': 'VariantConfiguration', 'Argument': 'Refresh'},
                                      description='Get-ExchangeDiagnosticInfo -Server %s ... -Argument Refresh' % server))
        if local in affected:
            actions.append(Invocation('owa_restart', 'Restart-WebAppPool', parameters={'Name': APP_POOL},
                                      description='Restart-WebAppPool %s' % APP_POOL))
            restarted = [local]
    pending = sorted((name for upper, name in affected.items() if upper not in restarted), key=str.lower)
    if writes and not allowed:
        steps = []
        if refresh:
            steps.append('Get-ExchangeDiagnosticInfo -Server <name> -Process Microsoft.Exchange.Directory.TopologyService -Component '
                         'VariantConfiguration -Argument Refresh on %s' % ', '.join(refresh))
        steps.append('Restart-WebAppPool %s on %s' % (APP_POOL, ', '.join(pending) or local))
        warnings.append('Outlook on the web uses the change only after %s (allow_restarts=true lets the module do it on the '
                        'server it runs on).' % ' and '.join(steps))
    elif pending and writes:
        warnings.append('Restart-WebAppPool %s still has to run on %s: the module restarts the application pool only on the server '
                        'it runs on (%s).' % (APP_POOL, ', '.join(pending), local))
    if product in OVERRIDE_PRODUCTS and writes and any(product_of(row.get('AdminDisplayVersion')) == '2013' for row in response.output('servers')):
        warnings.append('This organization also has Exchange 2013 servers: they take the IM settings from their own OWA web.config, '
                        'which only a task against each of them sets.')
    if product == '2013' and writes and any(product_of(row.get('AdminDisplayVersion')) in OVERRIDE_PRODUCTS for row in response.output('servers')):
        warnings.append('This organization also has Exchange 2016 or later servers: they take the IM settings from a setting override, '
                        'which only a task against one of them creates.')

    if writes and not module.check_mode:
        request = writes + actions + [resource.verify(context) for _name, resource, _source in parts]
        written = module.runner.write(shell, request)
        warnings.extend(written.warnings())
        for name, resource, _source in parts:
            after[name] = resource.objects(written, resource.after_key, context)

    reports = dict((name, dict((identity, resource.report(identity, state)) for identity, state in after[name].items()))
                   for name, resource, _source in parts)
    result = {
        'changed': bool(writes),
        'exchange_version': product,
        'virtual_directories': [reports['virtual_directories'][key] for key in sorted(reports.get('virtual_directories') or {})],
        'changed_virtual_directories': sorted(changed.get('virtual_directories') or []),
        'mailbox_policies': [reports['mailbox_policies'][key] for key in sorted(reports.get('mailbox_policies') or {})],
        'changed_mailbox_policies': sorted(changed.get('mailbox_policies') or []),
        'setting_override': next(iter((reports.get('setting_override') or {}).values()), None),
        # with state=absent the file without IM keys is no managed object, yet it is there: report it with none
        'web_config': next(iter((reports.get('web_config') or {}).values()), None) or (web_config.report(local, {}) if web_config else None),
        'refreshed_servers': refresh if allowed and writes else [],
        'restarted_servers': restarted,
        'restart_pending_servers': pending,
    }
    for warning in warnings:
        module.warn(warning)
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = {
            'before': dict((name, dict((identity, resource.report(identity, state)) for identity, state in before[name].items()))
                           for name, resource, _source in parts),
            'after': reports,
        }
    return result


# -- exchange_info ---------------------------------------------------------------------------------------------------------

def info_reads():
    """The read invocations exchange_info adds for this section (keys prefixed owa_)."""
    return [read_virtual_directories(), read_mailbox_policies(), read_setting_overrides()]


def info(response):
    """The exchange_info section: OWA virtual directories' and mailbox policies' IM settings, the IM setting overrides, and
    every setting override (HealthChecker checks others too, e.g. component Global, section ExchangeOnpremAsThirdPartyAppId)."""
    directories = []
    for row in response.output('owa_virtual_directories'):
        directories.append({'identity': str(row.get('Identity') or row.get('Name')), 'server': row.get('Server'),
                            'instant_messaging_enabled': _flag(row.get('InstantMessagingEnabled')),
                            'instant_messaging_type': row.get('InstantMessagingType'),
                            'instant_messaging_server_name': row.get('InstantMessagingServerName'),
                            'instant_messaging_certificate_thumbprint': row.get('InstantMessagingCertificateThumbprint')})
    policies = [{'identity': str(row.get('Name') or row.get('Identity')), 'instant_messaging_enabled': _flag(row.get('InstantMessagingEnabled')),
                 'instant_messaging_type': row.get('InstantMessagingType')} for row in response.output('owa_mailbox_policies')]
    resource = SettingOverride({}, {})
    overrides = []
    for row in response.output('owa_setting_overrides'):
        report = override_report(resource.identity(row), resource.state(row))
        report.update(min_version=row.get('MinVersion'), max_version=row.get('MaxVersion'), status=row.get('Status'))
        overrides.append(report)
    im = [item for item in overrides if (item['component'] or '').lower() == COMPONENT.lower() and (item['section'] or '').lower() == SECTION.lower()]
    return {'owa_virtual_directories': directories, 'owa_mailbox_policies': policies, 'owa_im_setting_overrides': im,
            'setting_overrides': overrides}

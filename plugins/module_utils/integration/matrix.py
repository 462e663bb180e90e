# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The feature support matrix of Skype for Business Server / Lync Server 2013 with Exchange, as data.

The table is the base document's (SFB-PLAN-zhTW, ``plan-your-deployment/integrate-with-exchange/integrate-with-exchange.md``,
translated in integration-procedure.md §19): five topologies (columns), one row per feature, Y/N with the base document's
qualifiers. Each row adds what the table does not say: the version limits (§18 "Version differences"), the steps of
this collection a feature needs (the step ids of the issue 9 spec, integration-procedure.md "Documented order") and the
steps done by hand outside the collection.

``evaluate`` answers, for an Exchange and a Skype for Business version and the audit's step statuses, which features
the topology supports and what is missing. Pure functions, no I/O.

Statuses of a row:
* ``available``: the topology supports the feature and every step of this collection it needs is ``compliant``.
  Manual steps are listed in ``manual_steps`` and never checked (the collection cannot see them).
* ``needs_configuration``: supported, but a step it needs is not ``compliant`` (``would_change``, ``failed``,
  ``not_applicable`` or absent from ``step_status``, i.e. not checked); those steps are ``missing_steps``.
* ``not_supported``: the base document says N, a version limit excludes it, or the topology is retired.
* ``unknown``: a version was not recognised.
"""

from __future__ import annotations

import datetime

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.support import OUT_OF_SUPPORT, SUPPORTED, support_of

AVAILABLE = 'available'
NEEDS_CONFIGURATION = 'needs_configuration'
NOT_SUPPORTED = 'not_supported'
STATUS_UNKNOWN = 'unknown'

# Version keys: those of exchange/version.py and skype/version.py, plus 'online' for the cloud services.
EXCHANGE_VERSIONS = ('2010', '2013', '2016', '2019', 'se', 'online')
SKYPE_VERSIONS = ('2013', '2015', '2019', 'se', 'online')
_EXCHANGE_ORDER = ('2010', '2013', '2016', '2019', 'se')
_SKYPE_ORDER = ('2013', '2015', '2019', 'se')
EXCHANGE_NAMES = {'2010': 'Exchange 2010', '2013': 'Exchange 2013', '2016': 'Exchange 2016', '2019': 'Exchange 2019',
                  'se': 'Exchange Server SE', 'online': 'Exchange Online'}
SKYPE_NAMES = {'2013': 'Lync Server 2013', '2015': 'Skype for Business Server 2015', '2019': 'Skype for Business Server 2019',
               'se': 'Skype for Business Server SE', 'online': 'Skype for Business Online'}

# Skype for Business Online: "retired after July 31, 2021", with its Exchange integration (base document's
# "Important" note; SFB-PLAN 2025; integration-procedure.md §1 and §19).
SKYPE_ONLINE_RETIRED = datetime.date(2021, 7, 31)

# Step ids and their documented order (issue 9 spec, "Step ids"; integration-procedure.md "Documented order").
STEP_ORDER = (
    'prerequisites', 'exchange_auth_certificate', 'skype_oauth_certificate', 'exchange_autodiscover',
    'skype_oauth_configuration', 'autodiscover_dns', 'exchange_partner_application', 'skype_partner_application',
    'server_to_server_verification', 'exchange_online', 'skype_trusted_application', 'exchange_owa_im',
)
STEP_STATUSES = ('compliant', 'would_change', 'failed', 'not_applicable')
# Steps the collection does not automate (issue 9 spec), with where they are described.
MANUAL_STEPS = {
    'exchange_archiving': 'Exchange archiving of IM and meeting content: archiving configuration and policy (integration-procedure.md §9)',
    'unified_contact_store': 'Unified contact store: user services policy UcsAllowed, on by default (integration-procedure.md §11)',
    'high_resolution_photos': 'High-resolution photos: Set-UserPhoto in Exchange (integration-procedure.md §12)',
    'exchange_um': 'Exchange Unified Messaging voice mail: dial plans, ExchUcUtil.ps1, OcsUmUtil (integration-procedure.md §13)',
    'conversation_history': 'Server-side conversation history: Set-CsConversationHistoryConfiguration (integration-procedure.md §17)',
    'entra_id_oauth': 'Server-to-server authentication with Microsoft 365: certificates on service principals in Entra ID / Microsoft Graph '
                      '(docs/exchange-online.md; integration-procedure.md §7.4)',
}
MANUAL_ORDER = ('exchange_archiving', 'unified_contact_store', 'high_resolution_photos', 'exchange_um', 'conversation_history',
                'entra_id_oauth')

EXCHANGE_ONPREM_SKYPE_SERVER = 'exchange_onprem_skype_server'
EXCHANGE_ONLINE_SKYPE_SERVER = 'exchange_online_skype_server'
EXCHANGE2010_SKYPE_ONLINE = 'exchange2010_skype_online'
EXCHANGE_ONPREM_SKYPE_ONLINE = 'exchange_onprem_skype_online'
EXCHANGE_ONLINE_SKYPE_ONLINE = 'exchange_online_skype_online'
COLUMNS = (EXCHANGE_ONPREM_SKYPE_SERVER, EXCHANGE_ONLINE_SKYPE_SERVER, EXCHANGE2010_SKYPE_ONLINE, EXCHANGE_ONPREM_SKYPE_ONLINE,
           EXCHANGE_ONLINE_SKYPE_ONLINE)

_RETIREMENT = ('Skype for Business Online was retired on 2021-07-31, including its Exchange integration; the base document '
               'still lists this column (integration-procedure.md §1 and §19).')

# The five columns of the base document's table, in its order (integration-procedure.md §19). ``base_document`` is
# the column header translated; ``exchange``/``skype`` the version keys that fall in the column (column_of).
TOPOLOGIES = (
    {'id': EXCHANGE_ONPREM_SKYPE_SERVER,
     'name': 'Exchange Server (on premises) + Skype for Business Server (on premises)',
     'base_document': 'Exchange 2016/2013/2010 (on premises) + Skype for Business Server (on premises)',
     'exchange': ('2010', '2013', '2016', '2019', 'se'), 'skype': ('2013', '2015', '2019', 'se'),
     'possible': True, 'retired_on': None, 'footnotes': ()},
    {'id': EXCHANGE_ONLINE_SKYPE_SERVER,
     'name': 'Exchange Online + Skype for Business Server (on premises)',
     'base_document': 'Exchange Online + Skype for Business Server (on premises)',
     'exchange': ('online',), 'skype': ('2013', '2015', '2019', 'se'),
     'possible': True, 'retired_on': None, 'footnotes': ()},
    {'id': EXCHANGE2010_SKYPE_ONLINE,
     'name': 'Exchange 2010 (on premises) + Skype for Business Online',
     'base_document': 'Exchange 2010 (on premises) + Skype for Business Online',
     'exchange': ('2010',), 'skype': ('online',),
     'possible': False, 'retired_on': SKYPE_ONLINE_RETIRED.isoformat(), 'footnotes': (_RETIREMENT,)},
    # The base document names Exchange 2016/2013; 2019 and SE are on premises too and fall here (no other column fits).
    {'id': EXCHANGE_ONPREM_SKYPE_ONLINE,
     'name': 'Exchange Server (on premises) + Skype for Business Online',
     'base_document': 'Exchange 2016/2013 (on premises) + Skype for Business Online',
     'exchange': ('2013', '2016', '2019', 'se'), 'skype': ('online',),
     'possible': False, 'retired_on': SKYPE_ONLINE_RETIRED.isoformat(), 'footnotes': (_RETIREMENT,)},
    {'id': EXCHANGE_ONLINE_SKYPE_ONLINE,
     'name': 'Exchange Online + Skype for Business Online',
     'base_document': 'Exchange Online + Skype for Business Online',
     'exchange': ('online',), 'skype': ('online',),
     'possible': False, 'retired_on': SKYPE_ONLINE_RETIRED.isoformat(), 'footnotes': (_RETIREMENT,)},
)
_TOPOLOGY = {topology['id']: topology for topology in TOPOLOGIES}

# Server-to-server (OAuth) authentication, on premises: certificates (§2, §3), Autodiscover SCP and the Skype OAuth
# configuration (§4, §5), the Autodiscover DNS record (§6), partner applications both ways (§8.1, §8.2).
# "Server-to-server authentication ... required for UCS and Exchange archiving" (SFB-S2S, integration-procedure.md §1).
S2S_ON_PREMISES = ('exchange_auth_certificate', 'skype_oauth_certificate', 'exchange_autodiscover', 'skype_oauth_configuration',
                   'autodiscover_dns', 'exchange_partner_application', 'skype_partner_application')
# With Exchange Online: the Skype OAuth certificate and OAuth configuration (ServiceName) on premises, the rest in
# Entra ID (SFB-HYBRID-S2S, integration-procedure.md §7.4; docs/exchange-online.md: needed for archiving, UCS and
# conversation history with mailboxes in Exchange Online, not for IM and presence in Outlook on the web).
S2S_EXCHANGE_ONLINE = ('skype_oauth_certificate', 'skype_oauth_configuration')
# IM and presence in Outlook on the web: on premises the trusted application pool (§14.2) and the Exchange side
# (§14.3, §14.4); with Exchange Online the shared SIP address space and hosting provider (§7).
OWA_ON_PREMISES = ('skype_trusted_application', 'exchange_owa_im')
OWA_EXCHANGE_ONLINE = ('exchange_online',)

_CLIENT_SIDE = 'Client side (Outlook and the Skype for Business client): no server step.'
_MOBILE = 'A feature of the Skype for Business mobile clients: no Exchange integration step.'


def _when(exchange=None, skype=None, columns=None):
    """A condition on the versions and column; None matches anything."""
    return {'exchange': exchange, 'skype': skype, 'columns': columns}


def _footnote(text, when=None):
    return {'text': text, 'when': when}


_NEWER_EXCHANGE = _footnote(
    'The base document (2021) names Exchange 2016/2013 only; the newest English table (2025-06-26) drops that qualifier, '
    'so Exchange 2019 and SE count as Exchange 2013 or later (integration-procedure.md §19).',
    _when(exchange=('2019', 'se'), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,)))
_LYNC_HYBRID_S2S = {
    'when': _when(skype=('2013',), columns=(EXCHANGE_ONLINE_SKYPE_SERVER,)),
    'reason': 'Lync Server 2013 does not support server-to-server authentication with Microsoft 365 ("not supported in this '
              'Lync Server 2013 release"), which this feature needs with Exchange Online (integration-procedure.md §1, §18).'}
_OWA_FOOTNOTES = (
    _footnote('Exchange 2016 and later: whether the Skype for Business trusted application pool is still required is not stated '
              'by Microsoft (integration-procedure.md §14.4, §20 item 7); the collection configures it.',
              _when(exchange=('2016', '2019', 'se'), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,))),
    _footnote('Exchange 2010: the collection\'s exchange_owa_im step is written for Exchange 2013 and later (integration-procedure.md '
              '§14); configure Exchange 2010 by its own documentation.',
              _when(exchange=('2010',), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,))),
    _footnote('Lync Server 2013 with Exchange Online: a user signing in to IM from Outlook on the web is a remote user and needs an '
              'external access policy that enables communications with remote users (integration-procedure.md §7.4).',
              _when(skype=('2013',), columns=(EXCHANGE_ONLINE_SKYPE_SERVER,))),
)
# "IM integration between Lync Server 2013 and Exchange 2016 or later isn't supported." (EX-IM, integration-procedure.md §14.1)
_OWA_UNSUPPORTED = ({
    'when': _when(exchange=('2016', '2019', 'se'), skype=('2013',), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,)),
    'reason': 'IM integration between Lync Server 2013 and Exchange 2016 or later is not supported (EX-IM, '
              'integration-procedure.md §14.1).'},)


def _steps(automated=(), manual=()):
    return {'automated': tuple(automated), 'manual': tuple(manual)}


def _client_side(feature_id, name, no_step=_CLIENT_SIDE):
    """A row that is Y everywhere and needs no server step."""
    return {'id': feature_id, 'name': name, 'source': 'integration-procedure.md §19', 'matrix': 'YYYYY', 'qualifiers': {},
            'min_exchange': None, 'min_skype': None, 'unsupported': (), 'steps': {}, 'no_step': no_step, 'footnotes': ()}


# One row per feature row of the base document, in its order. ``matrix``: the five Y/N of the base document in column
# order; ``qualifiers``: its text after a Y; ``steps``: per possible column, the collection's steps and the manual
# ones; ``no_step``: why a supported feature needs no step.
FEATURES = (
    # §19 row 1 (base document).
    _client_side('presence_in_outlook', 'Presence in Outlook'),
    # §19 row 2.
    _client_side('respond_from_outlook', 'Respond via IM, PSTN call, Skype call or video call from an Outlook email'),
    # §19 row 3: the Outlook add-in of the Skype for Business client.
    _client_side('online_meetings_in_outlook', 'Schedule and join online meetings through Outlook'),
    # §19 row 4; steps §14 (on premises) and §7 (Exchange Online); Lync 2013 + Exchange 2016+ excluded by §14.1.
    {'id': 'presence_in_owa', 'name': 'Presence in Outlook Web App', 'source': 'integration-procedure.md §19, §14, §7',
     'matrix': 'YYNNY', 'qualifiers': {}, 'min_exchange': None, 'min_skype': None, 'unsupported': _OWA_UNSUPPORTED,
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(OWA_ON_PREMISES), EXCHANGE_ONLINE_SKYPE_SERVER: _steps(OWA_EXCHANGE_ONLINE)},
     'no_step': None, 'footnotes': _OWA_FOOTNOTES},
    # §19 row 5; replying by IM from Outlook on the web uses the same IM integration as presence (§14, §7) [inference].
    {'id': 'respond_from_owa', 'name': 'Respond via IM, PSTN call, Skype call or video call from an Outlook Web App email',
     'source': 'integration-procedure.md §19, §14, §7',
     'matrix': 'YYNNY', 'qualifiers': {}, 'min_exchange': None, 'min_skype': None, 'unsupported': _OWA_UNSUPPORTED,
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(OWA_ON_PREMISES), EXCHANGE_ONLINE_SKYPE_SERVER: _steps(OWA_EXCHANGE_ONLINE)},
     'no_step': None, 'footnotes': _OWA_FOOTNOTES},
    # §19 row 6; no server step is documented for it (§14 and §7 cover IM and presence only).
    {'id': 'online_meetings_in_owa', 'name': 'Schedule and join online meetings through Outlook Web App',
     'source': 'integration-procedure.md §19', 'matrix': 'YYNNY', 'qualifiers': {}, 'min_exchange': None, 'min_skype': None,
     'unsupported': (), 'steps': {},
     'no_step': 'No server step is documented for it (the integration procedure covers IM and presence in Outlook on the web only).',
     'footnotes': ()},
    # §19 row 7.
    _client_side('mobile_im_presence', 'IM/presence in mobile clients', _MOBILE),
    # §19 row 8.
    _client_side('mobile_online_meetings', 'Join online meetings in mobile clients', _MOBILE),
    # §19 row 9. versions-and-changes-2025.md [S]: with Exchange Online, calendar presence moves to a hybrid application.
    dict(_client_side('calendar_presence', 'Publish status based on Outlook calendar free/busy information'), footnotes=(
        _footnote('With Exchange Online, Skype for Business Server\'s calendar presence moves to a dedicated hybrid application '
                  '(August 2025 hotfixes, secondary source; versions-and-changes-2025.md), configured in Entra ID.',
                  _when(columns=(EXCHANGE_ONLINE_SKYPE_SERVER,))),)),
    # §19 row 10; §11 (needs server-to-server authentication, Exchange 2013+; UcsAllowed is True by default).
    {'id': 'unified_contact_store', 'name': 'Contact list (via unified contact store)', 'source': 'integration-procedure.md §19, §11, §1',
     'matrix': 'YYNNY', 'qualifiers': {EXCHANGE_ONPREM_SKYPE_SERVER: 'requires Exchange 2016/2013'},
     'min_exchange': '2013', 'min_skype': None, 'unsupported': (_LYNC_HYBRID_S2S,),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(S2S_ON_PREMISES, ('unified_contact_store',)),
               EXCHANGE_ONLINE_SKYPE_SERVER: _steps(S2S_EXCHANGE_ONLINE, ('unified_contact_store', 'entra_id_oauth'))},
     'no_step': None, 'footnotes': (
         _NEWER_EXCHANGE,
         _footnote('Contacts move at the user\'s next sign-in with a Lync 2013 or Skype for Business client, once the mailbox has been '
                   'signed in to; server-to-server authentication configured means UCS is enabled (integration-procedure.md §11).'),)},
    # §19 row 11; client limits are the base document's text in the row name; §12; the Exchange 2013 integration
    # "leverages server-to-server authentication" for contacts and HD photos (Microsoft UCWA "Supported topologies").
    {'id': 'high_resolution_photos', 'name': 'High-resolution contact photo', 'source': 'integration-procedure.md §19, §12',
     'matrix': 'YYNYY', 'qualifiers': {EXCHANGE_ONPREM_SKYPE_SERVER: 'requires Exchange 2016/2013'},
     'min_exchange': '2013', 'min_skype': None, 'unsupported': (_LYNC_HYBRID_S2S,),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(S2S_ON_PREMISES, ('high_resolution_photos',)),
               EXCHANGE_ONLINE_SKYPE_SERVER: _steps(S2S_EXCHANGE_ONLINE, ('high_resolution_photos', 'entra_id_oauth'))},
     'no_step': None, 'footnotes': (
         _footnote('Requires Lync 2013 or Skype for Business clients at a minimum; not supported for Lync Web App, mobile apps, '
                   'Lync 2010, Lync for Mac and other older clients (base document, integration-procedure.md §19).'),
         _NEWER_EXCHANGE)},
    # §19 row 12.
    _client_side('meeting_delegation', 'Meeting delegation'),
    # §19 row 13; by default clients write conversation history to their mailbox (Set-CsClientPolicy
    # EnableServerConversationHistory default False, integration-procedure.md §17).
    _client_side('missed_conversation_history', "Missed conversation history and call logs are written to the user's Exchange mailbox"),
    # §19 row 14; §9 ("Only users with accounts on Exchange Server 2016 or Exchange Server 2013 can have their Skype for
    # Business transcripts archived to Exchange"; server-to-server authentication required, §1).
    {'id': 'exchange_archiving', 'name': 'Archiving content (IM and meetings) in Exchange', 'source': 'integration-procedure.md §19, §9, §1',
     'matrix': 'YYNNY', 'qualifiers': {EXCHANGE_ONPREM_SKYPE_SERVER: 'requires Exchange 2016/2013'},
     'min_exchange': '2013', 'min_skype': None, 'unsupported': (_LYNC_HYBRID_S2S,),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(S2S_ON_PREMISES, ('exchange_archiving',)),
               EXCHANGE_ONLINE_SKYPE_SERVER: _steps(S2S_EXCHANGE_ONLINE, ('exchange_archiving', 'entra_id_oauth'))},
     'no_step': None, 'footnotes': (_NEWER_EXCHANGE,)},
    # §19 row 15; searching needs the archive (§9) and SharePoint Server set up for it (§10, not covered).
    {'id': 'search_archived_content', 'name': 'Search archived content', 'source': 'integration-procedure.md §19, §9, §10',
     'matrix': 'YYNNY', 'qualifiers': {EXCHANGE_ONPREM_SKYPE_SERVER: 'requires Exchange 2016/2013'},
     'min_exchange': '2013', 'min_skype': None, 'unsupported': (_LYNC_HYBRID_S2S,),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(S2S_ON_PREMISES, ('exchange_archiving',)),
               EXCHANGE_ONLINE_SKYPE_SERVER: _steps(S2S_EXCHANGE_ONLINE, ('exchange_archiving', 'entra_id_oauth'))},
     'no_step': None, 'footnotes': (
         _footnote('Searching archived content also needs SharePoint Server configured to search the archived data '
                   '(integration-procedure.md §10; not covered by the collection).'),
         _NEWER_EXCHANGE)},
    # §19 row 16; §13, §18. Values of the base document (§20 item 18: the other versions of the table in a footnote).
    {'id': 'exchange_um', 'name': 'Exchange UM voice mail', 'source': 'integration-procedure.md §19, §13, §18, §20 item 18',
     'matrix': 'YYNNN', 'qualifiers': {}, 'min_exchange': None, 'min_skype': None,
     'unsupported': (
         # "Exchange Unified Messaging as previously known is no longer available in Exchange 2019" (SFB-UM, §13);
         # SE is the 15.2 line of 2019 (versions-and-changes-2025.md), where CSS-Exchange skips UM ("UM doesn't apply to
         # Exchange Server 2019", Security/src/ExchangeMitigations.ps1 matches 15.0 and 15.1 only).
         {'when': _when(exchange=('2019', 'se'), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,)),
          'reason': 'Exchange Unified Messaging is no longer available in Exchange 2019 and Exchange Server SE (integration-procedure.md '
                    '§13, §18); use Cloud Voicemail.'},
         # "Exchange Online UM was retired, replaced by Cloud Voicemail" (integration-procedure.md §1).
         {'when': _when(columns=(EXCHANGE_ONLINE_SKYPE_SERVER,)),
          'reason': 'Exchange Online Unified Messaging was retired and replaced by Cloud Voicemail (integration-procedure.md §1).'},
     ),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps((), ('exchange_um',))},
     'no_step': None, 'footnotes': (
         _footnote('Skype for Business Online supports the Cloud Voicemail service for Skype for Business Server 2019, Skype for '
                   'Business Server 2015 and Lync Server 2013 (base document note, integration-procedure.md §19).'),
         _footnote('The versions of the table differ: the base document (2021) gives Y, Y, N, N, N (shown here); the older English '
                   'table (2018-02-16) gives Y in all five columns; the newest English table (2025-06-26) keeps two columns and gives '
                   '"Y (Exchange 2016 only)" for Exchange on premises (integration-procedure.md §19, §20 item 18).'),
         # Microsoft's "What's new in Skype for Business Server 2019" (MicrosoftDocs/OfficeDocs-SkypeForBusiness,
         # Skype/SfBServer2019/whats-new.md): "Exchange UM remains available in Skype for Business Server 2019 when you
         # integrate Skype for Business 2019 with Exchange 2013 or Exchange 2016."
         _footnote('Skype for Business Server 2019 keeps Exchange UM with Exchange 2013 or 2016 ("What\'s new in Skype for Business '
                   'Server 2019"), although SFB-UM-PLAN calls it no longer available in 2019 (integration-procedure.md §13, §18).',
                   _when(skype=('2019', 'se'), columns=(EXCHANGE_ONPREM_SKYPE_SERVER,))),
     )},
    # §19 row 17; §17 (SfB Server 2015 and later; Lync 2013: no, §18); Exchange storage through server-to-server
    # authentication [inference, §17].
    {'id': 'server_side_conversation_history', 'name': 'Server-side conversation history',
     'source': 'integration-procedure.md §19, §17, §18',
     'matrix': 'YYNYY', 'qualifiers': {}, 'min_exchange': None, 'min_skype': '2015', 'unsupported': (),
     'steps': {EXCHANGE_ONPREM_SKYPE_SERVER: _steps(S2S_ON_PREMISES, ('conversation_history',)),
               EXCHANGE_ONLINE_SKYPE_SERVER: _steps(S2S_EXCHANGE_ONLINE, ('conversation_history', 'entra_id_oauth'))},
     'no_step': None, 'footnotes': (
         _footnote('Needs Skype for Business Server 2015 or later; its dependence on server-to-server authentication is an inference '
                   '(the storage service writes to Exchange), and whether the client policy setting is needed too is open '
                   '(integration-procedure.md §17, §20 item 10).'),)},
)
_FEATURE = {feature['id']: feature for feature in FEATURES}

_MINIMUM_TEXT = {('exchange', '2013'): 'Exchange 2013 or later', ('skype', '2015'): 'Skype for Business Server 2015 or later'}


def _key(value):
    """A version key as text ('2019', 'se', 'online'); None stays None."""
    if value is None:
        return None
    return str(value).strip().lower()


def column_of(exchange_version, skype_version):
    """The column id of an Exchange and a Skype for Business version ('2010'... 'se', 'online'), or None if unknown."""
    exchange, skype = _key(exchange_version), _key(skype_version)
    for topology in TOPOLOGIES:
        if exchange in topology['exchange'] and skype in topology['skype']:
            return topology['id']
    return None


def _today(today):
    """``today`` as a date (a datetime gives its date); default the current date."""
    if isinstance(today, datetime.datetime):
        return today.date()
    return today or datetime.date.today()


def _retired(column, today):
    """True when the column's topology is retired on ``today``."""
    retired_on = _TOPOLOGY[column]['retired_on']
    return retired_on is not None and today > datetime.date.fromisoformat(retired_on)


def _support(family, version, today):
    """support_of for on-premises versions; the cloud services by their own status."""
    if version == 'online' and family == 'exchange':
        # A service: no end of support.
        return {'product': 'Exchange Online', 'end_of_support': None, 'support_status': SUPPORTED}
    if version == 'online' and family == 'skype':
        return {'product': 'Skype for Business Online', 'end_of_support': SKYPE_ONLINE_RETIRED.isoformat(),
                'support_status': OUT_OF_SUPPORT if today > SKYPE_ONLINE_RETIRED else SUPPORTED}
    return support_of(family, version, today)


def topology_of(exchange_version, skype_version, today=None):
    """The column of two versions with the support of each product.

    Returns {'column': id or None, 'name': name or None, 'possible': bool or None (False once retired),
    'support': {'exchange': {'product', 'support_status', 'end_of_support'}, 'skype': {...}}}.
    """
    today = _today(today)
    exchange, skype = _key(exchange_version), _key(skype_version)
    column = column_of(exchange, skype)
    support = {'exchange': _support('exchange', exchange, today), 'skype': _support('skype', skype, today)}
    if column is None:
        return {'column': None, 'name': None, 'possible': None, 'support': support}
    return {'column': column, 'name': _TOPOLOGY[column]['name'], 'possible': not _retired(column, today), 'support': support}


def cell(feature_id, column):
    """The base document's text of one cell: 'Y', 'N' or 'Y (qualifier)'."""
    feature = _FEATURE[feature_id]
    value = feature['matrix'][COLUMNS.index(column)]
    qualifier = feature['qualifiers'].get(column)
    return '%s (%s)' % (value, qualifier) if qualifier else value


def _matches(when, exchange, skype, column):
    if when is None:
        return True
    return ((when['exchange'] is None or exchange in when['exchange'])
            and (when['skype'] is None or skype in when['skype'])
            and (when['columns'] is None or column in when['columns']))


def _footnotes(feature, exchange, skype, column):
    notes = [note['text'] for note in feature['footnotes'] if _matches(note['when'], exchange, skype, column)]
    if column is not None:
        notes.extend(_TOPOLOGY[column]['footnotes'])
    return notes


def _below(version, minimum, order):
    """True when an on-premises version is older than the minimum (never for 'online')."""
    return minimum is not None and version in order and order.index(version) < order.index(minimum)


def _unsupported_reasons(feature, exchange, skype, column, today):
    """Why the feature is not supported in this topology (empty when it is)."""
    reasons = []
    if _retired(column, today):
        reasons.append('Skype for Business Online was retired on %s, with its Exchange integration (the base document listed %s).'
                       % (SKYPE_ONLINE_RETIRED.isoformat(), cell(feature['id'], column)))
    elif feature['matrix'][COLUMNS.index(column)] == 'N':
        reasons.append('Not supported in this topology (base document: N, integration-procedure.md §19).')
    if _below(exchange, feature['min_exchange'], _EXCHANGE_ORDER):
        reasons.append('Needs %s; this is %s (integration-procedure.md §18).'
                       % (_MINIMUM_TEXT[('exchange', feature['min_exchange'])], EXCHANGE_NAMES[exchange]))
    if _below(skype, feature['min_skype'], _SKYPE_ORDER):
        reasons.append('Needs %s; this is %s (integration-procedure.md §18).'
                       % (_MINIMUM_TEXT[('skype', feature['min_skype'])], SKYPE_NAMES[skype]))
    reasons.extend(rule['reason'] for rule in feature['unsupported'] if _matches(rule['when'], exchange, skype, column))
    return reasons


def _check_step_status(step_status):
    """The step statuses as a dict, refusing unknown step ids and statuses."""
    if step_status is None:
        return {}
    if not isinstance(step_status, dict):
        raise OptionError('step_status must be a dict of step id to status (for example {"exchange_owa_im": "compliant"}), got %s.'
                          % type(step_status).__name__)
    for step, status in step_status.items():
        if step not in STEP_ORDER:
            raise OptionError('step_status: unknown step id %r; use one of %s.' % (step, ', '.join(STEP_ORDER)))
        if status not in STEP_STATUSES:
            raise OptionError('step_status: the status of %s is %r; use one of %s.' % (step, status, ', '.join(STEP_STATUSES)))
    return step_status


def _unknown_note(exchange, skype):
    parts = []
    for family, version, known in (('Exchange', exchange, EXCHANGE_VERSIONS), ('Skype for Business', skype, SKYPE_VERSIONS)):
        if version is None:
            parts.append('no %s version is known' % family)
        elif version not in known:
            parts.append('the %s version %r is not recognised (expected one of %s)' % (family, version, ', '.join(known)))
    return 'Unknown: %s, so the topology cannot be told.' % '; '.join(parts)


def _row(feature, status, supported, note, missing=(), manual=(), footnotes=()):
    return {'id': feature['id'], 'name': feature['name'], 'status': status, 'supported': supported, 'note': note,
            'missing_steps': list(missing), 'manual_steps': list(manual), 'footnotes': list(footnotes)}


def _evaluate_feature(feature, exchange, skype, column, step_status, today):
    if column is None:
        return _row(feature, STATUS_UNKNOWN, None, _unknown_note(exchange, skype),
                    footnotes=[note['text'] for note in feature['footnotes'] if note['when'] is None])
    footnotes = _footnotes(feature, exchange, skype, column)
    reasons = _unsupported_reasons(feature, exchange, skype, column, today)
    if reasons:
        return _row(feature, NOT_SUPPORTED, False, ' '.join(reasons), footnotes=footnotes)
    steps = feature['steps'].get(column, _steps())
    missing = sorted((step for step in steps['automated'] if step_status.get(step) != 'compliant'), key=STEP_ORDER.index)
    manual = sorted(steps['manual'], key=MANUAL_ORDER.index)
    sentences = ['Supported; the base document says %s.' % cell(feature['id'], column)]
    if missing:
        sentences.append('Needs the collection\'s steps: %s.' % ', '.join(
            '%s (%s)' % (step, step_status.get(step, 'not checked')) for step in missing))
    elif steps['automated']:
        sentences.append('Every step of the collection it needs is compliant.')
    elif feature['no_step']:
        sentences.append(feature['no_step'])
    else:
        sentences.append('No step of the collection configures it.')
    if manual:
        sentences.append('Manual steps outside the collection (not checked): %s.' % ', '.join(manual))
    return _row(feature, NEEDS_CONFIGURATION if missing else AVAILABLE, True, ' '.join(sentences), missing, manual, footnotes)


def evaluate(exchange_version, skype_version, step_status=None, today=None):
    """One row per feature for the topology of these versions (the ``features`` list of the audit report).

    ``exchange_version``: '2010', '2013', '2016', '2019', 'se' or 'online'; ``skype_version``: '2013', '2015', '2019', 'se'
    or 'online' (None or anything else gives status 'unknown'). ``step_status``: {step id: 'compliant' | 'would_change' |
    'failed' | 'not_applicable'}; a step not given counts as not checked. ``today``: a date (default today), for the
    retirement of Skype for Business Online.

    Each row: {'id', 'name', 'status': 'available' | 'needs_configuration' | 'not_supported' | 'unknown',
    'supported': bool or None, 'note', 'missing_steps', 'manual_steps', 'footnotes'}.
    """
    statuses = _check_step_status(step_status)
    today = _today(today)
    exchange, skype = _key(exchange_version), _key(skype_version)
    column = column_of(exchange, skype)
    return [_evaluate_feature(feature, exchange, skype, column, statuses, today) for feature in FEATURES]

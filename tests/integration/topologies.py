# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Lab topologies of the full-integration tests, derived from lab/topology.yml, and the lab settings of the failure cases.

Each topology keeps only its hosts, so a lab started on it is a fresh Exchange organisation and Skype for Business
deployment of their own; its inventory (lab/server.py build_inventory) has the groups ``exchange`` and ``skype`` holding
only those hosts. No domain controller (dc01): the playbooks' DNS mode ``verify`` asks the lab's DNS server, whose zones
come from the topology (lab/dns.py initial_zones: ``autodiscover.contoso.com`` is a CNAME to the first Exchange host of
the topology, or none with ``settings.autodiscover_record: none``); ``skype_exchange_autodiscover_target`` names the same
host.

Usage: ``yield from started_lab(tmp_path_factory, topology=EX2019_SFB2019.topology())``, and for a failure case
``started_lab(tmp_path_factory, topology=case.topology())``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from integration_support import derive_topology


def _merge_settings(*layers):
    """{host: {setting: value}} layers merged, later ones winning per setting."""
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for host, values in (layer or {}).items():
            merged.setdefault(host, {}).update(values)
    return merged


@dataclasses.dataclass(frozen=True)
class LabTopology:
    """A lab topology: its Exchange and Skype hosts (inventory names), the host Autodiscover points to, and how the
    integration tests run the playbooks on it (``extra_vars``: ``-e`` arguments)."""

    name: str
    exchange: tuple[str, ...]
    skype: tuple[str, ...]
    # FQDN of the topology's Exchange host: lab/dns.py points autodiscover.contoso.com to it (first Exchange host)
    autodiscover_target: str
    # hosts that are not in lab/topology.yml: {name: {'like': host, 'computer_name': ..., 'settings': {...}}}
    add: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    # skype_exchange_branch and skype_exchange_owa_im of the playbook runs (issue9-spec.md, playbook variables)
    branch: str = 'on_premises'
    owa_im: bool = False
    # Skype deployments with more than one Front End: {deployment: (hosts)} (global settings are written once per deployment)
    shared_deployments: tuple[tuple[str, ...], ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return self.exchange + self.skype

    @property
    def extra_vars(self) -> tuple[str, ...]:
        """The ``-e`` arguments of the playbook runs on this topology (as a user types them)."""
        found = ('-e', 'skype_exchange_branch=%s' % self.branch)
        return found + (('-e', 'skype_exchange_owa_im=true') if self.owa_im else ())

    @property
    def deployments(self) -> tuple[tuple[str, ...], ...]:
        """The Skype hosts grouped by deployment (the shared ones, then every other Front End alone)."""
        shared = [host for hosts in self.shared_deployments for host in hosts]
        return self.shared_deployments + tuple((host,) for host in self.skype if host not in shared)

    def topology(self, settings=None) -> dict[str, Any]:
        """The lab topology (a dict for started_lab), with ``settings`` ({host: {setting: value}}) added."""
        keep = [host for host in self.hosts if host not in self.add]
        return derive_topology(keep=keep, add=self.add, settings=_merge_settings(self.settings, settings),
                               inventory_vars={'skype_exchange_autodiscover_target': self.autodiscover_target})


# The settings that make two Skype for Business Server 2015 hosts the Front Ends of one Enterprise Edition pool, as sfbse1
# and sfbse2 are in lab/topology.yml (lab/products/skype/organization.py init_deployment: one deployment key, one pool
# FQDN, edition Enterprise for a pool of more than one Front End, one Central Management store on the SQL Server back end).
SFB2015_POOL = {'deployment': 'sfb15', 'pool_fqdn': 'sfb15pool.contoso.local', 'edition': 'Enterprise', 'cms_server': 'sql15.contoso.local'}

EX2013_LYNC2013 = LabTopology(
    name='ex2013_lync2013', exchange=('ex2013',), skype=('lync2013',), autodiscover_target='ex13.contoso.local')

# ex2016 stays Basic-only (lab/topology.yml): the Basic path (with the separate domain credential of the product session)
# runs through the whole integration. sfb2015 keeps its UTF-8 byte-order mark; its second Front End sfb2015b does not.
EX2016_SFB2015_POOL = LabTopology(
    name='ex2016_sfb2015_pool', exchange=('ex2016',), skype=('sfb2015', 'sfb2015b'), autodiscover_target='ex16.contoso.local',
    add={'sfb2015b': {'like': 'sfb2015', 'computer_name': 'SFB15B', 'settings': dict(SFB2015_POOL)}},
    settings={'sfb2015': dict(SFB2015_POOL)},
    shared_deployments=(('sfb2015', 'sfb2015b'),))

EX2019_SFB2019 = LabTopology(
    name='ex2019_sfb2019', exchange=('ex2019',), skype=('sfb2019',), autodiscover_target='ex19.contoso.local', owa_im=True)

EXSE_SFBSE_ONLINE = LabTopology(
    name='exse_sfbse_online', exchange=('exse',), skype=('sfbse1', 'sfbse2'), autodiscover_target='exse.contoso.local',
    branch='exchange_online',
    shared_deployments=(('sfbse1', 'sfbse2'),))

TOPOLOGIES = dict((item.name, item) for item in (EX2013_LYNC2013, EX2016_SFB2015_POOL, EX2019_SFB2019, EXSE_SFBSE_ONLINE))

# Lync Server 2013 with Exchange 2016: a pairing the integration supports, except Outlook on the web IM (EX-IM:
# "IM integration between Lync Server 2013 and Exchange 2016 or later isn't supported."; integration-procedure.md 14.1).
EX2016_LYNC2013 = LabTopology(
    name='ex2016_lync2013', exchange=('ex2016',), skype=('lync2013',), autodiscover_target='ex16.contoso.local', owa_im=True)


@dataclasses.dataclass(frozen=True)
class FailureCase:
    """A fresh lab on which playbooks/integration.yml must stop: a topology, the lab settings that break one step
    (each names the lab model that reads it), the step, and ``-e`` arguments added to the topology's."""

    name: str
    base: LabTopology
    settings: dict[str, dict[str, Any]]
    step: str
    extra_vars: tuple[str, ...] = ()

    def topology(self) -> dict[str, Any]:
        return self.base.topology(self.settings)


FAILURE_CASES = dict((case.name, case) for case in (
    # a. the second Front End of the pool shows an OAuthTokenIssuer of its own and does not follow the global assignment
    # (lab/products/skype/certificates.py settings.oauth_certificate.different)
    FailureCase('oauth_front_end_mismatch', EX2016_SFB2015_POOL, {'sfb2015b': {'oauth_certificate': {'different': True}}},
                step='skype_oauth_certificate'),
    # b. the Front End's Default certificate, the one the integration assigns as OAuthTokenIssuer, has a 1024-bit key
    # (lab/products/skype/certificates.py settings.oauth_certificate.default_key_size)
    FailureCase('oauth_certificate_1024_bit', EX2019_SFB2019, {'sfb2019': {'oauth_certificate': {'default_key_size': 1024}}},
                step='skype_oauth_certificate'),
    # c. the Exchange Auth certificate expired three days ago (lab/products/exchange/auth.py settings.auth_certificate.days_left,
    # as tests/integration/test_exchange_auth_certificate.py stages it on exse)
    FailureCase('exchange_auth_certificate_expired', EX2019_SFB2019, {'ex2019': {'auth_certificate': {'days_left': -3}}},
                step='exchange_auth_certificate'),
    # d. no Autodiscover record in the lab's DNS zones (lab/dns.py initial_zones, settings.autodiscover_record: none)
    FailureCase('autodiscover_dns_missing', EX2019_SFB2019, {'ex2019': {'autodiscover_record': 'none'}}, step='autodiscover_dns'),
    # e. Outlook on the web IM asked for with Lync Server 2013 and Exchange 2016
    FailureCase('owa_im_lync2013_exchange2016', EX2016_LYNC2013, {}, step='exchange_owa_im'),
))

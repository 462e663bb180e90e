# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: feature_matrix
author:
  - ucops.skype_exchange contributors (@ucops)
version_added: 1.1.0
short_description: Which Skype for Business and Exchange integration features a topology supports, and what is missing
description:
  - Evaluates the feature support matrix of Microsoft's plan for integrating Skype for Business Server (or Lync Server 2013)
    with Exchange for one Exchange version and one Skype for Business version, and returns one row per feature.
  - The matrix is the one of Microsoft's planning page (five topologies, every feature row with its footnotes), completed with the
    version limits (for example Exchange UM is not available with Exchange 2019 or SE; server-side conversation history needs
    Skype for Business Server 2015 or later) and the steps of this collection each feature needs. The collection's
    C(docs/feature-matrix.md) shows the whole table.
  - Given the status of each step (as the check-mode audit reports them), a supported feature is V(available) when every step of
    the collection it needs is V(compliant), else V(needs_configuration) with the missing steps. Steps done by hand outside the
    collection are listed in C(manual_steps) and never checked.
  - Skype for Business Online was retired on 2021-07-31, so every topology with it gives V(not_supported).
  - Runs on the controller; reads nothing from any server.
options:
  _terms:
    description:
      - Feature ids to return, in this order (for example V(unified_contact_store)). Without terms, every feature in the
        order of the matrix.
    type: list
    elements: str
    required: false
  exchange_version:
    description:
      - The Exchange version, as M(ucops.skype_exchange.exchange_info) returns it in RV(ucops.skype_exchange.exchange_info#module:version)
        (V(2010), V(2013), V(2016), V(2019), V(se)), or V(online) for Exchange Online.
      - Null or any other value gives rows with status V(unknown).
    type: str
  skype_version:
    description:
      - The Skype for Business Server version, as M(ucops.skype_exchange.skype_info) returns it in
        RV(ucops.skype_exchange.skype_info#module:version) (V(2013) for Lync Server 2013, V(2015), V(2019), V(se)), or V(online)
        for Skype for Business Online.
      - Null or any other value gives rows with status V(unknown).
    type: str
  step_status:
    description:
      - The status of each step of the integration, by step id (V(exchange_auth_certificate), V(skype_oauth_certificate),
        V(exchange_autodiscover), V(skype_oauth_configuration), V(autodiscover_dns), V(exchange_partner_application),
        V(skype_partner_application), V(exchange_online), V(skype_trusted_application), V(exchange_owa_im), and
        V(prerequisites), V(server_to_server_verification)), each V(compliant), V(would_change), V(failed) or
        V(not_applicable). The C(steps) of the audit report give it with P(ansible.builtin.items2dict#filter).
      - A step that is not given counts as not checked, so a feature that needs it is V(needs_configuration).
    type: dict
    default: {}
notes:
  - With C(query()) (or C(lookup(..., wantlist=true))) the result is always the list of rows; C(lookup()) returns the same list
    when there are several rows, and the row itself for one term.
seealso:
  - module: ucops.skype_exchange.exchange_info
  - module: ucops.skype_exchange.skype_info
"""

EXAMPLES = r"""
- name: Read the Exchange version
  ucops.skype_exchange.exchange_info:
  delegate_to: "{{ groups['exchange'][0] }}"
  run_once: true
  register: exchange

- name: Read the Skype for Business version
  ucops.skype_exchange.skype_info:
  delegate_to: "{{ groups['skype'][0] }}"
  run_once: true
  register: skype

- name: Which features does this topology support, and what is missing
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.status }} {{ item.missing_steps | join(', ') }}"
  loop: "{{ query('ucops.skype_exchange.feature_matrix', exchange_version=exchange.version, skype_version=skype.version,
                  step_status=step_status) }}"
  loop_control:
    label: "{{ item.id }}"
  vars:
    # audit_report: the check-mode audit's report (for example its JSON file read with from_json); without it every
    # step counts as not checked.
    step_status: "{{ audit_report.steps | default([]) | items2dict(key_name='id', value_name='status') }}"

- name: Fail when the unified contact store is not usable yet
  ansible.builtin.assert:
    that: ucs.status == 'available'
    fail_msg: "{{ ucs.note }}"
  vars:
    ucs: "{{ query('ucops.skype_exchange.feature_matrix', 'unified_contact_store', exchange_version='2019', skype_version='2015',
                   step_status={'exchange_partner_application': 'failed'}) | first }}"

- name: The features Exchange 2016 with Lync Server 2013 does not support
  ansible.builtin.debug:
    msg: "{{ query('ucops.skype_exchange.feature_matrix', exchange_version='2016', skype_version='2013')
             | selectattr('status', 'equalto', 'not_supported') | map(attribute='id') | list }}"
"""

RETURN = r"""
_raw:
  description:
    - One row per feature (the C(features) list of the audit report).
  type: list
  elements: dict
  contains:
    id:
      description: The feature id.
      type: str
      sample: unified_contact_store
    name:
      description: The feature as the matrix names it.
      type: str
      sample: Contact list (via unified contact store)
    status:
      description:
        - V(available) (supported, and every step of the collection it needs is compliant),
          V(needs_configuration) (supported, some step is not compliant or not checked),
          V(not_supported) (not in this topology, excluded by a version, or the topology is retired),
          V(unknown) (a version was not recognised).
      type: str
      sample: needs_configuration
    supported:
      description: Whether the topology supports the feature; null when a version is unknown.
      type: bool
      sample: true
    note:
      description: Why, in a sentence or two (the base document's value, the missing steps with their status, the reason it is not supported).
      type: str
      sample: "Supported; the base document says Y (requires Exchange 2016/2013). Needs the collection's steps: exchange_partner_application (failed)."
    missing_steps:
      description: The steps of the collection the feature needs that are not compliant, in the documented order.
      type: list
      elements: str
      sample: [exchange_partner_application]
    manual_steps:
      description: Steps outside the collection the feature also needs (never checked), for example V(exchange_archiving) or V(entra_id_oauth).
      type: list
      elements: str
      sample: [unified_contact_store]
    footnotes:
      description: The matrix's footnotes that apply (client requirements, retirements, differences between versions of the table).
      type: list
      elements: str
      sample: []
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.integration.matrix import FEATURES, evaluate


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            rows = evaluate(self.get_option('exchange_version'), self.get_option('skype_version'), self.get_option('step_status'))
        except OptionError as error:
            raise AnsibleLookupError(error.message) from error
        if not terms:
            return rows
        by_id = {row['id']: row for row in rows}
        unknown = [term for term in terms if term not in by_id]
        if unknown:
            raise AnsibleLookupError('Unknown feature id(s) %s; use one of %s.'
                                     % (', '.join(map(str, unknown)), ', '.join(feature['id'] for feature in FEATURES)))
        return [by_id[term] for term in terms]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The resource engine: one read request, the comparison, the plan, one write request ending in a verifying read,
the diff and ``changed``, for every module that manages settings.

A module declares its resource (``Resource``): the properties it manages with their comparison, the read request,
which cmdlet changes an object (by version), and its return shape. ``run`` does the rest, the way microsoft.ad drives
its modules from property tables. A read that fails raises (the runner turns every error into an exception): it is
never taken for "absent" and never leads to a write.
"""

from __future__ import annotations

import datetime

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.compare import multiset_equal, normalize_uri, text_equal, uri_equal
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import OptionError


def _thumbprint(value):
    return ''.join((value or '').split()).upper()


def _date(value):
    """A UTC datetime from ISO 8601 text (the runner returns dates as round-trip UTC), or None."""
    if value in (None, ''):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value).strip().replace('Z', '+00:00')
        # .NET round-trip text has 7 fractional digits; Python reads at most 6
        head, dot, tail = text.partition('.')
        if dot:
            digits = ''.join(ch for ch in tail if ch.isdigit())
            text = head + '.' + digits[:6] + tail[len(digits):]
        parsed = datetime.datetime.fromisoformat(text)
    return parsed.astimezone(datetime.timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _split(value, separator):
    return [item for item in (value or '').split(separator) if item] if isinstance(value, str) else list(value or [])


# How two values of a property compare, and the form the server stores a desired value in.
COMPARISONS = {
    # case-insensitive text; None and '' are the same (unset)
    'text': (text_equal, lambda value: value),
    'text_case': (lambda desired, current: text_equal(desired, current, case_sensitive=True), lambda value: value),
    # System.Uri: the server stores AbsoluteUri (compare.py)
    'uri': (uri_equal, normalize_uri),
    # a URL kept as the text given (a string parameter), compared as a URL
    'uri_text': (uri_equal, lambda value: value),
    # multi-valued: case-insensitive multiset, any order
    'multiset': (multiset_equal, lambda value: list(value or [])),
    # one string holding ';'-separated values, compared as a multiset
    'delimited': (lambda desired, current: multiset_equal(_split(desired, ';'), _split(current, ';')), lambda value: value),
    # certificate thumbprints: case and spaces do not count
    'thumbprint': (lambda desired, current: _thumbprint(desired) == _thumbprint(current), lambda value: _thumbprint(value) or None),
    # dates: the same instant
    'date': (lambda desired, current: _date(desired) == _date(current), lambda value: value),
}


class Property:
    """One managed property: the option that sets it, its cmdlet parameter / output property, and its comparison."""

    def __init__(self, option, name, compare='text'):
        if compare not in COMPARISONS:
            raise ValueError('unknown comparison %r' % compare)
        self.option = option
        self.name = name
        self.compare = compare

    def equal(self, desired, current):
        """Whether the server already holds the desired value."""
        return COMPARISONS[self.compare][0](desired, current)

    def stored(self, value):
        """The form the server stores ``value`` in (what a read returns after the write)."""
        return COMPARISONS[self.compare][1](value)


def list_target(current, spec):
    """The list a multi-valued property must hold, by the add/remove/set convention of the Windows collections.

    ``spec`` is a list (the whole list, as ``set``) or a dict with ``set``, or ``add`` and/or ``remove``: ``add`` keeps
    the entries the user did not name and appends those missing, ``remove`` drops the named ones (case-insensitive).
    """
    if not isinstance(spec, dict):
        return list(spec or [])
    if spec.get('set') is not None:
        return list(spec['set'])
    result = list(current or [])
    removed = set(str(item).casefold() for item in spec.get('remove') or [])
    result = [item for item in result if str(item).casefold() not in removed]
    present = set(str(item).casefold() for item in result)
    for item in spec.get('add') or []:
        if str(item).casefold() not in present:
            result.append(item)
            present.add(str(item).casefold())
    return result


class Resource:
    """What a module manages. Subclasses fill in the hooks; ``properties`` lists the managed properties.

    A resource that exists only once set up (a partner application, a setting override) also declares ``create`` and
    ``remove``, and the engine follows the module's ``state`` option (``present``/``absent``). ``recreate`` names the
    properties whose change the product cannot apply in place: the object is removed and created again.
    """

    properties = ()
    # invocation keys of the read request and of the verifying read that ends the write request
    current_key = 'current'
    after_key = 'after'
    # properties that force a re-create when they differ
    recreate = ()

    def __init__(self, params):
        self.params = params

    def property(self, name):
        """The Property called ``name``."""
        for item in self.properties:
            if item.name == name:
                return item
        raise KeyError(name)

    # -- declared by each resource ------------------------------------------------------------------------------

    def desired(self):
        """{property name: desired value} from the options; OptionError (naming the option and the fix) for bad input."""
        raise NotImplementedError

    def reads(self):
        """The invocations of the one read request; the objects come from the one keyed ``current_key``."""
        raise NotImplementedError

    def context(self, response):
        """What the read tells beyond the objects (product version, chosen cmdlets); may raise before any write."""
        return {}

    def identity(self, row):
        """The identity of one object row."""
        return row.get('Identity')

    def state(self, row):
        """The managed properties of one row."""
        return dict((item.name, row.get(item.name)) for item in self.properties)

    def select(self, found, context):
        """The objects this task manages among those read ({identity: state}); by default all of them."""
        return found

    def wanted(self):
        """``present`` or ``absent`` (the ``state`` option of modules that create and remove)."""
        return self.params.get('state') or 'present'

    def none_found(self):
        """The error when the read returned no object and the resource cannot create one."""
        return OptionError('Nothing found to manage.')

    def write(self, identity, changes, context):
        """The Invocation (or list of them) that applies ``changes`` ({property: value}) to one object."""
        raise NotImplementedError

    def create(self, identity, desired, context):
        """The Invocations that create the object. A resource that does not declare it cannot create: ``none_found``."""
        raise NotImplementedError

    def new_identity(self, desired, context):
        """The identity a created object will have."""
        raise NotImplementedError

    def remove(self, identity, current, context):
        """The Invocations that remove one object."""
        raise NotImplementedError

    def verify(self, context):
        """The read (keyed ``after_key``; an Invocation or a list) that ends the write request; it reads the same scope as
        the first read."""
        raise NotImplementedError

    def notes(self, before, after, writes, context, sent):
        """Warnings about the plan or its outcome (``sent``: the writes reached the server and ``after`` is what it
        read back)."""
        return []

    def report(self, identity, state):
        """Return shape of one object."""
        raise NotImplementedError

    def result(self, after, changed, context):
        """Module-specific return keys besides ``changed`` (``after``: {identity: report}; ``changed``: identities)."""
        raise NotImplementedError

    def diff(self, before, after):
        """The diff from {identity: report} before and after (one entry per object by default)."""
        return {'before': before, 'after': after}

    # -- derived --------------------------------------------------------------------------------------------------

    def objects(self, response, key, context=None):
        """{identity: state} of the rows an invocation returned that this task manages, in order."""
        found = {}
        for row in response.output(key):
            found[self.identity(row)] = self.state(row)
        return self.select(found, context)

    def changes(self, desired, current):
        """{property: value to send} for what differs (``current`` None: everything, for a new object)."""
        changes = {}
        for name, value in desired.items():
            item = self.property(name)
            present = None if current is None else current.get(name)
            target = list_target(present, value) if item.compare == 'multiset' else value
            if current is None or not item.equal(target, present):
                changes[name] = target
        return changes

    def predict(self, current, changes):
        """The state after ``changes``, in the form the server stores it."""
        predicted = dict(current or {})
        predicted.update((name, self.property(name).stored(value)) for name, value in changes.items())
        return predicted


def _listed(invocations):
    return list(invocations) if isinstance(invocations, (list, tuple)) else [invocations]


def plan(resource, desired, before, context):
    """(predicted {identity: state}, write invocations, changed identities) for the objects read."""
    after, writes, changed = {}, [], []
    if resource.wanted() == 'absent':
        for identity, current in before.items():
            writes.extend(_listed(resource.remove(identity, current, context)))
            changed.append(identity)
        return after, writes, changed
    if not before:
        if type(resource).create is Resource.create:
            raise resource.none_found()
        identity = resource.new_identity(desired, context)
        invocations = resource.create(identity, desired, context)
        changes = resource.changes(desired, None)
        after[identity] = resource.predict(None, changes)
        return after, _listed(invocations), [identity]
    for identity, current in before.items():
        changes = resource.changes(desired, current)
        after[identity] = resource.predict(current, changes)
        if not changes:
            continue
        changed.append(identity)
        if any(name in resource.recreate for name in changes):
            # the product cannot change these in place: remove, then create with every desired value
            writes.extend(_listed(resource.remove(identity, current, context)))
            after[identity] = resource.predict(None, resource.changes(desired, None))
            writes.extend(_listed(resource.create(identity, desired, context)))
        else:
            writes.extend(_listed(resource.write(identity, changes, context)))
    return after, writes, changed


def run(module, resource):
    """Read, compare, plan, write once (ending with a verifying read), and return ``changed``, the result and the diff."""
    desired = resource.desired()
    module.connection_options()
    shell = module.shell()
    response = module.runner.read(shell, resource.reads())
    context = resource.context(response)
    before = resource.objects(response, resource.current_key, context)
    after, writes, changed = plan(resource, desired, before, context)
    warnings = list(response.warnings())
    sent = bool(writes) and not module.check_mode
    if sent:
        written = module.runner.write(shell, writes + _listed(resource.verify(context)))
        # what the server holds now, read in the same request: never a prediction
        after = resource.objects(written, resource.after_key, context)
        warnings.extend(written.warnings())
    warnings.extend(resource.notes(before, after, writes, context, sent))
    reports = dict((identity, resource.report(identity, state)) for identity, state in after.items())
    # the writes sent, or that check mode would send, in the same words a failure half way uses (changes_made)
    result = {'changed': bool(writes), 'changes': [invocation.description for invocation in writes]}
    result.update(resource.result(reports, changed, context))
    for warning in warnings:
        module.warn(warning)
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = resource.diff(dict((identity, resource.report(identity, state)) for identity, state in before.items()), reports)
    return result

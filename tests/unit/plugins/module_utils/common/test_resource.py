# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.errors import CmdletFailure, OptionError
from ansible_collections.ucops.skype_exchange.plugins.module_utils.common.resource import Property, Resource, list_target, run
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell.runner import Invocation, Response


class Servers(Resource):
    """A small resource: servers with a URI and a multi-valued scope."""

    properties = (Property('uri', 'Uri', 'uri'), Property('scope', 'Scope', 'multiset'))

    def desired(self):
        return dict((item.name, self.params[item.option]) for item in self.properties if self.params.get(item.option) is not None)

    def reads(self):
        return [Invocation('current', 'Get-Thing', properties=['Identity', 'Uri', 'Scope'])]

    def none_found(self):
        return OptionError('no thing')

    def write(self, identity, changes, context):
        return Invocation('set_' + identity, 'Set-Thing', parameters=dict(changes, Identity=identity), description='Set-Thing ' + identity)

    def verify(self, context):
        return Invocation('after', 'Get-Thing', properties=['Identity', 'Uri', 'Scope'])

    def report(self, identity, state):
        return {'name': identity, 'uri': state['Uri'], 'scope': state['Scope']}

    def result(self, after, changed, context):
        return {'things': [after[name] for name in sorted(after)], 'changed_things': sorted(changed)}


def response(rows, key='current'):
    return Response({'host': {}, 'results': [{'id': key, 'cmdlet': 'Get-Thing', 'status': 'ok', 'output': rows}]})


class FakeRunner:
    def __init__(self, read, write=None):
        self.read_response, self.write_response = read, write
        self.requests = []

    def read(self, shell, invocations):
        self.requests.append(('read', [i.cmdlet for i in invocations]))
        if isinstance(self.read_response, Exception):
            raise self.read_response
        return self.read_response

    def write(self, shell, invocations):
        self.requests.append(('write', [i.cmdlet for i in invocations], [i.parameters for i in invocations]))
        return self.write_response


class FakeModule:
    def __init__(self, runner, check_mode=False, diff=False):
        self.runner, self.check_mode, self._diff = runner, check_mode, diff
        self.warnings = []

    def connection_options(self):
        return {}

    def shell(self):
        return {'type': 'none'}

    def warn(self, text):
        self.warnings.append(text)


ROWS = [{'Identity': 'A', 'Uri': 'https://a.contoso.com/x', 'Scope': ['S1']}, {'Identity': 'B', 'Uri': None, 'Scope': []}]


def test_list_target_follows_add_remove_set():
    assert list_target(['A', 'b'], ['c']) == ['c']
    assert list_target(['A', 'b'], {'set': ['c']}) == ['c']
    assert list_target(['A', 'b'], {'add': ['a', 'C']}) == ['A', 'b', 'C']
    assert list_target(['A', 'b'], {'remove': ['B'], 'add': ['d']}) == ['A', 'd']
    assert list_target(None, {'add': ['x']}) == ['x']


@pytest.mark.parametrize('compare, desired, current, equal', [
    ('uri', 'HTTPS://A.contoso.com:443/x', 'https://a.contoso.com/x', True),
    ('uri', 'https://a.contoso.com/X', 'https://a.contoso.com/x', False),
    ('multiset', ['a', 'B'], ['b', 'A'], True),
    ('multiset', ['a', 'a'], ['a', 'b'], False),
    ('delimited', '*.b.com;*.a.com', '*.A.com;*.b.com', True),
    ('thumbprint', 'ab cd EF', 'ABCDEF', True),
    ('thumbprint', 'ABCDEF', 'ABCDE0', False),
    ('date', '2026-01-01T00:00:00.0000000Z', '2026-01-01T01:00:00+01:00', True),
    ('date', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', False),
    ('text', None, '', True),
    ('text_case', 'Contoso', 'contoso', False),
])
def test_comparisons(compare, desired, current, equal):
    assert Property('o', 'P', compare).equal(desired, current) is equal


def test_unknown_comparison_is_a_programming_error():
    with pytest.raises(ValueError):
        Property('o', 'P', 'fuzzy')


def test_check_mode_plans_without_writing_and_predicts_what_the_server_stores():
    runner = FakeRunner(response(ROWS))
    module = FakeModule(runner, check_mode=True, diff=True)
    result = run(module, Servers({'uri': 'HTTPS://A.contoso.com/x', 'scope': {'add': ['S2']}}))
    assert [request[0] for request in runner.requests] == ['read']
    assert result['changed'] is True and result['changed_things'] == ['A', 'B']
    assert result['things'] == [{'name': 'A', 'uri': 'https://a.contoso.com/x', 'scope': ['S1', 'S2']},
                                {'name': 'B', 'uri': 'https://a.contoso.com/x', 'scope': ['S2']}]
    assert result['diff']['before']['B'] == {'name': 'B', 'uri': None, 'scope': []}


def test_one_write_request_holds_only_the_differences_and_ends_with_the_verifying_read():
    verified = [{'Identity': 'A', 'Uri': 'https://a.contoso.com/x', 'Scope': ['S1']},
                {'Identity': 'B', 'Uri': 'https://a.contoso.com/x', 'Scope': []}]
    runner = FakeRunner(response(ROWS), response(verified, key='after'))
    result = run(FakeModule(runner), Servers({'uri': 'https://a.contoso.com/x'}))
    assert runner.requests[1] == ('write', ['Set-Thing', 'Get-Thing'], [{'Uri': 'https://a.contoso.com/x', 'Identity': 'B'}, {}])
    assert result['changed'] is True and result['changed_things'] == ['B']
    assert result['things'][1]['uri'] == 'https://a.contoso.com/x'


def test_nothing_to_change_sends_one_read_only():
    runner = FakeRunner(response(ROWS[:1]))
    result = run(FakeModule(runner), Servers({'scope': ['s1'], 'uri': 'https://A.contoso.com:443/x'}))
    assert result['changed'] is False and result['changed_things'] == []
    assert [request[0] for request in runner.requests] == ['read']


def test_a_failed_read_is_an_error_never_absent_and_nothing_is_written():
    runner = FakeRunner(CmdletFailure('the server is busy', host='ex01'))
    with pytest.raises(CmdletFailure):
        run(FakeModule(runner), Servers({'uri': 'https://a.contoso.com/x'}))
    assert [request[0] for request in runner.requests] == ['read']


def test_no_object_found_is_the_resources_error():
    with pytest.raises(OptionError, match='no thing'):
        run(FakeModule(FakeRunner(response([]))), Servers({'uri': 'https://a.contoso.com/x'}))


class Apps(Servers):
    """A resource that is created and removed: a re-created property (Url) and an in-place one (Scope)."""

    recreate = ('Uri',)

    def new_identity(self, desired, context):
        return self.params['name']

    def create(self, identity, desired, context):
        return Invocation('new', 'New-Thing', parameters=dict(desired, Name=identity), description='New-Thing ' + identity)

    def remove(self, identity, current, context):
        return [Invocation('remove_' + identity, 'Remove-Thing', parameters={'Identity': identity}, description='Remove-Thing ' + identity)]

    def select(self, found, context):
        return dict((identity, state) for identity, state in found.items() if identity == self.params['name'])


def test_state_present_creates_a_missing_object_in_one_write_ending_with_the_verifying_read():
    written = response([{'Identity': 'A', 'Uri': 'https://a.contoso.com/x', 'Scope': ['S1']}], key='after')
    runner = FakeRunner(response(ROWS[1:]), written)
    module = FakeModule(runner, diff=True)
    result = run(module, Apps({'name': 'A', 'uri': 'https://a.contoso.com/x', 'scope': ['S1']}))
    assert runner.requests[1][:2] == ('write', ['New-Thing', 'Get-Thing'])
    assert runner.requests[1][2][0] == {'Name': 'A', 'Uri': 'https://a.contoso.com/x', 'Scope': ['S1']}
    assert result['changed'] is True and result['changed_things'] == ['A'] and result['changes'] == ['New-Thing A']
    assert result['diff'] == {'before': {}, 'after': {'A': {'name': 'A', 'uri': 'https://a.contoso.com/x', 'scope': ['S1']}}}


def test_state_present_on_a_resource_that_cannot_create_is_the_none_found_error():
    with pytest.raises(OptionError, match='no thing'):
        run(FakeModule(FakeRunner(response([]))), Servers({'uri': 'https://a.contoso.com/'}))


def test_state_absent_removes_what_is_there_and_nothing_when_it_is_gone():
    runner = FakeRunner(response(ROWS), response([], key='after'))
    result = run(FakeModule(runner), Apps({'name': 'A', 'state': 'absent'}))
    assert runner.requests[1][:2] == ('write', ['Remove-Thing', 'Get-Thing'])
    assert result['changed'] is True and result['things'] == []
    runner = FakeRunner(response(ROWS[1:]))
    assert run(FakeModule(runner), Apps({'name': 'A', 'state': 'absent'}))['changed'] is False
    assert [request[0] for request in runner.requests] == ['read']


def test_a_recreate_property_removes_and_creates_with_every_desired_value():
    runner = FakeRunner(response(ROWS), response(ROWS[:1], key='after'))
    run(FakeModule(runner), Apps({'name': 'A', 'uri': 'https://other.contoso.com/', 'scope': ['S1']}))
    assert runner.requests[1][1] == ['Remove-Thing', 'New-Thing', 'Get-Thing']
    assert runner.requests[1][2][1] == {'Name': 'A', 'Uri': 'https://other.contoso.com/', 'Scope': ['S1']}
    # an in-place property is set, not re-created
    runner = FakeRunner(response(ROWS), response(ROWS[:1], key='after'))
    run(FakeModule(runner), Apps({'name': 'A', 'scope': ['S2']}))
    assert runner.requests[1][1] == ['Set-Thing', 'Get-Thing']


def test_check_mode_create_predicts_without_writing():
    runner = FakeRunner(response([]))
    result = run(FakeModule(runner, check_mode=True), Apps({'name': 'N', 'uri': 'HTTPS://N.contoso.com', 'scope': {'add': ['S1']}}))
    assert [request[0] for request in runner.requests] == ['read']
    assert result['things'] == [{'name': 'N', 'uri': 'https://n.contoso.com/', 'scope': ['S1']}]


def test_the_after_state_is_the_verifying_read_not_the_prediction():
    # the server stored something else than asked (for example it normalised a value): the result says so
    runner = FakeRunner(response(ROWS), response([{'Identity': 'A', 'Uri': 'https://a.contoso.com/x', 'Scope': ['s2']}], key='after'))
    result = run(FakeModule(runner), Apps({'name': 'A', 'scope': ['S2']}))
    assert result['things'] == [{'name': 'A', 'uri': 'https://a.contoso.com/x', 'scope': ['s2']}]


def test_a_list_verify_and_notes_after_the_write():
    class Noted(Apps):
        def verify(self, context):
            return [Invocation('after', 'Get-Thing', properties=['Identity']), Invocation('after_more', 'Get-Other')]

        def notes(self, before, after, writes, context, sent):
            return ['sent=%s writes=%d after=%s' % (sent, len(writes), sorted(after))]

    runner = FakeRunner(response([]), response(ROWS[:1], key='after'))
    module = FakeModule(runner)
    run(module, Noted({'name': 'A', 'scope': ['S1']}))
    assert runner.requests[1][1] == ['New-Thing', 'Get-Thing', 'Get-Other']
    assert module.warnings == ['sent=True writes=1 after=[\'A\']']
    module = FakeModule(FakeRunner(response([])), check_mode=True)
    assert run(module, Noted({'name': 'A', 'uri': 'https://a.contoso.com/x', 'scope': ['S1']}))['changes'] == ['New-Thing A']
    assert module.warnings == ['sent=False writes=1 after=[\'A\']']

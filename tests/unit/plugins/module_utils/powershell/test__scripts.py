# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Static checks of the PowerShell text the collection ships (there is no pwsh on the test machines).

Every module-level ``*_PS1`` string constant of every file in plugins/module_utils/powershell/ is parsed with
tree-sitter-powershell, must be ASCII only, and must not use syntax that Windows PowerShell 3.0 to 5.1 cannot
run (``::new()``, ``-AsHashtable``, ``??``, ``?.``, pipeline chains, classes, enums, ``using`` statements).
tree-sitter checks syntax only: a misspelt cmdlet or a wrong parameter name is not found here.
"""

from __future__ import annotations

import ast
import os
import re
import typing as t

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell import _scripts
from ansible_collections.ucops.skype_exchange.plugins.module_utils.powershell._scripts import BOOTSTRAP_PS1, LOOP_PS1, RUNNER_PS1

POWERSHELL_DIR = os.path.dirname(os.path.abspath(_scripts.__file__))

PARSER = Parser(Language(tree_sitter_powershell.language()))

# Syntax that Windows PowerShell 3.0 (and mostly 5.1) cannot parse, checked on the script text with string
# literals and comments blanked out, so that a message that merely mentions '??' is not flagged.
FORBIDDEN = [
    ('::new() constructor call (PowerShell 5)', re.compile(r'::new\s*\(', re.IGNORECASE)),
    ('-AsHashtable (PowerShell 6)', re.compile(r'-AsHashtable\b', re.IGNORECASE)),
    ('null-coalescing ?? or ??= (PowerShell 7)', re.compile(r'\?\?')),
    ('null-conditional ?. or ?[ (PowerShell 7)', re.compile(r'\?\.|\$\{[^}]*\}\?\[')),
    ('pipeline chain && or || (PowerShell 7)', re.compile(r'&&|\|\|')),
    ('class definition (PowerShell 5)', re.compile(r'^[ \t]*class[ \t]+\w', re.IGNORECASE | re.MULTILINE)),
    ('enum definition (PowerShell 5)', re.compile(r'^[ \t]*enum[ \t]+\w', re.IGNORECASE | re.MULTILINE)),
    ('using statement (PowerShell 5)', re.compile(r'^[ \t]*using[ \t]+(namespace|module|assembly)\b',
                                                  re.IGNORECASE | re.MULTILINE)),
]

# Node types of tree-sitter-powershell that are PowerShell 5+ statements.
FORBIDDEN_NODE_TYPES = {'class_statement': 'class definition (PowerShell 5)', 'enum_statement': 'enum definition (PowerShell 5)'}


class Script(t.NamedTuple):
    path: str
    name: str
    text: str
    line: int  # line of the file on which the script text starts

    @property
    def label(self) -> str:
        return '%s:%s' % (os.path.relpath(self.path, POWERSHELL_DIR), self.name)


def collect_scripts() -> list[Script]:
    """Return every module-level ``NAME_PS1 = '...'`` constant of the files in plugins/module_utils/powershell/."""
    scripts = []
    for file_name in sorted(os.listdir(POWERSHELL_DIR)):
        if not file_name.endswith('.py'):
            continue
        path = os.path.join(POWERSHELL_DIR, file_name)
        with open(path, encoding='utf-8') as source:
            tree = ast.parse(source.read(), filename=path)
        for statement in tree.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            for target in targets:
                if not (isinstance(target, ast.Name) and target.id.endswith('_PS1')):
                    continue
                if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    raise AssertionError('%s:%d: %s must be a plain string literal (static PowerShell text)'
                                         % (path, statement.lineno, target.id))
                scripts.append(Script(path, target.id, value.value, value.lineno))
    return scripts


SCRIPTS = collect_scripts()


def first_error(node: Node) -> Node | None:
    """Return the first ERROR or MISSING node below ``node`` in document order."""
    if node.type == 'ERROR' or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = first_error(child)
        if found is not None:
            return found
    return node  # has_error without an ERROR or MISSING descendant: report the node itself


def syntax_error(text: str) -> str | None:
    """Return 'line L, column C: ...' (1-based, within the script) for the first syntax error, or None."""
    tree = PARSER.parse(text.encode('utf-8'))
    if not tree.root_node.has_error:
        return None
    node = first_error(tree.root_node)
    assert node is not None
    row, column = node.start_point
    if node.is_missing:
        what = 'missing %r' % node.type
    else:
        what = 'cannot parse %r' % text.encode('utf-8')[node.start_byte:node.end_byte][:60].decode('utf-8', 'replace')
    return 'line %d, column %d: %s' % (row + 1, column + 1, what)


def code_only(text: str) -> tuple[str, list[Node]]:
    """Return the script with string literals and comments blanked out (same offsets), and all nodes."""
    data = bytearray(text.encode('utf-8'))
    tree = PARSER.parse(bytes(data))
    nodes = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if node.type in ('string_literal', 'comment'):
            for index in range(node.start_byte, node.end_byte):
                if data[index] not in (0x0A, 0x0D):
                    data[index] = 0x20
            continue
        stack.extend(reversed(node.children))
    return data.decode('utf-8'), nodes


def forbidden_syntax(text: str) -> list[str]:
    """Return 'line L, column C: what' for every construct Windows PowerShell 3.0 to 5.1 cannot run."""
    code, nodes = code_only(text)
    findings = []
    for description, pattern in FORBIDDEN:
        for match in pattern.finditer(code):
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            line = code.count('\n', 0, start) + 1
            column = start - (code.rfind('\n', 0, start) + 1) + 1
            findings.append('line %d, column %d: %s' % (line, column, description))
    for node in nodes:
        if node.type in FORBIDDEN_NODE_TYPES:
            findings.append('line %d, column %d: %s' % (node.start_point[0] + 1, node.start_point[1] + 1,
                                                        FORBIDDEN_NODE_TYPES[node.type]))
    return sorted(set(findings))


def non_ascii(text: str) -> list[str]:
    findings = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for column, character in enumerate(line, start=1):
            if ord(character) > 127:
                findings.append('line %d, column %d: non-ASCII character U+%04X' % (line_number, column, ord(character)))
    return findings


def in_file(script: Script, finding: str) -> str:
    """Prefix a finding with the file and the file's line number."""
    match = re.match(r'line (\d+), ', finding)
    file_line = script.line + int(match.group(1)) - 1 if match else script.line
    return '%s:%d (%s %s)' % (script.path, file_line, script.name, finding)


# ----------------------------------------------------------------------------------------------------------
# The shipped scripts


def test_bootstrap_and_runner_are_collected():
    names = {script.name: script.text for script in SCRIPTS}
    assert names.get('BOOTSTRAP_PS1') == BOOTSTRAP_PS1
    assert names.get('RUNNER_PS1') == RUNNER_PS1
    assert names.get('LOOP_PS1') == LOOP_PS1


@pytest.mark.parametrize('script', SCRIPTS, ids=[script.label for script in SCRIPTS])
def test_script_parses(script: Script):
    error = syntax_error(script.text)
    assert error is None, 'PowerShell syntax error: ' + in_file(script, error)


@pytest.mark.parametrize('script', SCRIPTS, ids=[script.label for script in SCRIPTS])
def test_script_is_ascii(script: Script):
    findings = non_ascii(script.text)
    assert not findings, '\n'.join(in_file(script, finding) for finding in findings)


@pytest.mark.parametrize('script', SCRIPTS, ids=[script.label for script in SCRIPTS])
def test_script_uses_no_forbidden_syntax(script: Script):
    findings = forbidden_syntax(script.text)
    assert not findings, '\n'.join(in_file(script, finding) for finding in findings)


# ----------------------------------------------------------------------------------------------------------
# The checker itself


@pytest.mark.parametrize('text, expected', [
    pytest.param("Write-Output 'unterminated\n", 'line 1, column 1', id='unterminated-single-quoted-string'),
    pytest.param('$a = 1\nWrite-Output "unterminated\n', 'line 2, column 1', id='unterminated-double-quoted-string'),
    pytest.param('$a = 1\nif ($true) {\n    Write-Output 1\n', "missing '}'", id='unclosed-brace'),
    pytest.param('$h = @{ a = 1\n', 'line 1', id='unclosed-hashtable'),
    pytest.param('Write-Output (1 + 2\n', 'line 1', id='unclosed-parenthesis'),
])
def test_checker_reports_syntax_errors(text: str, expected: str):
    error = syntax_error(text)
    assert error is not None
    assert error.startswith('line ')
    assert expected in error


def test_checker_accepts_valid_script():
    assert syntax_error("function f {\n    param([string]$Name)\n    Write-Output ('Hello ' + $Name)\n}\nf -Name 'x'\n") is None


@pytest.mark.parametrize('text, expected', [
    pytest.param('$list = [System.Collections.ArrayList]::new()\n', '::new()', id='new'),
    pytest.param('$o = ConvertFrom-Json -InputObject $j -AsHashtable\n', '-AsHashtable', id='as-hashtable'),
    pytest.param('$a = $b ?? 3\n', '??', id='null-coalescing'),
    pytest.param('$a ??= 3\n', '??', id='null-coalescing-assignment'),
    pytest.param('$n = $a?.Name\n', '?.', id='null-conditional'),
    pytest.param('Get-Item x && Get-Item y\n', '&&', id='pipeline-chain'),
    pytest.param('class Foo {\n    [string]$Name\n}\n', 'class definition', id='class'),
    pytest.param('enum Color { Red }\n', 'enum definition', id='enum'),
    pytest.param('using namespace System.Text\n$a = 1\n', 'using statement', id='using-namespace'),
])
def test_checker_reports_forbidden_syntax(text: str, expected: str):
    findings = forbidden_syntax(text)
    assert any(expected in finding for finding in findings), findings


def test_checker_ignores_strings_and_comments():
    text = "# a comment may say ::new( or ?? or class Foo\n$m = 'what?? ?.x ::new( -AsHashtable'\n$n = \"a && b\"\n"
    assert syntax_error(text) is None
    assert forbidden_syntax(text) == []


def test_checker_reports_non_ascii():
    assert non_ascii("Write-Output 'caf\u00e9'\n") == ['line 1, column 18: non-ASCII character U+00E9']
    assert non_ascii("Write-Output \u201cquoted\u201d\n")

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PowerShell error records as the runner reports them (``New-UcopsError`` in RUNNER_PS1).

The runner copies four fields of the caught ErrorRecord: ``Exception.Message``, ``FullyQualifiedErrorId``,
``CategoryInfo.Category`` and ``Exception.GetType().FullName``. A :class:`PSError` carries exactly these.
"""

from __future__ import annotations

# Exception type names used by several modules.
PARAMETER_BINDING_EXCEPTION = 'System.Management.Automation.ParameterBindingException'
PARAMETER_BINDING_VALIDATION_EXCEPTION = 'System.Management.Automation.ParameterBindingValidationException'
COMMAND_NOT_FOUND_EXCEPTION = 'System.Management.Automation.CommandNotFoundException'
REMOTE_EXCEPTION = 'System.Management.Automation.RemoteException'
RUNTIME_EXCEPTION = 'System.Management.Automation.RuntimeException'
METHOD_INVOCATION_EXCEPTION = 'System.Management.Automation.MethodInvocationException'
LAB_NOT_IMPLEMENTED_EXCEPTION = 'UcopsLab.NotImplementedException'


class PSError(Exception):
    """A PowerShell ErrorRecord reduced to the fields the runner reports."""

    def __init__(self, message: str, fqid: str, category: str, exception_type: str | None, warnings: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fqid = fqid
        self.category = category
        self.exception_type = exception_type
        # warnings written before the error (the runner's WarningVariable keeps them)
        self.warnings: list[str] = list(warnings or [])

    def record(self, stage: str, index: int | None, cmdlet: str | None) -> dict:
        """The ``error`` object of the response (docs/design.md section 3)."""
        return {'stage': stage, 'index': index, 'cmdlet': cmdlet, 'message': self.message,
                'fully_qualified_error_id': self.fqid, 'category': self.category,
                'exception_type': self.exception_type}


def command_not_found(name: str) -> PSError:
    """``& 'X'`` for a command the session does not have.

    Source: PowerShell's CommandNotFoundException text (DiscoveryExceptions.CommandNotFoundException), FQID
    ``CommandNotFoundException``, category ObjectNotFound (brief of this task, Windows PowerShell 5.1).
    """
    return PSError("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. "
                   "Check the spelling of the name, or if a path was included, verify that the path is correct and try again." % name,
                   'CommandNotFoundException', 'ObjectNotFound', COMMAND_NOT_FOUND_EXCEPTION)


def lab_not_implemented(what: str) -> PSError:
    """A real product feature the lab does not model: fail loudly instead of pretending success.

    No source: this error exists only in the lab; its exception type names the lab so nobody mistakes it.
    """
    return PSError('ucops lab: %s is not implemented by the lab simulator (the real product has it; the lab refuses '
                   'rather than pretend success).' % what, 'UcopsLabNotImplemented', 'NotImplemented', LAB_NOT_IMPLEMENTED_EXCEPTION)


def thrown_string(message: str) -> PSError:
    """``throw 'text'`` in PowerShell: a RuntimeException whose FQID is the text itself, category OperationStopped.

    Source: PowerShell semantics of throwing a string (ErrorRecord of RuntimeException, FullyQualifiedErrorId = message).
    """
    return PSError(message, message, 'OperationStopped', RUNTIME_EXCEPTION)

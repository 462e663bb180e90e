# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's latency model: what a real server spends on each step of one PowerShell run of the collection's runner.

A run is: PowerShell starts, the runner loads the product shell (Exchange: ``New-PSSession`` to ``/PowerShell`` then
``Import-PSSession``, or the snap-in; Skype for Business: ``Import-Module SkypeForBusiness``/``Lync``, or
``New-PSSession`` to ``/OcsPowershell`` then ``Import-PSSession``), then each cmdlet runs. The lab computes its answers
in microseconds; real servers take seconds, mostly in the shell load. Without a model the lab would make a design that
loads the shell once per task look as cheap as one that loads it once per play.

Off by default (the tests): nothing sleeps, but every figure is still recorded in ``events.jsonl`` (lab/log.py), so the
modelled server time of a run can be summed either way. On with ``UCOPS_LAB_LATENCY`` in the lab's environment, read
when the engine is created (at ``python -m lab start``; ``--latency [SCALE]`` sets it): ``1``/``on``/``true`` = the
figures as they are, a positive number = the figures times that factor (``0.1`` for quick runs), ``0``/``off``/empty =
off. When on, the engine sleeps the modelled time of a run after computing its answer and releasing its lock, in the
WinRS command's own worker thread (lab/wsman.py starts one per command), so runs on different hosts, or on one host,
overlap as they do on real servers.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping

ENV = 'UCOPS_LAB_LATENCY'


@dataclasses.dataclass(frozen=True)
class Figure:
    """One modelled step: its time on a real server (seconds) and where the figure comes from."""

    seconds: float
    source: str


# No public measurement of an Exchange remote session or a Skype module load was found (searched: web pages and issue
# trackers for Import-PSSession/New-PSSession Exchange timing, Import-Module SkypeForBusiness/Lync load time;
# /work/shared/domain/peers-and-transport.md "Load or connection time" came to the same result). Those figures are
# estimates at the low end of the field estimate of 3-15 s for a session open plus import or a module import (issue 10);
# a busy or remote server takes longer, so the model understates the cost of each load rather than overstating it.
FIGURES: dict[str, Figure] = {
    # Source: PowerShell/PowerShell issue #4239 (SteveL-MSFT: Windows PowerShell 5.1 took 600 ms to start on Windows 10
    # build 16225, without profiles); issue #12843 measured 0.19 s for `powershell.exe -command "&{12}"` on one Server 2019
    # build and 2.2 s on another. -NoProfile, as the runner's command line has it.
    'powershell_start': Figure(0.6, 'PowerShell/PowerShell#4239: Windows PowerShell 5.1 starts in ~600 ms (#12843: 0.19-2.2 s)'),
    # estimate: New-PSSession -ConfigurationName Microsoft.Exchange to http://<server>/PowerShell/ (Kerberos logon, IIS,
    # the Exchange RBAC runspace initialisation that builds the user's role-scoped cmdlet list)
    'exchange_new_pssession': Figure(3.0, 'estimate (field estimate 3-15 s for session + import, issue 10)'),
    # estimate: Import-PSSession -CommandName <the request's cmdlets>: Get-Command and Get-FormatData in the remote
    # runspace, then a generated proxy module (PowerShell ImplicitRemotingCommands.cs). A full import is far slower:
    # PowerShell/PowerShell#16615 shows "Creating implicit remoting module ... 00:01:36 remaining" for Exchange Online.
    'exchange_import_pssession': Figure(2.0, 'estimate for a -CommandName import of a few cmdlets (full import: minutes, '
                                             'PowerShell/PowerShell#16615)'),
    # estimate: Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn (loads the Exchange management assemblies and
    # the directory session; no RBAC runspace)
    'exchange_add_pssnapin': Figure(3.0, 'estimate'),
    # estimate: New-PSSession to https://<Front End or pool>/OcsPowershell (IIS on the internal web site)
    'skype_new_pssession': Figure(3.0, 'estimate (field estimate 3-15 s for session + import, issue 10)'),
    # estimate: as exchange_import_pssession
    'skype_import_pssession': Figure(2.0, 'estimate for a -CommandName import of a few cmdlets'),
    # estimate: Import-Module SkypeForBusiness (or Lync): a binary module of about 1000 cmdlets that also reads the
    # local configuration store. Large Microsoft modules take seconds to tens of seconds to import (MicrosoftTeams 3.1.0:
    # 15-35 s, MicrosoftDocs/office-docs-powershell#8892), which supports the order of magnitude only.
    'skype_import_module': Figure(5.0, 'estimate (field estimate 3-15 s, issue 10; MicrosoftTeams module import 15-35 s, '
                                       'MicrosoftDocs/office-docs-powershell#8892)'),
    # estimate: one Get-/Test- cmdlet of a product shell (a directory or CMS read; through implicit remoting one round trip)
    'cmdlet_read': Figure(0.2, 'estimate'),
    # estimate: one cmdlet that writes (Set-/New-/Remove-...: a directory or CMS write, Exchange admin audit logging)
    'cmdlet_write': Figure(0.5, 'estimate'),
}

# The steps of one product-shell load, by the request's shell type (RUNNER_PS1).
SHELL_LOAD_STEPS: dict[str, tuple[str, ...]] = {
    'exchange_remote': ('exchange_new_pssession', 'exchange_import_pssession'),
    'exchange_snapin': ('exchange_add_pssnapin',),
    'skype_remote': ('skype_new_pssession', 'skype_import_pssession'),
    'skype': ('skype_import_module',),
}

_ON = ('1', 'on', 'true', 'yes')
_OFF = ('', '0', 'off', 'false', 'no')


def parse_scale(text: str | None) -> float:
    """The scale factor a ``UCOPS_LAB_LATENCY`` value means (0.0 = off); ValueError for anything else."""
    value = (text or '').strip().lower()
    if value in _OFF:
        return 0.0
    if value in _ON:
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        scale = -1.0
    if not scale >= 0.0 or scale == float('inf'):
        raise ValueError('%s=%r: use 1 (on), 0 (off) or a scale factor such as 0.1' % (ENV, text))
    return scale


class LatencyModel:
    """The figures, and whether (and how much) the lab sleeps them."""

    def __init__(self, scale: float = 0.0, figures: Mapping[str, Figure] | None = None) -> None:
        self.scale = float(scale)
        self.figures = dict(FIGURES if figures is None else figures)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> LatencyModel:
        """The model ``UCOPS_LAB_LATENCY`` asks for (off when unset)."""
        return cls(parse_scale((os.environ if environ is None else environ).get(ENV)))

    @property
    def enabled(self) -> bool:
        """Whether the lab sleeps the modelled time."""
        return self.scale > 0.0

    def seconds(self, step: str, count: int = 1) -> float:
        """The modelled time of ``count`` times ``step``: scaled when the model is on, the plain figure when it is off
        (what a real server would spend, recorded for the benchmark)."""
        return self.figures[step].seconds * count * (self.scale if self.enabled else 1.0)

    def shell_load(self, shell_type: str) -> dict[str, float]:
        """{step: seconds} of one load of the product shell ``shell_type`` (empty for an unknown type)."""
        return dict((step, self.seconds(step)) for step in SHELL_LOAD_STEPS.get(shell_type.lower(), ()))

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` when the model is on (the caller holds no lock)."""
        if self.enabled and seconds > 0:
            time.sleep(seconds)

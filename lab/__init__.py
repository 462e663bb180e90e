"""Lab simulator for ucops.skype_exchange: WS-Management (WinRS) listeners that stand in for Exchange and Skype servers.

``python -m lab start`` reads ``lab/topology.yml`` and serves one HTTP or HTTPS listener per simulated host on
127.0.0.1, so that unmodified pywinrm talks to it exactly as it would to a Windows server. See ``docs/design.md`` §5.
"""

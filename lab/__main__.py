"""Command line of the lab simulator: ``python -m lab {start,stop,status,reset}``.

* ``start [--topology PATH] [--state-dir DIR] [--foreground] [--latency [SCALE]]``: start the listeners. By default the
  server detaches, writes ``server.pid`` and ``server.log`` into the state dir, and this command returns once every
  listener accepts connections, printing the inventory path. ``--latency`` turns the latency model on (lab/latency.py:
  the server sleeps what a real server spends on PowerShell start, shell loads and cmdlets; SCALE multiplies the
  figures, default 1); without it, ``$UCOPS_LAB_LATENCY`` decides (off when unset).
* ``stop``: SIGTERM the server and wait for it to exit (exit 0 also when it was not running).
* ``status``: say whether the server runs and list its endpoints (exit 0 running, 3 not running).
* ``reset``: forget the persisted product state (only while the server is stopped).

The state dir is ``--state-dir``, else ``$UCOPS_LAB_STATE_DIR``, else ``lab/.state`` next to this file.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from lab.latency import ENV as LATENCY_ENV, parse_scale
from lab.topology import DEFAULT_TOPOLOGY, Topology, TopologyError, load_topology

STATE_ENV = "UCOPS_LAB_STATE_DIR"
DEFAULT_STATE_DIR = pathlib.Path(__file__).parent / ".state"
PID_FILE = "server.pid"
LOCK_FILE = "server.lock"
LOG_FILE = "server.log"
RUNTIME_FILE = "server.json"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
EXIT_NOT_RUNNING = 3
_POLL = 0.1


class CliError(Exception):
    """A failure to report to the user as ``lab: <message>`` with exit code 1."""


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, TopologyError) as error:
        print(f"lab: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lab", description="WS-Management simulator of Exchange and Skype for Business servers.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--state-dir", type=pathlib.Path, default=None,
                       help=f"state directory (default: ${STATE_ENV} or {DEFAULT_STATE_DIR})")

    start = sub.add_parser("start", help="start the lab server")
    common(start)
    start.add_argument("--topology", type=pathlib.Path, default=None, help=f"topology file (default: {DEFAULT_TOPOLOGY})")
    start.add_argument("--foreground", action="store_true", help="run in this process until SIGTERM or Ctrl+C")
    start.add_argument("--latency", nargs="?", const="1", default=None, metavar="SCALE",
                       help=f"sleep the modelled server time of each PowerShell run (lab/latency.py), the figures times SCALE "
                            f"(default 1); without it ${LATENCY_ENV} decides (off when unset)")
    start.set_defaults(func=cmd_start)

    stop = sub.add_parser("stop", help="stop the lab server")
    common(stop)
    stop.set_defaults(func=cmd_stop)

    status = sub.add_parser("status", help="show whether the lab server runs")
    common(status)
    status.set_defaults(func=cmd_status)

    reset = sub.add_parser("reset", help="forget persisted product state (server must be stopped)")
    common(reset)
    reset.add_argument("--topology", type=pathlib.Path, default=None, help=f"topology file (default: {DEFAULT_TOPOLOGY})")
    reset.set_defaults(func=cmd_reset)
    return parser


# ------------------------------------------------------------------------------------------------------------------
# Commands


def cmd_start(args: argparse.Namespace) -> int:
    """``start``: in the foreground, or detached with a readiness wait."""
    state_dir = _state_dir(args.state_dir)
    topology_path = (args.topology or DEFAULT_TOPOLOGY).resolve()
    topology = load_topology(topology_path)
    running = _running_pid(state_dir)
    if running is not None:
        raise CliError(f"the lab is already running (pid {running}, state dir {state_dir}); stop it first with: python -m lab stop"
                       + _state_arg(args.state_dir))
    latency = args.latency if args.latency is not None else os.environ.get(LATENCY_ENV)
    try:
        parse_scale(latency)
    except ValueError as error:
        raise CliError(str(error) if args.latency is None else f"--latency {args.latency!r}: use a scale factor such as 1 or 0.1") from None
    if args.latency is not None:
        # the engine reads the variable when the server creates it; a detached server inherits it
        os.environ[LATENCY_ENV] = args.latency
    if args.foreground:
        return _run_foreground(topology, state_dir)
    return _start_background(topology_path, state_dir)


def cmd_stop(args: argparse.Namespace) -> int:
    """``stop``: SIGTERM and wait (bounded)."""
    state_dir = _state_dir(args.state_dir)
    pid = _running_pid(state_dir)
    if pid is None:
        print(f"lab is not running (state dir {state_dir})")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(pid):
        if time.monotonic() > deadline:
            raise CliError(f"the lab server (pid {pid}) did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM; "
                           f"see {state_dir / LOG_FILE}")
        time.sleep(_POLL)
    for name in (PID_FILE, RUNTIME_FILE):
        _unlink(state_dir / name)
    print(f"lab stopped (pid {pid})")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``status``: running or not, and the endpoints."""
    state_dir = _state_dir(args.state_dir)
    pid = _running_pid(state_dir)
    if pid is None:
        print(f"lab is not running (state dir {state_dir})")
        return EXIT_NOT_RUNNING
    info = _read_runtime(state_dir) or {}
    print(f"lab is running (pid {pid}, state dir {state_dir})")
    for name, host in sorted(info.get("hosts", {}).items()):
        print(f"  {name:<10} {host['url']:<32} {host['product']} {host['version']} {host['fqdn']} auth={'+'.join(host['auth'])}")
    if info.get("dns"):
        print(f"dns: {info['dns']} (udp+tcp)")
    if info.get("inventory"):
        print(f"inventory: {info['inventory']}")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    """``reset``: Engine.reset(), refused while the server runs."""
    state_dir = _state_dir(args.state_dir)
    pid = _running_pid(state_dir)
    if pid is not None:
        raise CliError(f"the lab is running (pid {pid}); stop it first with: python -m lab stop{_state_arg(args.state_dir)}")
    topology = load_topology((args.topology or DEFAULT_TOPOLOGY).resolve())
    try:
        from lab.engine import Engine  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        raise CliError(f"lab.engine is not available ({error})") from None
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    Engine(topology, state_dir).reset()
    print(f"lab product state reset (state dir {state_dir})")
    return 0


# ------------------------------------------------------------------------------------------------------------------
# Foreground and background


def _run_foreground(topology: Topology, state_dir: pathlib.Path) -> int:
    """Serve until SIGTERM/SIGINT; writes server.pid and server.json while running."""
    from lab.server import LabError, LabServer, RedactingFilter  # pylint: disable=import-outside-toplevel

    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # One server per state dir, even when two starts race: the lock lives as long as this process.
    lock_fd = os.open(state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock_fd)
        raise CliError(f"the lab is already running with state dir {state_dir}") from None
    server = LabServer(topology, state_dir)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(server.redactor))
    root = logging.getLogger("lab")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Block the stop signals before any thread starts, so that every thread inherits the mask and only sigwait() below
    # receives them: shutdown then runs in the main thread, outside any signal handler.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        try:
            server.start()
        except LabError as error:
            raise CliError(str(error)) from None
        try:
            (state_dir / PID_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
            (state_dir / RUNTIME_FILE).write_text(json.dumps(server.runtime_info(), indent=2) + "\n", encoding="utf-8")
            logging.getLogger("lab.cli").info("lab server running (pid %d); inventory %s", os.getpid(), server.inventory_path)
            scale = parse_scale(os.environ.get(LATENCY_ENV))
            logging.getLogger("lab.cli").info("latency model %s", f"on (scale {scale:g}, lab/latency.py)" if scale else "off")
            print(f"lab running (pid {os.getpid()}); inventory: {server.inventory_path}", flush=True)
            received = signal.sigwait(stop_signals)
            logging.getLogger("lab.cli").info("received %s, stopping", signal.Signals(received).name)
        finally:
            server.stop()
            _unlink(state_dir / RUNTIME_FILE)
            if _read_pid(state_dir / PID_FILE) == os.getpid():
                _unlink(state_dir / PID_FILE)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        root.removeHandler(handler)
        os.close(lock_fd)
    return 0


def _start_background(topology_path: pathlib.Path, state_dir: pathlib.Path) -> int:
    """Start ``python -m lab start --foreground`` detached, wait until every listener accepts connections."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _unlink(state_dir / RUNTIME_FILE)
    log_path = state_dir / LOG_FILE
    command = [sys.executable, "-m", "lab", "start", "--foreground", "--topology", str(topology_path), "--state-dir", str(state_dir)]
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as log, open(os.devnull, "rb") as devnull:
        offset = log.seek(0, os.SEEK_END)
        child = subprocess.Popen(  # pylint: disable=consider-using-with
            command, cwd=str(pathlib.Path(__file__).resolve().parent.parent), stdin=devnull, stdout=log, stderr=log,
            start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_TIMEOUT
    info: dict[str, Any] | None = None
    while True:
        code = child.poll()
        if code is not None:
            raise CliError(f"the lab server exited during start-up (exit code {code}):\n{_log_tail(log_path, offset)}")
        info = _read_runtime(state_dir)
        if info is not None and info.get("pid") == child.pid:
            break
        if time.monotonic() > deadline:
            child.terminate()
            raise CliError(f"the lab server did not become ready within {START_TIMEOUT:.0f} s; see {log_path}")
        time.sleep(_POLL)
    for name, host in info.get("hosts", {}).items():
        try:
            with socket.create_connection(("127.0.0.1", int(host["port"])), timeout=5):
                pass
        except OSError as error:
            child.terminate()
            raise CliError(f"listener of host {name} on port {host['port']} does not accept connections: {error}") from None
    print(f"lab started (pid {child.pid}, {len(info.get('hosts', {}))} hosts, log {log_path})")
    print(info["inventory"])
    return 0


# ------------------------------------------------------------------------------------------------------------------
# Helpers


def _state_dir(arg: pathlib.Path | None) -> pathlib.Path:
    if arg is not None:
        return arg.expanduser().resolve()
    env = os.environ.get(STATE_ENV)
    if env:
        return pathlib.Path(env).expanduser().resolve()
    return DEFAULT_STATE_DIR.resolve()


def _state_arg(arg: pathlib.Path | None) -> str:
    return f" --state-dir {arg}" if arg is not None else ""


def _read_pid(path: pathlib.Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _running_pid(state_dir: pathlib.Path) -> int | None:
    """The pid of a live lab server of this state dir; a stale pid file is removed."""
    pid_path = state_dir / PID_FILE
    pid = _read_pid(pid_path)
    if pid is None:
        return None
    if pid != os.getpid() and _alive(pid) and _is_lab_process(pid):
        return pid
    _unlink(pid_path)
    _unlink(state_dir / RUNTIME_FILE)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A zombie (exited, not yet reaped) is not running.
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_lab_process(pid: int) -> bool:
    """Guard against pid reuse: on Linux, check that the process command line is ours."""
    try:
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\x00")
    except OSError:
        return True
    return b"lab" in cmdline and b"start" in cmdline


def _read_runtime(state_dir: pathlib.Path) -> dict[str, Any] | None:
    try:
        data = json.loads((state_dir / RUNTIME_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _log_tail(path: pathlib.Path, offset: int, lines: int = 20) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def _unlink(path: pathlib.Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


if __name__ == "__main__":
    sys.exit(main())

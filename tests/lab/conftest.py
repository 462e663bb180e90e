"""Fixtures for the WS-Management tests: an in-process LabServer on port 0 with a stub engine."""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Iterator

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# pylint: disable=wrong-import-position
from wsman_support import TOPOLOGY_DATA, StubEngine  # noqa: E402

from lab.server import LabServer  # noqa: E402
from lab.topology import Topology, parse_topology  # noqa: E402
from lab.wsman import ShellLimits  # noqa: E402


@pytest.fixture(scope="session")
def topology() -> Topology:
    """The test topology: HTTPS (ntlm+basic), HTTP (ntlm; basic refused), HTTP with allow_unencrypted."""
    return parse_topology(TOPOLOGY_DATA)


@pytest.fixture(scope="session")
def engine() -> StubEngine:
    """The shared stub engine."""
    return StubEngine()


@pytest.fixture(scope="session")
def lab(topology: Topology, engine: StubEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A running in-process lab server (port 0 everywhere) with the stub engine."""
    saved = os.environ.get("NTLM_USER_FILE")
    server = LabServer(topology, tmp_path_factory.mktemp("state"), engine=engine, limits=ShellLimits(input_wait=0.2))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if saved is None:
            os.environ.pop("NTLM_USER_FILE", None)
        else:
            os.environ["NTLM_USER_FILE"] = saved

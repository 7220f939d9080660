"""`liaison` as real processes, for the tests that drive the server from outside."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def liaison(*args: str | Path) -> str:
    """Run one CLI command to completion; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "liaison", *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db: str | Path, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`liaison serve` on loopback, once its health check answers; stderr goes to `log`."""
    with log.open("w") as err:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [sys.executable, "-m", "liaison", "serve", "--db", str(db), "--port", str(port), *extra],
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    pytest.fail(f"liaison serve did not come up: {log.read_text()[-2000:]}")

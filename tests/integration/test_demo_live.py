"""`liaison demo --serve` (what `make demo` runs): a served hub with a living sea and tokens."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from liaison.governance.model import State
from liaison.hub import Hub
from tests.integration.processes import free_port

TOKEN_ROW = re.compile(r"│ (?:partner|operator) +│ (\S+) +│ (lia_\S+) +│")


def test_the_live_demo_serves_a_moving_picture_until_stopped(tmp_path: Path) -> None:
    port, db = free_port(), tmp_path / "demo.db"
    demo = subprocess.Popen(
        [sys.executable, "-m", "liaison", "demo", "--serve", "--port", str(port),
         "--speed", "600", "--stop-after", "20", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"COLUMNS": "200"},
    )  # fmt: skip
    assert demo.stdout is not None
    url = f"http://127.0.0.1:{port}"
    printed: list[str] = []
    tokens: dict[str, str] = {}
    for line in demo.stdout:  # the welcome: the URL, then a token for everyone
        printed.append(line)
        tokens.update(TOKEN_ROW.findall(line))
        if line.startswith("└"):
            break
    assert f"{url}/" in "".join(printed)
    assert {"duty-officer", "JPN", "NATO", "USA"} <= set(tokens), printed
    jpn = {"Authorization": f"Bearer {tokens['JPN']}"}
    vessels: list[object] = []
    for _ in range(150):  # the sea moves while the server runs
        with contextlib.suppress(httpx.TransportError):
            vessels = httpx.get(f"{url}/api/v1/picture", headers=jpn, timeout=2).json()["vessels"]
        if vessels:
            break
        time.sleep(0.1)
    assert vessels, "JPN's picture filled from the simulated sea"
    assert httpx.get(url + "/", timeout=2).status_code == 200
    _, err = demo.communicate(timeout=60)
    assert demo.returncode == 0, err[-2000:]
    hub = Hub.open(db)
    try:
        assert {t.feed for t in hub.store.tracks()} == {"jpn-ais", "nato-ais"}
        assert [s.state for s in hub.governance.all()] == [State.CIRCULATING]
    finally:
        hub.close()

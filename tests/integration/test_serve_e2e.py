"""End to end: `liaison serve` as a real process; the simulator's miyako-transit ingested beside it;
JPN, USA and NATO each receive exactly what the engine allows, over pull, SSE and WebSocket alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from tests.integration.processes import free_port, liaison, start_server

PARTNERS = ("JPN", "USA", "NATO")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    work = tmp_path_factory.mktemp("serve")
    db = work / "hub.db"
    liaison("init", "--db", db)
    secrets = {
        p: liaison("tokens", "create", "--db", db, "--partner", p).strip().splitlines()[-1]
        for p in PARTNERS
    }
    port = free_port()
    server = start_server(db, port, work / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        nmea = work / "miyako.nmea"
        lines = nmea_lines(build_scenario("miyako-transit", 1, load_region()))
        nmea.write_text("".join(line + "\n" for _, line in lines))
        liaison("ingest", "--db", db, "--feed", "jpn-ais", nmea)
        yield base, db, secrets
    finally:
        server.terminate()
        server.wait(timeout=10)


def _allowed(db: Path, partner: str) -> list[str]:
    hub = Hub.open(db)
    try:
        return [
            item.id
            for _, item in hub.store.items(0, 100_000)
            if hub.releaser.decide(item, partner).allowed
        ]
    finally:
        hub.close()


@pytest.mark.parametrize("partner", PARTNERS)
def test_pull_sse_and_websocket_agree_with_the_engine(
    served: tuple[str, Path, dict[str, str]], partner: str
) -> None:
    base, db, secrets = served
    auth = {"Authorization": f"Bearer {secrets[partner]}"}
    expected = sorted(_allowed(db, partner))

    pulled = httpx.get(f"{base}/api/v1/feed?limit=10000", headers=auth).json()["items"]
    assert sorted(e["item"]["id"] for e in pulled) == expected

    with httpx.stream(
        "GET", f"{base}/api/v1/stream?until_idle=0.5", headers=auth, timeout=30
    ) as response:
        text = response.read().decode()
    sse = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert sse == pulled

    ws_url = base.replace("http://", "ws://") + "/api/v1/ws?after=0&until_idle=0.5"
    received = []
    with connect(ws_url, additional_headers=auth) as ws:
        for message in ws:
            received.append({k: v for k, v in json.loads(message).items() if k != "type"})
    assert received == pulled

    if partner == "NATO":  # itpp-jpn: no real-time positions or events from JPN
        assert not any(e["item"]["kind"] in ("position", "event") for e in pulled)
    else:
        assert {e["item"]["kind"] for e in pulled} >= {"position", "event"}

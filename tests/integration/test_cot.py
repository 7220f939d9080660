"""Cursor on Target, received by pytak (a real TAK client library): each partner gets the tracks
and events it may see, and nothing else."""

from __future__ import annotations

import asyncio
import configparser
import socket
from pathlib import Path

import pytak
from lxml import etree

from liaison import tokens
from liaison.api.cot import serve_cot
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines


async def _receive(port: int, token: str, seconds: float) -> list[etree._Element]:
    config = configparser.ConfigParser()
    config["tak"] = {"COT_URL": f"tcp://127.0.0.1:{port}"}
    reader, writer = await pytak.protocol_factory(config["tak"])
    writer.write(token.encode() + b"\n")
    await writer.drain()
    data = b""
    try:
        async with asyncio.timeout(seconds):
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                data += chunk
    except TimeoutError:
        pass
    writer.close()
    return [etree.fromstring(e + b"</event>") for e in data.split(b"</event>") if e.strip()]


def test_partners_receive_their_cot(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "m.nmea")
    secrets = {
        p: str(tokens.issue(hub.store, p, tokens.PARTNER, hub.clock())[1]) for p in ("USA", "NATO")
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> dict[str, list[etree._Element]]:
        server = await serve_cot(hub, "127.0.0.1", port, interval_s=0.2)
        try:
            return {p: await _receive(port, secret, 1.0) for p, secret in secrets.items()}
        finally:
            server.close()

    got = asyncio.run(main())
    usa = got["USA"]
    tracks = {str(e.get("uid")): e for e in usa if e.get("type") == "a-u-S"}
    assert {uid.rsplit(".", 1)[1] for uid in tracks} == {str(v.mmsi) for v in scenario.vessels}
    for event in tracks.values():
        assert event.get("version") == "2.0"
        point = event.find("point")
        assert point is not None
        assert 20 < float(point.get("lat", "0")) < 30
        contact = event.find("detail/contact")
        assert contact is not None
        assert contact.get("callsign") in {"TAIZHOU", "NINGBO", "QIANDAOHU"}
        track = event.find("detail/track")
        assert track is not None
        assert abs(float(track.get("speed", "0")) - 16 * 1852 / 3600) < 0.1  # 16 kn in m/s
    transits = [e for e in usa if e.get("type") == "b-m-p-s-m"]
    assert len(transits) == 3
    assert got["NATO"] == []  # itpp-jpn: no real-time positions or events
    hub.close()


def test_a_wrong_token_gets_nothing(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> list[etree._Element]:
        server = await serve_cot(hub, "127.0.0.1", port, interval_s=0.2)
        try:
            return await _receive(port, "lia_wrong", 0.5)
        finally:
            server.close()

    assert asyncio.run(main()) == []
    hub.close()

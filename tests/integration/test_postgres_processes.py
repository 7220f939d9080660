"""Several hub processes on one PostgreSQL, and what happens when things fail: a database
restart during ingest, a hub process killed while partners read from it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import threading
import time
from pathlib import Path

import httpx

from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.ingest.listener import Endpoints, listen
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from tests.integration.processes import free_port, liaison, start_server
from tests.servers import PostgresServer


def miyako() -> list[str]:
    return [line for _, line in nmea_lines(build_scenario("miyako-transit", 1, load_region()))]


def test_a_database_restart_pauses_ingest_and_loses_nothing(own_postgres: PostgresServer) -> None:
    url = own_postgres.database()
    hub = Hub.open(url)
    load_demo(hub)
    lines = miyako()
    port = free_port()

    async def run() -> int:
        stop = asyncio.Event()
        ready = asyncio.Event()
        stream = hub.ais_stream("jpn-ais", "udp", live=False)
        task = asyncio.create_task(
            listen(stream, Endpoints(udp=[("127.0.0.1", port)]), stop, commit_s=0.05, ready=ready)
        )
        await ready.wait()
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            half = len(lines) // 2
            for line in lines[:half]:
                sender.sendto(line.encode() + b"\n", ("127.0.0.1", port))
                await asyncio.sleep(0.001)
            await asyncio.sleep(0.3)  # committed
            await loop.run_in_executor(None, own_postgres.stop, "fast")
            for line in lines[half:]:  # arrive while the database is down
                sender.sendto(line.encode() + b"\n", ("127.0.0.1", port))
                await asyncio.sleep(0.001)
            await asyncio.sleep(1.5)  # ingest is paused, retrying
            await loop.run_in_executor(None, own_postgres.start)
        await asyncio.sleep(3.0)  # reconnected, the pending batch committed
        stop.set()
        summary, _ = await task
        return summary.positions

    try:
        received = asyncio.run(run())
        batches = [i.id for _, i in hub.store.items_of_kind("position", 0, 100_000)]
        stored = [f for b in batches for f in hub.store.positions(b)]
        assert received == 729  # every message of the scenario arrived (loopback UDP)
        assert len(stored) == received, "every fix acknowledged is stored, none twice"
        assert len({(f.mmsi, f.time) for f in stored}) == len(stored)
        assert {e.item.kind for e in hub.feed("USA", 0, 100_000).entries} >= {"position", "event"}
    finally:
        hub.close()


def sse_releases(url: str, token: str, after: int, idle_s: float) -> list[int]:
    """The cursors of the releases a stream delivers until it has been quiet for `idle_s`."""
    cursors = []
    with httpx.stream(
        "GET", f"{url}/api/v1/stream", params={"after": after, "until_idle": idle_s},
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    ) as answer:  # fmt: skip
        for line in answer.iter_lines():
            if line.startswith("id: "):
                cursors.append(int(line[4:]))
    return cursors


def test_any_process_serves_any_partner_and_survives_another_being_killed(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.database()
    liaison("init", "--db", url, "--audit-key", tmp_path / "hub.audit-key")
    token = liaison("tokens", "create", "--db", url, "--partner", "USA").strip().splitlines()[-1]
    udp = free_port()
    ports = [free_port(), free_port()]
    ingesting = start_server(
        url, ports[0], tmp_path / "a.log", "--listen-udp", f"127.0.0.1:{udp}", "--commit-ms", "50"
    )
    serving = start_server(url, ports[1], tmp_path / "b.log")
    try:
        # A client of B is listening live while A ingests: the releases reach it as they are
        # committed (A's NOTIFY wakes B), though B never saw a line.
        live: list[int] = []
        reader = threading.Thread(
            target=lambda: live.extend(sse_releases(f"http://127.0.0.1:{ports[1]}", token, 0, 3.0))
        )
        reader.start()
        time.sleep(0.5)
        lines = miyako()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for line in lines[: len(lines) // 2]:
                sender.sendto(line.encode() + b"\n", ("127.0.0.1", udp))
                time.sleep(0.0005)
        reader.join(timeout=30)
        assert live, "B pushed what A committed"
        from_b = sse_releases(f"http://127.0.0.1:{ports[1]}", token, 0, 1.0)
        from_a = sse_releases(f"http://127.0.0.1:{ports[0]}", token, 0, 1.0)
        assert live == from_b == from_a
        # A dies without a word; B goes on: a client resuming there misses nothing.
        ingesting.send_signal(signal.SIGKILL)
        ingesting.wait(timeout=10)
        later = sse_releases(f"http://127.0.0.1:{ports[1]}", token, from_b[-1], 1.0)
        assert later == []  # nothing new was committed after A died
        feed = httpx.get(
            f"http://127.0.0.1:{ports[1]}/api/v1/feed",
            params={"after": 0, "limit": 10_000},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert [i["cursor"] for i in feed["items"]] == from_b
        health = json.loads(httpx.get(f"http://127.0.0.1:{ports[1]}/api/v1/health").text)
        assert health["status"] == "ok"
    finally:
        for server in (ingesting, serving):
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)

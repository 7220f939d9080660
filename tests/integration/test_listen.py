"""`liaison listen`'s machinery: UDP, TCP server and TCP client sources into the hub, on loopback."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path

from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.ingest.listener import Endpoints, listen
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lines() -> list[str]:
    return [line for _, line in nmea_lines(build_scenario("miyako-transit", 1, load_region()))]


async def _run(hub: Hub, endpoints: Endpoints, send: object) -> tuple[int, int]:
    stream = hub.ais_stream("jpn-ais", endpoints.describe(), live=True)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(listen(stream, endpoints, stop, commit_s=0.05, ready=ready))
    await ready.wait()
    await send()  # type: ignore[operator]
    await asyncio.sleep(0.3)
    stop.set()
    summary, _ = await task
    return summary.lines, summary.rejected


def test_udp_lines_are_ingested_and_committed(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    port = _free_port(socket.SOCK_DGRAM)
    lines = _lines()[:300]

    async def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for k in range(0, len(lines), 10):  # several sentences per datagram, as receivers do
                s.sendto(("\n".join(lines[k : k + 10]) + "\n").encode(), ("127.0.0.1", port))
                await asyncio.sleep(0)
        s.close()

    messages, rejected = asyncio.run(_run(hub, Endpoints(udp=[("127.0.0.1", port)]), send))
    assert rejected == 0
    assert messages == len(lines)
    assert sum(t.fixes for t in hub.store.tracks("jpn-ais")) > 0
    hub.close()


def test_tcp_server_and_client(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    lines = _lines()
    server_port = _free_port(socket.SOCK_STREAM)

    async def push() -> None:  # a receiver connects to the hub and pushes
        _, writer = await asyncio.open_connection("127.0.0.1", server_port)
        writer.write(("\r\n".join(lines[:200]) + "\r\n").encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    messages, _ = asyncio.run(_run(hub, Endpoints(tcp=[("127.0.0.1", server_port)]), push))
    assert messages == 200

    async def feed_and_pull() -> tuple[int, int]:  # the hub connects to an AIS feed
        async def serve(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(("\n".join(lines[200:400]) + "\n").encode())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]

        async def nothing() -> None:
            return None

        async with server:
            return await _run(hub, Endpoints(connect=[("127.0.0.1", port)]), nothing)

    pulled, rejected = asyncio.run(feed_and_pull())
    assert pulled >= 200  # the client reconnects and may read the feed again
    assert rejected == 0
    hub.close()


def test_a_udp_burst_is_not_dropped(tmp_path: Path) -> None:
    """Receivers send bursts; the enlarged socket buffer holds them while a batch commits."""
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    port = _free_port(socket.SOCK_DGRAM)
    lines = [line for line in _lines() if "!AIVDM,1,1," in line][:3000]

    async def burst() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for line in lines:
                s.sendto((line + "\n").encode(), ("127.0.0.1", port))
        await asyncio.sleep(1.0)

    messages, rejected = asyncio.run(_run(hub, Endpoints(udp=[("127.0.0.1", port)]), burst))
    assert (messages, rejected) == (len(lines), 0)
    hub.close()


def test_stopping_keeps_what_was_already_sent(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    port = _free_port(socket.SOCK_STREAM)
    lines = [line for line in _lines() if "!AIVDM,1,1," in line]
    lines = (lines * (5000 // len(lines) + 1))[:5000]
    endpoints = Endpoints(tcp=[("127.0.0.1", port)])

    async def main() -> int:
        stream = hub.ais_stream("jpn-ais", endpoints.describe(), live=True)
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(listen(stream, endpoints, stop, commit_s=0.05, ready=ready))
        await ready.wait()
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(("\n".join(lines) + "\n").encode())
        await writer.drain()
        writer.close()
        stop.set()  # at once: the hub must still take what the socket holds
        summary, _ = await task
        return summary.lines

    assert asyncio.run(main()) == 5000
    hub.close()


def test_live_reports_from_the_future_are_refused(tmp_path: Path) -> None:
    from liaison.maritime.simulate import EPOCH  # noqa: PLC0415

    hub = Hub.open(tmp_path / "hub.db", clock=lambda: datetime.fromtimestamp(EPOCH + 3600, UTC))
    load_demo(hub)
    stream = hub.ais_stream("jpn-ais", "test", live=True)
    timed = nmea_lines(build_scenario("miyako-transit", 1, load_region()))
    for n, (_, line) in enumerate(timed, start=1):
        stream.add(line, n)
    summary = stream.close()
    future = [t for t, line in timed if t > EPOCH + 3600 + 300 and "!AIVDM,1,1," in line]
    assert summary.rejected == len(future) > 0
    assert {r.reason for r in summary.rejections} == {"time in the future"}
    hub.close()

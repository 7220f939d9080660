"""The bus (NATS JetStream, a real nats-server): ingest publishes by MMSI partition, a processor
per partition stores; the same sea gives the same picture as one process does; a redelivery
stores nothing twice; a bus restart loses nothing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from nats.js.api import ConsumerConfig

from liaison.bus.process import PartitionProcessor, process_partition
from liaison.bus.publish import publish_lines
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from tests.integration.processes import free_port, liaison, start_server
from tests.servers import NatsServer, PostgresServer

PARTITIONS = 2
ACK_WAIT_S = 2.0  # a dead processor's messages come again this soon (30 s in service)


def sea(*names: str) -> list[str]:
    out: list[tuple[float, str]] = []
    for name in names:
        out += nmea_lines(build_scenario(name, 1, load_region()))
    return [line for _, line in sorted(out)]


def demo(path: Path) -> Hub:
    hub = Hub.open(path)
    load_demo(hub)
    return hub


def fixes(hub: Hub) -> list[tuple[int, float, float, float]]:
    batches = [i.id for _, i in hub.store.items_of_kind("position", 0, 1_000_000)]
    return sorted((f.mmsi, f.time, f.lat, f.lon) for b in batches for f in hub.store.positions(b))


def events(hub: Hub) -> list[tuple[object, ...]]:
    return sorted(
        (p["type"], tuple(p["mmsi"]), p["start"], p["end"], p.get("gate"), p.get("zone"))
        for _, p in hub.events(None, None, 100_000)
    )


async def drain(hub: Hub, url: str, expected: int) -> int:
    """Run every partition's processor until `expected` fixes are stored (or 30 s)."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(process_partition(hub, url, p, stop)) for p in range(PARTITIONS)]
    for _ in range(300):
        await asyncio.sleep(0.1)
        if len(fixes(hub)) >= expected:
            break
    await asyncio.sleep(0.5)  # the events of the last batch
    stop.set()
    done = await asyncio.gather(*tasks)
    return sum(c.messages for c in done)


def test_partitioned_processing_gives_the_single_process_picture(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    lines = sea("miyako-transit", "senkaku-patrol", "dark-vessel")
    single = demo(tmp_path / "single.db")
    single.ingest_ais("jpn-ais", lines, "sea.nmea")
    bussed = demo(tmp_path / "bus.db")
    try:
        published = asyncio.run(publish_lines(nats_server.url, "jpn-ais", PARTITIONS, lines))
        assert published.refused == 0
        expected = len(fixes(single))
        asyncio.run(drain(bussed, nats_server.url, expected))
        assert fixes(bussed) == fixes(single)
        # Each vessel's messages go to one partition: per-vessel detections are the same.
        assert events(bussed) == events(single)

        # And released alike (event ids cite their batches, which differ: counts are compared).
        def released(hub: Hub) -> int:
            return sum(e.item.kind == "event" for e in hub.feed("USA", 0, 100_000).entries)

        assert released(bussed) == released(single) > 0
    finally:
        single.close()
        bussed.close()


def test_a_redelivered_message_is_stored_once(tmp_path: Path, nats_server: NatsServer) -> None:
    lines = sea("miyako-transit")
    hub = demo(tmp_path / "hub.db")
    try:
        asyncio.run(publish_lines(nats_server.url, "jpn-ais", 1, lines))

        async def crash_before_acknowledging() -> None:
            # A processor that stores, then dies before its acknowledgements reach the bus.
            from liaison.bus.jetstream import STREAM, connect, durable  # noqa: PLC0415

            client, js = await connect(nats_server.url)
            sub = await js.pull_subscribe(
                "liaison.ais.*.0", durable=durable(0), stream=STREAM,
                config=ConsumerConfig(ack_wait=ACK_WAIT_S),
            )  # fmt: skip
            messages = await sub.fetch(10_000, timeout=2)
            processor = PartitionProcessor(hub, 0)
            for msg in messages:
                msg.ack = _never  # type: ignore[method-assign]
            await processor.take(messages)
            await processor.close()
            await client.close()

        asyncio.run(crash_before_acknowledging())
        stored = fixes(hub)
        assert stored

        async def again() -> int:
            stop = asyncio.Event()
            task = asyncio.create_task(
                process_partition(hub, nats_server.url, 0, stop, ack_wait_s=ACK_WAIT_S)
            )
            await asyncio.sleep(ACK_WAIT_S + 2)  # past the ack wait: the bus would deliver again
            stop.set()
            counts = await task
            return counts.messages + counts.skipped

        # The next processor starts where the store says the partition got to: the messages
        # stored but never acknowledged are neither processed again nor even delivered.
        assert asyncio.run(again()) == 0
        assert fixes(hub) == stored, "nothing was stored twice"
    finally:
        hub.close()


async def _never() -> None:
    raise ConnectionError("the process died before acknowledging")


def test_a_bus_restart_loses_nothing(tmp_path: Path, nats_server: NatsServer) -> None:
    lines = sea("miyako-transit", "rendezvous")
    half = len(lines) // 2
    single = demo(tmp_path / "single.db")
    single.ingest_ais("jpn-ais", lines, "sea.nmea")
    hub = demo(tmp_path / "hub.db")
    try:

        async def run() -> None:
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(process_partition(hub, nats_server.url, p, stop))
                for p in range(PARTITIONS)
            ]
            await publish_lines(nats_server.url, "jpn-ais", PARTITIONS, lines[:half])
            await asyncio.sleep(1.0)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, nats_server.stop)
            await asyncio.sleep(1.0)  # the processors wait for the bus
            await loop.run_in_executor(None, nats_server.start)
            await publish_lines(nats_server.url, "jpn-ais", PARTITIONS, lines[half:])
            for _ in range(200):
                await asyncio.sleep(0.1)
                if len(fixes(hub)) >= len(fixes(single)):
                    break
            stop.set()
            await asyncio.gather(*tasks)

        asyncio.run(run())
        assert fixes(hub) == fixes(single)
    finally:
        single.close()
        hub.close()


def test_two_servers_process_a_partition_each_and_serve_every_partner_all(
    tmp_path: Path, nats_server: NatsServer, postgres_server: PostgresServer
) -> None:
    # The deployment: `liaison publish` onto the bus; two `serve` processes on one PostgreSQL,
    # each processing one partition; a partner asks either and gets its complete feed.
    url = postgres_server.database()
    liaison("init", "--db", url, "--audit-key", tmp_path / "hub.audit-key")
    token = liaison("tokens", "create", "--db", url, "--partner", "USA").strip().splitlines()[-1]
    ports = [free_port(), free_port()]
    servers = [
        start_server(
            url, port, tmp_path / f"s{p}.log", "--bus", nats_server.url, "--partition", str(p)
        )
        for p, port in enumerate(ports)
    ]
    try:
        nmea = tmp_path / "sea.nmea"
        nmea.write_text("\n".join(sea("miyako-transit", "senkaku-patrol")) + "\n")
        said = liaison(
            "publish", "--bus", nats_server.url, "--feed", "jpn-ais", "--partitions", "2", nmea
        )
        assert "to 2 partitions" in said
        single = demo(tmp_path / "single.db")
        single.ingest_ais("jpn-ais", sea("miyako-transit", "senkaku-patrol"), "sea.nmea")
        expected = len(fixes(single))
        single.close()
        feeds: list[list[str]] = []
        for _ in range(100):
            feeds = [
                [i["item"]["kind"] for i in httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/feed", params={"limit": 10_000},
                    headers={"Authorization": f"Bearer {token}"}, timeout=5,
                ).json()["items"]]
                for port in ports
            ]  # fmt: skip
            hub = Hub.open(url)
            stored = len(fixes(hub))
            hub.close()
            if stored >= expected and feeds[0] == feeds[1]:
                break
            time.sleep(0.3)
        assert stored == expected
        assert feeds[0] == feeds[1]
        assert {"position", "event"} <= set(feeds[0])
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)

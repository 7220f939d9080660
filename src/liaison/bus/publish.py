"""Ingest onto the bus: receive NMEA (UDP, TCP), decode just enough to know each message's
vessel, and publish it to its vessel's partition. Nothing is stored here: the processors do.

A line the decoder refuses is published too (to partition 0), so that its processor
quarantines it with its reason: bad input is never lost on the way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import PubAck

from liaison.bus.jetstream import connect, message_id, subject
from liaison.ingest.listener import Endpoints
from liaison.ingest.sources import QUEUE_LINES, SourceStats, listen_udp, serve_tcp
from liaison.maritime.ais import AisDecoder, AisMessage

log = logging.getLogger("liaison.bus")
WINDOW = 1000  # messages published before their acknowledgements are awaited


@dataclass
class Published:
    lines: int = 0
    messages: int = 0
    refused: int = 0


class Publisher:
    """Lines in, one bus message per decoded AIS message out."""

    def __init__(self, js: JetStreamContext, feed: str, partitions: int) -> None:
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        self._js, self._feed, self._partitions = js, feed, partitions
        self._decoder = AisDecoder()
        self._inflight: list[tuple[asyncio.Future[PubAck], tuple[str, bytes, dict[str, str]]]] = []
        self.counts = Published()

    async def add(self, line: str) -> None:
        self.counts.lines += 1
        for out in self._decoder.feed(line, self.counts.lines):
            if isinstance(out, AisMessage):
                await self._send(out.mmsi % self._partitions, "\n".join(out.sentences))
                self.counts.messages += 1
            else:
                await self._send(0, out.raw)
                self.counts.refused += 1

    async def close(self) -> None:
        for orphan in self._decoder.flush():  # fragments whose group never completed
            await self._send(0, orphan.raw)
            self.counts.refused += 1
        await self.flush()

    async def _send(self, partition: int, text: str) -> None:
        # Pipelined: up to WINDOW messages on the wire before their acknowledgements are
        # awaited (one round trip a message capped publishing at ~2,000 a second).
        data = text.encode("utf-8", "replace")
        # The id is per feed: the bus deduplicates across the whole stream, and two partners'
        # receivers hearing the same transmission are two reports, one per feed.
        msg_id = message_id(self._feed.encode() + b"\0" + data)
        sent = (subject(self._feed, partition), data, {"Nats-Msg-Id": msg_id})
        acked = await self._js.publish_async(sent[0], sent[1], headers=sent[2])
        self._inflight.append((acked, sent))
        if len(self._inflight) >= WINDOW:
            await self.flush()

    async def flush(self) -> None:
        """Every message sent so far acknowledged; one that was not is sent again (the bus
        drops the copy if the first did arrive: same message id)."""
        inflight, self._inflight = self._inflight, []
        for acked, (subj, data, headers) in inflight:
            try:
                await acked
            except Exception as exc:
                log.warning("a message was not acknowledged (%s): sending it again", exc)
                await self._js.publish(subj, data, headers=headers)


async def publish_lines(url: str, feed: str, partitions: int, lines: Iterable[str]) -> Published:
    """Publish a finite input (a file, a test's scenario)."""
    client, js = await connect(url)
    try:
        publisher = Publisher(js, feed, partitions)
        for line in lines:
            await publisher.add(line)
        await publisher.close()
        return publisher.counts
    finally:
        await client.close()


async def listen_to_bus(
    url: str, feed: str, partitions: int, endpoints: Endpoints, stop: asyncio.Event
) -> Published:
    """Receive until `stop`, publishing as lines arrive. While the bus is unreachable,
    publishing waits (the client reconnects), and so does reading: UDP queues in the kernel,
    TCP senders are held back."""
    client, js = await connect(url)
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_LINES)
    stats = SourceStats()
    transports = [await listen_udp(h, p, queue, stats) for h, p in endpoints.udp]
    servers = [await serve_tcp(h, p, queue, stats) for h, p in endpoints.tcp]
    publisher = Publisher(js, feed, partitions)
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            arrived = asyncio.create_task(queue.get())
            await asyncio.wait({arrived, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not arrived.done():
                arrived.cancel()
                break
            await publisher.add(arrived.result())
            if queue.empty():  # a lull: make sure what was sent is stored before waiting
                await publisher.flush()
        while not queue.empty():
            await publisher.add(queue.get_nowait())
        await publisher.close()
    finally:
        stopping.cancel()
        for transport in transports:
            transport.close()
        for server in servers:
            server.close()
        await client.close()
    log.info(
        "published %d messages from %d lines", publisher.counts.messages, publisher.counts.lines
    )
    return publisher.counts

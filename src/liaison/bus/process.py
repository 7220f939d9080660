"""A partition's processor: consume its AIS messages from the bus, and detect, label, store and
release them exactly as a single-process hub does (the same `AisStream`).

Delivery is at least once; the effect is once. Each commit stores, in its one transaction, the
bus sequence of the last message it includes (per feed: `bus_offsets`), and only then are the
messages acknowledged. A message redelivered after a crash between the two is at or below the
stored sequence, and is acknowledged and skipped: no duplicate item, fix or release.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from liaison.bus.jetstream import STREAM, connect, durable, feed_of
from liaison.hub import Hub
from liaison.ingest.ais_stream import AisStream
from liaison.ingest.listener import close_patiently, commit_patiently

log = logging.getLogger("liaison.bus")
FETCH = 500
WAIT_S = 0.25
ACK_WAIT_S = 30.0  # unacknowledged this long (a processor died): delivered again


@dataclass
class Processed:
    messages: int = 0
    skipped: int = 0  # redelivered: already stored
    commits: int = 0
    by_feed: dict[str, int] = field(default_factory=dict)


class PartitionProcessor:
    """The messages of one partition into the hub, one AIS stream per feed."""

    def __init__(self, hub: Hub, partition: int) -> None:
        self.hub, self.partition = hub, partition
        self.consumer = durable(partition)
        self._streams: dict[str, AisStream] = {}
        self._offsets: dict[str, int] = {}
        self.counts = Processed()

    def _stream(self, feed: str) -> AisStream:
        if feed not in self._streams:
            self._streams[feed] = self.hub.ais_stream(feed, f"bus:{self.consumer}")
            self._offsets[feed] = self.hub.store.bus_offset(self._key(feed))
        return self._streams[feed]

    def _key(self, feed: str) -> str:
        return f"{self.consumer}/{feed}"

    async def take(self, messages: Sequence[Msg]) -> None:
        """Feed, commit with the offsets, then acknowledge: in that order."""
        newest: dict[str, int] = {}
        for msg in messages:
            feed, seq = feed_of(msg.subject), msg.metadata.sequence.stream
            stream = self._stream(feed)
            if seq <= self._offsets[feed]:
                self.counts.skipped += 1
                continue
            for n, line in enumerate(msg.data.decode("utf-8", "replace").split("\n"), start=1):
                stream.add(line, n)
            newest[feed] = max(newest.get(feed, 0), seq)
            self.counts.messages += 1
            self.counts.by_feed[feed] = self.counts.by_feed.get(feed, 0) + 1
        for feed, seq in newest.items():
            await commit_patiently(self._streams[feed], offsets={self._key(feed): seq})
            self._offsets[feed] = seq
            self.counts.commits += 1
        for msg in messages:
            try:
                await msg.ack()
            except Exception as exc:
                log.warning("partition %d: an acknowledgement was lost (%s)", self.partition, exc)

    async def close(self) -> None:
        for stream in self._streams.values():
            await close_patiently(stream)


async def _subscribe(
    js: JetStreamContext, hub: Hub, consumer: str, partition: int, ack_wait_s: float
) -> JetStreamContext.PullSubscription:
    """The partition's consumer, made afresh to start where the store says this partition got
    to: after a crash the bus's own position may be past messages that were fetched and never
    stored (redelivered later, they would arrive out of order); the store's never is."""
    stored = hub.store.bus_offsets(f"{consumer}/")
    start = min(stored.values(), default=0) + 1  # each feed skips what it stored beyond this
    with contextlib.suppress(NotFoundError):
        await js.delete_consumer(STREAM, consumer)
    config = ConsumerConfig(
        ack_wait=ack_wait_s, deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start
    )
    return await js.pull_subscribe(
        f"liaison.ais.*.{partition}", durable=consumer, stream=STREAM, config=config
    )


async def process_partition(
    hub: Hub,
    url: str,
    partition: int,
    stop: asyncio.Event,
    *,
    fetch: int = FETCH,
    ack_wait_s: float = ACK_WAIT_S,
) -> Processed:
    """Until `stop`: the partition's messages into the hub. A bus restart is waited out (the
    client reconnects; the durable consumer resumes where its acknowledgements left it)."""
    client, js = await connect(url)
    processor = PartitionProcessor(hub, partition)
    try:
        sub = await _subscribe(js, hub, processor.consumer, partition, ack_wait_s)
        while not stop.is_set():
            try:
                messages = await sub.fetch(fetch, timeout=WAIT_S)
            except NatsTimeout:
                continue
            except Exception as exc:
                log.warning(
                    "partition %d: cannot fetch from the bus (%s); retrying", partition, exc
                )
                await asyncio.sleep(0.5)
                continue
            await processor.take(messages)
    finally:
        await processor.close()
        await client.close()
    return processor.counts

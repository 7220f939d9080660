"""The hub's use of NATS JetStream: one stream of AIS messages, a subject per feed and partition.

    liaison.ais.<feed>.<partition>     one decoded AIS message (its NMEA sentences, tag blocks
                                       included), partition = MMSI mod the partition count

A vessel's messages all go to one partition, in order, so one processor sees its whole track.
Messages are kept on file (they outlive a server restart) and carry a `Nats-Msg-Id` (the hash of
their sentences): a publisher retrying after a lost acknowledgement does not store one twice.
"""

from __future__ import annotations

import contextlib
import hashlib

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError

from liaison.errors import InputError

STREAM = "LIAISON_AIS"
SUBJECTS = "liaison.ais.>"
DUPLICATE_WINDOW_S = 120.0


def subject(feed: str, partition: int) -> str:
    if not feed or any(c in feed for c in ".*> "):
        raise InputError("feed", f"{feed!r} cannot name a bus subject")
    return f"liaison.ais.{feed}.{partition}"


def feed_of(subject_: str) -> str:
    return subject_.split(".")[2]


def message_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def durable(partition: int) -> str:
    """The processor of a partition: one durable consumer, whichever process runs it."""
    return f"liaison-p{partition}"


async def connect(url: str) -> tuple[Client, JetStreamContext]:
    """A connection that reconnects for ever (a restarted server is waited for), and the stream."""
    client = await nats.connect(
        url, max_reconnect_attempts=-1, reconnect_time_wait=0.5, name="liaison"
    )
    js = client.jetstream()
    config = StreamConfig(
        name=STREAM,
        subjects=[SUBJECTS],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_S,
    )
    with contextlib.suppress(BadRequestError):  # it exists, perhaps with an operator's limits
        await js.add_stream(config)
    return client, js

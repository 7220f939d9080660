"""`liaison listen`: network AIS into the hub until stopped, committing in batches.

Commits happen every `commit_s` seconds or `commit_lines` lines, whichever comes first; on
stop (SIGINT, SIGTERM) the queue is drained and the last batch committed before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from liaison.ingest.ais_stream import AisStream, AisSummary
from liaison.ingest.sources import (
    QUEUE_LINES,
    SourceStats,
    connect_tcp,
    listen_udp,
    serve_tcp,
)

Endpoint = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Endpoints:
    udp: Sequence[Endpoint] = ()
    tcp: Sequence[Endpoint] = ()  # servers: receivers connect and push
    connect: Sequence[Endpoint] = ()  # clients: the hub connects to a feed

    def describe(self) -> str:
        parts = [f"udp:{h}:{p}" for h, p in self.udp] + [f"tcp:{h}:{p}" for h, p in self.tcp]
        return " ".join(parts + [f"connect:{h}:{p}" for h, p in self.connect])


async def listen(
    stream: AisStream,
    endpoints: Endpoints,
    stop: asyncio.Event,
    *,
    commit_s: float = 1.0,
    commit_lines: int = 5000,
    on_commit: Callable[[AisSummary, SourceStats], None] | None = None,
    ready: asyncio.Event | None = None,
) -> tuple[AisSummary, SourceStats]:
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_LINES)
    stats = SourceStats()
    transports = [await listen_udp(h, p, queue, stats) for h, p in endpoints.udp]
    servers = [await serve_tcp(h, p, queue, stats) for h, p in endpoints.tcp]
    clients = [asyncio.create_task(connect_tcp(h, p, queue, stats)) for h, p in endpoints.connect]
    if ready is not None:
        ready.set()
    line_no = 0
    pending = 0
    last_commit = time.monotonic()
    stopping = asyncio.create_task(stop.wait())

    def take(line: str) -> None:
        nonlocal line_no, pending
        line_no += 1
        pending += 1
        stream.add(line, line_no)

    try:
        while not stop.is_set():
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait(
                {getter, stopping}, timeout=commit_s, return_when=asyncio.FIRST_COMPLETED
            )
            if getter not in done:
                getter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                take(await getter)  # a line that arrived as the wait ended is still taken
            if pending >= commit_lines or (pending and time.monotonic() - last_commit >= commit_s):
                stream.commit()
                pending, last_commit = 0, time.monotonic()
                if on_commit is not None:
                    on_commit(stream.summary, stats)
        while not queue.empty():
            take(queue.get_nowait())
    finally:
        for transport in transports:
            transport.close()
        for server in servers:
            server.close()
        for task in clients:
            task.cancel()
        stopping.cancel()
    return stream.close(), stats

"""`liaison listen`: network AIS into the hub until stopped, committing in batches.

Commits happen every `commit_s` seconds or `commit_lines` lines, whichever comes first; on
stop (SIGINT, SIGTERM) the queue is drained and the last batch committed before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from liaison.errors import StoreUnavailable
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


SLICE_LINES = 500
RETRY_S = (0.5, 1.0, 2.0, 5.0)  # waits between attempts while the store is unavailable
GIVE_UP_S = 60.0  # when stopping: how long the last batch waits for the store
log = logging.getLogger("liaison.listen")


async def commit_patiently(
    stream: AisStream, give_up_s: float | None = None, offsets: Mapping[str, int] | None = None
) -> None:
    """Commit; while the store cannot be reached, wait and try again. Input waits meanwhile
    (the caller takes no new lines: UDP queues in the kernel, TCP senders are held back), and
    nothing acknowledged is lost. With `give_up_s`, StoreUnavailable after that long."""
    began, attempt = time.monotonic(), 0
    while True:
        try:
            stream.commit(offsets)
        except StoreUnavailable as exc:
            if give_up_s is not None and time.monotonic() - began > give_up_s:
                raise
            if attempt == 0:
                log.warning("the store is unavailable; ingest paused until it is back: %s", exc)
            await asyncio.sleep(RETRY_S[min(attempt, len(RETRY_S) - 1)])
            attempt += 1
            continue
        if attempt:
            log.warning("the store is back: ingest resumed after %.1f s", time.monotonic() - began)
        return


async def close_patiently(stream: AisStream, give_up_s: float = GIVE_UP_S) -> AisSummary:
    """End the stream (its last batch committed, waiting a while for the store if need be)."""
    try:
        return stream.close()
    except StoreUnavailable:
        await commit_patiently(stream, give_up_s)
        return stream.summary


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

    def take_one(line: str) -> None:
        nonlocal line_no, pending
        line_no += 1
        pending += 1
        stream.add(line, line_no)

    def take_waiting() -> None:
        while not queue.empty():
            take_one(queue.get_nowait())

    async def commit_if_due(force: bool = False) -> None:
        nonlocal pending, last_commit
        if pending and (
            force or pending >= commit_lines or time.monotonic() - last_commit >= commit_s
        ):
            await commit_patiently(stream)
            pending, last_commit = 0, time.monotonic()
            _report_kernel_drops(stats)
            if on_commit is not None:
                on_commit(stream.summary, stats)

    try:
        while not stop.is_set():
            # One task per wake-up, not per line: the rest of a burst is taken without waiting.
            arrived = asyncio.create_task(queue.get())
            await asyncio.wait(
                {arrived, stopping}, timeout=commit_s, return_when=asyncio.FIRST_COMPLETED
            )
            arrived.cancel()  # a pending get gives up its place; a finished one keeps its line
            with contextlib.suppress(asyncio.CancelledError):
                take_one(await arrived)
            while not queue.empty():
                # A long burst in slices: commits stay on time, and pushes to clients and
                # requests run between slices instead of after the whole burst.
                for _ in range(min(queue.qsize(), SLICE_LINES)):
                    take_one(queue.get_nowait())
                await commit_if_due()
                await asyncio.sleep(0)
            await commit_if_due()
        # Stopping: take no new connections, but read what the sockets already hold.
        for server in servers:
            server.close()
        await _settle(queue, take_waiting)
    finally:
        for transport in transports:
            transport.close()
        for server in servers:
            server.close()
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        stopping.cancel()
    take_waiting()
    return await close_patiently(stream), stats


def _report_kernel_drops(stats: SourceStats) -> None:
    before = stats.kernel_dropped
    if stats.read_kernel_drops() > before:
        log.warning(
            "the kernel dropped %d UDP datagrams (%d in all) before the hub could read them: "
            "raise net.core.rmem_max, or send more slowly",
            stats.kernel_dropped - before, stats.kernel_dropped,
        )  # fmt: skip


async def _settle(
    queue: asyncio.Queue[str], take: Callable[[], None], quiet_s: float = 0.2, limit_s: float = 5.0
) -> None:
    """Take lines until none has arrived for `quiet_s` (or `limit_s` has passed)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        take()
        await asyncio.sleep(quiet_s)
        if queue.empty():
            return

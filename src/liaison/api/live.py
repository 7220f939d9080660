"""Live push: Server-Sent Events and WebSocket, each resumable from a cursor.

Both read the partner's feed from the store (the one source of truth), so a client that
reconnects with its last cursor misses nothing. They pull a page only when the client has taken
the last one: a slow client slows its own stream (back-pressure), and the server holds at most
one page for it, never a growing queue.

A commit in this process wakes every stream at once (`Hub.watch`); a slower poll catches what
other processes (`liaison ingest` beside the server) commit to the same store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from liaison import render
from liaison.hub import Hub

PAGE = 100
POLL_S = 0.25  # how soon another process's commit reaches a connected client
KEEPALIVE_S = 15.0


@dataclass(frozen=True, slots=True)
class Delivery:
    cursor: int
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeepAlive:
    pass


@dataclass(frozen=True, slots=True)
class ShuttingDown:
    """The server is stopping: the client should reconnect later, resuming after `resume`."""

    resume: int


News = Delivery | KeepAlive | ShuttingDown


class Closing:
    """Set once, when the server begins to stop: every live stream then sends its client a
    notice with the cursor to resume from, and ends. `open` counts the streams still running,
    so that the server can wait for the notices to go out before it closes connections."""

    def __init__(self) -> None:
        self._event = threading.Event()  # set from a signal handler, read from the loop
        self.open = 0

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


async def releases(
    hub: Hub,
    partner: str,
    after: int,
    *,
    until_idle: float | None = None,
    closing: Closing | None = None,
) -> AsyncIterator[News]:
    """Every release after `after`, forever; a KeepAlive now and then while idle; ends after
    `until_idle` quiet seconds if given, or with ShuttingDown once `closing` is set."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def woken() -> None:
        loop.call_soon_threadsafe(wake.set)

    stop_watching = hub.watch(woken)
    if closing is not None:
        closing.open += 1
    try:
        quiet_since = last_beat = time.monotonic()
        while True:
            if closing is not None and closing.is_set():
                yield ShuttingDown(after)
                return
            wake.clear()
            page = hub.feed(partner, after, PAGE)
            rendered = render.feed_json(page, hub.config.policy)["items"]
            for entry in rendered:
                yield Delivery(entry["cursor"], entry)
            after = page.next
            now = time.monotonic()
            if rendered:
                quiet_since = last_beat = now
                continue
            if until_idle is not None and now - quiet_since >= until_idle:
                return
            if now - last_beat >= KEEPALIVE_S:
                last_beat = now
                yield KeepAlive()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_S)
    finally:
        stop_watching()
        if closing is not None:
            closing.open -= 1


async def sse(
    hub: Hub,
    partner: str,
    after: int,
    until_idle: float | None,
    closing: Closing | None = None,
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    async for news in releases(hub, partner, after, until_idle=until_idle, closing=closing):
        match news:
            case Delivery(cursor, entry):
                data = json.dumps(entry, separators=(",", ":"))
                yield f"id: {cursor}\nevent: release\ndata: {data}\n\n"
            case KeepAlive():
                yield ": keep-alive\n\n"
            case ShuttingDown(resume):
                data = json.dumps({"reason": "the server is stopping", "resume_after": resume})
                yield f"event: shutdown\ndata: {data}\n\n"

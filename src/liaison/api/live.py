"""Live push: Server-Sent Events and WebSocket, each resumable from a cursor.

Both read the partner's feed from the store (the one source of truth), so a client that
reconnects with its last cursor misses nothing. They pull a page only when the client has taken
the last one: a slow client slows its own stream (back-pressure), and the server holds at most
one page for it, never a growing queue.

A commit in this process wakes every stream at once (`Hub.watch`); a slower poll catches what
other processes (`liaison ingest` beside the server) commit to the same store.

A stream asks again whether its token is still good (`alive`) after reading each page and at
least every `CHECK_S` while it delivers: a token revoked by any process ends the stream at
once, with `Revoked`, and nothing read after the revocation is delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from liaison import render
from liaison.hub import Hub

PAGE = 100
POLL_S = 0.25  # how soon another process's commit reaches a connected client
KEEPALIVE_S = 15.0
CHECK_S = 0.25  # how often a stream delivering a long page asks again if its token is good
REVOKED = "the token was revoked"


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


@dataclass(frozen=True, slots=True)
class Revoked:
    """The stream's token is no longer good: the stream ends, and the client must not retry
    with the same token."""


News = Delivery | KeepAlive | ShuttingDown | Revoked


class Liveness:
    """Whether the stream's token is still good, asked at most every CHECK_S unless `now`."""

    def __init__(self, alive: Callable[[], bool] | None) -> None:
        self._alive = alive
        self._checked = float("-inf")

    def ok(self, *, now: bool = False) -> bool:
        if self._alive is None:
            return True
        if now or time.monotonic() - self._checked >= CHECK_S:
            if not self._alive():
                return False
            self._checked = time.monotonic()
        return True


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
    alive: Callable[[], bool] | None = None,
) -> AsyncIterator[News]:
    """Every release after `after`, forever; a KeepAlive now and then while idle; ends after
    `until_idle` quiet seconds if given, with ShuttingDown once `closing` is set, or with
    Revoked once `alive` says the token is no longer good."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def woken() -> None:
        loop.call_soon_threadsafe(wake.set)

    stop_watching = hub.watch(woken)
    token = Liveness(alive)
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
            # Asked after the read: a page read before the revocation committed holds only
            # what was released before it.
            if not token.ok(now=True):
                yield Revoked()
                return
            rendered = render.feed_json(page, hub.config.policy)["items"]
            for entry in rendered:
                if not token.ok():
                    yield Revoked()
                    return
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
    *,
    alive: Callable[[], bool] | None = None,
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    news_ = releases(hub, partner, after, until_idle=until_idle, closing=closing, alive=alive)
    async for news in news_:
        match news:
            case Delivery(cursor, entry):
                data = json.dumps(entry, separators=(",", ":"))
                yield f"id: {cursor}\nevent: release\ndata: {data}\n\n"
            case KeepAlive():
                yield ": keep-alive\n\n"
            case ShuttingDown(resume):
                data = json.dumps({"reason": "the server is stopping", "resume_after": resume})
                yield f"event: shutdown\ndata: {data}\n\n"
            case Revoked():
                yield f"event: revoked\ndata: {json.dumps({'reason': REVOKED})}\n\n"

"""Live push: Server-Sent Events and WebSocket, each resumable from a cursor.

Both read the partner's feed from the store (the one source of truth), so a client that
reconnects with its last cursor misses nothing. They pull a page only when the client has taken
the last one: a slow client slows its own stream (back-pressure), and the server holds at most
one page for it, never a growing queue.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from liaison import render
from liaison.hub import Hub

PAGE = 100
POLL_S = 0.05  # how soon a new release reaches a connected client
KEEPALIVE_S = 15.0


async def releases(
    hub: Hub, partner: str, after: int, *, until_idle: float | None = None
) -> AsyncIterator[tuple[int, dict[str, Any]] | None]:
    """(cursor, entry) for every release after `after`, forever; None now and then while idle
    (so callers can send keep-alives); ends after `until_idle` seconds without news if given."""
    quiet_since = time.monotonic()
    last_beat = quiet_since
    while True:
        page = hub.feed(partner, after, PAGE)
        rendered = render.feed_json(page, hub.config.policy)["items"]
        for entry in rendered:
            yield entry["cursor"], entry
        after = page.next
        now = time.monotonic()
        if rendered:
            quiet_since = last_beat = now
            continue
        if until_idle is not None and now - quiet_since >= until_idle:
            return
        if now - last_beat >= KEEPALIVE_S:
            last_beat = now
            yield None
        await asyncio.sleep(POLL_S)


async def sse(hub: Hub, partner: str, after: int, until_idle: float | None) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    async for got in releases(hub, partner, after, until_idle=until_idle):
        if got is None:
            yield ": keep-alive\n\n"
            continue
        cursor, entry = got
        yield f"id: {cursor}\nevent: release\ndata: {json.dumps(entry, separators=(',', ':'))}\n\n"

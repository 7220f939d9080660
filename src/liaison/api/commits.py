"""Live push across processes: a server on a PostgreSQL store LISTENs for the commits every
writer NOTIFYs, and wakes its own live streams at once, whichever process committed.

(Streams also poll every `live.POLL_S`, so a lost notification delays a delivery, never loses
it: the feed in the store is the one source of truth.)
"""

from __future__ import annotations

import asyncio
import logging

import psycopg

from liaison.hub import Hub
from liaison.storage.postgres import COMMITS_CHANNEL, PostgresStore

log = logging.getLogger("liaison.api")


async def relay_commits(hub: Hub) -> None:
    """Until cancelled: each commit notified on the store's database wakes this process's
    streams. Does nothing on an embedded (SQLite) store."""
    store = hub.store
    if not isinstance(store, PostgresStore):
        return
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(store.url, autocommit=True) as conn:
                await conn.execute(f"LISTEN {COMMITS_CHANNEL}")
                hub.notify()  # what was committed while not listening
                async for _ in conn.notifies():
                    hub.notify()
        except psycopg.OperationalError as exc:
            log.warning("not listening for other processes' commits (polling meanwhile): %s", exc)
            await asyncio.sleep(1.0)

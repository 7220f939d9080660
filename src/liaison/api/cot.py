"""Cursor on Target for TAK clients: a TCP stream per partner of the tracks and events it may see.

The client's first line is its API token. Then, every `interval_s`, the hub sends one CoT 2.0
`<event>` per vessel (its latest released position, coarsened where agreed) and one per new
maritime event released to the partner. Speeds are in m/s and course in degrees, as CoT wants.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import quoteattr

from liaison import tokens
from liaison.api.geojson import released_vessels
from liaison.api.live import CHECK_S, REVOKED
from liaison.codec import parse_time
from liaison.errors import NotAuthenticated
from liaison.hub import Hub
from liaison.maritime.detectors.base import KNOTS_TO_MS
from liaison.model.items import Item
from liaison.tokens import Caller

log = logging.getLogger("liaison.cot")
MAX_FIRST_LINE = 4096  # a token is ~50 bytes; anything longer is refused, not buffered
FIRST_LINE_S = 10.0
SURFACE_CONTACT = "a-u-S"  # atom, unknown affiliation, surface
EVENT_MARKER = "b-m-p-s-m"  # a spot-map marker for a detected event
UNKNOWN_ERROR = 9_999_999.0  # CoT's "not known" for ce/le


def _time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def track_event(
    vessel: Mapping[str, Any], now: datetime, stale_s: float, affiliation: str
) -> bytes:
    """A vessel as the partner may see it (`api.picture`'s shape) as a CoT track."""
    callsign = vessel.get("name") or str(vessel["mmsi"])
    cog, sog = vessel.get("cog"), vessel.get("sog_kn")
    course = "" if cog is None else f' course="{cog:.1f}"'
    speed = "" if sog is None else f' speed="{sog * KNOTS_TO_MS:.2f}"'
    return (
        f'<event version="2.0" uid="liaison.{vessel["feed"]}.{vessel["mmsi"]}" type="{affiliation}" how="m-g" '
        f'time="{_time(now)}" start="{_time(parse_time(vessel["time"]))}" '
        f'stale="{_time(now + timedelta(seconds=stale_s))}">'
        f'<point lat="{vessel["lat"]}" lon="{vessel["lon"]}" hae="0" ce="{UNKNOWN_ERROR}" le="{UNKNOWN_ERROR}"/>'
        f"<detail><track{course}{speed}/><contact callsign={quoteattr(str(callsign))}/></detail></event>\n"
    ).encode()


def item_event(
    item: Item, payload: dict[str, object], now: datetime, stale_s: float
) -> bytes | None:
    position = payload.get("position")
    if not isinstance(position, dict):
        return None
    listed = payload.get("names")
    names = ", ".join(str(n) for n in listed if n) if isinstance(listed, list) else ""
    what = f"{payload.get('type')}: {names}".strip(": ")
    return (
        f'<event version="2.0" uid="liaison.{item.id}" type="{EVENT_MARKER}" how="h-e" '
        f'time="{_time(now)}" start="{_time(item.time)}" stale="{_time(now + timedelta(seconds=stale_s))}">'
        f'<point lat="{position.get("lat")}" lon="{position.get("lon")}" hae="0" ce="{UNKNOWN_ERROR}" le="{UNKNOWN_ERROR}"/>'
        f"<detail><contact callsign={quoteattr(what)}/><remarks>{_escape(str(payload))}</remarks></detail></event>\n"
    ).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def serve_cot(
    hub: Hub, host: str, port: int, *, interval_s: float = 5.0, stale_s: float = 120.0,
    affiliation: str = SURFACE_CONTACT,
) -> asyncio.Server:  # fmt: skip
    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            who = await _authenticate(hub, reader, writer.get_extra_info("peername"))
            if who is not None:
                await _stream(
                    hub,
                    who,
                    writer,
                    interval_s=interval_s,
                    stale_s=stale_s,
                    affiliation=affiliation,
                )
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    # `limit` bounds what a client may send before its first newline (its token).
    return await asyncio.start_server(client, host, port, limit=MAX_FIRST_LINE)


async def _authenticate(hub: Hub, reader: asyncio.StreamReader, peer: object) -> Caller | None:
    """The partner the client's first line (its token) speaks for; None, logged, if none."""
    try:
        first = await asyncio.wait_for(reader.readline(), timeout=FIRST_LINE_S)
        who = tokens.authenticate(hub.store, first.decode("utf-8", "replace").strip())
        if who.is_admin or hub.config.partner(who.holder) is None:
            raise NotAuthenticated("a partner's token is needed")
    except ValueError:  # asyncio's LimitOverrunError: no newline within the limit
        log.warning("401 CoT %s: refused: first line longer than %d bytes", peer, MAX_FIRST_LINE)
        return None
    except (NotAuthenticated, TimeoutError) as exc:
        log.warning("401 CoT %s: %s", peer, exc or f"no token within {FIRST_LINE_S} s")
        return None
    return who


async def _stream(
    hub: Hub, who: Caller, writer: asyncio.StreamWriter, *, interval_s: float, stale_s: float,
    affiliation: str,
) -> None:  # fmt: skip
    """Tracks and new events every `interval_s`, until the token is revoked (asked again every
    CHECK_S, so that a revocation by any process ends the stream at once)."""
    after, due = 0, 0.0
    while tokens.still_valid(hub.store, who) and hub.config.partner(who.holder) is not None:
        if time.monotonic() >= due:
            due = time.monotonic() + interval_s
            now = datetime.now(UTC)
            for vessel in released_vessels(hub, who.holder):
                writer.write(track_event(vessel, now, stale_s, affiliation))
            page = hub.feed(who.holder, after, 1000)
            for entry in page.entries:
                if entry.item.kind == "event":
                    data = item_event(entry.item, dict(entry.payload), now, stale_s)
                    if data is not None:
                        writer.write(data)
            after = page.next
            await writer.drain()
        await asyncio.sleep(min(CHECK_S, interval_s))
    log.warning("CoT %s: %s: stream closed", who.holder, REVOKED)

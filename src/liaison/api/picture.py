"""The maritime picture one partner may see, as the web map draws it: vessels with their recent
trails, events and reports, each with its label marking; and the position batches the live
stream announces, in the same shape.

Everything here is built from the partner's own feed (`read_feed`), so the map shows exactly the
releases the API gives that partner, sanitised by the obligations of each release:
- every fix is sanitised as a whole record (identity, position, motion) by its own batch's
  obligations; a fix whose identity is stripped is left out, never joined to a track;
- a vessel's name, call sign and type come only from static data carried by a batch released
  to the partner (never from what the hub knows otherwise), sanitised the same way;
- what is derived (the flag from the MMSI, the ship type's text) is derived from what survived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from liaison.codec import format_time, format_unix
from liaison.dissemination.feeds import FeedEntry, FeedPage, read_feed
from liaison.hub import Hub
from liaison.maritime.flags import flag_of, ship_type_text
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.policy.labels_io import display_marking
from liaison.policy.obligations import sanitise
from liaison.render import entry_json

TRAIL = 40  # points of trail per vessel: the last hours at sea, not the whole voyage
BATCHES = 300  # newest position batches read for the picture
EVENTS = 500
REPORTS = 50  # the newest reports and indicators, for the timeline
_STATIC_FIELDS = ("name", "callsign", "imo", "ship_type")
_ALWAYS = frozenset(
    {"id", "feed", "mmsi", "time", "lat", "lon", "item", "marking", "classification"}
)


@dataclass(frozen=True, slots=True)
class SeenFix:
    """A fix as the partner may see it (`record`: sanitised), and the batch that carried it."""

    fix: Fix
    record: Mapping[str, Any]
    entry: FeedEntry


def picture_json(
    hub: Hub, reader: str, *, batches: int = BATCHES, trail: int = TRAIL, events: int = EVENTS
) -> dict[str, Any]:
    """The partner's picture now, and the cursor its live stream resumes after."""
    now = hub.clock()
    newest = hub.store.feed(reader, 0, 1, newest=True)
    cursor = newest[0][0].cursor if newest else 0
    page = released_batches(hub, reader, batches)
    reports = read_feed(
        hub.store, hub.releaser, reader, now, limit=REPORTS, kinds=["report", "indicator"], newest=True
    )  # fmt: skip
    return {
        "partner": reader,
        "cursor": cursor,
        "vessels": vessels_json(hub, page.entries, trail),
        "events": [e for e in (event_json(hub, i, p) for i, p in hub.events(None, reader, events)) if e],
        # Newest first, each as the live stream carries a release.
        "reports": [entry_json(e, hub.config.policy) for e in reports.entries],
    }  # fmt: skip


def released_batches(hub: Hub, reader: str, batches: int = BATCHES) -> FeedPage:
    """The newest `batches` position batches released to `reader`, as it may see them now."""
    return read_feed(
        hub.store, hub.releaser, reader, hub.clock(), limit=batches, kinds=["position"], newest=True
    )


def batch_json(hub: Hub, entry: FeedEntry) -> dict[str, Any]:
    """One position batch released to the partner: its fixes per vessel."""
    return {"item": entry.item.id, "vessels": vessels_json(hub, [entry], TRAIL)}


def event_json(hub: Hub, item: Item, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """An event as the map draws it; None if the partner's copy has no position."""
    position = payload.get("position")
    if not isinstance(position, Mapping) or not _numbers(position.get("lat"), position.get("lon")):
        return None
    return {
        "id": item.id,
        "type": payload.get("type"),
        "time": format_time(item.time),
        "lat": position["lat"],
        "lon": position["lon"],
        "feed": item.feed,
        "marking": display_marking(item.label, hub.config.policy),
        "classification": item.label.classification,
        "payload": dict(payload),
    }


def vessels_json(hub: Hub, entries: Sequence[FeedEntry], trail: int) -> list[dict[str, Any]]:
    """Each vessel in `entries` (position batches, any order): its newest `trail` fixes as the
    partner may see them, oldest first, and its latest state."""
    by_id = {e.item.id: e for e in entries}
    fixes = hub.store.recent_fixes(list(by_id), trail)
    tracks: dict[tuple[str | None, int], list[SeenFix]] = {}
    for fix in fixes:
        seen = _seen(fix, by_id[fix.source])
        if seen is not None:
            tracks.setdefault((seen.entry.item.feed, seen.record["mmsi"]), []).append(seen)
    statics = _statics(entries)
    out = []
    for (feed, mmsi), seen_fixes in tracks.items():
        seen_fixes.sort(key=lambda s: s.fix.time)
        out.append(_vessel(hub, feed, seen_fixes[-trail:], statics.get((feed, mmsi), {})))
    return out


def _seen(fix: Fix, entry: FeedEntry) -> SeenFix | None:
    record: dict[str, Any] = {
        "mmsi": fix.mmsi, "time": fix.time, "lat": fix.lat, "lon": fix.lon,
        "sog_kn": fix.sog, "cog": fix.cog, "heading": fix.heading,
    }  # fmt: skip
    if not entry.obligations.empty:
        record = sanitise(record, entry.obligations)
    if not isinstance(record.get("mmsi"), int) or not _numbers(
        record.get("lat"), record.get("lon")
    ):
        return None  # no identity or no position released: nothing to draw, nothing to join
    return SeenFix(fix, record, entry)


def _statics(entries: Iterable[FeedEntry]) -> dict[tuple[str | None, int], dict[str, Any]]:
    """What released batches said of each vessel (their sanitised copies), newest first wins."""
    out: dict[tuple[str | None, int], dict[str, Any]] = {}
    for entry in sorted(entries, key=lambda e: e.cursor):
        said = entry.payload.get("statics")
        if not isinstance(said, list):
            continue
        for static in said:
            if isinstance(static, Mapping) and isinstance(static.get("mmsi"), int):
                known = out.setdefault((entry.item.feed, static["mmsi"]), {})
                known |= {k: static[k] for k in _STATIC_FIELDS if k in static}
    return out


def _vessel(
    hub: Hub, feed: str | None, trail: list[SeenFix], static: Mapping[str, Any]
) -> dict[str, Any]:
    last = trail[-1]
    mmsi = last.record["mmsi"]
    flag = flag_of(mmsi)
    ship_type = static.get("ship_type")
    vessel: dict[str, Any] = {
        "id": f"{feed}:{mmsi}",
        "feed": feed,
        "mmsi": mmsi,
        "name": static.get("name"),
        "callsign": static.get("callsign"),
        "ship_type": ship_type,
        "ship_type_text": ship_type_text(ship_type) if isinstance(ship_type, int) else None,
        "flag": None
        if flag is None
        else {"mid": flag.mid, "country": flag.country, "alpha2": flag.alpha2},
        "time": format_unix(last.fix.time),
        "lat": last.record["lat"],
        "lon": last.record["lon"],
        "sog_kn": last.record.get("sog_kn"),
        "cog": last.record.get("cog"),
        "heading": last.record.get("heading"),
        "item": last.entry.item.id,
        "marking": display_marking(last.entry.item.label, hub.config.policy),
        "classification": last.entry.item.label.classification,
    }
    # What the newest batch's terms strip goes, under every name the hub gives it (a ship type
    # stripped takes its text with it); what is not known is left out rather than null.
    if not last.entry.obligations.empty:
        vessel = sanitise(vessel, last.entry.obligations)
    vessel = {k: v for k, v in vessel.items() if v is not None or k in _ALWAYS}
    vessel["trail"] = [[s.record["lon"], s.record["lat"], format_unix(s.fix.time)] for s in trail]
    return vessel


def _numbers(*values: object) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)

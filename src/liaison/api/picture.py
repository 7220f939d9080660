"""The maritime picture one partner may see, as the web map draws it: vessels with their recent
trails, and events, each with its label marking; and the position batches the live stream
announces, in the same shape.

Everything here is built from the partner's own feed (`read_feed`), so the map shows exactly the
releases the API gives that partner, sanitised by the same obligations: every fix is coarsened
and stripped as its batch's release demands before it is drawn, and a vessel whose identity an
agreement strips is left out (its track cannot be followed without revealing who it is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from liaison.codec import format_time, format_unix
from liaison.dissemination.feeds import FeedEntry, read_feed
from liaison.hub import Hub
from liaison.maritime.flags import flag_of, ship_type_text
from liaison.maritime.tracks import Fix
from liaison.model.agreements import Obligations
from liaison.model.items import Item
from liaison.policy.labels_io import display_marking
from liaison.policy.obligations import sanitise
from liaison.render import entry_json
from liaison.storage.base import VesselTrack

TRAIL = 40  # points of trail per vessel: the last hours at sea, not the whole voyage
BATCHES = 300  # newest position batches read for the picture
EVENTS = 500
REPORTS = 50  # the newest reports and indicators, for the timeline


@dataclass(frozen=True, slots=True)
class SeenFix:
    """A fix as the partner may see it: its position coarsened where obligations say so."""

    fix: Fix
    lat: float
    lon: float


def picture_json(
    hub: Hub, reader: str, *, batches: int = BATCHES, trail: int = TRAIL, events: int = EVENTS
) -> dict[str, Any]:
    """The partner's picture now, and the cursor its live stream resumes after."""
    now = hub.clock()
    newest = hub.store.feed(reader, 0, 1, newest=True)
    cursor = newest[0][0].cursor if newest else 0
    page = read_feed(
        hub.store, hub.releaser, reader, now, limit=batches, kinds=["position"], newest=True
    )
    vessels = _vessels(hub, reversed(page.entries), trail)
    reports = read_feed(
        hub.store, hub.releaser, reader, now, limit=REPORTS, kinds=["report", "indicator"], newest=True
    )  # fmt: skip
    return {
        "partner": reader,
        "cursor": cursor,
        "vessels": vessels,
        # Newest first, each as the live stream carries a release.
        "reports": [entry_json(e, hub.config.policy) for e in reports.entries],
        "events": [e for e in (event_json(hub, i, p) for i, p in hub.events(None, reader, events)) if e],
    }  # fmt: skip


def batch_json(hub: Hub, entry: FeedEntry) -> dict[str, Any]:
    """One position batch released to the partner: its fixes per vessel."""
    return {"item": entry.item.id, "vessels": _vessels(hub, [entry], TRAIL)}


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


def _vessels(hub: Hub, entries: Iterable[FeedEntry], trail: int) -> list[dict[str, Any]]:
    """Each vessel's trail (oldest first) across `entries` (oldest first) and its latest fix."""
    seen: dict[tuple[str | None, int], list[SeenFix]] = {}
    latest_entry: dict[tuple[str | None, int], FeedEntry] = {}
    for entry in entries:
        for fix in hub.store.positions(entry.item.id):
            where = _where(fix, entry.obligations)
            if where is None:
                continue
            key = (entry.item.feed, fix.mmsi)
            seen.setdefault(key, []).append(where)
            latest_entry[key] = entry
    out = []
    for key, fixes in seen.items():
        fixes.sort(key=lambda s: s.fix.time)
        vessel = _vessel(hub, key[0], latest_entry[key], fixes[-trail:])
        if vessel is not None:
            out.append(vessel)
    return out


def _where(fix: Fix, obligations: Obligations) -> SeenFix | None:
    if obligations.empty:
        return SeenFix(fix, fix.lat, fix.lon)
    where = sanitise({"lat": fix.lat, "lon": fix.lon}, obligations)
    lat, lon = where.get("lat"), where.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None  # the agreement strips positions: nothing to draw
    return SeenFix(fix, float(lat), float(lon))


def _vessel(
    hub: Hub, feed: str | None, entry: FeedEntry, trail: list[SeenFix]
) -> dict[str, Any] | None:
    last = trail[-1]
    known = _static(hub, feed, last.fix.mmsi)
    flag = flag_of(last.fix.mmsi)
    ship_type = known.ship_type if known else None
    vessel: dict[str, Any] = {
        "id": f"{feed}:{last.fix.mmsi}",
        "feed": feed,
        "mmsi": last.fix.mmsi,
        "name": known.name if known else None,
        "callsign": known.callsign if known else None,
        "ship_type": ship_type,
        "ship_type_text": ship_type_text(ship_type),
        "flag": None
        if flag is None
        else {"mid": flag.mid, "country": flag.country, "alpha2": flag.alpha2},
        "time": format_unix(last.fix.time),
        "lat": last.lat,
        "lon": last.lon,
        "sog_kn": last.fix.sog,
        "cog": last.fix.cog,
        "heading": last.fix.heading,
        "item": entry.item.id,
        "marking": display_marking(entry.item.label, hub.config.policy),
        "classification": entry.item.label.classification,
    }
    if not entry.obligations.empty:
        vessel = sanitise(vessel, entry.obligations)
        if "mmsi" not in vessel:
            return None  # identity stripped: the track cannot be shown without it
    vessel["trail"] = [[s.lon, s.lat, format_unix(s.fix.time)] for s in trail]
    return vessel


def _static(hub: Hub, feed: str | None, mmsi: int) -> VesselTrack | None:
    known = hub.store.tracks(feed, mmsi)
    return known[0] if known else None


def _numbers(*values: object) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)

"""Items as RFC 7946 GeoJSON features (longitude first, WGS84)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liaison.codec import format_time, format_unix
from liaison.hub import Hub
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.policy.obligations import sanitise

# For OpenAPI: these answers are GeoJSON, not plain JSON.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "An RFC 7946 FeatureCollection", "content": {"application/geo+json": {}}}
}


def event_feature(item: Item, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """A Point at the event's position as the caller may see it; None if the copy has none
    (an obligation may have removed it)."""
    position = payload.get("position")
    if not isinstance(position, Mapping):
        return None
    lat, lon = position.get("lat"), position.get("lon")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    return {
        "type": "Feature",
        "id": item.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {k: v for k, v in payload.items() if k != "position"}
        | {"feed": item.feed, "time": format_time(item.time)},
    }


@dataclass(frozen=True, slots=True)
class SeenTrack:
    """A vessel's latest fix in what a partner was released, and where the partner may see it."""

    feed: str | None
    fix: Fix
    where: Mapping[str, Any]  # {"lat", "lon"}, coarsened by the partner's obligations


def released_tracks(hub: Hub, reader: str, batches: int = 50) -> list[SeenTrack]:
    """Each vessel's latest position among the newest `batches` position items released to
    `reader` and still decided allowed now, with the obligations of that decision applied."""
    feed = hub.feed(reader, 0, 1_000_000).entries
    released = [e.item for e in feed if e.item.kind == "position"]
    latest: dict[tuple[str | None, int], SeenTrack] = {}
    for batch in reversed(released[-batches:]):
        decision = hub.releaser.decide(batch, reader)
        if not decision.allowed:
            continue
        for fix in hub.store.positions(batch.id):
            key = (batch.feed, fix.mmsi)
            if key in latest and latest[key].fix.time >= fix.time:
                continue
            where = sanitise({"lat": fix.lat, "lon": fix.lon}, decision.obligations)
            latest[key] = SeenTrack(batch.feed, fix, where)
    return list(latest.values())


def track_feature(hub: Hub, feed: str | None, fix: Fix, where: Mapping[str, Any]) -> dict[str, Any]:
    """A vessel's latest position (as the caller may see it) with its name from the same feed."""
    known = hub.store.tracks(feed, fix.mmsi)
    name = known[0].name if known else None
    return {
        "type": "Feature",
        "id": f"{feed}:{fix.mmsi}",
        "geometry": {"type": "Point", "coordinates": [where["lon"], where["lat"]]},
        "properties": {
            "mmsi": fix.mmsi,
            "name": name,
            "feed": feed,
            "time": format_unix(fix.time),
            "sog_kn": fix.sog,
            "cog": fix.cog,
            "heading": fix.heading,
        },
    }

"""Items as RFC 7946 GeoJSON features (longitude first, WGS84)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liaison.api.picture import released_batches, vessels_json
from liaison.codec import format_time
from liaison.hub import Hub
from liaison.model.items import Item

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


def released_vessels(hub: Hub, reader: str, batches: int = 50) -> list[dict[str, Any]]:
    """Each vessel's latest state among the newest `batches` position batches released to
    `reader`, as it may see it (the picture's rules: `api.picture`)."""
    return vessels_json(hub, released_batches(hub, reader, batches).entries, 1)


def vessel_feature(vessel: Mapping[str, Any]) -> dict[str, Any]:
    """A vessel's latest position as an RFC 7946 Point, its state as properties."""
    return {
        "type": "Feature",
        "id": vessel["id"],
        "geometry": {"type": "Point", "coordinates": [vessel["lon"], vessel["lat"]]},
        "properties": {k: v for k, v in vessel.items() if k not in {"id", "lat", "lon", "trail"}},
    }

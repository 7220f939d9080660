"""Items as RFC 7946 GeoJSON features (longitude first, WGS84)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liaison.model.items import Item


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
        | {"feed": item.feed, "time": item.time.isoformat().replace("+00:00", "Z")},
    }

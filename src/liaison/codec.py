"""Items as JSON: the one shape the store, the CLI and (later) the API share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from liaison.model.items import Item
from liaison.model.labels import Label
from liaison.policy.labels_io import label_to_json

# One encoder, made once: `json.dumps` with options builds a new one per call, which costs more
# than encoding a small audit entry.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: object) -> str:
    """Sorted keys, no spaces, UTF-8 kept: equal values give equal text (and equal digests)."""
    return _CANONICAL.encode(value)


def format_time(t: datetime) -> str:
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    return t.isoformat().replace("+00:00", "Z")


def format_unix(t: float) -> str:
    """UNIX seconds (how fixes keep time on the hot path) as UTC ISO 8601."""
    return format_time(datetime.fromtimestamp(t, UTC))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def item_to_json(item: Item, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`payload` replaces the item's own (a partner's sanitised copy)."""
    return {
        "id": item.id,
        "kind": item.kind,
        "originators": sorted(item.originators),
        "area": item.area,
        "label": label_to_json(item.label),
        "time": format_time(item.time),
        "payload": dict(item.payload if payload is None else payload),
        "sources": list(item.sources),
        "feed": item.feed,
    }


def item_from_json(data: Mapping[str, Any]) -> Item:
    """Read an item the hub itself wrote (already checked when it was ingested)."""
    label = data["label"]
    return Item(
        id=data["id"],
        kind=data["kind"],
        originators=frozenset(data["originators"]),
        area=data["area"],
        label=Label.of(label["policy"], label["classification"], label["categories"]),
        time=parse_time(data["time"]),
        payload=data["payload"],
        sources=tuple(data["sources"]),
        feed=data.get("feed"),
    )


def item_digest(item: Item) -> str:
    return hashlib.sha256(canonical_json(item_to_json(item)).encode()).hexdigest()

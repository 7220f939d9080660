"""Items: everything the hub stores and releases (positions, tracks, events, reports, indicators)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liaison.errors import InputError
from liaison.model.labels import Label

KNOWN_KINDS = frozenset({"position", "track", "event", "report", "indicator"})


@dataclass(frozen=True, slots=True, eq=False)
class Item:
    """An item is immutable once stored; a sanitised copy for a partner is a new payload."""

    id: str
    kind: str
    originators: frozenset[str]
    area: str
    label: Label
    time: datetime
    payload: Mapping[str, Any]
    sources: tuple[str, ...] = ()
    feed: str | None = None

    def __post_init__(self) -> None:
        if not self.originators:
            # Without an originator no agreement is ever consulted: such an item must not exist.
            raise InputError(f"item {self.id}", "an item must name at least one originator")

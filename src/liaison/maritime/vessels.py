"""Static data per MMSI: what vessels say about themselves, merged across messages.

A type 5 message carries everything; a class B transponder splits it over type 24 part A (name)
and part B (ship type, call sign, dimensions); type 19 and 21 carry a name and dimensions too.
Each message fills in what it carries and leaves the rest as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from liaison.maritime.ais import AisMessage, Dimensions

STATIC_TYPES = frozenset({5, 19, 21, 24})


@dataclass(frozen=True, slots=True)
class StaticData:
    """What is known about one MMSI; None where no message has said yet."""

    mmsi: int
    name: str | None = None
    callsign: str | None = None
    imo: int | None = None
    ship_type: int | None = None
    dimensions: Dimensions | None = None
    updated: datetime | None = None  # time of the last message that changed something


class VesselRegistry:
    """Static data by MMSI, merged from static messages. One per picture, not global."""

    def __init__(self) -> None:
        self._vessels: dict[int, StaticData] = {}

    def update(self, msg: AisMessage) -> StaticData | None:
        """Merge what `msg` says; the vessel's data afterwards, or None for non-static types."""
        if msg.msg_type not in STATIC_TYPES:
            return None
        old = self._vessels.get(msg.mmsi) or StaticData(msg.mmsi)
        said = {
            "name": msg.name,
            "callsign": msg.callsign,
            "imo": msg.imo,
            "ship_type": msg.ship_type,
            "dimensions": msg.dimensions,
        }
        # A field a message does not carry (or sends as "not available") keeps its old value; a
        # message older than what we hold only fills gaps (feeds arrive out of order).
        stale = msg.time is not None and old.updated is not None and msg.time < old.updated
        changes = {
            k: v
            for k, v in said.items()
            if v is not None
            and getattr(old, k) != v
            and not (stale and getattr(old, k) is not None)
        }
        if not changes:
            return old
        updated = old.updated if stale else (msg.time or old.updated)
        new = replace(old, **changes, updated=updated)  # type: ignore[arg-type]
        self._vessels[msg.mmsi] = new
        return new

    def lookup(self, mmsi: int) -> StaticData | None:
        return self._vessels.get(mmsi)

    def __len__(self) -> int:
        return len(self._vessels)

    def __contains__(self, mmsi: object) -> bool:
        return mmsi in self._vessels

    def __iter__(self) -> Iterator[StaticData]:
        return iter(self._vessels.values())

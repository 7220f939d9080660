"""What every detector shares: the event it reports and the shape of a detector.

A detector sees each vessel's fixes in time order, as (fix, previous fix of that vessel), and
reports `Event`s. `finish` closes what is still open when the input ends. Thresholds are
constructor arguments with the documented defaults (Global Fishing Watch's published definitions
where DESIGN.md cites them), so a user can change them.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from liaison.maritime.geo import distance_m
from liaison.maritime.tracks import Fix

NM = 1852.0  # metres; distances are metres inside, nautical miles in what people read
KNOTS_TO_MS = NM / 3600.0
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Event:
    type: str  # transit | zone | gap | encounter | loitering | jump
    mmsis: tuple[int, ...]
    start: float  # UNIX seconds
    end: float
    lat: float
    lon: float
    sources: frozenset[str]  # the position items the event was found in
    details: Mapping[str, Any] = field(default_factory=dict)


def speed_kn(fix: Fix, previous: Fix | None) -> float | None:
    if fix.sog is not None:
        return fix.sog
    if previous is None or fix.time <= previous.time:
        return None
    metres = distance_m(previous.lat, previous.lon, fix.lat, fix.lon)
    return metres / (fix.time - previous.time) / KNOTS_TO_MS


class GateView(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def positive_direction(self) -> str: ...

    @property
    def negative_direction(self) -> str: ...


class RegionView(Protocol):
    """What detectors need of a region (see `liaison.maritime.region.Region`)."""

    def zones_at(self, lat: float, lon: float) -> frozenset[str]: ...

    def zones_crossed(self, a: tuple[float, float], b: tuple[float, float]) -> frozenset[str]: ...

    def crossings(
        self, a: tuple[float, float], b: tuple[float, float]
    ) -> Sequence[tuple[GateView, int]]: ...


class Detector(abc.ABC):
    type: ClassVar[str]

    @abc.abstractmethod
    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        """Events that this fix completes."""

    def finish(self) -> list[Event]:
        """Events still open when the input ends."""
        return []

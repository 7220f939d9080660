"""Encounters: two vessels within 500 m of each other for at least 2 h, both under 2 kn.

Defaults are Global Fishing Watch's published definition. Vessels are indexed in a grid of
`cell_deg` cells so each fix is compared only with the vessels in the cells around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from liaison.maritime.detectors.base import HOUR, Detector, Event, speed_kn
from liaison.maritime.geo import distance_m
from liaison.maritime.tracks import Fix

Pair = tuple[int, int]
Cell = tuple[int, int]


@dataclass(slots=True)
class _Episode:
    start: float
    last: float
    closest_m: float
    sources: set[str] = field(default_factory=set)
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    count: int = 0


class EncounterDetector(Detector):
    type = "encounter"

    def __init__(
        self,
        max_distance_m: float = 500.0,
        min_duration_h: float = 2.0,
        max_speed_kn: float = 2.0,
        max_time_skew_s: float = 600.0,
    ) -> None:
        self.max_distance_m = max_distance_m
        self.min_duration_s = min_duration_h * HOUR
        self.max_speed_kn = max_speed_kn
        # Two fixes further apart in time than this say nothing about being together.
        self.max_time_skew_s = max_time_skew_s
        # Cells at least as large as the distance, so neighbours are always in adjacent cells.
        self.cell_deg = max(max_distance_m / 111_000.0, 0.001) * 2
        self._cells: dict[Cell, dict[int, Fix]] = {}
        self._cell_of: dict[int, Cell] = {}
        self._episodes: dict[Pair, _Episode] = {}
        self._pairs_of: dict[int, set[Pair]] = {}
        self._latest: dict[int, tuple[Fix, bool]] = {}  # every vessel's last fix, and was it slow

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        self._unindex(fix.mmsi)
        speed = speed_kn(fix, previous)
        slow = speed is not None and speed < self.max_speed_kn
        self._latest[fix.mmsi] = (fix, slow)
        near: dict[Pair, tuple[Fix, float]] = {}
        if slow:
            near = self._neighbours(fix)
            self._index(fix)
        events: list[Event] = []
        for pair in list(self._pairs_of.get(fix.mmsi, ())):
            if pair not in near and self._apart(pair, fix, slow):
                events += self._close(pair)
        for pair, (other, metres) in near.items():
            self._extend(pair, fix, other, metres)
        return events

    def _apart(self, pair: Pair, fix: Fix, slow: bool) -> bool:
        """Close only on evidence: a fast fix, or the other vessel heard recently and away; or
        when neither has been seen together for twice the time skew."""
        if not slow:
            return True
        other = pair[0] if pair[1] == fix.mmsi else pair[1]
        latest = self._latest.get(other)
        if latest is not None and abs(fix.time - latest[0].time) <= self.max_time_skew_s:
            theirs, their_slow = latest
            if not their_slow:
                return True
            if distance_m(fix.lat, fix.lon, theirs.lat, theirs.lon) > self.max_distance_m:
                return True
        return fix.time - self._episodes[pair].last > 2 * self.max_time_skew_s

    def finish(self) -> list[Event]:
        return [e for pair in list(self._episodes) for e in self._close(pair)]

    def _neighbours(self, fix: Fix) -> dict[Pair, tuple[Fix, float]]:
        row, col = self._cell(fix.lat, fix.lon)
        out: dict[Pair, tuple[Fix, float]] = {}
        # Cells shrink east-west with latitude: look further along the row where they are narrow.
        reach = math.ceil(1 / (2 * max(math.cos(math.radians(fix.lat)), 0.01)))
        for dr in (-1, 0, 1):
            for dc in range(-reach, reach + 1):
                for mmsi, other in self._cells.get((row + dr, col + dc), {}).items():
                    if abs(fix.time - other.time) > self.max_time_skew_s:
                        continue
                    metres = distance_m(fix.lat, fix.lon, other.lat, other.lon)
                    if metres <= self.max_distance_m:
                        out[(min(mmsi, fix.mmsi), max(mmsi, fix.mmsi))] = (other, metres)
        return out

    def _extend(self, pair: Pair, fix: Fix, other: Fix, metres: float) -> None:
        episode = self._episodes.get(pair)
        if episode is None:
            episode = self._episodes[pair] = _Episode(max(fix.time, other.time), fix.time, metres)
            for mmsi in pair:
                self._pairs_of.setdefault(mmsi, set()).add(pair)
        episode.last = max(episode.last, fix.time)
        episode.closest_m = min(episode.closest_m, metres)
        episode.sources.update((fix.source, other.source))
        episode.lat_sum += (fix.lat + other.lat) / 2
        episode.lon_sum += (fix.lon + other.lon) / 2
        episode.count += 1

    def _close(self, pair: Pair) -> list[Event]:
        episode = self._episodes.pop(pair)
        for mmsi in pair:
            self._pairs_of[mmsi].discard(pair)
        duration = episode.last - episode.start
        if duration < self.min_duration_s:
            return []
        return [
            Event(
                self.type, pair, episode.start, episode.last,
                episode.lat_sum / episode.count, episode.lon_sum / episode.count,
                frozenset(episode.sources),
                {"duration_h": round(duration / HOUR, 2), "closest_m": round(episode.closest_m)},
            )
        ]  # fmt: skip

    def _cell(self, lat: float, lon: float) -> Cell:
        return (math.floor(lat / self.cell_deg), math.floor(lon / self.cell_deg))

    def _index(self, fix: Fix) -> None:
        cell = self._cell(fix.lat, fix.lon)
        self._cells.setdefault(cell, {})[fix.mmsi] = fix
        self._cell_of[fix.mmsi] = cell

    def _unindex(self, mmsi: int) -> None:
        cell = self._cell_of.pop(mmsi, None)
        if cell is not None:
            members = self._cells[cell]
            members.pop(mmsi, None)
            if not members:
                del self._cells[cell]

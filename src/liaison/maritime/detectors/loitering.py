"""Loitering: one vessel under 2 kn for at least 2 h (Global Fishing Watch's definition).

An episode is broken by a faster fix or by a silence longer than `max_silence_h` (a vessel not
heard from cannot be said to have loitered). Speed is the reported speed over ground, or the
speed implied by the last two fixes when none is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.maritime.detectors.base import HOUR, Detector, Event, speed_kn
from liaison.maritime.tracks import Fix


@dataclass(slots=True)
class _Episode:
    first: Fix
    last: Fix
    sources: set[str] = field(default_factory=set)
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    count: int = 0

    def extend(self, fix: Fix) -> None:
        self.last = fix
        self.sources.add(fix.source)
        self.lat_sum += fix.lat
        self.lon_sum += fix.lon
        self.count += 1


class LoiteringDetector(Detector):
    type = "loitering"

    def __init__(
        self, max_speed_kn: float = 2.0, min_duration_h: float = 2.0, max_silence_h: float = 1.0
    ) -> None:
        self.max_speed_kn = max_speed_kn
        self.min_duration_s = min_duration_h * HOUR
        self.max_silence_s = max_silence_h * HOUR
        self._open: dict[int, _Episode] = {}

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        events: list[Event] = []
        episode = self._open.get(fix.mmsi)
        if episode is not None and fix.time - episode.last.time > self.max_silence_s:
            events += self._close(fix.mmsi)
            episode = None
        speed = speed_kn(fix, previous)
        if speed is not None and speed < self.max_speed_kn:
            if episode is None:
                episode = self._open[fix.mmsi] = _Episode(fix, fix)
            episode.extend(fix)
        elif episode is not None:
            events += self._close(fix.mmsi)
        return events

    def finish(self) -> list[Event]:
        return [e for mmsi in list(self._open) for e in self._close(mmsi)]

    def _close(self, mmsi: int) -> list[Event]:
        episode = self._open.pop(mmsi)
        duration = episode.last.time - episode.first.time
        if duration < self.min_duration_s:
            return []
        return [
            Event(
                self.type, (mmsi,), episode.first.time, episode.last.time,
                episode.lat_sum / episode.count, episode.lon_sum / episode.count,
                frozenset(episode.sources), {"duration_h": round(duration / HOUR, 2)},
            )
        ]  # fmt: skip

"""Vessel tracks: per-MMSI state, fed in time order despite out-of-order input.

AIS arrives out of order (several receivers, satellite latency, multi-part delays). The tracker
holds each vessel's recent fixes in a small reorder buffer and releases them to the detectors
in time order once they are older than `window_s` behind the newest time seen on the stream.
A fix older than what was already released for its vessel is "late": it is still stored (the
position record is complete) but it no longer moves the vessel's state or the detectors.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Fix:
    """One position report, reduced to what tracks and detectors need. Time is UNIX seconds."""

    mmsi: int
    time: float
    lat: float
    lon: float
    sog: float | None  # knots
    cog: float | None  # degrees
    heading: int | None
    source: str  # the id of the position item (batch) that stores this report


@dataclass(slots=True)
class Track:
    """What is known of one vessel now: its last released fix and its static data."""

    mmsi: int
    last: Fix | None = None
    fixes: int = 0
    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None


@dataclass(slots=True)
class Tracker:
    window_s: float = 600.0
    tracks: dict[int, Track] = field(default_factory=dict)
    late: int = 0
    _pending: list[tuple[float, int, Fix]] = field(default_factory=list)  # heap by time
    _counter: int = 0
    _newest: float = float("-inf")

    def track(self, mmsi: int) -> Track:
        found = self.tracks.get(mmsi)
        if found is None:
            found = self.tracks[mmsi] = Track(mmsi)
        return found

    def add(self, fix: Fix) -> list[tuple[Fix, Fix | None]]:
        """Take a fix; return (fix, previous fix of its vessel) for every fix now due, in time order."""
        track = self.tracks.get(fix.mmsi)
        if track is None:
            track = self.tracks[fix.mmsi] = Track(fix.mmsi)
        elif track.last is not None and fix.time < track.last.time:
            self.late += 1
            return []
        self._counter += 1
        heapq.heappush(self._pending, (fix.time, self._counter, fix))
        self._newest = max(self._newest, fix.time)
        return self._release(self._newest - self.window_s)

    def drain(self) -> list[tuple[Fix, Fix | None]]:
        """Release everything still buffered (end of input)."""
        return self._release(float("inf"))

    @property
    def newest(self) -> float:
        return self._newest

    def _release(self, until: float) -> list[tuple[Fix, Fix | None]]:
        pending = self._pending
        out: list[tuple[Fix, Fix | None]] = []
        while pending and pending[0][0] <= until:
            fix = heapq.heappop(pending)[2]
            track = self.tracks[fix.mmsi]
            previous = track.last
            if previous is not None and fix.time < previous.time:
                self.late += 1
                continue
            track.last = fix
            track.fixes += 1
            out.append((fix, previous))
        return out

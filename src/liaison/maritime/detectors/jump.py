"""Implausible jumps (spoofing, or two transmitters sharing an MMSI): implied speed over 50 kn."""

from __future__ import annotations

from liaison.maritime.detectors.base import KNOTS_TO_MS, NM, Detector, Event
from liaison.maritime.geo import distance_m
from liaison.maritime.tracks import Fix


class JumpDetector(Detector):
    type = "jump"

    def __init__(self, max_speed_kn: float = 50.0, min_distance_m: float = 1000.0) -> None:
        self.max_speed_ms = max_speed_kn * KNOTS_TO_MS
        # Below this distance GNSS noise and time-stamp rounding make implied speeds meaningless.
        self.min_distance_m = min_distance_m

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        if previous is None:
            return []
        metres = distance_m(previous.lat, previous.lon, fix.lat, fix.lon)
        if metres < self.min_distance_m:
            return []
        seconds = fix.time - previous.time
        if seconds > 0 and metres / seconds <= self.max_speed_ms:
            return []
        speed = None if seconds <= 0 else round(metres / seconds / KNOTS_TO_MS, 1)
        return [
            Event(
                self.type, (fix.mmsi,), previous.time, fix.time, fix.lat, fix.lon,
                frozenset({previous.source, fix.source}),
                {"implied_speed_kn": speed, "distance_nm": round(metres / NM, 2),
                 "from": {"lat": previous.lat, "lon": previous.lon}},
            )
        ]  # fmt: skip

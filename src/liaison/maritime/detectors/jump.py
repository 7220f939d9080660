"""Implausible jumps (spoofing, or two transmitters sharing an MMSI): implied speed over 50 kn."""

from __future__ import annotations

import math

from liaison.maritime.detectors.base import KNOTS_TO_MS, NM, Detector, Event
from liaison.maritime.geo import distance_m
from liaison.maritime.tracks import Fix

_METRES_PER_DEGREE = 111_700.0  # a degree of latitude at the poles, the longest anywhere


class JumpDetector(Detector):
    type = "jump"

    def __init__(self, max_speed_kn: float = 50.0, min_distance_m: float = 1000.0) -> None:
        self.max_speed_ms = max_speed_kn * KNOTS_TO_MS
        # Below this distance GNSS noise and time-stamp rounding make implied speeds meaningless.
        self.min_distance_m = min_distance_m

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        if previous is None:
            return []
        seconds = fix.time - previous.time
        # A flat-earth upper bound (degrees of latitude and longitude as if at the equator) clears
        # almost every report without the geodesic computation.
        bound = (
            math.hypot(fix.lat - previous.lat, fix.lon - previous.lon) * _METRES_PER_DEGREE * 1.01
        )
        if bound < self.min_distance_m or (seconds > 0 and bound / seconds <= self.max_speed_ms):
            return []
        metres = distance_m(previous.lat, previous.lon, fix.lat, fix.lon)
        if metres < self.min_distance_m:
            return []
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

"""AIS gaps ("going dark"): a vessel silent for `min_gap_h` hours or more.

Defaults from Global Fishing Watch: a gap of 6 h or more is an event; 12 h or more is flagged as
likely intentional. The gap is reported when the vessel is heard again.
"""

from __future__ import annotations

from liaison.maritime.detectors.base import HOUR, NM, Detector, Event
from liaison.maritime.geo import distance_m
from liaison.maritime.tracks import Fix


class AisGapDetector(Detector):
    type = "gap"

    def __init__(self, min_gap_h: float = 6.0, intentional_h: float = 12.0) -> None:
        self.min_gap_s = min_gap_h * HOUR
        self.intentional_s = intentional_h * HOUR

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        if previous is None or fix.time - previous.time < self.min_gap_s:
            return []
        silent = fix.time - previous.time
        return [
            Event(
                self.type,
                (fix.mmsi,),
                previous.time,
                fix.time,
                previous.lat,
                previous.lon,
                frozenset({previous.source, fix.source}),
                {
                    "duration_h": round(silent / HOUR, 2),
                    "likely_intentional": silent >= self.intentional_s,
                    "resumed": {"lat": fix.lat, "lon": fix.lon},
                    "distance_nm": round(
                        distance_m(previous.lat, previous.lon, fix.lat, fix.lon) / NM, 2
                    ),
                },
            )
        ]

"""Gate transits: a vessel's track crosses a gate line across a strait, in a named direction."""

from __future__ import annotations

from liaison.maritime.detectors.base import Detector, Event, RegionView
from liaison.maritime.tracks import Fix


class GateTransitDetector(Detector):
    """Checked on the great-circle segment between consecutive fixes, so a crossing is found even
    when no report lies near the gate line."""

    type = "transit"

    def __init__(self, region: RegionView) -> None:
        self.region = region

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        if previous is None:
            return []
        events = []
        for gate, direction in self.region.crossings(
            (previous.lat, previous.lon), (fix.lat, fix.lon)
        ):
            events.append(
                Event(
                    self.type,
                    (fix.mmsi,),
                    previous.time,
                    fix.time,
                    fix.lat,
                    fix.lon,
                    frozenset({previous.source, fix.source}),
                    {
                        "gate": gate.id,
                        "gate_name": gate.name,
                        "direction": gate.positive_direction
                        if direction > 0
                        else gate.negative_direction,
                        "from": {"lat": previous.lat, "lon": previous.lon},
                    },
                )
            )
        return events

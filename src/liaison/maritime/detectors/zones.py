"""Zone entries and exits (territorial sea, contiguous zone)."""

from __future__ import annotations

from liaison.maritime.detectors.base import Detector, Event, RegionView
from liaison.maritime.tracks import Fix


class ZoneDetector(Detector):
    """An entry or exit between two consecutive fixes. A vessel first seen inside a zone has not
    been seen entering it: it gives no event until it leaves."""

    type = "zone"

    def __init__(self, region: RegionView) -> None:
        self.region = region
        self._inside: dict[int, frozenset[str]] = {}

    def observe(self, fix: Fix, previous: Fix | None) -> list[Event]:
        now = self.region.zones_at(fix.lat, fix.lon)
        before = self._inside.get(fix.mmsi)
        self._inside[fix.mmsi] = now
        if before is None or previous is None:
            return []
        # Zones passed through between two reports (a vessel dark across the territorial sea)
        # are entered and left again: both inferred from the track, not seen.
        passed = (
            self.region.zones_crossed((previous.lat, previous.lon), (fix.lat, fix.lon))
            - before
            - now
        )
        if before == now and not passed:
            return []
        sources = frozenset({previous.source, fix.source})
        events = [
            self._event(fix, previous, zone, "exit", sources) for zone in sorted(before - now)
        ]
        for zone in sorted(passed):
            events.append(self._event(fix, previous, zone, "entry", sources, inferred=True))
            events.append(self._event(fix, previous, zone, "exit", sources, inferred=True))
        events += [
            self._event(fix, previous, zone, "entry", sources) for zone in sorted(now - before)
        ]
        return events

    def _event(
        self,
        fix: Fix,
        previous: Fix,
        zone: str,
        action: str,
        sources: frozenset[str],
        *,
        inferred: bool = False,
    ) -> Event:
        details: dict[str, object] = {"zone": zone, "action": action}
        if inferred:
            details["inferred"] = True
        return Event(
            self.type, (fix.mmsi,), previous.time, fix.time, fix.lat, fix.lon, sources, details
        )

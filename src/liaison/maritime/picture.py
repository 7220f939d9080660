"""The maritime picture of one feed: fixes into tracks, tracks through the detectors, events out."""

from __future__ import annotations

from liaison.maritime.detectors import Detector, Event
from liaison.maritime.tracks import Fix, Tracker

# Vessel position reports: class A (1-3), class B (18, 19), long range (27). Base stations (4),
# aids to navigation (21) and SAR aircraft (9) are not vessels and make no tracks.
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})


class Picture:
    def __init__(self, detectors: list[Detector], window_s: float = 600.0) -> None:
        self.tracker = Tracker(window_s)
        self.detectors = detectors

    def add(self, fix: Fix) -> list[Event]:
        events: list[Event] = []
        for due, previous in self.tracker.add(fix):
            for detector in self.detectors:
                events += detector.observe(due, previous)
        return events

    def finish(self) -> list[Event]:
        """The input has ended: release every buffered fix and close every open episode."""
        events: list[Event] = []
        for due, previous in self.tracker.drain():
            for detector in self.detectors:
                events += detector.observe(due, previous)
        for detector in self.detectors:
            events += detector.finish()
        return events

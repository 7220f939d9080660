"""Event detectors: each a small class with documented, configurable thresholds."""

from liaison.maritime.detectors.base import Detector, Event, RegionView
from liaison.maritime.detectors.encounter import EncounterDetector
from liaison.maritime.detectors.gap import AisGapDetector
from liaison.maritime.detectors.jump import JumpDetector
from liaison.maritime.detectors.loitering import LoiteringDetector
from liaison.maritime.detectors.transit import GateTransitDetector
from liaison.maritime.detectors.zones import ZoneDetector

EVENT_TYPES = ("transit", "zone", "gap", "encounter", "loitering", "jump")


def default_detectors(region: RegionView) -> list[Detector]:
    return [
        GateTransitDetector(region),
        ZoneDetector(region),
        AisGapDetector(),
        EncounterDetector(),
        LoiteringDetector(),
        JumpDetector(),
    ]


__all__ = [
    "EVENT_TYPES",
    "AisGapDetector",
    "Detector",
    "EncounterDetector",
    "Event",
    "GateTransitDetector",
    "JumpDetector",
    "LoiteringDetector",
    "RegionView",
    "ZoneDetector",
    "default_detectors",
]

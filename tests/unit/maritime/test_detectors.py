"""Each detector on small hand-made tracks, and the encounter detector on two real ferries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pytest
from pyproj import Geod, Transformer

from liaison.maritime.detectors import (
    AisGapDetector,
    Detector,
    EncounterDetector,
    Event,
    GateTransitDetector,
    JumpDetector,
    LoiteringDetector,
    ZoneDetector,
)
from liaison.maritime.tracks import Fix, Tracker
from tests.conftest import shared_file

GEOD = Geod(ellps="WGS84")
H = 3600.0


def run(detector: Detector, fixes: list[Fix]) -> list[Event]:
    """As a stream delivers them: all vessels' fixes interleaved in time order."""
    tracker = Tracker(window_s=0)
    events = [
        e
        for f in sorted(fixes, key=lambda f: f.time)
        for due, prev in tracker.add(f)
        for e in detector.observe(due, prev)
    ]
    events += [e for due, prev in tracker.drain() for e in detector.observe(due, prev)]
    return events + detector.finish()


def sail(
    mmsi: int,
    start: tuple[float, float],
    course: float,
    kn: float,
    t0: float,
    hours: float,
    every: float = 180,
) -> list[Fix]:
    out = []
    t = 0.0
    while t <= hours * H:
        lon, lat, _ = GEOD.fwd(start[1], start[0], course, kn * 1852 / 3600 * t)
        out.append(Fix(mmsi, t0 + t, lat, lon, kn, course, int(course), f"b{mmsi}"))
        t += every
    return out


@dataclass(frozen=True)
class _Gate:
    id: str = "g"
    name: str = "Test Gate"
    positive_direction: str = "West -> East"
    negative_direction: str = "East -> West"


class _Region:
    """A gate along the meridian 125E (eastward crossing positive); a zone north of 26N."""

    def zones_at(self, lat: float, lon: float) -> frozenset[str]:
        return frozenset({"north"}) if lat > 26 else frozenset()

    def zones_crossed(self, a: tuple[float, float], b: tuple[float, float]) -> frozenset[str]:
        return self.zones_at(*a) | self.zones_at(*b)

    def crossings(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[_Gate, int]]:
        if (a[1] < 125) != (b[1] < 125):
            return [(_Gate(), 1 if b[1] > a[1] else -1)]
        return []


def test_transit_with_direction() -> None:
    east = run(GateTransitDetector(_Region()), sail(1, (25.0, 124.9), 90, 12, 0, 2))
    assert [(e.type, e.details["direction"]) for e in east] == [("transit", "West -> East")]
    west = run(GateTransitDetector(_Region()), sail(2, (25.0, 125.1), 270, 12, 0, 2))
    assert [e.details["direction"] for e in west] == ["East -> West"]


def test_zone_entry_and_exit() -> None:
    north_then_south = sail(1, (25.9, 125.0), 0, 12, 0, 1.5) + sail(
        1, (26.2, 125.0), 180, 12, 2 * H, 1.5
    )
    events = run(ZoneDetector(_Region()), north_then_south)
    assert [(e.details["action"], e.details["zone"]) for e in events] == [
        ("entry", "north"),
        ("exit", "north"),
    ]


@pytest.mark.parametrize(("hours", "expected"), [(5.9, None), (7.0, False), (13.0, True)])
def test_gap(hours: float, expected: bool | None) -> None:
    fixes = [Fix(1, 0, 25, 125, 10, 0, 0, "a"), Fix(1, hours * H, 25.5, 125, 10, 0, 0, "b")]
    events = run(AisGapDetector(), fixes)
    if expected is None:
        assert events == []
    else:
        (event,) = events
        assert event.details["likely_intentional"] is expected
        assert event.details["duration_h"] == hours
        assert event.sources == frozenset({"a", "b"})


def test_jump_over_50_knots() -> None:
    teleport = [
        Fix(1, 0, 25, 125, 10, 0, 0, "a"),
        Fix(1, 600, 26, 125, 10, 0, 0, "b"),
    ]  # 111 km in 10 min
    (event,) = run(JumpDetector(), teleport)
    assert event.details["implied_speed_kn"] == pytest.approx(360, rel=0.01)
    plausible = [Fix(1, 0, 25, 125, 10, 0, 0, "a"), Fix(1, 3600, 25.1, 125, 10, 0, 0, "b")]
    assert run(JumpDetector(), plausible) == []


def test_loitering_needs_two_hours_under_two_knots() -> None:
    slow = sail(1, (25, 125), 45, 1.0, 0, 3)
    (event,) = run(LoiteringDetector(), slow)
    assert event.details["duration_h"] == pytest.approx(3.0, abs=0.05)
    assert run(LoiteringDetector(), sail(1, (25, 125), 45, 1.0, 0, 1.5)) == []
    assert run(LoiteringDetector(), sail(1, (25, 125), 45, 3.0, 0, 3)) == []


def test_encounter_of_two_slow_vessels_close_together() -> None:
    a = sail(1, (25.0, 125.0), 0, 0.5, 0, 3)
    b = sail(2, (25.0027, 125.0), 0, 0.5, 60, 3)  # 300 m north
    (event,) = run(EncounterDetector(), a + b)
    assert event.mmsis == (1, 2)
    assert event.details["duration_h"] == pytest.approx(2.98, abs=0.05)
    far = sail(3, (25.0075, 125.0), 0, 0.5, 60, 3)  # 830 m north
    assert run(EncounterDetector(), a + far) == []


def _ferries() -> dict[int, list[Fix]]:
    data = json.loads(shared_file("ais", "movingpandas", "ais-utm32N.json").read_text())
    to_wgs84 = Transformer.from_crs(32632, 4326, always_xy=True)
    out: dict[int, list[Fix]] = {}
    for feature in data["features"]:
        p = feature["properties"]
        lon, lat = to_wgs84.transform(*feature["geometry"]["coordinates"])
        t = datetime.fromisoformat(p["t"] + "+00:00").timestamp()
        out.setdefault(p["MMSI"], []).append(
            Fix(p["MMSI"], t, lat, lon, p["SOG"], p["COG"], None, "dma")
        )
    return out


def test_real_ferries_passing_close_are_no_encounter_by_default() -> None:
    ferries = _ferries()
    assert sorted(ferries) == [265410000, 265550210]
    fixes = sorted((f for v in ferries.values() for f in v), key=lambda f: f.time)
    assert run(EncounterDetector(), fixes) == []


def _close_runs(
    fixes: list[Fix], max_m: float, skew_s: float, min_s: float
) -> list[tuple[float, float]]:
    """An independent reading of "within max_m": at each report, the other ferry's latest report
    (if no older than skew_s) is within max_m. Runs of such reports lasting min_s or more."""
    latest: dict[int, Fix] = {}
    runs: list[tuple[float, float]] = []
    start: float | None = None
    last = 0.0
    for f in fixes:
        latest[f.mmsi] = f
        other = next((o for m, o in latest.items() if m != f.mmsi), None)
        together = (
            other is not None
            and abs(f.time - other.time) <= skew_s
            and GEOD.inv(f.lon, f.lat, other.lon, other.lat)[2] <= max_m
        )
        if together:
            start = f.time if start is None else start
            last = f.time
        elif start is not None and other is not None and abs(f.time - other.time) <= skew_s:
            runs.append((start, last))
            start = None
    if start is not None:
        runs.append((start, last))
    return [(a, b) for a, b in runs if b - a >= min_s]


def test_real_ferries_close_approach_with_relaxed_thresholds() -> None:
    """Relaxed to any speed and one minute, the detector finds the two ferries' close approach,
    exactly where an independent reading of the same rule puts it."""
    ferries = _ferries()
    fixes = sorted((f for v in ferries.values() for f in v), key=lambda f: f.time)
    detector = EncounterDetector(
        max_distance_m=500, min_duration_h=1 / 60, max_speed_kn=30, max_time_skew_s=30
    )
    events = run(detector, fixes)
    expected = _close_runs(fixes, 500, 30, 60)
    assert expected, "the ferries do come within 500 m of each other"
    assert [(e.start, e.end) for e in events] == expected
    for event in events:
        assert event.mmsis == (265410000, 265550210)
        assert 250 <= event.details["closest_m"] <= 500


@pytest.mark.parametrize("lat", [0.0, 30.0, 60.0, 70.0, 80.0])
def test_encounter_at_any_latitude(lat: float) -> None:
    a = sail(1, (lat, 10.0), 0, 0.5, 0, 3)
    lon, _, _ = GEOD.fwd(10.0, lat, 90, 450)  # 450 m east: cells are narrowest east-west
    b = sail(2, (lat, lon), 0, 0.5, 60, 3)
    (event,) = run(EncounterDetector(), a + b)
    assert event.mmsis == (1, 2)


def test_a_zone_crossed_between_two_reports_is_inferred() -> None:
    """Dark across the territorial sea: 45 nm north of Uotsuri-shima, then 3.6 h later 45 nm south."""
    from liaison.maritime.region import load_region  # noqa: PLC0415

    north_lon, north_lat, _ = GEOD.fwd(123.47, 25.74, 0, 45 * 1852)
    south_lon, south_lat, _ = GEOD.fwd(123.47, 25.74, 180, 45 * 1852)
    fixes = [
        Fix(1, 0, north_lat, north_lon, 12, 180, 180, "a"),
        Fix(1, 3.6 * H, south_lat, south_lon, 12, 180, 180, "b"),
    ]
    events = run(ZoneDetector(load_region()), fixes)
    got = [(e.details["zone"], e.details["action"], e.details.get("inferred")) for e in events]
    assert got == [
        ("senkaku-contiguous-zone", "entry", True),
        ("senkaku-contiguous-zone", "exit", True),
        ("senkaku-territorial-sea", "entry", True),
        ("senkaku-territorial-sea", "exit", True),
    ]

"""Scenario simulator: real NMEA (pyais's encoder, NMEA 4.10 tag blocks) and its ground truth.

Each scenario is a set of vessels sailing legs (great-circle courses at given speeds, or holding
station) and reporting AIS at their own interval. The ground truth — which events a correct
picture must contain — is derived from the scenario's own design (where and when its legs cross
a gate or a zone boundary, how long vessels hold station together), never by running the
detectors, so tests can measure the detectors' precision and recall against it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyais import encode_dict
from pyproj import Geod

from liaison.maritime.detectors.base import KNOTS_TO_MS

GEOD = Geod(ellps="WGS84")
EPOCH = datetime(2026, 11, 28, tzinfo=UTC).timestamp()
LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Leg:
    """Sail to `to` at `speed_kn`, or (to=None) hold station drifting at `speed_kn` for `hold_s`."""

    to: LatLon | None
    speed_kn: float
    hold_s: float = 0.0


@dataclass(slots=True)
class Vessel:
    mmsi: int
    name: str
    ship_type: int
    start: LatLon
    legs: list[Leg]
    depart: float = 0.0  # seconds after the scenario's start
    report_s: float = 60.0
    slow_report_s: float = 180.0  # class A vessels report less often when slow (ITU-R M.1371)
    dark: list[tuple[float, float]] = field(default_factory=list)  # [from, to) seconds: AIS off
    class_b: bool = False
    glitches: dict[float, LatLon] = field(
        default_factory=dict
    )  # at t: report this position instead

    def track(self) -> Iterator[tuple[float, LatLon, float, float]]:
        """(seconds since start, position, speed over ground kn, course) at each report time."""
        t, here = self.depart, self.start
        for leg in self.legs:
            if leg.to is None:
                # Wander in a small circle (about 70 m across at 0.5 kn) and leave from the
                # station itself, so the next leg's timing does not depend on the wander.
                end = t + leg.hold_s
                drift = leg.speed_kn * KNOTS_TO_MS
                course, spot = 90.0, here
                while t < end:
                    yield t, spot, leg.speed_kn, course
                    step = self.slow_report_s
                    spot = _forward(spot, course, drift * step)
                    course = (course + 37.0) % 360
                    t += step
                t = end
                continue
            azimuth, _, metres = GEOD.inv(here[1], here[0], leg.to[1], leg.to[0])
            speed = leg.speed_kn * KNOTS_TO_MS
            duration = metres / speed
            step = self.report_s if leg.speed_kn >= 2 else self.slow_report_s
            elapsed = 0.0
            while elapsed < duration:
                yield (
                    t + elapsed,
                    _forward(here, azimuth, speed * elapsed),
                    leg.speed_kn,
                    azimuth % 360,
                )
                elapsed += step
            t += duration
            here = leg.to


def _forward(p: LatLon, azimuth: float, metres: float) -> LatLon:
    lon, lat, _ = GEOD.fwd(p[1], p[0], azimuth, metres)
    return (lat, lon)


def position_at(vessel: Vessel, seconds: float) -> LatLon:
    """Where a vessel sailing only legs (no holds) is at a given time: for ground truth."""
    t, here = vessel.depart, vessel.start
    for leg in vessel.legs:
        assert leg.to is not None, "position_at serves sailing legs only"
        azimuth, _, metres = GEOD.inv(here[1], here[0], leg.to[1], leg.to[0])
        duration = metres / (leg.speed_kn * KNOTS_TO_MS)
        if seconds <= t + duration:
            return _forward(here, azimuth, leg.speed_kn * KNOTS_TO_MS * (seconds - t))
        t, here = t + duration, leg.to
    return here


@dataclass(slots=True)
class Scenario:
    name: str
    vessels: list[Vessel]
    truth: list[dict[str, Any]]
    start: float = EPOCH


def nmea_lines(scenario: Scenario, source: str = "liaison-sim") -> list[tuple[float, str]]:
    """(time, line) for every sentence of every vessel, sorted by time."""
    out: list[tuple[float, str]] = []
    group = 0
    for vessel in scenario.vessels:
        last_static = -1e9
        for seconds, true_position, sog, cog in vessel.track():
            if any(a <= seconds < b for a, b in vessel.dark):
                continue
            when = scenario.start + seconds
            if seconds - last_static >= 1800:
                last_static = seconds
                group += 1
                out += [(when, s) for s in _static(vessel, when, source, group)]
            lat, lon = vessel.glitches.get(seconds, true_position)
            msg: dict[str, str | int | float | bytes | bool] = {
                "type": 18 if vessel.class_b else 1,
                "mmsi": vessel.mmsi,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "speed": round(sog, 1),
                "course": round(cog, 1),
                "heading": round(cog) % 360,
                "second": int(when) % 60,
            }
            (sentence,) = encode_dict(msg, talker_id="AI", sentence_type="VDM", radio_channel="A")
            out.append((when, tag_block(when, source) + sentence))
    out.sort(key=lambda pair: pair[0])
    return out


def _static(vessel: Vessel, when: float, source: str, group: int) -> list[str]:
    if vessel.class_b:
        parts: list[dict[str, str | int | float | bytes | bool]] = [
            {"type": 24, "mmsi": vessel.mmsi, "partno": 0, "shipname": vessel.name},
            {"type": 24, "mmsi": vessel.mmsi, "partno": 1, "ship_type": vessel.ship_type},
        ]
        return [
            tag_block(when, source) + s
            for p in parts
            for s in encode_dict(p, talker_id="AI", sentence_type="VDM", radio_channel="B")
        ]
    msg: dict[str, str | int | float | bytes | bool] = {
        "type": 5,
        "mmsi": vessel.mmsi,
        "shipname": vessel.name,
        "ship_type": vessel.ship_type,
    }
    sentences = encode_dict(msg, talker_id="AI", sentence_type="VDM", seq_id=group % 10)
    total = len(sentences)
    return [
        tag_block(when, source, f"{n}-{total}-{group}" if total > 1 else None) + s
        for n, s in enumerate(sentences, start=1)
    ]


def tag_block(when: float, source: str, group: str | None = None) -> str:
    """An NMEA 4.10 tag block: `\\c:<unix seconds>,s:<source>[,g:<n-m-id>]*hh\\`."""
    body = f"c:{int(when)},s:{source}" + (f",g:{group}" if group else "")
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    return f"\\{body}*{checksum:02X}\\"


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - scenario variety, not security

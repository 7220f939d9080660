"""The simulator's scenarios, laid out on the region's own gates and zones, with their truth.

Each builder places vessels relative to a gate or the zones' baseline points, so the scenarios
follow a user's region file. The truth says which events a correct picture holds; times of
boundary crossings are found by bisection on geodesic distances to the baseline points, not by
the polygons the detectors use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from liaison.errors import InputError
from liaison.maritime.geo import azimuth_deg, destination, distance_m
from liaison.maritime.region import Region
from liaison.maritime.simulate import EPOCH, LatLon, Leg, Scenario, Vessel, position_at, seeded

NM = 1852.0
HOUR = 3600.0


def build_scenario(name: str, seed: int, region: Region) -> Scenario:
    if name == "all":
        parts = [SCENARIOS[n](seed, region) for n in SCENARIOS]
        return Scenario(
            "all", [v for p in parts for v in p.vessels], [t for p in parts for t in p.truth]
        )
    builder = SCENARIOS.get(name)
    if builder is None:
        raise InputError(
            "--scenario", f"unknown scenario {name!r} (known: {', '.join([*SCENARIOS, 'all'])})"
        )
    return builder(seed, region)


def miyako_transit(seed: int, region: Region) -> Scenario:
    """A surface action group (two destroyers, a supply ship) through the Miyako Strait into the Pacific."""
    rng = seeded(seed)
    gate = region.gate("miyako-strait")
    a, b = gate.points[0], gate.points[-1]
    middle = destination(
        a.lat,
        a.lon,
        azimuth_deg(a.lat, a.lon, b.lat, b.lon),
        distance_m(a.lat, a.lon, b.lat, b.lon) / 2,
    )
    along = azimuth_deg(a.lat, a.lon, b.lat, b.lon)
    vessels, truth = [], []
    names = [("TAIZHOU", 35), ("NINGBO", 35), ("QIANDAOHU", 35)]
    for n, (name, ship_type) in enumerate(names):
        offset = (n - 1) * 1500.0  # in line abreast, 1.5 km apart
        pass_point = destination(middle.lat, middle.lon, along, offset)
        # Walking the gate from its first point to its last, the positive side's origin is on the left.
        west = destination(pass_point.lat, pass_point.lon, along - 90, 60_000)
        east = destination(pass_point.lat, pass_point.lon, along + 90, 60_000)
        crossed = region.crossings(west, east)
        start, end = (west, east) if crossed and crossed[0][1] > 0 else (east, west)
        vessel = Vessel(
            412_440_000 + rng.randrange(1000) * 10 + n,
            name,
            ship_type,
            start,
            [Leg(end, 16.0)],
            depart=rng.uniform(0, 600),
        )
        vessels.append(vessel)
        crossing_s = vessel.depart + 60_000 / (16.0 * NM / HOUR)
        truth.append(
            {
                "type": "transit",
                "mmsi": [vessel.mmsi],
                "gate": gate.id,
                "direction": gate.positive_direction,
                "time": crossing_s,
            }
        )
    return Scenario("miyako-transit", vessels, _absolute(truth))


def senkaku_patrol(seed: int, region: Region) -> Scenario:
    """Two patrol vessels: into the contiguous zone, three hours on station, into the territorial sea, out."""
    rng = seeded(seed + 1)
    ts = next(z for z in region.zones if z.kind == "territorial-sea")
    cz = next(z for z in region.zones if z.kind == "contiguous-zone")
    baseline = [(p["lat"], p["lon"]) for p in ts.properties["baseline_points"]]
    inner, outer = float(ts.properties["breadth_nm"]) * NM, float(cz.properties["breadth_nm"]) * NM
    anchor = baseline[0]
    zone_d = _nearest(baseline)
    vessels, truth = [], []
    for n, bearing in enumerate((350.0, 240.0)):  # clear of Kuba-jima to the north-east
        mmsi = 413_000_000 + rng.randrange(10_000) * 10 + n
        far = _go(anchor, bearing, 40 * NM)
        station = _go(anchor, bearing, 18 * NM)
        close = _go(anchor, bearing, 8 * NM)
        depart = rng.uniform(0, 900)
        legs = [
            Leg(station, 12.0),
            Leg(None, 0.5, 3 * HOUR),
            Leg(close, 12.0),
            Leg(far, 12.0),
        ]
        vessel = Vessel(mmsi, f"HAIJING {2301 + n}", 55, far, legs, depart=depart)
        vessels.append(vessel)
        approach = Vessel(mmsi, "", 0, far, [Leg(station, 12.0)], depart=depart)
        arrive_station = depart + distance_m(*far, *station) / (12 * NM / HOUR)
        leave_station = arrive_station + 3 * HOUR
        inward = Vessel(
            mmsi,
            "",
            0,
            station,
            [Leg(close, 12.0), Leg(far, 12.0)],
            depart=leave_station,
        )
        if not (inner < zone_d(station) < outer and zone_d(close) < inner and zone_d(far) > outer):
            raise ValueError("scenario geometry: the patrol's stations do not fit the zones")
        t_cz_in = _when(approach, lambda p: zone_d(p) <= outer, depart, arrive_station)
        at_close = leave_station + distance_m(*station, *close) / (12 * NM / HOUR)
        t_ts_in = _when(inward, lambda p: zone_d(p) <= inner, leave_station, at_close)
        t_ts_out = _when(inward, lambda p: zone_d(p) > inner, at_close, at_close + 2 * HOUR)
        t_cz_out = _when(inward, lambda p: zone_d(p) > outer, t_ts_out, t_ts_out + 4 * HOUR)
        m = [mmsi]
        truth += [
            {"type": "zone", "mmsi": m, "zone": cz.id, "action": "entry", "time": t_cz_in},
            {"type": "loitering", "mmsi": m, "start": arrive_station, "end": leave_station},
            {"type": "zone", "mmsi": m, "zone": cz.id, "action": "exit", "time": t_ts_in},
            {"type": "zone", "mmsi": m, "zone": ts.id, "action": "entry", "time": t_ts_in},
            {"type": "zone", "mmsi": m, "zone": ts.id, "action": "exit", "time": t_ts_out},
            {"type": "zone", "mmsi": m, "zone": cz.id, "action": "entry", "time": t_ts_out},
            {"type": "zone", "mmsi": m, "zone": cz.id, "action": "exit", "time": t_cz_out},
        ]
    return Scenario("senkaku-patrol", vessels, _absolute(truth))


def rendezvous(seed: int, region: Region) -> Scenario:
    """Two vessels meet at sea and lie together, 200 m apart, for three hours."""
    rng = seeded(seed + 2)
    meet: LatLon = (27.3 + rng.uniform(-0.1, 0.1), 124.9 + rng.uniform(-0.1, 0.1))
    beside = _go(meet, 0.0, 200.0)
    depart = rng.uniform(0, 900)
    run_in = 15_000 / (10 * NM / HOUR)
    vessels, m = [], []
    for n, (spot, bearing) in enumerate(((meet, 270.0), (beside, 90.0))):
        start = _go(spot, bearing, 15_000)
        leave = _go(spot, bearing + 180, 20_000)
        mmsi = 412_880_000 + rng.randrange(1000) * 10 + n
        legs = [Leg(spot, 10.0), Leg(None, 0.5, 3 * HOUR), Leg(leave, 10.0)]
        vessels.append(Vessel(mmsi, f"MINGYUAN {n + 1}", 70 + n * 10, start, legs, depart=depart))
        m.append(mmsi)
    together, apart = depart + run_in, depart + run_in + 3 * HOUR
    truth = [
        {"type": "encounter", "mmsi": sorted(m), "start": together, "end": apart},
        {"type": "loitering", "mmsi": [m[0]], "start": together, "end": apart},
        {"type": "loitering", "mmsi": [m[1]], "start": together, "end": apart},
    ]
    return Scenario("rendezvous", vessels, _absolute(truth))


def dark_vessel(seed: int, region: Region) -> Scenario:
    """A vessel switches its AIS off for 14 hours while under way."""
    rng = seeded(seed + 3)
    start: LatLon = (28.0 + rng.uniform(-0.2, 0.2), 122.8)
    end = _go(start, 90.0, 30 * 10 * NM)
    mmsi = 412_990_000 + rng.randrange(1000) * 10
    vessel = Vessel(mmsi, "XIANG YUAN", 70, start, [Leg(end, 10.0)], dark=[(6 * HOUR, 20 * HOUR)])
    truth = [
        {
            "type": "gap",
            "mmsi": [mmsi],
            "start": 6 * HOUR,
            "end": 20 * HOUR,
            "likely_intentional": True,
        }
    ]
    return Scenario("dark-vessel", [vessel], _absolute(truth))


def spoofed_identity(seed: int, region: Region) -> Scenario:
    """A merchant whose reports twice place it 150 km away: an identity clash or spoofing."""
    rng = seeded(seed + 4)
    start: LatLon = (29.5 + rng.uniform(-0.2, 0.2), 123.0)
    vessel = Vessel(
        412_770_000 + rng.randrange(1000) * 10,
        "HUA XING",
        70,
        start,
        [Leg(_go(start, 90, 150_000), 12.0)],
    )
    glitch_at = 3 * HOUR
    real = position_at(vessel, glitch_at)
    vessel.glitches = {glitch_at: _go(real, 180.0, 150_000)}
    m = [vessel.mmsi]
    truth = [
        {"type": "jump", "mmsi": m, "time": glitch_at},
        {"type": "jump", "mmsi": m, "time": glitch_at + vessel.report_s},
    ]
    return Scenario("spoofed-identity", [vessel], _absolute(truth))


def background(seed: int, region: Region) -> Scenario:
    """Merchant ships and fishing boats going about their business: no event is due."""
    rng = seeded(seed + 5)
    vessels = []
    for n in range(6):
        start: LatLon = (rng.uniform(27.8, 30.2), rng.uniform(122.8, 126.2))
        end = _go(start, rng.uniform(0, 360), rng.uniform(100_000, 160_000))
        vessels.append(
            Vessel(
                477_000_000 + n * 1111,
                f"MERCHANT {n}",
                70,
                start,
                [Leg(end, rng.uniform(12, 15))],
                depart=rng.uniform(0, 3600),
            )
        )
    for n in range(4):
        here: LatLon = (rng.uniform(28.0, 30.0), rng.uniform(123.0, 126.0))
        legs = []
        for _ in range(6):  # trawling zig-zags at 3 to 4 kn: never slow enough to loiter
            here = _go(here, rng.uniform(0, 360), rng.uniform(8_000, 15_000))
            legs.append(Leg(here, rng.uniform(3.0, 4.0)))
        vessels.append(
            Vessel(
                412_300_000 + n * 17,
                f"ZHE LING YU {n}",
                30,
                legs[0].to or here,
                legs[1:],
                class_b=True,
                report_s=180,
            )
        )
    return Scenario("background", vessels, [])


SCENARIOS: dict[str, Callable[[int, Region], Scenario]] = {
    "miyako-transit": miyako_transit,
    "senkaku-patrol": senkaku_patrol,
    "rendezvous": rendezvous,
    "dark-vessel": dark_vessel,
    "spoofed-identity": spoofed_identity,
    "background": background,
}


def _go(p: LatLon, azimuth: float, metres: float) -> LatLon:
    lat, lon = destination(p[0], p[1], azimuth, metres)
    return (lat, lon)


def _nearest(points: list[LatLon]) -> Callable[[LatLon], float]:
    return lambda p: min(distance_m(p[0], p[1], q[0], q[1]) for q in points)


def _when(vessel: Vessel, reached: Callable[[LatLon], bool], low: float, high: float) -> float:
    """The first time in [low, high] at which `reached` becomes true along the vessel's legs."""
    if not reached(position_at(vessel, high)):
        raise ValueError(f"scenario geometry: condition never met for {vessel.mmsi}")
    for _ in range(50):
        mid = (low + high) / 2
        if reached(position_at(vessel, mid)):
            high = mid
        else:
            low = mid
    return high


def _absolute(truth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Truth times (seconds after the scenario's start) as UTC ISO 8601, as the NMEA's tag blocks give them."""
    out = []
    for event in truth:
        copy = dict(event)
        for key in ("time", "start", "end"):
            if key in copy:
                copy[key] = (
                    datetime.fromtimestamp(EPOCH + copy[key], UTC)
                    .isoformat()
                    .replace("+00:00", "Z")
                )
        out.append(copy)
    return out

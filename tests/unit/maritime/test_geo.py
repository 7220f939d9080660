"""Geodesy: distances against pyproj's Geod, gate crossings against an independent oracle.

The oracle densifies both great-circle segments with pyproj on a sphere (where `Geod.npts` traces
great circles exactly, latitude taken as spherical as `geo` does), projects them to a local
azimuthal equidistant plane and lets shapely intersect them; the direction is read off the two
small segments that meet. Nothing of it is shared with the triple-product code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Proj

from liaison.maritime.geo import (
    METRES_PER_NM,
    Arc,
    BBox,
    Position,
    arc_crossing,
    azimuth_deg,
    destination,
    distance_m,
    gate_crossing,
    unit_vector,
)
from liaison.maritime.region import load_region

SPHERE = Geod(a=6_371_008.8, b=6_371_008.8)
STEP_M = 500.0  # densifying step: a 500 m chord strays 5 mm from its arc
MARGIN_M = 100.0  # closer than this to the other line, a case is too close to call

lats = st.floats(-80.0, 80.0)
lons = st.floats(-180.0, 180.0)


def sphere_point(lat: float, lon: float, azimuth: float, metres: float) -> Position:
    lon2, lat2, _ = SPHERE.fwd(lon, lat, azimuth, metres)
    return Position(float(lat2), float(lon2))


def along_gate(s: Position, az: float, metres: float) -> tuple[Position, float]:
    """The point `metres` along the great circle leaving s at azimuth az (backwards if negative),
    and the circle's forward azimuth there."""
    if metres >= 0:
        lon, lat, back = SPHERE.fwd(s.lon, s.lat, az, metres)
        return Position(float(lat), float(lon)), float(back) + 180.0
    lon, lat, back = SPHERE.fwd(s.lon, s.lat, az + 180.0, -metres)
    return Position(float(lat), float(lon)), float(back)


def densify(a: Position, b: Position) -> tuple[list[float], list[float]]:
    _, _, length = SPHERE.inv(a.lon, a.lat, b.lon, b.lat)
    inner = SPHERE.npts(a.lon, a.lat, b.lon, b.lat, max(1, int(length / STEP_M)))
    return [a.lon, *(p[0] for p in inner), b.lon], [a.lat, *(p[1] for p in inner), b.lat]


def oracle_crossing(a: Position, b: Position, s: Position, e: Position) -> int | None:
    """+1/-1/0 as `gate_crossing` should answer, or None when too close to call."""
    mid_lon, mid_lat = SPHERE.npts(s.lon, s.lat, e.lon, e.lat, 1)[0]
    plane = Proj(f"+proj=aeqd +lat_0={mid_lat} +lon_0={mid_lon} +ellps=WGS84")
    track = np.column_stack(plane(*densify(a, b)))
    gate = np.column_stack(plane(*densify(s, e)))
    track_line, gate_line = shapely.LineString(track), shapely.LineString(gate)
    ends = shapely.points([track[0], track[-1], gate[0], gate[-1]])
    if min(*gate_line.distance(ends[:2]), *track_line.distance(ends[2:])) < MARGIN_M:
        return None
    track_segments = shapely.linestrings(np.stack([track[:-1], track[1:]], axis=1))
    hits = np.flatnonzero(shapely.intersects(track_segments, gate_line))
    if len(hits) == 0:
        return 0
    if len(hits) > 1:
        return None
    i = int(hits[0])
    gate_segments = shapely.linestrings(np.stack([gate[:-1], gate[1:]], axis=1))
    j = int(np.flatnonzero(shapely.intersects(gate_segments, track_segments[i]))[0])
    dg, dt = gate[j + 1] - gate[j], track[i + 1] - track[i]
    # The track moving to the gate's right (negative cross product) is the positive direction.
    return 1 if dg[0] * dt[1] - dg[1] * dt[0] < 0 else -1


SHIPPED_ARCS = [arc for gate in load_region().gates for arc in gate.arcs]


def track_around(
    draw: st.DrawFn, s: Position, e: Position, reach: float
) -> tuple[Position, Position, Position, Position]:
    """A track whose ends lie from half a gate length before s to half beyond e, 200 m to
    `reach` metres off the line, on opposite sides about half the time."""
    az, _, length = SPHERE.inv(s.lon, s.lat, e.lon, e.lat)
    first_side = draw(st.sampled_from([1.0, -1.0]))
    sides = (first_side, -first_side if draw(st.booleans()) else first_side)
    ends = []
    for side in sides:
        along, forward = along_gate(s, az, draw(st.floats(-0.5, 1.5)) * length)
        ends.append(sphere_point(*along, forward + 90.0, side * draw(st.floats(200.0, reach))))
    return ends[0], ends[1], s, e


@st.composite
def near_shipped_gates(draw: st.DrawFn) -> tuple[Position, Position, Position, Position]:
    """A gate segment of the shipped region and a track up to 150 km either side of it."""
    arc = draw(st.sampled_from(SHIPPED_ARCS))
    return track_around(draw, arc.start, arc.end, 150_000.0)


@st.composite
def anywhere(draw: st.DrawFn) -> tuple[Position, Position, Position, Position]:
    """A gate up to 500 km long anywhere (across the antimeridian, near the poles) and a track
    up to 800 km either side of it."""
    s = Position(draw(lats), draw(lons))
    e = sphere_point(*s, draw(st.floats(0.0, 360.0)), draw(st.floats(1_000.0, 500_000.0)))
    return track_around(draw, s, e, 800_000.0)


@settings(max_examples=300, deadline=None)
@given(near_shipped_gates())
def test_crossing_agrees_with_the_oracle_near_the_shipped_gates(
    case: tuple[Position, Position, Position, Position],
) -> None:
    expected = oracle_crossing(*case)
    assume(expected is not None)
    assert gate_crossing(*case) == expected


@settings(max_examples=300, deadline=None)
@given(anywhere())
def test_crossing_agrees_with_the_oracle_anywhere(
    case: tuple[Position, Position, Position, Position],
) -> None:
    expected = oracle_crossing(*case)
    assume(expected is not None)
    assert gate_crossing(*case) == expected


# Special points (gate ends, points on the line, repeated reports) alongside random ones.
def _points_around(s: Position, e: Position) -> st.SearchStrategy[Position]:
    mid = Position((s.lat + e.lat) / 2, (s.lon + e.lon) / 2)
    return st.one_of(
        st.sampled_from([s, e, mid, Position(s.lat, e.lon), Position(e.lat, s.lon)]),
        st.builds(Position, st.floats(s.lat - 2, s.lat + 2), st.floats(s.lon - 2, s.lon + 2)),
    )


@st.composite
def touchy(draw: st.DrawFn) -> tuple[Position, Position, Position, Position]:
    s = draw(st.sampled_from([Position(0.0, 0.0), Position(25.0, 125.0), Position(-60.0, 179.5)]))
    e = draw(st.sampled_from([Position(s.lat, s.lon + 1.0), Position(s.lat + 1.0, s.lon)]))
    return draw(_points_around(s, e)), draw(_points_around(s, e)), s, e


@given(st.one_of(touchy(), near_shipped_gates(), anywhere()))
def test_reversing_the_track_or_the_gate_flips_the_sign(
    case: tuple[Position, Position, Position, Position],
) -> None:
    a, b, s, e = case
    forward = gate_crossing(a, b, s, e)
    assert forward in (-1, 0, 1)
    assert gate_crossing(b, a, s, e) == -forward
    assert gate_crossing(a, b, e, s) == -forward
    assert gate_crossing(a, a, s, e) == 0


@given(
    st.sampled_from(SHIPPED_ARCS),
    st.floats(-0.5, 1.5),
    st.floats(-0.5, 1.5),
    st.floats(1_000.0, 300_000.0),
    st.floats(1_000.0, 300_000.0),
    st.sampled_from([90.0, -90.0]),
)
def test_a_track_on_one_side_of_the_line_never_crosses(
    arc: Arc, t_a: float, t_b: float, d_a: float, d_b: float, side: float
) -> None:
    s, e = arc.start, arc.end
    az, _, length = SPHERE.inv(s.lon, s.lat, e.lon, e.lat)
    ends = []
    for t, d in ((t_a, d_a), (t_b, d_b)):
        along, forward = along_gate(s, az, t * length)
        ends.append(sphere_point(*along, forward + side, d))
    assert gate_crossing(ends[0], ends[1], s, e) == 0


@given(st.one_of(anywhere(), near_shipped_gates(), touchy()))
def test_the_bounding_box_prefilter_changes_nothing(
    case: tuple[Position, Position, Position, Position],
) -> None:
    a, b, s, e = case
    exact = arc_crossing(unit_vector(*a), unit_vector(*b), Arc.between(s, e))
    assert gate_crossing(a, b, s, e) == exact


@given(lats, lons, st.floats(0.0, 360.0), st.floats(0.0, 3_000_000.0))
def test_an_arc_lies_inside_its_bounding_box(lat: float, lon: float, az: float, m: float) -> None:
    a = Position(lat, lon)
    b = sphere_point(lat, lon, az, m)
    box = BBox.of_arc(a, b)
    assume(box is not None)
    assert box is not None
    for x, y in zip(*densify(a, b), strict=True):
        assert box.south - 1e-9 <= y <= box.north + 1e-9
        assert box.west - 1e-9 <= x <= box.east + 1e-9


# A gate northwards along 125E from 24N to 26N: west is its left, so eastbound is positive.
S, E = Position(24.0, 125.0), Position(26.0, 125.0)


def test_eastbound_across_a_northbound_gate_is_positive() -> None:
    assert gate_crossing((25.0, 124.9), (25.0, 125.1), S, E) == 1
    assert gate_crossing((25.0, 125.1), (25.0, 124.9), S, E) == -1


def test_passing_beyond_the_gate_ends_is_no_crossing() -> None:
    assert gate_crossing((26.5, 124.0), (26.5, 126.0), S, E) == 0
    assert gate_crossing((23.5, 124.0), (23.5, 126.0), S, E) == 0


def test_reports_far_apart_either_side_still_cross() -> None:
    assert gate_crossing((25.5, 120.0), (24.5, 130.0), S, E) == 1


def test_a_repeated_report_crosses_nothing() -> None:
    assert gate_crossing((25.0, 125.0), (25.0, 125.0), S, E) == 0
    assert gate_crossing((25.0, 124.0), (25.0, 124.0), S, E) == 0


def test_a_report_on_the_line_splits_one_crossing_between_two_segments() -> None:
    on_line = (25.0, 125.0)
    through = [
        gate_crossing((25.0, 124.9), on_line, S, E),
        gate_crossing(on_line, (25.0, 125.1), S, E),
    ]
    assert sorted(through) == [0, 1]
    back = [
        gate_crossing((25.0, 124.9), on_line, S, E),
        gate_crossing(on_line, (25.0, 124.8), S, E),
    ]
    assert sum(back) == 0
    assert all(abs(x) <= 1 for x in back)


def test_a_track_through_a_gate_end_counts_one_way_as_the_other() -> None:
    # The meridian 0E passes exactly through the end (0, 0) of an equatorial gate.
    s, e = Position(0.0, 0.0), Position(0.0, 10.0)
    north = gate_crossing((-1.0, 0.0), (1.0, 0.0), s, e)
    assert gate_crossing((1.0, 0.0), (-1.0, 0.0), s, e) == -north


def test_segments_on_opposite_sides_of_the_globe_do_not_cross() -> None:
    # Each great circle separates the other's ends, but the circles meet on the far side.
    assert gate_crossing((-1.0, -175.0), (1.0, -175.0), (0.0, 0.0), (0.0, 10.0)) == 0
    assert gate_crossing((-1.0, 5.0), (1.0, 5.0), (0.0, 0.0), (0.0, 10.0)) == -1


def test_distance_is_the_wgs84_geodesic() -> None:
    # One degree of latitude at the equator is 110,574 m on WGS84.
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(110_574.4, abs=0.5)
    assert distance_m(25.745, 123.485, 25.745, 123.485) == 0.0
    end = destination(25.745, 123.485, 270.0, 12 * METRES_PER_NM)
    assert distance_m(25.745, 123.485, *end) == pytest.approx(22_224.0, abs=1e-6)
    assert azimuth_deg(25.745, 123.485, *end) == pytest.approx(270.0, abs=1e-9)

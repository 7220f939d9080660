"""Plain geodesy on WGS84: distances, destinations, and which way a track crosses a gate.

Distances are metres. `distance_m` and `destination` are geodesics on the WGS84 ellipsoid
(pyproj's `Geod`, Karney's algorithms, accurate to nanometres). Measured, a call costs a few
microseconds, no more than a pure-Python haversine, so there is no separate "fast" spherical
distance to mistake for it.

Gate crossings work on the unit sphere. A position is a unit vector (geodetic latitude taken as
spherical latitude); a great circle is the plane through the centre and two such vectors, and the
side of it a point lies on is the sign of a triple product. That makes `gate_crossing` exact for
the great-circle segment between two reports however far apart they are: no sampling, no
projection. A great circle differs from the WGS84 geodesic between the same points by metres over
a 300 km gate, which matters to no detector.

Sign convention, shared with the region file: walking along a gate from its first point to its
last, a crossing from your LEFT to your RIGHT is +1 (the gate's `positive_direction`), from right
to left -1.

Points exactly on a line: a point on a great circle is put on one fixed side of it, the same
whichever way the circle is walked (the side its canonical normal points away from). So a track
that touches a gate and turns back gives nothing, or +1 then -1, never a lone crossing; a track
through a vertex shared by two gate segments counts once (summed over the segments, see
`region.Gate`); reversing the track, or the gate, exactly flips the sign; and a degenerate track
(a == b) crosses nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, NamedTuple

from pyproj import Geod

EARTH: Final = Geod(ellps="WGS84")
METRES_PER_NM: Final = 1852.0

# Boxes are widened by 0.1 mm so that rounding in the exact test, far below that, can never
# disagree with the prefilter on a track that just touches a gate's end.
BOX_SLACK_DEG: Final = 1e-9

Vec3 = tuple[float, float, float]


class Position(NamedTuple):
    """A point on the Earth in degrees (WGS84). A plain `(lat, lon)` tuple is accepted wherever a
    Position is."""

    lat: float
    lon: float


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on the WGS84 ellipsoid, in metres."""
    _, _, metres = EARTH.inv(lon1, lat1, lon2, lat2)
    return float(metres)


def destination(lat: float, lon: float, azimuth_deg: float, distance: float) -> Position:
    """Where a geodesic from (lat, lon) with the given initial azimuth (degrees clockwise from
    north) ends after `distance` metres."""
    lon2, lat2, _ = EARTH.fwd(lon, lat, azimuth_deg, distance)
    return Position(float(lat2), float(lon2))


def azimuth_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial geodesic azimuth from the first point to the second, degrees clockwise from north."""
    forward, _, _ = EARTH.inv(lon1, lat1, lon2, lat2)
    return float(forward) % 360.0


def unit_vector(lat: float, lon: float) -> Vec3:
    """The point as a unit vector: x towards (0N, 0E), y towards (0N, 90E), z towards the pole."""
    phi = math.radians(lat)
    lam = math.radians(lon)
    cos_phi = math.cos(phi)
    return (cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi))


def _cross(u: Vec3, v: Vec3) -> Vec3:
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def _dot(u: Vec3, v: Vec3) -> float:
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]


def _canonical(v: Vec3) -> Vec3:
    """v or -v, whichever has its first non-zero component positive: the same vector for u x w
    and w x u, so a point on a great circle goes to the same side whichever way it is walked."""
    for component in v:
        if component > 0:
            return v
        if component < 0:
            return (-v[0], -v[1], -v[2])
    return v


@dataclass(frozen=True, slots=True)
class BBox:
    """A latitude/longitude box, in degrees, that holds a great-circle segment whole."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def of_arc(cls, a: tuple[float, float], b: tuple[float, float]) -> BBox | None:
        """A box sure to hold the great-circle segment a->b, or None when the segment crosses the
        antimeridian or spans half the globe (then there is no cheap box: test exactly).

        Longitude runs monotonically along a great circle, inside the shorter interval between
        the ends. Latitude can bulge poleward beyond both ends, but no point of the segment is
        further than half its length from an end, and the length is at most |dlat| + |dlon|."""
        dlat = abs(a[0] - b[0])
        dlon = abs(a[1] - b[1])
        if dlon >= 180.0:
            return None
        bulge = (dlat + dlon) / 2 + BOX_SLACK_DEG
        return cls(
            max(-90.0, min(a[0], b[0]) - bulge),
            min(a[1], b[1]) - BOX_SLACK_DEG,
            min(90.0, max(a[0], b[0]) + bulge),
            max(a[1], b[1]) + BOX_SLACK_DEG,
        )

    def overlaps(self, other: BBox) -> bool:
        return not (
            other.south > self.north
            or other.north < self.south
            or other.west > self.east
            or other.east < self.west
        )

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.south, other.south),
            min(self.west, other.west),
            max(self.north, other.north),
            max(self.east, other.east),
        )


@dataclass(frozen=True, slots=True)
class Arc:
    """A great-circle segment from `start` to `end`, with what crossing tests need precomputed.

    `normal` (start x end) points to the segment's left: dot(normal, p) > 0 for p on its left.
    `canonical` is `normal` or its opposite (`canonical_is_left` says which), used to put points
    lying exactly on the circle on a fixed side."""

    start: Position
    end: Position
    s: Vec3
    e: Vec3
    normal: Vec3
    canonical: Vec3
    canonical_is_left: bool
    bbox: BBox | None

    @classmethod
    def between(cls, start: tuple[float, float], end: tuple[float, float]) -> Arc:
        s = unit_vector(*start)
        e = unit_vector(*end)
        normal = _cross(s, e)
        canonical = _canonical(normal)
        return cls(
            Position(*start),
            Position(*end),
            s,
            e,
            normal,
            canonical,
            canonical == normal,
            BBox.of_arc(start, end),
        )


def arc_crossing(a: Vec3, b: Vec3, gate: Arc) -> int:
    """+1, -1 or 0: whether the great-circle segment a->b (unit vectors) crosses `gate`, and
    which way (see the module's sign convention)."""
    a_side = _dot(gate.canonical, a) > 0
    if a_side == (_dot(gate.canonical, b) > 0):
        return 0
    track_normal = _canonical(_cross(a, b))
    if (_dot(track_normal, gate.s) > 0) == (_dot(track_normal, gate.e) > 0):
        return 0
    # Each great circle separates the other segment's ends, so the circles meet at +x or -x
    # inside both segments; only a common one is a crossing (else they lie on opposite sides of
    # the globe). A segment shorter than a half circle holds the one nearer its midpoint.
    x = _cross(track_normal, gate.normal)
    if (_dot(x, a) + _dot(x, b) > 0) != (_dot(x, gate.s) + _dot(x, gate.e) > 0):
        return 0
    return 1 if a_side == gate.canonical_is_left else -1


def gate_crossing(
    a: tuple[float, float],
    b: tuple[float, float],
    gate_start: tuple[float, float],
    gate_end: tuple[float, float],
) -> int:
    """+1 if the great-circle segment between consecutive reports a->b crosses the great-circle
    gate segment gate_start->gate_end from its left to its right, -1 from right to left, 0 if it
    does not cross. Points are (lat, lon) in degrees."""
    gate = Arc.between(gate_start, gate_end)
    track = BBox.of_arc(a, b)
    if track is not None and gate.bbox is not None and not track.overlaps(gate.bbox):
        return 0
    return arc_crossing(unit_vector(*a), unit_vector(*b), gate)

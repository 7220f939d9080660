"""The region: zones (territorial sea, contiguous zone, ...) and gates across straits.

A region is a GeoJSON FeatureCollection (RFC 7946, WGS84 `[lon, lat]`). The hub ships one,
`liaison/data/regions/east-china-sea.geojson` (built by `tools/build_region.py`); a user may load
their own with the same shape:

- a zone is a Polygon or MultiPolygon feature with properties `id`, `kind` (e.g.
  `territorial-sea`, `contiguous-zone`) and optionally `name`;
- a gate is a LineString feature with properties `id`, `positive_direction` (`"A -> B"`) and
  optionally `name`, `negative_direction` (must be `"B -> A"`), `left_side` and `right_side`
  (must be A and B). Walking the line from its first point to its last, a vessel crossing from
  the left to the right travels in the positive direction (see `liaison.maritime.geo`).

The id may also sit on the feature itself (`"id"`); any other property is kept, uninterpreted.
Zones are tested in plain lon/lat, so one must not cross the antimeridian (split it, as RFC 7946
asks); a point on a zone's boundary is outside it. Gates are great-circle segments wherever they
lie. A bad file raises `RegionError` listing every problem, each naming its feature.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape

from liaison.errors import RegionError
from liaison.maritime.geo import (
    BOX_SLACK_DEG,
    EARTH,
    Arc,
    BBox,
    Position,
    Vec3,
    arc_crossing,
    distance_m,
    unit_vector,
)

REGION_PACKAGE = "liaison.data"
REGION_RESOURCE = "regions/east-china-sea.geojson"
DIRECTION_ARROW = " -> "

_ZONE_TYPES = frozenset({"Polygon", "MultiPolygon"})
_GATE_TYPES = frozenset({"LineString"})


@dataclass(frozen=True)
class Zone:
    """An area a vessel is inside or not; `geometry` is a prepared shapely (Multi)Polygon in
    lon/lat degrees."""

    id: str
    name: str
    kind: str
    geometry: Any = field(compare=False, repr=False)
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    bounds: tuple[float, float, float, float] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        shapely.prepare(self.geometry)
        west, south, east, north = self.geometry.bounds
        object.__setattr__(self, "bounds", (south, west, north, east))

    def contains(self, lat: float, lon: float) -> bool:
        """Strictly inside (a point on the boundary is not)."""
        south, west, north, east = self.bounds
        if not (south <= lat <= north and west <= lon <= east):
            return False
        return bool(shapely.contains_xy(self.geometry, lon, lat))


@dataclass(frozen=True)
class Gate:
    """A line across a strait, one or more great-circle segments through `points` (lat, lon).

    `direction_name(+1)` is `positive_direction`: a crossing from the line's left to its right,
    walking from its first point to its last."""

    id: str
    name: str
    points: tuple[Position, ...]
    positive_direction: str
    negative_direction: str
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    arcs: tuple[Arc, ...] = field(init=False, compare=False, repr=False)
    bbox: BBox | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError(f"gate {self.id!r} needs at least two points")
        object.__setattr__(self, "points", tuple(Position(*p) for p in self.points))
        arcs = tuple(Arc.between(p, q) for p, q in itertools.pairwise(self.points))
        boxes = [arc.bbox for arc in arcs if arc.bbox is not None]
        bbox = functools.reduce(BBox.union, boxes) if len(boxes) == len(arcs) else None
        object.__setattr__(self, "arcs", arcs)
        object.__setattr__(self, "bbox", bbox)

    def direction_name(self, direction: int) -> str:
        return self.positive_direction if direction > 0 else self.negative_direction

    def crossing(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        """+1, -1 or 0: the net crossing of the great-circle segment a->b over the whole line."""
        track = BBox.of_arc(a, b)
        if track is not None and self.bbox is not None and not track.overlaps(self.bbox):
            return 0
        return self.crossing_of_vectors(unit_vector(*a), unit_vector(*b), track)

    def crossing_of_vectors(self, a: Vec3, b: Vec3, track: BBox | None = None) -> int:
        """`crossing` for unit vectors, with the track's box if known (see `BBox.of_arc`)."""
        # Summed over the segments, so a track through a bend of the line counts once, or not at
        # all if it only touches the bend.
        net = 0
        for arc in self.arcs:
            if track is not None and arc.bbox is not None and not track.overlaps(arc.bbox):
                continue
            net += arc_crossing(a, b, arc)
        return (net > 0) - (net < 0)


_NO_ZONES: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Region:
    """Zones and gates, queried per position report."""

    name: str
    zones: tuple[Zone, ...]
    gates: tuple[Gate, ...]
    source: str = "<memory>"

    def __post_init__(self) -> None:
        # Hot-path prefilters as plain floats: most reports are nowhere near a zone or a gate.
        boxes = [z.bounds for z in self.zones]
        around = (
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            if boxes
            else None
        )
        object.__setattr__(self, "_zones_box", around)
        gate_boxes = tuple(
            (g.bbox.south, g.bbox.west, g.bbox.north, g.bbox.east, g)
            if g.bbox is not None
            else (-90.0, -180.0, 90.0, 180.0, g)
            for g in self.gates
        )
        object.__setattr__(self, "_gate_boxes", gate_boxes)

    def zones_at(self, lat: float, lon: float) -> frozenset[str]:
        """The ids of the zones that hold the point."""
        box: tuple[float, float, float, float] | None = self._zones_box  # type: ignore[attr-defined]
        if box is None or not (box[0] <= lat <= box[2] and box[1] <= lon <= box[3]):
            return _NO_ZONES
        return frozenset(zone.id for zone in self.zones if zone.contains(lat, lon))

    def zones_crossed(self, a: tuple[float, float], b: tuple[float, float]) -> frozenset[str]:
        """The zones the great-circle segment a->b (lat, lon) passes through, ends included."""
        box: tuple[float, float, float, float] | None = self._zones_box  # type: ignore[attr-defined]
        if box is None or (
            max(a[0], b[0]) < box[0] or min(a[0], b[0]) > box[2]
            or max(a[1], b[1]) < box[1] or min(a[1], b[1]) > box[3]
        ):  # fmt: skip
            return _NO_ZONES
        line = shapely.LineString([(lon, lat) for lat, lon in _great_circle(a, b)])
        return frozenset(z.id for z in self.zones if shapely.intersects(z.geometry, line))

    def crossings(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[Gate, int]]:
        """The gates the great-circle segment between consecutive reports a->b (lat, lon)
        crosses, each with its direction (+1 positive, -1 negative)."""
        # The same box as BBox.of_arc, in plain floats (this runs once per position report).
        dlon = abs(a[1] - b[1])
        if dlon < 180.0:
            bulge = (abs(a[0] - b[0]) + dlon) / 2 + BOX_SLACK_DEG
            south, north = min(a[0], b[0]) - bulge, max(a[0], b[0]) + bulge
            west, east = min(a[1], b[1]) - BOX_SLACK_DEG, max(a[1], b[1]) + BOX_SLACK_DEG
            boxes: tuple[tuple[float, float, float, float, Gate], ...] = self._gate_boxes  # type: ignore[attr-defined]
            near = [
                g for s, w, n, e, g in boxes if not (s > north or n < south or w > east or e < west)
            ]
            if not near:
                return []
        else:
            near = list(self.gates)
        track = BBox.of_arc(a, b)
        vectors: tuple[Vec3, Vec3] | None = None
        found: list[tuple[Gate, int]] = []
        for gate in near:
            if track is not None and gate.bbox is not None and not track.overlaps(gate.bbox):
                continue
            if vectors is None:
                vectors = (unit_vector(*a), unit_vector(*b))
            direction = gate.crossing_of_vectors(vectors[0], vectors[1], track)
            if direction:
                found.append((gate, direction))
        return found

    def zone(self, zone_id: str) -> Zone:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise KeyError(zone_id)

    def gate(self, gate_id: str) -> Gate:
        for gate in self.gates:
            if gate.id == gate_id:
                return gate
        raise KeyError(gate_id)


def _great_circle(
    a: tuple[float, float], b: tuple[float, float], step_m: float = 5_000.0
) -> list[tuple[float, float]]:
    """Points along the geodesic a->b every `step_m` (zones are a few tens of km across)."""
    metres = distance_m(a[0], a[1], b[0], b[1])
    between = int(metres // step_m)
    if between < 1:
        return [a, b]
    inner = EARTH.npts(a[1], a[0], b[1], b[0], between)
    return [a, *((lat, lon) for lon, lat in inner), b]


def load_region(path: Path | None = None) -> Region:
    """The region in `path`, or the shipped East China Sea region when `path` is None."""
    if path is None:
        resource = importlib.resources.files(REGION_PACKAGE).joinpath(REGION_RESOURCE)
        return parse_region(resource.read_bytes(), f"{REGION_PACKAGE}/{REGION_RESOURCE}")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RegionError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    return parse_region(data, str(path))


def parse_region(data: str | bytes, source: str = "<region>") -> Region:
    """A region from GeoJSON text; every problem found is reported at once in a RegionError."""
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegionError(source, [f"not valid JSON: {exc}"]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise RegionError(source, ['not a GeoJSON FeatureCollection ("type": "FeatureCollection")'])
    features = document.get("features")
    if not isinstance(features, list):
        raise RegionError(source, ['"features" is not a list'])
    problems: list[str] = []
    zones: list[Zone] = []
    gates: list[Gate] = []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        try:
            item = _parse_feature(feature, where)
        except _Problem as problem:
            problems.append(str(problem))
            continue
        if item.id in seen:
            problems.append(f"{where} {item.id!r}: duplicate id")
        seen.add(item.id)
        if isinstance(item, Zone):
            zones.append(item)
        else:
            gates.append(item)
    if problems:
        raise RegionError(source, problems)
    name = document.get("name")
    return Region(
        name if isinstance(name, str) else Path(source).stem, tuple(zones), tuple(gates), source
    )


class _Problem(Exception):
    """One feature is wrong; the message names it."""


def _parse_feature(feature: object, where: str) -> Zone | Gate:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _Problem(f'{where}: not a GeoJSON Feature ("type": "Feature")')
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise _Problem(f"{where}: properties is not an object")
    feature_id = properties.get("id", feature.get("id"))
    if not isinstance(feature_id, str) or not feature_id.strip():
        raise _Problem(f"{where}: no id (a non-empty string in properties.id or the feature's id)")
    where = f"{where} {feature_id!r}"
    name = properties.get("name", feature_id)
    if not isinstance(name, str) or not name.strip():
        raise _Problem(f"{where}: name is not a non-empty string")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise _Problem(f"{where}: no geometry")
    kind = geometry.get("type")
    if kind in _ZONE_TYPES:
        return _parse_zone(feature_id, name, properties, geometry, where)
    if kind in _GATE_TYPES:
        return _parse_gate(feature_id, name, properties, geometry, where)
    raise _Problem(
        f"{where}: unknown geometry type {kind!r} (a zone is a Polygon or MultiPolygon, "
        "a gate a LineString)"
    )


def _parse_zone(
    zone_id: str, name: str, properties: dict[str, Any], geometry: dict[str, Any], where: str
) -> Zone:
    kind = properties.get("kind")
    if not isinstance(kind, str) or not kind.strip():
        raise _Problem(f"{where}: a zone needs a kind (e.g. 'territorial-sea', 'contiguous-zone')")
    depth = 3 if geometry["type"] == "Polygon" else 4
    _check_positions(geometry.get("coordinates"), depth, where)
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, GEOSException) as exc:
        raise _Problem(f"{where}: bad {geometry['type']} coordinates: {exc}") from None
    if polygon.is_empty:
        raise _Problem(f"{where}: the {geometry['type']} is empty")
    if not polygon.is_valid:
        raise _Problem(f"{where}: invalid {geometry['type']}: {shapely.is_valid_reason(polygon)}")
    return Zone(zone_id, name, kind, polygon, properties)


def _parse_gate(
    gate_id: str, name: str, properties: dict[str, Any], geometry: dict[str, Any], where: str
) -> Gate:
    coordinates = geometry.get("coordinates")
    _check_positions(coordinates, 2, where)
    assert isinstance(coordinates, list)
    points = tuple(Position(float(p[1]), float(p[0])) for p in coordinates)
    if len(points) < 2:
        raise _Problem(f"{where}: a gate needs at least two points, it has {len(points)}")
    for i, (p, q) in enumerate(itertools.pairwise(points)):
        if p == q:
            raise _Problem(f"{where}: points {i} and {i + 1} coincide")
        arc = Arc.between(p, q)
        if sum(u * v for u, v in zip(arc.s, arc.e, strict=True)) < -0.999:
            raise _Problem(f"{where}: points {i} and {i + 1} are (nearly) antipodal")
    positive, negative = _directions(properties, where)
    return Gate(gate_id, name, points, positive, negative, properties)


def _directions(properties: Mapping[str, Any], where: str) -> tuple[str, str]:
    positive = properties.get("positive_direction")
    parts = positive.split(DIRECTION_ARROW) if isinstance(positive, str) else []
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise _Problem(
            f"{where}: a gate needs positive_direction as 'FROM -> TO' "
            "(e.g. 'East China Sea -> Pacific'), the crossing from the line's left to its right"
        )
    left, right = (part.strip() for part in parts)
    expected = {
        "negative_direction": f"{right}{DIRECTION_ARROW}{left}",
        "left_side": left,
        "right_side": right,
    }
    for key, value in expected.items():
        if key in properties and properties[key] != value:
            raise _Problem(f"{where}: {key} is {properties[key]!r}, expected {value!r}")
    return f"{left}{DIRECTION_ARROW}{right}", expected["negative_direction"]


def _check_positions(coordinates: object, depth: int, where: str) -> None:
    """Nested lists `depth` deep ending in [lon, lat] (extra elements, e.g. altitude, ignored)."""
    if depth == 1:
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(_is_number(c) for c in coordinates[:2])
        ):
            raise _Problem(f"{where}: a position is not [lon, lat] numbers: {coordinates!r}")
        lon, lat = coordinates[0], coordinates[1]
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise _Problem(
                f"{where}: position {coordinates!r} is outside lon -180..180, lat -90..90"
            )
        return
    if not isinstance(coordinates, list):
        raise _Problem(f"{where}: coordinates are not nested lists as GeoJSON requires")
    for child in coordinates:
        _check_positions(child, depth - 1, where)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

"""The region: the shipped zones against geodesic distances, the shipped gates' directions, and
clear errors for malformed region files."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from liaison.errors import ConfigError, RegionError
from liaison.maritime.geo import METRES_PER_NM, Position, azimuth_deg, destination
from liaison.maritime.region import Gate, Region, load_region, parse_region

WGS84 = Geod(ellps="WGS84")
TS, CZ = "senkaku-territorial-sea", "senkaku-contiguous-zone"
TOOLS = Path(__file__).resolve().parents[3] / "tools" / "build_region.py"


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region()


def baseline_points(region: Region) -> list[Position]:
    return [Position(p["lat"], p["lon"]) for p in region.zone(TS).properties["baseline_points"]]


def test_the_shipped_region_has_the_senkaku_zones_and_four_gates(region: Region) -> None:
    assert region.name == "east-china-sea"
    assert "east-china-sea.geojson" in region.source
    assert {(z.id, z.kind) for z in region.zones} == {
        (TS, "territorial-sea"),
        (CZ, "contiguous-zone"),
    }
    assert {g.id for g in region.gates} == {
        "miyako-strait",
        "yonaguni-gap",
        "osumi-strait",
        "tsushima-strait-east",
    }
    miyako = region.gate("miyako-strait")
    assert miyako.positive_direction == "East China Sea -> Pacific"
    assert miyako.negative_direction == "Pacific -> East China Sea"
    assert region.gate("tsushima-strait-east").properties["territorial_sea_nm"] == 3
    assert region.gate("osumi-strait").properties["territorial_sea_nm"] == 3
    names = {p["name"] for p in region.zone(TS).properties["baseline_points"]}
    assert {"Uotsuri-shima", "Kuba-jima", "Taisho-jima", "Kita-kojima", "Minami-kojima"} <= names
    assert all(p["source"] for p in region.zone(TS).properties["baseline_points"])


@pytest.mark.parametrize(
    ("nm", "expected"),
    [
        (11.9, {TS}),
        (12.1, {CZ}),
        (23.9, {CZ}),
        (24.1, set()),
    ],
)
def test_distance_west_of_uotsuri_shima_decides_the_zone(
    region: Region, nm: float, expected: set[str]
) -> None:
    # Due west of Uotsuri-shima's westernmost listed point: away from every other island.
    west = min(baseline_points(region), key=lambda p: p.lon)
    lat, lon = destination(*west, 270.0, nm * METRES_PER_NM)
    assert region.zones_at(lat, lon) == expected


def test_the_brief_reference_point_for_uotsuri_shima_is_inside(region: Region) -> None:
    assert region.zones_at(25.745, 123.485) == {TS}
    lat, lon = destination(25.745, 123.485, 225.0, 11.9 * METRES_PER_NM)
    assert region.zones_at(lat, lon) == {TS}


SHIPPED_BASELINE = baseline_points(load_region())


def off(p: Position, azimuth: float, nm: float) -> Position:
    return destination(p.lat, p.lon, azimuth, nm * METRES_PER_NM)


around_the_islands = st.one_of(
    st.builds(Position, st.floats(25.2, 26.5), st.floats(122.9, 125.2)),
    # Near the 12 and 24 nm limits: anywhere 11.5 to 24.5 nm from some listed point.
    st.builds(
        off,
        st.sampled_from(SHIPPED_BASELINE),
        st.floats(0.0, 360.0),
        st.floats(11.5, 24.5),
    ),
)


@settings(max_examples=400, deadline=None)
@given(around_the_islands)
def test_zones_agree_with_geodesic_distance_to_the_islands(region: Region, at: Position) -> None:
    lat, lon = at
    points = baseline_points(region)
    n = len(points)
    _, _, metres = WGS84.inv(
        np.full(n, lon), np.full(n, lat), [p.lon for p in points], [p.lat for p in points]
    )
    nearest = float(np.min(metres))
    slack = 10.0  # polygon vertices every ~400 m inscribed in the circles, 6-decimal rounding
    zones = region.zones_at(lat, lon)
    if nearest < 12 * METRES_PER_NM - slack:
        assert zones == {TS}
    elif 12 * METRES_PER_NM + slack < nearest < 24 * METRES_PER_NM - slack:
        assert zones == {CZ}
    elif nearest > 24 * METRES_PER_NM + slack:
        assert zones == set()


def test_far_away_is_in_no_zone(region: Region) -> None:
    assert region.zones_at(35.0, 139.0) == frozenset()
    assert region.zones_at(-25.745, -56.5) == frozenset()


def miyako_midpoint_and_azimuth(region: Region) -> tuple[Position, float]:
    start, end = region.gate("miyako-strait").points
    _, _, length = WGS84.inv(start.lon, start.lat, end.lon, end.lat)
    mid = destination(*start, azimuth_deg(*start, *end), length / 2)
    return mid, azimuth_deg(*mid, *end)


def test_miyako_strait_east_china_sea_to_pacific_is_positive(region: Region) -> None:
    ecs, pacific = Position(25.9, 126.6), Position(25.2, 127.0)
    [(gate, direction)] = region.crossings(ecs, pacific)
    assert gate.id == "miyako-strait"
    assert direction == 1
    assert gate.direction_name(direction) == "East China Sea -> Pacific"
    [(gate, direction)] = region.crossings(pacific, ecs)
    assert direction == -1
    assert gate.direction_name(direction) == "Pacific -> East China Sea"


def test_a_voyage_through_the_miyako_strait_crosses_once(region: Region) -> None:
    # From the East China Sea to the Philippine Sea through mid-strait, a report every ~10 km.
    start, end = (28.5, 124.0), (22.5, 129.0)
    _, _, length = WGS84.inv(start[1], start[0], end[1], end[0])
    track = [
        start,
        *((lat, lon) for lon, lat in WGS84.npts(*start[::-1], *end[::-1], int(length / 10_000))),
        end,
    ]
    found = [c for a, b in itertools.pairwise(track) for c in region.crossings(a, b)]
    assert [(gate.id, direction) for gate, direction in found] == [("miyako-strait", 1)]


def test_passing_far_south_of_the_miyako_gate_is_no_crossing(region: Region) -> None:
    assert region.crossings((24.0, 126.0), (24.0, 128.0)) == []


def test_a_jump_over_the_miyako_gate_is_still_a_crossing(region: Region) -> None:
    mid, az = miyako_midpoint_and_azimuth(region)
    left = destination(*mid, az - 90.0, 50_000.0)  # the East China Sea side
    right = destination(*mid, az + 90.0, 50_000.0)
    assert WGS84.inv(left.lon, left.lat, right.lon, right.lat)[2] == pytest.approx(
        100_000, rel=1e-6
    )
    assert [(g.id, d) for g, d in region.crossings(left, right)] == [("miyako-strait", 1)]
    assert [(g.id, d) for g, d in region.crossings(right, left)] == [("miyako-strait", -1)]


@pytest.mark.parametrize(
    "gate_id", ["miyako-strait", "yonaguni-gap", "osumi-strait", "tsushima-strait-east"]
)
def test_every_shipped_gate_is_positive_from_its_left_side(region: Region, gate_id: str) -> None:
    gate = region.gate(gate_id)
    assert gate.properties["left_side"] == "East China Sea"
    for start, end in itertools.pairwise(gate.points):
        _, _, length = WGS84.inv(start.lon, start.lat, end.lon, end.lat)
        mid = destination(*start, azimuth_deg(*start, *end), length / 2)
        az = azimuth_deg(*mid, *end)
        left, right = destination(*mid, az - 90, 5_000.0), destination(*mid, az + 90, 5_000.0)
        assert [(g.id, d) for g, d in region.crossings(left, right)] == [(gate_id, 1)]


def test_the_osumi_and_yonaguni_gates_open_on_the_east_china_sea(region: Region) -> None:
    # Westbound out of the Pacific through each strait.
    assert [(g.id, d) for g, d in region.crossings((30.92, 131.25), (30.92, 130.45))] == [
        ("osumi-strait", -1)
    ]
    assert [(g.id, d) for g, d in region.crossings((24.2, 122.4), (25.3, 122.6))] == [
        ("yonaguni-gap", -1)
    ]


def test_a_bent_gate_counts_a_track_through_its_vertex_once() -> None:
    # A V opening north, its vertex at (0, 0); meridian and equator tracks pass exactly through it.
    v = Gate(
        "v",
        "V",
        (Position(1.0, -10.0), Position(0.0, 0.0), Position(1.0, 10.0)),
        "N -> S",
        "S -> N",
    )
    assert v.crossing((-1.0, 0.0), (2.0, 0.0)) == -1  # into the V: south (right) to north (left)
    assert v.crossing((2.0, 0.0), (-1.0, 0.0)) == 1
    assert v.crossing((0.0, -5.0), (0.0, 5.0)) == 0  # grazes the vertex from outside
    assert v.crossing((0.5, -20.0), (0.5, 20.0)) == 0  # crosses both arms: in and out again


def test_the_shipped_file_is_what_the_build_script_makes() -> None:
    if not TOOLS.exists():
        pytest.skip("tools/ is not beside the tests")
    result = subprocess.run(
        [sys.executable, str(TOOLS), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_zone_rings_follow_rfc_7946_orientation(region: Region) -> None:
    for zone in region.zones:
        for polygon in getattr(zone.geometry, "geoms", [zone.geometry]):
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)


def test_a_user_region_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "box.geojson"
    path.write_text(
        json.dumps(collection(square_zone("box", kind="exercise-area"), line_gate("g")))
    )
    region = load_region(path)
    assert region.zones_at(0.5, 0.5) == {"box"}
    assert region.zone("box").kind == "exercise-area"
    [(gate, direction)] = region.crossings((1.0, 0.5), (-1.0, 0.5))
    assert (gate.id, direction, gate.direction_name(direction)) == ("g", 1, "North -> South")


# --- malformed files ---------------------------------------------------------------------------


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def square_zone(zone_id: str, **properties: Any) -> dict[str, Any]:
    ring = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"id": zone_id, **properties},
    }


def line_gate(
    gate_id: str, coordinates: list[list[float]] | None = None, **properties: Any
) -> dict[str, Any]:
    # Eastward along the equator: north is on the left.
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coordinates or [[-1.0, 0.0], [2.0, 0.0]]},
        "properties": {"id": gate_id, "positive_direction": "North -> South", **properties},
    }


def problems_of(document: object, tmp_path: Path) -> tuple[str, ...]:
    path = tmp_path / "bad.geojson"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(RegionError) as caught:
        load_region(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    [problem] = problems_of('{"type": "FeatureCollection", "features": [', tmp_path)
    assert "not valid JSON" in problem
    assert "line 1" in problem


def test_a_gate_with_one_point_is_named(tmp_path: Path) -> None:
    [problem] = problems_of(collection(line_gate("lonely", [[125.0, 25.0]])), tmp_path)
    assert problem == "features[0] 'lonely': a gate needs at least two points, it has 1"


def test_a_zone_without_a_kind_is_named(tmp_path: Path) -> None:
    [problem] = problems_of(collection(line_gate("g"), square_zone("kindless")), tmp_path)
    assert problem.startswith("features[1] 'kindless': a zone needs a kind")


def test_an_unknown_geometry_type_is_named(tmp_path: Path) -> None:
    point = {"type": "Feature", "id": "pin", "geometry": {"type": "Point", "coordinates": [1, 2]}}
    [problem] = problems_of(collection(point), tmp_path)
    assert problem.startswith("features[0] 'pin': unknown geometry type 'Point'")


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        (
            {"type": "Feature", "geometry": None, "properties": {"id": "x"}},
            "features[0] 'x': no geometry",
        ),
        (square_zone("", kind="k"), "features[0]: no id"),
        (
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                },
                "properties": {"id": "bowtie", "kind": "k"},
            },
            "features[0] 'bowtie': invalid Polygon: Self-intersection",
        ),
        (
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, "a"], [1, 0], [0, 0]]],
                },
                "properties": {"id": "text", "kind": "k"},
            },
            "features[0] 'text': a position is not [lon, lat] numbers",
        ),
        (
            line_gate("far", [[0.0, 0.0], [200.0, 0.0]]),
            "features[0] 'far': position [200.0, 0.0] is outside",
        ),
        (
            line_gate("stutter", [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]),
            "features[0] 'stutter': points 0 and 1 coincide",
        ),
        (
            line_gate("arrowless", positive_direction="north to south"),
            "features[0] 'arrowless': a gate needs positive_direction",
        ),
        (
            line_gate("muddled", negative_direction="North -> South"),
            "features[0] 'muddled': negative_direction is 'North -> South', expected 'South -> North'",
        ),
        (
            line_gate("lefty", left_side="South"),
            "features[0] 'lefty': left_side is 'South', expected 'North'",
        ),
    ],
)
def test_each_bad_feature_is_named(tmp_path: Path, feature: dict[str, Any], expected: str) -> None:
    [problem] = problems_of(collection(feature), tmp_path)
    assert problem.startswith(expected)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = problems_of(
        collection(square_zone("a"), line_gate("b", [[0.0, 0.0]]), square_zone("a", kind="k")),
        tmp_path,
    )
    assert [p.split(":")[0] for p in problems] == ["features[0] 'a'", "features[1] 'b'"]
    document = collection(square_zone("a", kind="k"), square_zone("a", kind="k"))
    assert problems_of(document, tmp_path) == ("features[1] 'a': duplicate id",)


def test_not_a_feature_collection(tmp_path: Path) -> None:
    assert problems_of({"type": "Feature"}, tmp_path) == (
        'not a GeoJSON FeatureCollection ("type": "FeatureCollection")',
    )
    assert problems_of({"type": "FeatureCollection"}, tmp_path) == ('"features" is not a list',)


def test_a_missing_file_is_a_region_error(tmp_path: Path) -> None:
    with pytest.raises(RegionError, match="cannot read the file"):
        load_region(tmp_path / "nowhere.geojson")


def test_region_errors_are_configuration_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_region(b"\xff", "mine.geojson")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("mine.geojson: invalid region file (1 problem):")

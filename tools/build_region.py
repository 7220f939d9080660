"""Build the shipped region file, src/liaison/data/regions/east-china-sea.geojson.

    .venv/bin/python tools/build_region.py          # write the file
    .venv/bin/python tools/build_region.py --check  # fail if the file is not what this builds

The hub reads only the GeoJSON; this script keeps its geometry reproducible and its sources cited.

Zones: the Senkaku Islands' 12 nm territorial sea and 24 nm contiguous zone, each the union of
geodesic circles (WGS84, pyproj.Geod) around published coastal points of every island and rock,
a few points per island where the island is more than a point at this scale. Normal baselines
(the low-water line) are what Japan measures from here; circles around coastal points approximate
that from inside, short by at most the distance from the coast to the nearest listed point.

Gates: straight (great-circle) lines between headlands across four straits, ordered so that the
East China Sea side is on the left walking from the first point to the last; the positive
direction is the crossing from left to right (see src/liaison/maritime/geo.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, mapping
from shapely.geometry.polygon import orient

from liaison.maritime.geo import EARTH, METRES_PER_NM, Position, distance_m
from liaison.maritime.region import Gate, parse_region

OUT = Path(__file__).resolve().parents[1] / "src/liaison/data/regions/east-china-sea.geojson"
DECIMALS = 6
VERTICES_PER_CIRCLE = 360  # chord 388 m at 12 nm: the inscribed polygon is < 1 m short
TERRITORIAL_SEA_NM = 12
CONTIGUOUS_ZONE_NM = 24

SOA_2012 = (
    "PRC State Oceanic Administration, geographic coordinates of Diaoyu Dao and some affiliated "
    "islands, published 2012-09-15 (0.1 arc-minute precision)"
)
PRC_BASELINE_2012 = (
    "Statement of the PRC Government on the baselines of the territorial sea of Diaoyu Dao and "
    "its affiliated islands, 2012-09-10 (its base-point list, used here only as positions of "
    "coastal points, not as straight baselines)"
)
GSI_OPRF = (
    "GSI Japan Electronic National Base Map, as tabulated by OPRF (Sasakawa Peace Foundation), "
    "'Senkaku Islands: location, area' (whole-minute precision)"
)
MOFA = "MOFA Japan, 'Information about the Senkaku Islands' (composition and relative positions)"
GAZETTEER = (
    "approximate, from public gazetteer coordinates as recalled, not checked against a live "
    "source (good to about 1 km)"
)
TERRITORIAL_SEA_LAW = (
    "Japan, Law on the Territorial Sea (Act No. 30 of 1977, since 1996 the Act on the Territorial "
    "Sea and the Contiguous Zone), Supplementary Provisions para. 2: in the specified areas - "
    "Soya Strait, Tsugaru Strait, Tsushima Strait east and west channels, Osumi Strait - the "
    "territorial sea is 3 nm for the time being, leaving a high-seas (EEZ) corridor"
)


def dm(degrees: int, minutes: float) -> float:
    return degrees + minutes / 60.0


def point(name: str, lat: float, lon: float, source: str) -> dict[str, Any]:
    return {
        "name": name,
        "lat": round(lat, DECIMALS),
        "lon": round(lon, DECIMALS),
        "source": source,
    }


def _reference(
    name: str, lat_dm: tuple[int, float], lon_dm: tuple[int, float], gsi: str
) -> dict[str, Any]:
    source = f"{SOA_2012}; agrees to the minute with {GSI_OPRF}: {gsi}"
    return point(name, dm(*lat_dm), dm(*lon_dm), source)


def _coast(
    name: str, lat_dm: tuple[int, float], lon_dm: tuple[int, float], source: str
) -> dict[str, Any]:
    return point(name, dm(*lat_dm), dm(*lon_dm), source)


BASELINE_POINTS: list[dict[str, Any]] = [
    # Uotsuri-shima: about 3.6 km east-west by 1.9 km; its reference point plus its west coast
    # and the islets off both ends.
    _reference("Uotsuri-shima", (25, 44.6), (123, 28.4), "25°44'N 123°28'E"),
    _coast(
        "Uotsuri-shima, west coast (S)", (25, 44.1), (123, 27.5), f"{PRC_BASELINE_2012}, point 1"
    ),
    _coast("Uotsuri-shima, west coast", (25, 44.2), (123, 27.4), f"{PRC_BASELINE_2012}, point 2"),
    _coast(
        "Uotsuri-shima, west coast (N)", (25, 44.4), (123, 27.4), f"{PRC_BASELINE_2012}, point 3"
    ),
    _coast(
        "Uotsuri-shima, north-west coast", (25, 44.7), (123, 27.5), f"{PRC_BASELINE_2012}, point 4"
    ),
    _coast(
        "islet off Uotsuri-shima's south-west end",
        (25, 44.0),
        (123, 27.6),
        f"{PRC_BASELINE_2012}, point 12",
    ),
    _coast(
        "islet off Uotsuri-shima's north-east end", (25, 45.0), (123, 29.2), f"{SOA_2012}, entry 2"
    ),
    _coast("islet off Uotsuri-shima's east end", (25, 44.5), (123, 29.5), f"{SOA_2012}, entry 15"),
    # Kuba-jima: about 1.3 by 1.1 km; its reference point and its northern and eastern islets.
    _reference("Kuba-jima", (25, 55.4), (123, 40.9), "25°55'N 123°40'E"),
    _coast(
        "islet off Kuba-jima's north-west coast",
        (25, 55.8),
        (123, 40.7),
        f"{PRC_BASELINE_2012}, point 5",
    ),
    _coast(
        "islet off Kuba-jima's north coast",
        (25, 55.8),
        (123, 41.1),
        f"{PRC_BASELINE_2012}, point 6",
    ),
    _coast(
        "islet off Kuba-jima's north-east coast",
        (25, 55.6),
        (123, 41.3),
        f"{PRC_BASELINE_2012}, point 7",
    ),
    _coast("Kuba-jima, east coast", (25, 55.4), (123, 41.4), f"{PRC_BASELINE_2012}, point 8"),
    _coast(
        "islet off Kuba-jima's south-east coast",
        (25, 55.3),
        (123, 41.4),
        f"{PRC_BASELINE_2012}, point 9",
    ),
    # Taisho-jima: about 0.35 km; its reference point and the rocks around it.
    _reference("Taisho-jima", (25, 55.3), (124, 33.5), "25°55'N 124°33'E"),
    _coast(
        "Taisho-jima, east coast", (25, 55.3), (124, 33.7), f"{PRC_BASELINE_2012}, part 2 point 1"
    ),
    _coast(
        "rock off Taisho-jima's south-west coast",
        (25, 55.2),
        (124, 33.2),
        f"{PRC_BASELINE_2012}, part 2 point 2",
    ),
    _coast(
        "rock off Taisho-jima's west coast",
        (25, 55.3),
        (124, 33.3),
        f"{PRC_BASELINE_2012}, part 2 point 3",
    ),
    _coast(
        "rock off Taisho-jima's north coast",
        (25, 55.5),
        (124, 33.5),
        f"{PRC_BASELINE_2012}, part 2 point 4",
    ),
    _coast(
        "rock off Taisho-jima's north-east coast",
        (25, 55.5),
        (124, 33.7),
        f"{PRC_BASELINE_2012}, part 2 point 5",
    ),
    # Kita-kojima and Minami-kojima, a pair about 1 km across, 5 km east-south-east of Uotsuri.
    _reference("Kita-kojima", (25, 43.8), (123, 32.5), "25°43'N 123°32'E"),
    _reference("Minami-kojima", (25, 43.4), (123, 33.0), "25°43'N 123°33'E"),
    _coast("Minami-kojima, south coast", (25, 43.2), (123, 33.2), f"{PRC_BASELINE_2012}, point 11"),
    _coast(
        "islet off Minami-kojima's south-east coast",
        (25, 43.2),
        (123, 33.4),
        f"{PRC_BASELINE_2012}, point 10",
    ),
    # The three rocks MOFA lists as islands of the group: they generate territorial sea too.
    _reference("Okino-kitaiwa", (25, 46.9), (123, 32.6), "25°46'N 123°32'E"),
    _reference("Okino-minamiiwa", (25, 45.3), (123, 34.0), "25°45'N 123°34'E"),
    _reference("Tobise", (25, 44.1), (123, 30.4), "25°44'N 123°30'E"),
]

ZONE_STATUS = (
    "Administered by Japan; sovereignty is also claimed by the People's Republic of China and by "
    "Taiwan (Republic of China). This approximates Japan's zone, measured from the low-water line "
    "of every island and rock of the group; it is not an official limit."
)


def gate(
    gate_id: str,
    name: str,
    *,
    endpoints: list[dict[str, Any]],
    sides: tuple[str, str],
    positive_transit: tuple[Position, Position],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """A gate feature whose line runs with `sides[0]` (the positive direction's origin) on its
    left; `positive_transit` is a track known to go from sides[0] to sides[1]."""
    left, right = sides
    positive = f"{left} -> {right}"
    negative = f"{right} -> {left}"
    points = tuple(Position(p["lat"], p["lon"]) for p in endpoints)
    if Gate(gate_id, name, points, positive, negative).crossing(*positive_transit) < 0:
        endpoints = endpoints[::-1]
        points = points[::-1]
    assert Gate(gate_id, name, points, positive, negative).crossing(*positive_transit) == 1, gate_id
    length = sum(distance_m(*p, *q) for p, q in itertools.pairwise(points))
    properties = {
        "id": gate_id,
        "name": name,
        "positive_direction": positive,
        "negative_direction": negative,
        "left_side": left,
        "right_side": right,
        "convention": (
            "Walking the line from its first point to its last, the left side is "
            f"{left!r} and the right side {right!r}; a crossing from left to right is the "
            "positive direction."
        ),
        "length_m": round(length),
        "points": endpoints,
        **extra,
    }
    line = LineString([(p["lon"], p["lat"]) for p in endpoints])
    return {"type": "Feature", "id": gate_id, "geometry": mapping(line), "properties": properties}


def dms(degrees: int, minutes: int, seconds: float) -> float:
    return degrees + minutes / 60.0 + seconds / 3600.0


def gates() -> list[dict[str, Any]]:
    return [
        gate(
            "miyako-strait",
            "Miyako Strait",
            endpoints=[
                point(
                    "Kyan-misaki (Cape Kyan), Okinawa Honto's south-west tip",
                    dms(26, 4, 41),
                    dms(127, 40, 8),
                    "Japanese Wikipedia, 喜屋武岬: 26°04'41\"N 127°40'08\"E",
                ),
                point(
                    "Higashi-hennazaki, Miyako-jima's eastern tip (the end of its north-east coast "
                    "and the point of the island nearest Okinawa), at Hennasaki lighthouse",
                    dms(24, 43, 10),
                    dms(125, 28, 7),
                    "JCG light list no. 7169 (平安名埼灯台) as given by Japanese Wikipedia: "
                    "24°43'10\"N 125°28'07\"E",
                ),
            ],
            sides=("East China Sea", "Pacific"),
            positive_transit=(Position(26.3, 126.3), Position(24.9, 127.3)),
            extra={
                "note": "About 145 nm wide: international waters (EEZ) beyond each side's 12 nm."
            },
        ),
        gate(
            "yonaguni-gap",
            "Yonaguni gap (Yonaguni-jima - Taiwan)",
            endpoints=[
                point(
                    "Irizaki, Yonaguni-jima's west cape",
                    dms(24, 26, 58),
                    dms(122, 56, 1),
                    "GSI Japan, extreme points of Japan (西崎): 24°26'58\"N 122°56'01\"E",
                ),
                point(
                    "Sandiao Cape (Santiago), Taiwan's north-east cape, at its lighthouse",
                    dms(25, 0, 31.6),
                    dms(122, 0, 9.6),
                    "public gazetteer (三貂角燈塔, WGS84): 25°00'31.6\"N 122°00'09.6\"E",
                ),
            ],
            sides=("East China Sea", "Pacific"),
            positive_transit=(Position(25.3, 122.6), Position(24.2, 122.4)),
            extra={
                "note": (
                    "About 61 nm wide. Follows the IHO S-23 (1953) southern limit of the East China "
                    "Sea, from Santyo (Sandiao), the north-east point of Formosa, to the west point "
                    "of Yonakuni Shima."
                )
            },
        ),
        gate(
            "osumi-strait",
            "Osumi Strait",
            endpoints=[
                point(
                    "Sata-misaki (Cape Sata), Kyushu's southern tip, at its lighthouse on the "
                    "islet just off the cape",
                    dms(30, 59, 32),
                    dms(130, 39, 34),
                    "JCG light list no. 6701 (佐多岬灯台) as given by Japanese Wikipedia: "
                    "30°59'32\"N 130°39'34\"E",
                ),
                point("Kishikazaki, Tanegashima's northern tip", 30.8370, 130.9630, GAZETTEER),
            ],
            sides=("East China Sea", "Pacific"),
            positive_transit=(Position(30.92, 130.45), Position(30.92, 131.25)),
            extra={"territorial_sea_nm": 3, "note": TERRITORIAL_SEA_LAW},
        ),
        gate(
            "tsushima-strait-east",
            "Tsushima Strait, east channel",
            endpoints=[
                point(
                    "Tsutsu-zaki, Tsushima's south-west tip, at its lighthouse",
                    dms(34, 6, 14.6),
                    dms(129, 10, 6.7),
                    "JCG light list no. 6001 (豆酘埼灯台) as given by Japanese Wikipedia: "
                    "34°06'14.6\"N 129°10'06.7\"E",
                ),
                point(
                    "Iki, near the island's centre (the line crosses the island)",
                    33.7900,
                    129.7200,
                    GAZETTEER,
                ),
                point(
                    "Hado-misaki, Higashi-Matsuura peninsula, Kyushu, at its lighthouse",
                    dms(33, 33, 20),
                    dms(129, 50, 48),
                    "JCG Yobuko aids-to-navigation office leaflet (波戸岬灯台), Nippon Foundation "
                    "library: 33°33'20\"N 129°50'48\"E",
                ),
            ],
            sides=("East China Sea", "Sea of Japan"),
            positive_transit=(Position(33.85, 129.35), Position(34.2, 130.0)),
            extra={"territorial_sea_nm": 3, "note": TERRITORIAL_SEA_LAW},
        ),
    ]


def geodesic_disk(lat: float, lon: float, radius_m: float) -> Polygon:
    azimuths = np.linspace(0.0, 360.0, VERTICES_PER_CIRCLE, endpoint=False)
    n = len(azimuths)
    lons, lats, _ = EARTH.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius_m))
    return Polygon(zip(lons, lats, strict=True))


def buffer_nm(nm: int) -> Any:
    disks = [geodesic_disk(p["lat"], p["lon"], nm * METRES_PER_NM) for p in BASELINE_POINTS]
    return shapely.set_precision(shapely.union_all(disks), 10.0**-DECIMALS)


def rfc7946(geometry: Any) -> dict[str, Any]:
    """Exterior rings counter-clockwise, holes clockwise, coordinates rounded."""
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    oriented = [orient(p, sign=1.0) for p in polygons]
    rings = [
        [
            [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring.coords]
            for ring in (p.exterior, *p.interiors)
        ]
        for p in oriented
    ]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def zones() -> list[dict[str, Any]]:
    territorial = buffer_nm(TERRITORIAL_SEA_NM)
    contiguous = shapely.set_precision(
        buffer_nm(CONTIGUOUS_ZONE_NM).difference(territorial), 10.0**-DECIMALS
    )
    construction = (
        "Union of geodesic circles (WGS84, pyproj.Geod.fwd, 360 vertices each, so inscribed and "
        "at most ~2 m short) around every point in baseline_points; coordinates rounded to 6 "
        "decimals. Short of the true limit by at most the distance from the coast to the nearest "
        "listed point (a few hundred metres where an island's coast lies between points)."
    )
    common = {
        "islands": (
            "Uotsuri-shima, Kita-kojima, Minami-kojima, Kuba-jima, Taisho-jima and the rocks "
            "Okino-kitaiwa, Okino-minamiiwa, Tobise"
        ),
        "islands_source": MOFA,
        "baseline_points": BASELINE_POINTS,
        "status": ZONE_STATUS,
        "construction": construction,
    }
    return [
        {
            "type": "Feature",
            "id": "senkaku-territorial-sea",
            "geometry": rfc7946(territorial),
            "properties": {
                "id": "senkaku-territorial-sea",
                "name": "Senkaku Islands territorial sea (12 nm)",
                "kind": "territorial-sea",
                "breadth_nm": TERRITORIAL_SEA_NM,
                **common,
            },
        },
        {
            "type": "Feature",
            "id": "senkaku-contiguous-zone",
            "geometry": rfc7946(contiguous),
            "properties": {
                "id": "senkaku-contiguous-zone",
                "name": "Senkaku Islands contiguous zone (12-24 nm)",
                "kind": "contiguous-zone",
                "breadth_nm": CONTIGUOUS_ZONE_NM,
                "shape": (
                    "The ring between 12 and 24 nm: the 24 nm zone minus the territorial sea "
                    "(UNCLOS art. 33: the contiguous zone lies beyond the territorial sea), so a "
                    "position is in at most one of the two zones."
                ),
                **common,
            },
        },
    ]


def build() -> str:
    document = {
        "type": "FeatureCollection",
        "name": "east-china-sea",
        "title": "East China Sea: Senkaku Islands zones and the straits to the Pacific",
        "generated_by": "tools/build_region.py",
        "conventions": {
            "coordinates": "WGS84 [lon, lat] degrees, 6 decimals (RFC 7946)",
            "zones": "Polygon or MultiPolygon features with properties id, name, kind",
            "gates": (
                "LineString features with properties id, name, positive_direction 'A -> B' and "
                "negative_direction 'B -> A'; walking the line from its first point to its last, "
                "A (left_side) is on the left, and a crossing from left to right is positive"
            ),
            "crossings": "tested on the great-circle segment between consecutive reports",
        },
        "features": [*zones(), *gates()],
    }
    text = _compact_positions(json.dumps(document, ensure_ascii=False, indent=1)) + "\n"
    parse_region(text, str(OUT))  # the hub must accept what we ship
    return text


def _compact_positions(text: str) -> str:
    """One [lon, lat] per line rather than one number per line."""
    return re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped file differs")
    args = parser.parse_args()
    text = build()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run tools/build_region.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

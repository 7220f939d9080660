from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from liaison.model.agreements import Obligations
from liaison.policy.obligations import coarsen, sanitise


def test_strip_removes_fields_at_any_depth_and_keeps_the_original() -> None:
    payload = {
        "title": "t",
        "source": "HUMINT",
        "detail": {"source": "x", "keep": 1},
        "list": [{"source": 2}],
    }
    copy = sanitise(payload, Obligations(frozenset({"source"})))
    assert copy == {"title": "t", "detail": {"keep": 1}, "list": [{}]}
    assert payload["source"] == "HUMINT"
    assert payload["detail"] == {"source": "x", "keep": 1}


def test_positions_are_coarsened_to_the_cell() -> None:
    payload = {
        "lat": 25.7461,
        "lon": 123.4712,
        "position": {"latitude": -33.8651, "longitude": 151.2099},
    }
    copy = sanitise(payload, Obligations(position_precision_deg=0.1))
    assert copy == {"lat": 25.7, "lon": 123.4, "position": {"latitude": -33.9, "longitude": 151.2}}


@given(
    st.floats(min_value=-180, max_value=180, allow_nan=False),
    st.sampled_from([0.001, 0.01, 0.1, 0.25, 0.5, 1.0, 5.0]),
)
def test_coarsened_value_is_the_cell_corner(value: float, precision: float) -> None:
    corner = coarsen(value, precision)
    assert corner <= value + 1e-9
    assert value - corner < precision + 1e-9
    # The same cell always gives the same corner: the exact position cannot be recovered.
    assert coarsen(corner + precision / 3, precision) == corner


def test_merge_takes_both_terms() -> None:
    a = Obligations(frozenset({"source"}), 0.1)
    b = Obligations(frozenset({"body"}), 0.5)
    assert a.merge(b) == Obligations(frozenset({"source", "body"}), 0.5)
    assert Obligations().merge(Obligations()).empty
    assert a.describe() == ["strip field source", "coarsen positions to 0.1 degrees"]


def test_strip_and_position_keys_match_without_case() -> None:
    payload = {"Body": "secret", "LAT": 24.91234, "Lon": 125.61234}
    obligations = Obligations(frozenset({"body"}), 0.1)
    assert sanitise(payload, obligations) == {"LAT": 24.9, "Lon": 125.6}


def test_lists_of_lists_and_geojson_are_sanitised() -> None:
    payload = {
        "tracks": [[{"mmsi": 1, "lat": 24.91234, "lon": 125.61234, "source": "x"}]],
        "geometry": {"type": "LineString", "coordinates": [[125.61234, 24.91234], [125.7, 24.95]]},
        "point": {"type": "Point", "coordinates": [125.61234, 24.91234]},
    }
    copy = sanitise(payload, Obligations(frozenset({"source"}), 0.1))
    assert copy["tracks"] == [[{"mmsi": 1, "lat": 24.9, "lon": 125.6}]]
    assert copy["geometry"]["coordinates"] == [[125.6, 24.9], [125.7, 24.9]]
    assert copy["point"]["coordinates"] == [125.6, 24.9]


def test_strings_in_position_fields_are_coarsened_or_dropped() -> None:
    copy = sanitise({"lat": "24.91234", "lon": "east-ish"}, Obligations(position_precision_deg=0.1))
    assert copy == {"lat": "24.9"}


def test_coarsen_keeps_values_on_a_cell_boundary_in_their_cell() -> None:
    assert coarsen(24.9, 0.1) == 24.9
    assert coarsen(0.3, 0.1) == 0.3
    assert coarsen(-0.05, 0.1) == -0.1


def test_a_bounding_box_is_widened_to_whole_cells() -> None:
    payload = {"count": 1, "bbox": [123.987653, 25.123457, 123.99, 25.124]}
    copy = sanitise(payload, Obligations(position_precision_deg=0.5))
    assert copy == {"count": 1, "bbox": [123.5, 25.0, 124.0, 25.5]}
    assert sanitise({"bbox": "x"}, Obligations(position_precision_deg=0.5)) == {}

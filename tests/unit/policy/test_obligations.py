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


def test_non_numbers_are_not_coarsened() -> None:
    payload = {"lat": "25.7461", "lon": True}
    assert sanitise(payload, Obligations(position_precision_deg=0.1)) == payload


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

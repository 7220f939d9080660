"""Apply an agreement's obligations to a payload: the partner gets a sanitised copy, never the original.

Field names match without regard to case, at any depth, inside objects and lists. Positions are
the structured ones: `lat`/`lon` (and `latitude`, `longitude`, `lng`), GeoJSON `coordinates` and
`bbox`.
A field stripped is stripped under each of the names the hub gives that fact (`_SYNONYMS`: a
vessel's name is `names` in events and `name` in static data), so that an agreement written
against one view holds in every view.
Free text is not parsed: an agreement that must not reveal positions written into prose strips
those fields (`strip = ["body"]`).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from typing import Any

from liaison.model.agreements import Obligations

_POSITION_KEYS = frozenset({"lat", "latitude", "lon", "lng", "longitude"})
_COORDINATES = "coordinates"
_BBOX = "bbox"  # GeoJSON order: [west, south, east, north]
_SYNONYMS = (
    frozenset({"name", "names", "shipname", "vessel_name"}),
    frozenset({"callsign", "callsigns", "call_sign"}),
    frozenset({"mmsi", "mmsis"}),
    frozenset({"imo", "imos"}),
    frozenset({"ship_type", "ship_types", "shiptype", "ship_type_text"}),
)


def sanitise(payload: Mapping[str, Any], obligations: Obligations) -> dict[str, Any]:
    """A new payload with stripped fields removed and positions coarsened."""
    return _object(payload, stripped_names(obligations), obligations.position_precision_deg)


def stripped_names(obligations: Obligations) -> frozenset[str]:
    """Every field name (case-folded) the obligations strip, synonyms included."""
    strip = {name.casefold() for name in obligations.strip}
    for same in _SYNONYMS:
        if strip & same:
            strip |= same
    return frozenset(strip)


def coarsen(value: float, precision: float) -> float:
    """Snap to the south-west corner of the precision grid cell: the cell, not the point, is released.

    Flooring (not rounding) means the released value never reveals which half of the cell the
    vessel is in. Decimal arithmetic on the shortest decimal text of each float keeps 24.9 in the
    cell [24.9, 25.0) (binary floating point would put it in [24.8, 24.9)).
    """
    v, p = decimal.Decimal(repr(value)), decimal.Decimal(repr(precision))
    return float((v / p).to_integral_value(rounding=decimal.ROUND_FLOOR) * p)


def _object(
    node: Mapping[str, Any], strip: frozenset[str], precision: float | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        folded = str(key).casefold()
        if folded in strip:
            continue
        if precision is not None and folded in _POSITION_KEYS:
            coarse = _coarse_scalar(value, precision)
            if coarse is not None:
                out[key] = coarse
        elif precision is not None and folded == _COORDINATES:
            out[key] = _coarse_coordinates(value, precision)
        elif precision is not None and folded == _BBOX:
            box = _coarse_bbox(value, precision)
            if box is not None:
                out[key] = box
        else:
            out[key] = _value(value, strip, precision)
    return out


def _value(value: Any, strip: frozenset[str], precision: float | None) -> Any:
    if isinstance(value, Mapping):
        return _object(value, strip, precision)
    if isinstance(value, list):
        return [_value(v, strip, precision) for v in value]
    return value


def _coarse_scalar(value: Any, precision: float) -> Any:
    """A number, or a string holding one, coarsened; anything else in a position field is dropped."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return coarsen(float(value), precision)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return str(coarsen(number, precision)) if math.isfinite(number) else None
    return None


def _coarse_bbox(value: Any, precision: float) -> list[float] | None:
    """The cells holding the box: south-west corner floored, north-east corner raised to the next
    cell edge, so even a one-vessel box reveals no more than the grid. Not a box: dropped."""
    if not (isinstance(value, list) and len(value) == 4 and all(_finite(v) for v in value)):
        return None
    west, south, east, north = (float(v) for v in value)
    return [
        coarsen(west, precision),
        coarsen(south, precision),
        -coarsen(-east, precision),
        -coarsen(-north, precision),
    ]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _coarse_coordinates(value: Any, precision: float) -> Any:
    if isinstance(value, list):
        return [_coarse_coordinates(v, precision) for v in value]
    return _coarse_scalar(value, precision)

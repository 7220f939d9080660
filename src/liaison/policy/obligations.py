"""Apply an agreement's obligations to a payload: the partner gets a sanitised copy, never the original."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from liaison.model.agreements import Obligations

_LATITUDE = frozenset({"lat", "latitude"})
_LONGITUDE = frozenset({"lon", "lng", "longitude"})


def sanitise(payload: Mapping[str, Any], obligations: Obligations) -> dict[str, Any]:
    """A new payload with stripped fields removed (at any depth) and positions coarsened."""
    return _walk(payload, obligations)


def coarsen(value: float, precision: float) -> float:
    """Snap to the south-west corner of the precision grid cell: the cell, not the point, is released.

    Flooring (not rounding) means the released value never reveals which half of the cell the
    vessel is in; the result is rounded to the grid's decimals to avoid 0.30000000000000004.
    """
    decimals = max(0, -math.floor(math.log10(precision))) + 1
    return round(math.floor(value / precision) * precision, decimals)


def _walk(node: Mapping[str, Any], obligations: Obligations) -> dict[str, Any]:
    out: dict[str, Any] = {}
    precision = obligations.position_precision_deg
    for key, value in node.items():
        if key in obligations.strip:
            continue
        if precision is not None and key in (_LATITUDE | _LONGITUDE) and _is_number(value):
            out[key] = coarsen(float(value), precision)
        elif isinstance(value, Mapping):
            out[key] = _walk(value, obligations)
        elif isinstance(value, list):
            out[key] = [_walk(v, obligations) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

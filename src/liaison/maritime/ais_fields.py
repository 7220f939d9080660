"""What each AIS message type is: its valid payload lengths, and the fields Liaison reads from it.

pyais decodes every field; this module turns its values into Liaison's units and "not available"
into None, and mends the few places where pyais differs from gpsd and the standard (type 17
positions, reserved ship type codes, a type 21 name extension's leading blanks, text after `@`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyais.messages import MSG_CLASS, MessageType5, MessageType19, MessageType21, MessageType24PartB

from liaison.maritime.nmea import Reason


def _padded(*lengths: int) -> frozenset[int]:
    # A sender that rounds the payload up to whole characters but writes fill bits 0 adds
    # under 6 zero bits at the end: the fields are all there, so those lengths are accepted.
    return frozenset(n for bits in lengths for n in range(bits, -(-bits // 6) * 6 + 1))


# Lengths real transmitters send (ITU-R M.1371, as libais and gpsd check them). A payload of
# another length makes pyais read fields from the wrong bits or from padding.
EXACT_BITS: dict[int, frozenset[int]] = {
    **dict.fromkeys((1, 2, 3, 4, 9, 11, 18, 22), _padded(168)),
    5: _padded(420, 422, 424),  # 420/422: devices that drop the last characters
    10: _padded(72),
    19: _padded(312),
    23: _padded(160),
    24: _padded(160, 168),  # part A is 160 (some send 168); part B 168, checked after
    27: _padded(96, 168),
}
PART_B_BITS = _padded(168)
# Variable-length types: only too short is wrong (pyais ignores bits past its last field, and
# gpsd decodes such longer payloads too).
_MIN_BITS: dict[int, int] = {
    6: 88, 7: 72, 8: 56, 12: 72, 13: 72, 14: 40, 15: 88, 16: 96, 17: 80, 20: 72, 21: 272,
    25: 40, 26: 60,
}  # fmt: skip
# Six-bit value of each armour character: the first one is the message type.
SIXBIT = {chr(c): (c - 48 if c < 88 else c - 56) for c in (*range(48, 88), *range(96, 120))}


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Distances in metres from the position reference point to the hull's ends."""

    to_bow: int
    to_stern: int
    to_port: int
    to_starboard: int

    @property
    def length(self) -> int:
        return self.to_bow + self.to_stern

    @property
    def beam(self) -> int:
        return self.to_port + self.to_starboard


def check_length(msg_type: int, bits: int) -> Reason | None:
    """For the types of variable length (or unknown ones): fixed lengths are in `EXACT_BITS`."""
    if msg_type == 0 or msg_type not in MSG_CLASS:
        return Reason.UNSUPPORTED_TYPE
    return None if bits >= _MIN_BITS.get(msg_type, 40) else Reason.WRONG_BIT_COUNT


# What each type carries, in AisMessage order: lat, lon, sog, cog, heading, nav_status,
# name, callsign, imo, ship_type, part, dimensions.
Extracted = tuple[
    float | None,
    float | None,
    float | None,
    float | None,
    int | None,
    int | None,
    str | None,
    str | None,
    int | None,
    int | None,
    int | None,
    Dimensions | None,
]
_STATIC_NONE = (None, None, None, None, None, None)


def nothing(p: Any, bv: Any) -> Extracted:
    return (None, None, None, None, None, None, *_STATIC_NONE)


def _class_a(p: Any, bv: Any) -> Extracted:  # types 1-3
    lat, lon = _lat_lon(p.lat, p.lon)
    return (
        lat,
        lon,
        _sog(p.speed),
        _cog(p.course),
        _heading(p.heading),
        int(p.status),
        *_STATIC_NONE,
    )


def _class_b(p: Any, bv: Any) -> Extracted:  # type 18
    lat, lon = _lat_lon(p.lat, p.lon)
    return (lat, lon, _sog(p.speed), _cog(p.course), _heading(p.heading), None, *_STATIC_NONE)


def _class_b_extended(p: Any, bv: Any) -> Extracted:  # type 19
    lat, lon = _lat_lon(p.lat, p.lon)
    return (
        lat, lon, _sog(p.speed), _cog(p.course), _heading(p.heading), None,
        _text(p.shipname), None, None, _ship_type(bv, 19), None, _dimensions(p),
    )  # fmt: skip


def _position_only(p: Any, bv: Any) -> Extracted:  # types 4, 11
    return (*_lat_lon(p.lat, p.lon), None, None, None, None, *_STATIC_NONE)


def _sar_aircraft(p: Any, bv: Any) -> Extracted:  # type 9: speed in whole knots, 1023 = n/a
    speed = None if p.speed >= 1023 else float(p.speed)
    return (*_lat_lon(p.lat, p.lon), speed, _cog(p.course), None, None, *_STATIC_NONE)


def _dgnss(p: Any, bv: Any) -> Extracted:  # type 17
    # pyais gives the raw fields over 10 (tenths of a minute, read unsigned); gpsd, and everyone
    # else, gives signed degrees.
    lat = _tenth_minutes(p.lat, 17)
    lon = _tenth_minutes(p.lon, 18)
    return (*_lat_lon(lat, lon), None, None, None, None, *_STATIC_NONE)


def _long_range(p: Any, bv: Any) -> Extracted:  # type 27: pyais already gives degrees
    sog = None if p.speed >= 63 else float(p.speed)
    cog = None if p.course >= 360 else float(p.course)
    return (*_lat_lon(p.lat, p.lon), sog, cog, None, int(p.status), *_STATIC_NONE)


def _static_voyage(p: Any, bv: Any) -> Extracted:  # type 5
    return (
        None, None, None, None, None, None,
        _text(p.shipname), _text(p.callsign), p.imo or None, _ship_type(bv, 5),
        None, _dimensions(p),
    )  # fmt: skip


def _aid_to_navigation(p: Any, bv: Any) -> Extracted:  # type 21
    lat, lon = _lat_lon(p.lat, p.lon)
    name = _aid_name(p, bv)
    return (lat, lon, None, None, None, None, name, None, None, None, None, _dimensions(p))


def _static_report(p: Any, bv: Any) -> Extracted:  # type 24
    if p.partno == 0:
        return (None, None, None, None, None, None, _text(p.shipname), None, None, None, 0, None)
    dims = _dimensions(p) if hasattr(p, "to_bow") else None  # auxiliary craft: mothership
    return (
        None, None, None, None, None, None,
        None, _text(p.callsign), None, _ship_type(bv, 24), 1, dims,
    )  # fmt: skip


EXTRACT = {
    1: _class_a,
    2: _class_a,
    3: _class_a,
    4: _position_only,
    5: _static_voyage,
    9: _sar_aircraft,
    11: _position_only,
    17: _dgnss,
    18: _class_b,
    19: _class_b_extended,
    21: _aid_to_navigation,
    24: _static_report,
    27: _long_range,
}


def _lat_lon(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    # 91 / 181 mean "not available"; anything else outside the globe is corruption.
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None, None
    return lat, lon


def _tenth_minutes(value: float | None, width: int) -> float | None:
    if value is None:
        return None
    raw = round(value * 10)
    if raw >= 1 << (width - 1):
        raw -= 1 << width
    return raw / 600.0


def _sog(speed: float | None) -> float | None:
    return None if speed is None or speed >= 102.3 else speed


def _cog(course: float | None) -> float | None:
    return None if course is None or course >= 360.0 else course


def _heading(heading: int | None) -> int | None:
    return None if heading is None or heading >= 360 else heading


def _field_offset(cls: Any, name: str) -> int:
    offset: int = next(at for field, at, *_ in cls.decoder_plan() if field == name)
    return offset


# pyais folds reserved ship type codes (66 -> 65, 9 -> 0); read the code as sent, where pyais's
# own layout says it is.
_SHIP_TYPE_AT = {
    5: _field_offset(MessageType5, "ship_type"),
    19: _field_offset(MessageType19, "ship_type"),
    24: _field_offset(MessageType24PartB, "ship_type"),
}
_NAME_EXT_AT = _field_offset(MessageType21, "name_ext")
_SIXBIT_TEXT = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"


def _ship_type(bv: Any, msg_type: int) -> int | None:
    code: int = bv.get(_SHIP_TYPE_AT[msg_type], 8)
    return code or None


def _aid_name(p: Any, bv: Any) -> str | None:
    # pyais strips the extension's leading blanks, so "LB" + " 6" became "LB6".
    name = p.name.split("@", 1)[0]
    if len(name) < 20 or not p.name_ext:
        return _text(name)
    ext = "".join(_SIXBIT_TEXT[bv.get(i, 6)] for i in range(_NAME_EXT_AT, len(bv) - 5, 6))
    return _text(name + ext)


def _text(value: str) -> str | None:
    # "@" ends AIS text; pyais only strips trailing ones, gpsd (and the standard) stop at the first.
    return value.split("@", 1)[0].strip() or None


def _dimensions(p: Any) -> Dimensions | None:
    dims = (p.to_bow, p.to_stern, p.to_port, p.to_starboard)
    return Dimensions(*dims) if any(dims) else None

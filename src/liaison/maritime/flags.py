"""Flag State from an MMSI, and the text of an AIS ship-type code.

The MID (Maritime Identification Digits) names the flag State, or the geographical area, of a
maritime mobile station. Where it sits in the 9-digit MMSI depends on the kind of station
(Recommendation ITU-R M.585-9, Annex 1):

    MIDxxxxxx   ship station (first digit 2 to 7)
    0MIDxxxxx   group of ship stations
    00MIDxxxx   coast station
    111MIDxxx   SAR aircraft
    8MIDxxxxx   handheld VHF with DSC and GNSS
    98MIDxxxx   craft associated with a parent ship
    99MIDxxxx   aid to navigation (AIS AtoN)
    970xxyyyy   AIS-SART; 972xxyyyy MOB device; 974xxyyyy EPIRB-AIS: no MID, so no flag

Which MIDs are allocated, and to whom, is the ITU's Table of Maritime Identification Digits,
shipped as `liaison/data/mid.tsv`. The ship-type text is pyais's `ShipType` enum (ITU-R M.1371,
Table 53) put into words.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pyais.constants import ShipType

from liaison.errors import TableError

MID_PACKAGE = "liaison.data"
MID_RESOURCE = "mid.tsv"
MID_HEADER = ("mid", "alpha2", "country")

_MID = re.compile(r"[2-7][0-9]{2}")
_ALPHA2 = re.compile(r"[A-Z]{2}")
_MMSI_DIGITS = 9
_SHIP_TYPE_MAX = 255  # an 8-bit field
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|[0-9]+")
_ACRONYM_MAX = 3  # WIG, HSC and category letters stay capitals; SPARE becomes a word


@dataclass(frozen=True, slots=True)
class Flag:
    """A MID's entry in the ITU table. `alpha2` is the ISO 3166-1 code of the area (or of its
    State where the area has none of its own); None where one MID covers several codes."""

    mid: int
    alpha2: str | None
    country: str


def parse_mid_table(text: str, source: str = "<mid table>") -> Mapping[int, Flag]:
    """The MID table in `text` (tab-separated `mid alpha2 country` under that header line, `#`
    comment lines and blank lines ignored). A malformed line raises TableError naming it."""
    table: dict[int, Flag] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = tuple(line.split("\t"))
        if not header_seen:
            if fields != MID_HEADER:
                expected = "\\t".join(MID_HEADER)
                raise TableError(source, number, f"expected the header line {expected!r}")
            header_seen = True
            continue
        if len(fields) != len(MID_HEADER):
            raise TableError(
                source, number, f"{len(fields)} tab-separated fields, not {len(MID_HEADER)}"
            )
        mid, alpha2, country = fields
        if not _MID.fullmatch(mid):
            raise TableError(source, number, f"MID {mid!r} is not three digits from 200 to 799")
        if alpha2 and not _ALPHA2.fullmatch(alpha2):
            raise TableError(source, number, f"alpha2 {alpha2!r} is not two capital letters")
        if not country or country != country.strip():
            raise TableError(source, number, f"country {country!r} is empty or padded")
        if int(mid) in table:
            raise TableError(source, number, f"MID {mid} appears twice")
        table[int(mid)] = Flag(int(mid), alpha2 or None, country)
    if not header_seen:
        raise TableError(source, 1, "no header line: the table is empty")
    return MappingProxyType(table)


@functools.cache
def mid_table() -> Mapping[int, Flag]:
    """The shipped table of allocated MIDs, read once."""
    resource = importlib.resources.files(MID_PACKAGE).joinpath(MID_RESOURCE)
    return parse_mid_table(resource.read_text(encoding="utf-8"), f"{MID_PACKAGE}/{MID_RESOURCE}")


def mid_of(mmsi: int) -> int | None:
    """The MID an MMSI carries, by the form of the MMSI (see the module's docstring); None for
    a form with no MID (AIS-SART, MOB, EPIRB-AIS, other 1xx and 9xx) or a number that is not
    an MMSI. Whether the MID is allocated is not checked here."""
    if not 0 <= mmsi < 10**_MMSI_DIGITS:
        return None
    digits = f"{mmsi:0{_MMSI_DIGITS}d}"
    if digits[0] in "234567":
        mid = digits[0:3]
    elif digits.startswith("00"):
        mid = digits[2:5]
    elif digits.startswith("0"):
        mid = digits[1:4]
    elif digits.startswith("111"):
        mid = digits[3:6]
    elif digits.startswith("8"):
        mid = digits[1:4]
    elif digits.startswith(("98", "99")):
        mid = digits[2:5]
    else:  # 970 AIS-SART, 972 MOB, 974 EPIRB-AIS: devices, no State's; other 1xx and 9xx forms
        return None
    return int(mid)


def flag_of(mmsi: int) -> Flag | None:
    """The flag State (or area) of the station with this MMSI; None where the MMSI carries no
    MID (AIS-SART, MOB, EPIRB-AIS) or its MID is not allocated."""
    mid = mid_of(mmsi)
    return None if mid is None else mid_table().get(mid)


def ship_type_text(code: int | None) -> str | None:
    """The text of an AIS "type of ship and cargo type" code (ITU-R M.1371, Table 53), from
    pyais's `ShipType` names ("Cargo_HazardousCategory_A" -> "Cargo, hazardous category A").
    None for 0 (not available), None or a value outside the 8-bit field; "Reserved" for the
    reserved codes (1-19, 38-39, 100-255), and "<type>, reserved" for those within a group."""
    if code is None or not 0 < code <= _SHIP_TYPE_MAX:
        return None
    ship_type = ShipType(code)
    if ship_type is ShipType.NotAvailable:  # pyais's answer for a code it has no name for
        return "Reserved"
    return _words(ship_type.name)


def _words(name: str) -> str:
    """An enum name in words: underscores part clauses, capitals start words, and a lone letter
    ends the clause before it ("HazardousCategory_A" -> "hazardous category A")."""
    clauses: list[str] = []
    for i, part in enumerate(name.split("_")):
        if clauses and len(part) == 1:
            clauses[-1] += f" {part}"
            continue
        words = []
        for j, word in enumerate(_WORD.findall(part)):
            if word.isupper() and len(word) <= _ACRONYM_MAX:
                words.append(word)
            elif i == 0 and j == 0:
                words.append(word.capitalize())
            else:
                words.append(word.lower())
        clauses.append(" ".join(words))
    return ", ".join(clauses)

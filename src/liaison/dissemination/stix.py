"""Hub items as STIX 2.1 objects, the way the TAXII 2.1 server serves them to a partner.

Objects are plain JSON-ready dicts built by hand, not `stix2` objects: the server maps every
released item on every request, and the tests hold each shape against stix2-validator and
`stix2.parse` instead. Reading what partners send in is `liaison.dissemination.stix_inbox`.

Ids are name-based (UUIDv5 in `NAMESPACE`), so the same item maps to the same STIX ids whoever
asks and however often; a partner's TAXII client then recognises what it already holds. STIX 2.1
says SDO ids SHOULD be UUIDv4; this is the one recommendation the hub knowingly does not follow.

    report                      -> report
    indicator with a pattern    -> indicator
    indicator without one       -> report (report_types ["indicator"])
    event                       -> sighting per vessel (of an identity per vessel) + location
    position, track             -> nothing (served as GeoJSON, CoT and feeds)
"""

from __future__ import annotations

import functools
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from stix2patterns.validator import validate as _validate_pattern  # type: ignore[import-untyped, unused-ignore]

from liaison.codec import canonical_json
from liaison.errors import ConfigError
from liaison.model.items import Item

NAMESPACE = uuid.UUID("9eba041a-8c1e-49b7-9245-ed3f85040b69")
# Objects of the hub's own that never change (partners, statements) have one version, dated at
# the UNIX epoch so that every item time, and so every later version of a vessel, comes after it.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIXED_TIME = "1970-01-01T00:00:00.000Z"

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# The published TLP 2.0 marking definitions (oasis-open/cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0): STIX 2.1 itself predefines only TLP 1.0.
TLP2: Mapping[str, str] = MappingProxyType(
    {
        "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
)

_PRIMARY_TYPE = {"report": "report", "indicator": "indicator", "event": "sighting"}
_NOT_TAXII = frozenset({"position", "track"})
# How the hub names the items it makes (`report--<uuid>`, `event--<uuid>`, `positions--<uuid>`):
# the kind of a source that is not in the store's answer is read from its id's prefix.
_ID_PREFIX_KIND = {
    "report": "report",
    "indicator": "indicator",
    "event": "event",
    "position": "position",
    "positions": "position",
    "track": "track",
}
_EVENT_KEYS = frozenset({"type", "mmsi", "names", "start", "end", "position"})


def stix_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, key)}"


def stix_time(t: datetime) -> str:
    """A STIX timestamp: UTC, milliseconds, `Z`."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tlp_marking(tlp: str) -> dict[str, Any]:
    """The published TLP 2.0 marking-definition object (a new dict each call: callers may edit it)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": _tlp_id(tlp),
        "created": _TLP2_CREATED,
        "name": f"TLP:{tlp.upper()}",
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp}},
    }


def statement_marking(marking: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": stix_id("marking-definition", f"statement/{marking}"),
        "created": FIXED_TIME,
        "name": marking,
        "definition_type": "statement",
        "definition": {"statement": marking},
    }


def identity(partner: str) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": _partner_id(partner),
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": partner,
        "identity_class": "organization",
    }


def shared_objects(item: Item, marking: str, tlp: str | None = None) -> list[dict[str, Any]]:
    """What `item_to_stix`'s objects refer to but do not include: the creator and the markings.

    Kept apart so that a server sending many items sends each of these once.
    """
    out = [identity(_creator(item)), statement_marking(marking)]
    return [*out, tlp_marking(tlp)] if tlp is not None else out


def primary_stix_id(item_id: str, kind: str | None) -> str:
    """The id of the first object `item_to_stix` gives for the item; an unknown kind is a report.

    The UUID depends on the item id alone, so an indicator released to one partner without its
    pattern (and so as a report) keeps its UUID; a reference naming the type the partner does
    not hold is dangling, which STIX allows.
    """
    return stix_id(_PRIMARY_TYPE.get(kind or "report", "report"), item_id)


def item_to_stix(
    item: Item,
    payload: Mapping[str, Any],
    marking: str,
    tlp: str | None = None,
    *,
    source_kinds: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The STIX objects for one item as a partner sees it, the primary one first.

    `payload` is the partner's sanitised copy: obligations may have removed any key, so every
    key is optional here; `item.payload` is never read. `source_kinds` gives the kinds of the
    item's sources where the caller knows them (else they are read from the ids).
    """
    if item.kind in _NOT_TAXII:
        return []
    refs = (statement_marking(marking)["id"],) + ((_tlp_id(tlp),) if tlp is not None else ())
    ctx = _Context(item, stix_time(item.time), _partner_id(_creator(item)), refs)
    if item.kind == "event":
        return _event(ctx, payload)
    if item.kind == "indicator":
        return _indicator(ctx, payload, source_kinds or {})
    return [_report(ctx, payload, ["threat-report"], _source_refs(item, source_kinds or {}))]


@dataclass(frozen=True, slots=True)
class _Context:
    item: Item
    when: str
    creator: str
    markings: tuple[str, ...]

    def base(self, stix_type: str, key: str) -> dict[str, Any]:
        # Keys of an item's other objects are `<item id>/...`: item ids hold no "/", so they
        # never meet another item's key (nor `partner/...`, `vessel/...`, `statement/...`).
        return {
            "type": stix_type,
            "spec_version": "2.1",
            "id": stix_id(stix_type, key),
            "created": self.when,
            "modified": self.when,
            "created_by_ref": self.creator,
            "object_marking_refs": list(self.markings),
        }

    def primary(self, stix_type: str) -> dict[str, Any]:
        obj = self.base(stix_type, self.item.id)
        obj["external_references"] = [{"source_name": "liaison", "external_id": self.item.id}]
        return obj


def _report(
    ctx: _Context, payload: Mapping[str, Any], report_types: list[str], refs: list[str]
) -> dict[str, Any]:
    obj = ctx.primary("report")
    obj["name"] = _text(payload, "title").strip() or ctx.item.id
    body = _text(payload, "body")
    if body.strip():
        obj["description"] = body
    # STIX requires a non-empty object_refs: with no sources the report is about its creator.
    obj.update(published=ctx.when, report_types=report_types, object_refs=refs or [ctx.creator])
    return obj


def _indicator(
    ctx: _Context, payload: Mapping[str, Any], source_kinds: Mapping[str, str]
) -> list[dict[str, Any]]:
    pattern = _text(payload, "pattern")
    pattern_type = _text(payload, "pattern_type").strip() or "stix"
    if not _pattern_ok(pattern, pattern_type):
        report = _report(ctx, payload, ["indicator"], _source_refs(ctx.item, source_kinds))
        if pattern.strip():  # a pattern STIX cannot carry is still told, as text
            told = f"pattern ({pattern_type}): {pattern}"
            report["description"] = f"{report.get('description', '')}\n\n{told}".strip()
        return [report]
    obj = ctx.primary("indicator")
    name = _text(payload, "title").strip() or ctx.item.id
    body = _text(payload, "body")
    # The validator warns when an indicator lacks either: the name stands in for no body.
    obj.update(name=name, description=body if body.strip() else name, pattern=pattern)
    valid_from = _time(payload.get("valid_from")) or ctx.item.time
    obj.update(pattern_type=pattern_type, valid_from=stix_time(valid_from))
    valid_until = _time(payload.get("valid_until"))
    # Compared as emitted (milliseconds): STIX wants valid_until strictly after valid_from.
    if valid_until is not None and stix_time(valid_until) > obj["valid_from"]:
        obj["valid_until"] = stix_time(valid_until)
    types = payload.get("indicator_types")
    if isinstance(types, list) and all(isinstance(t, str) and t for t in types) and types:
        obj["indicator_types"] = list(types)
    return [obj]


def _event(ctx: _Context, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    item = ctx.item
    kind = " ".join(_text(payload, "type").split()) or "event"
    vessels = _vessels(payload)
    where = _position(payload)
    summary = _event_summary(kind, vessels, payload, where)
    location: list[dict[str, Any]] = []
    if where is not None:
        loc = ctx.base("location", f"{item.id}/location")
        loc.update(name=f"{kind} at {_lat_lon(*where)}", latitude=where[0], longitude=where[1])
        location.append(loc)
    if not vessels:  # nobody to have sighted (the partner may not see MMSIs): say it as a report
        report = _report(ctx, {"title": summary}, ["threat-report"], [o["id"] for o in location])
        return [report, *location]
    first, last = sorted(_time(payload.get(k)) or item.time for k in ("start", "end"))
    sightings: list[dict[str, Any]] = []
    vessel_objects: list[dict[str, Any]] = []
    for index, (mmsi, name) in enumerate(vessels):
        vessel = _vessel(ctx, mmsi, name)
        vessel_objects.append(vessel)
        sighting = (
            ctx.primary("sighting") if index == 0 else ctx.base("sighting", f"{item.id}/{mmsi}")
        )
        sighting.update(
            sighting_of_ref=vessel["id"],
            first_seen=stix_time(first),
            last_seen=stix_time(last),
            count=1,
            description=summary,
        )
        if location:
            sighting["where_sighted_refs"] = [location[0]["id"]]
        sightings.append(sighting)
    return [*sightings, *vessel_objects, *location]


def _vessel(ctx: _Context, mmsi: int, name: str | None) -> dict[str, Any]:
    """A vessel as an identity: STIX has no vessel object, and a sighting must be of an SDO.

    `identity_class` "unknown" because a ship is none of individual, group, system, organization
    or class; `roles` says "vessel". One identity per event and vessel, dated and marked like
    its event, so that every object the hub serves has exactly one version: an identity shared
    by all of a vessel's events would need a new version per event, and two events at the same
    instant under different labels would make two different objects of one id and version.
    The name (with the MMSI) is what correlates a vessel across events.
    """
    obj = ctx.base("identity", f"{ctx.item.id}/vessel/{mmsi}")
    label = f"MMSI {mmsi} ({name})" if name else f"MMSI {mmsi}"
    obj.update(name=label, identity_class="unknown", roles=["vessel"])
    return obj


def _vessels(payload: Mapping[str, Any]) -> list[tuple[int, str | None]]:
    raw = payload.get("mmsi")
    mmsis = raw if isinstance(raw, list) else [raw]
    listed = payload.get("names")
    names = listed if isinstance(listed, list) else []
    out: dict[int, str | None] = {}
    for index, value in enumerate(mmsis):
        mmsi = _mmsi(value)
        if mmsi is None or mmsi in out:
            continue
        name = names[index] if index < len(names) else None  # names may be None or stripped
        out[mmsi] = (" ".join(name.split()) or None) if isinstance(name, str) else None
    return list(out.items())


def _mmsi(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _position(payload: Mapping[str, Any]) -> tuple[float, float] | None:
    """The event's position if both coordinates survived sanitising and are on the globe."""
    position = payload.get("position")
    if not isinstance(position, Mapping):
        return None
    lat, lon = _number(position.get("lat")), _number(position.get("lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _number(value: object) -> float | None:
    """Coarsened positions may be strings holding numbers (see `policy.obligations`)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _lat_lon(lat: float, lon: float) -> str:
    return f"{abs(lat):.2f}{'N' if lat >= 0 else 'S'} {abs(lon):.2f}{'E' if lon >= 0 else 'W'}"


def _event_summary(
    kind: str,
    vessels: list[tuple[int, str | None]],
    payload: Mapping[str, Any],
    where: tuple[float, float] | None,
) -> str:
    """One line a duty officer reads: what, who, when, where, then the detector's details."""
    who = ", ".join(f"MMSI {m} ({n})" if n else f"MMSI {m}" for m, n in vessels)
    parts = [kind + (f" of {who}" if who else "")]
    start, end = _text(payload, "start"), _text(payload, "end")
    if start or end:
        parts.append(f"from {start or '?'} to {end or '?'}")
    if where is not None:
        parts.append(f"at {_lat_lon(*where)}")
    details = [
        f"{key}: {value if isinstance(value, str) else canonical_json(value)}"
        for key, value in payload.items()
        if key not in _EVENT_KEYS
    ]
    line = " ".join(parts) + ("; " + "; ".join(details) if details else "")
    return " ".join(line.split())  # one line: newlines inside values become spaces


def _source_refs(item: Item, source_kinds: Mapping[str, str]) -> list[str]:
    """Primary ids of the item's sources; positions and tracks have no STIX object to name."""
    refs: dict[str, None] = {}
    for source in item.sources:
        kind = source_kinds.get(source) or _ID_PREFIX_KIND.get(source.partition("--")[0])
        if kind not in _NOT_TAXII:
            refs[primary_stix_id(source, kind)] = None
    return list(refs)


def _pattern_ok(pattern: str, pattern_type: str) -> bool:
    # Only STIX patterns can be checked here; a snort or yara rule is passed on as given.
    return bool(pattern.strip()) and (pattern_type != "stix" or _stix_pattern_ok(pattern))


@functools.lru_cache(maxsize=1024)
def _stix_pattern_ok(pattern: str) -> bool:
    # The same few indicators go to every partner on every poll: check each pattern once.
    return bool(_validate_pattern(pattern, stix_version="2.1", ret_errs=False, print_errs=False))


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return value if isinstance(value, str) else ""


def _time(value: object) -> datetime | None:
    """An ISO 8601 time with an offset, else None (the caller falls back to the item's time)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _creator(item: Item) -> str:
    return min(item.originators)  # the first originator, sorted


def _partner_id(partner: str) -> str:
    return stix_id("identity", f"partner/{partner}")


def _tlp_id(tlp: str) -> str:
    found = TLP2.get(tlp)
    if found is None:
        raise ConfigError("stix", [f"TLP {tlp!r} is not one of {', '.join(TLP2)}"])
    return found

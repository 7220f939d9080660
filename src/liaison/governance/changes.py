"""Change sets: what a proposal does to the hub's configuration, written as TOML.

    rationale = "Open the Tokyo tracking channel."
    apply_to_existing = false          # release the backlog under the new version (default: no)

    [[amend_agreement]]                # any agreement key replaces the old value; add_areas and
    id = "itpp-jpn"                    # add_kinds widen what is there
    add_kinds = ["position", "track", "event"]

    [[add_partner]]     ...a [[partners]] table...
    [[remove_partner]]  id = "IND"
    [[add_agreement]]   ...an [[agreements]] table...
    [[terminate_agreement]] id = "itpp-nzl"   # in force until the moment the proposal passes
    [[add_feed]]        ...a [[feeds]] table...
    [[remove_feed]]     id = "nzl-reports"
    [[add_area]]        name = "arctic"
    [[remove_area]]     name = "space"
    [replace_spif]      path = "nato-2027.xml"   # read when the proposal is submitted

The change is applied to the TOML text of the current version with tomlkit, so the operators'
comments and layout survive and `liaison policy diff` shows just what changed; the result is
then checked by the same `parse_config` as `liaison init`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, Table

from liaison.config import HubConfig
from liaison.errors import ConfigError

OPS = (
    "add_partner", "remove_partner", "add_agreement", "amend_agreement", "terminate_agreement",
    "add_feed", "remove_feed", "add_area", "remove_area", "replace_spif",
)  # fmt: skip
_SECTION = {"partner": "partners", "agreement": "agreements", "feed": "feeds"}


@dataclass(frozen=True, slots=True)
class ChangeSet:
    text: str  # as submitted
    rationale: str
    apply_to_existing: bool
    ops: tuple[tuple[str, Mapping[str, Any]], ...]  # (op, its table), in the file's order

    @property
    def touches(self) -> frozenset[str]:
        """The objects changed, as "<kind>:<id>" (or "areas", "spif"): two open proposals may
        not touch the same one, so that they are decided one after the other."""
        out = set()
        for op, table in self.ops:
            kind = op.split("_", 1)[1]
            if kind == "area":
                out.add("areas")
            elif kind == "spif":
                out.add("spif")
            else:
                out.add(f"{kind}:{table.get('id')}")
        return frozenset(out)


def parse_change(text: str, source: str = "change") -> ChangeSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [f"not valid TOML: {exc}"]) from None
    problems = [
        f"unknown key {key!r} (a change set has rationale, apply_to_existing and {', '.join(OPS)})"
        for key in sorted(set(data) - {"rationale", "apply_to_existing", *OPS})
    ]
    rationale = data.get("rationale")
    if not isinstance(rationale, str) or not rationale.strip():
        problems.append("rationale: say why, in a sentence or more")
    apply = data.get("apply_to_existing", False)
    if not isinstance(apply, bool):
        problems.append("apply_to_existing: true or false")
    ops: list[tuple[str, Mapping[str, Any]]] = []
    for op in OPS:
        raw = data.get(op)
        if raw is None:
            continue
        tables = [raw] if op == "replace_spif" and isinstance(raw, dict) else raw
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            problems.append(
                f"{op}: must be {'a table' if op == 'replace_spif' else 'an array of tables'}"
            )
            continue
        for n, table in enumerate(tables, start=1):
            needs = "name" if op.endswith("_area") else "path" if op == "replace_spif" else "id"
            if not isinstance(table.get(needs), str):
                problems.append(f"{op}[{n}]: needs {needs!r}")
            for key in ("add_areas", "add_kinds"):
                value = table.get(key)
                if value is not None and (
                    op != "amend_agreement"
                    or not isinstance(value, list)
                    or not all(isinstance(v, str) for v in value)
                ):
                    problems.append(f"{op}[{n}]: {key} is a list of names, in amend_agreement")
            ops.append((op, table))
    if not ops:
        problems.append("the change set changes nothing")
    if problems:
        raise ConfigError(source, problems)
    return ChangeSet(text, str(rationale).strip(), bool(apply), tuple(ops))


def governing_body(change: ChangeSet, config: HubConfig) -> frozenset[str]:
    """Who decides: an agreement's parties (an organisation through its members); the members
    of the hub's organisations for partners, areas and the SPIF; a feed's originator."""
    alliance = frozenset().union(*(p.members for p in config.partners if p.members))

    def voices(party: str) -> frozenset[str]:
        found = config.partner(party)
        return found.members if found is not None and found.members else frozenset({party})

    body: set[str] = set()
    for op, table in change.ops:
        if op.endswith("_agreement"):
            existing = next((a for a in config.agreements if a.id == table["id"]), None)
            # The parties before and after: a party added must agree to join, one removed to leave.
            named = table.get("parties", [])
            new = frozenset(named) if isinstance(named, list) else frozenset()
            parties = (existing.parties if existing else frozenset()) | new
            body |= frozenset().union(*(voices(p) for p in parties)) if parties else alliance
        elif op.endswith("_feed"):
            existing_feed = config.feed(table["id"])
            body.add(existing_feed.originator if existing_feed else str(table.get("originator")))
        else:
            body |= alliance
    return frozenset(body)


def apply_change(change: ChangeSet, config_text: str, at: datetime, source: str = "change") -> str:
    """The configuration text with the change applied (not yet checked: see parse_config)."""
    doc = tomlkit.parse(config_text)
    problems: list[str] = []
    for op, table in change.ops:
        verb, kind = op.split("_", 1)
        if kind == "spif":
            continue  # the SPIF travels beside the text, not in it
        if kind == "area":
            _areas(doc, verb, str(table["name"]), problems)
            continue
        section = _section(doc, _SECTION[kind])
        index = next((i for i, t in enumerate(section) if t.get("id") == table["id"]), None)
        where = f"{op} {table['id']}"
        if verb == "add":
            if index is not None:
                problems.append(f"{where}: there is already a {kind} {table['id']!r}")
            else:
                section.append(tomlkit.item(dict(table)))
            continue
        if index is None:
            problems.append(f"{where}: there is no {kind} {table['id']!r}")
        elif verb == "remove":
            del section[index]
        elif verb == "terminate":
            until = section[index].get("in_force_until")
            if isinstance(until, datetime) and until <= at:
                # Setting it again would move the end later: in force again, on the record.
                problems.append(f"{where}: it ended already, at {until.isoformat()}")
            else:
                section[index]["in_force_until"] = at
        else:  # amend
            _amend(section[index], table)
    if problems:
        raise ConfigError(source, problems)
    return tomlkit.dumps(doc)


def _section(doc: tomlkit.TOMLDocument, name: str) -> AoT:
    if name not in doc:
        doc[name] = tomlkit.aot()
    section = doc[name]
    if not isinstance(section, AoT):
        raise ConfigError("configuration", [f"{name} must be an array of tables"])
    return section


def _areas(doc: tomlkit.TOMLDocument, verb: str, name: str, problems: list[str]) -> None:
    areas = doc.get("areas")
    if not isinstance(areas, Array):
        problems.append("the configuration lists no areas of cooperation to change")
        return
    if verb == "add":
        if name in areas:
            problems.append(f"add_area: {name!r} is already an area of cooperation")
        else:
            areas.append(name)
    elif name not in areas:
        problems.append(f"remove_area: {name!r} is not an area of cooperation")
    else:
        areas.remove(name)


def _amend(target: Table, table: Mapping[str, Any]) -> None:
    for key, value in table.items():
        if key == "id":
            continue
        if key in {"add_areas", "add_kinds"}:
            field = key.removeprefix("add_")
            current = target.get(field)
            if current is None or current == "all":
                continue  # every area (or kind) is covered already
            target[field] = [*current, *(v for v in value if v not in current)]
        else:
            target[key] = value

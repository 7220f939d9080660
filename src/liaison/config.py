"""The hub configuration (`hub.toml`): policy, partners, areas of cooperation, agreements, feeds.

`parse_config` checks everything before anything is stored and reports every problem at once.

How an agreement with an organisation relates to its members: it doesn't, by itself. An
agreement binds exactly the partners it names as parties. `itpp-jpn` (NATO and JPN) lets JPN
release to NATO the organisation, not to NATO's member nations; a member receives JPN material
only under an agreement naming that member and JPN (such as `jpn-usa`). An organisation's
`members` list is recorded (governance uses it), but it never widens a release.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from liaison.config_taxii import TaxiiSettings, parse_taxii
from liaison.errors import ConfigError, LabelError
from liaison.model import (
    KNOWN_KINDS,
    Agreement,
    AgreementKind,
    Clearance,
    Feed,
    Obligations,
    Partner,
    PartnerKind,
)
from liaison.policy.labels_io import label_from_json, label_from_short
from liaison.policy.security_policy import SecurityPolicy
from liaison.policy.spif import default_policy_bytes, parse_spif

DEFAULT_AREAS = (
    "maritime-security",
    "cyber-defence",
    "emerging-disruptive-technologies",
    "autonomous-systems",
    "space",
    "climate-security",
    "ukraine-support",
    "interoperability",
    "counter-terrorism",
    "non-proliferation",
    "resilience",
    "strategic-communications",
    "women-peace-security",
    "science-technology",
    "defence-capacity-building",
    "human-security",
)
DEMO_CONFIG_RESOURCE = "demo-hub.toml"
BUILTIN_SPIF = "builtin"
T = TypeVar("T")
E = TypeVar("E", PartnerKind, AgreementKind)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class HubConfig:
    policy: SecurityPolicy
    areas: tuple[str, ...]
    partners: tuple[Partner, ...]
    agreements: tuple[Agreement, ...]
    feeds: tuple[Feed, ...]
    taxii: TaxiiSettings = field(default_factory=TaxiiSettings)

    def partner(self, partner_id: str) -> Partner | None:
        return next((p for p in self.partners if p.id == partner_id), None)

    def feed(self, feed_id: str) -> Feed | None:
        return next((f for f in self.feeds if f.id == feed_id), None)


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """What a policy version is made of: the TOML text and the SPIF it names, as bytes."""

    text: str
    spif: bytes
    name: str


def demo_config_text() -> str:
    return resources.files("liaison.data").joinpath(DEMO_CONFIG_RESOURCE).read_text("utf-8")


def read_config_source(path: Path | None) -> ConfigSource:
    """Read a hub.toml (None: the shipped demo) and the SPIF file it names."""
    if path is None:
        text, name, base = demo_config_text(), f"<builtin {DEMO_CONFIG_RESOURCE}>", None
    else:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), [f"cannot read: {exc}"]) from exc
        name, base = str(path), path.parent
    data = _parse_toml(text, name)
    spif_ref = _policy_table(data, name).get("spif", BUILTIN_SPIF)
    if spif_ref == BUILTIN_SPIF:
        return ConfigSource(text, default_policy_bytes(), name)
    if base is None or not isinstance(spif_ref, str):
        raise ConfigError(name, [f"policy.spif must be 'builtin' or a path, got {spif_ref!r}"])
    spif_path = base / spif_ref
    try:
        return ConfigSource(text, spif_path.read_bytes(), name)
    except OSError as exc:
        raise ConfigError(name, [f"policy.spif: cannot read {spif_path}: {exc.strerror}"]) from exc


def parse_config(source: ConfigSource) -> HubConfig:
    data = _parse_toml(source.text, source.name)
    _policy_table(data, source.name)
    policy = parse_spif(source.spif, f"{source.name}: policy.spif")
    return _Validator(source.name, policy).config(data)


def _policy_table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get("policy", {})
    if not isinstance(table, Mapping):
        raise ConfigError(name, ['[policy] must be a table, e.g. [policy] spif = "builtin"'])
    unknown = sorted(set(table) - {"spif"})
    if unknown:
        raise ConfigError(name, [f"policy: unknown key {k!r}" for k in unknown])
    return table


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(name, [f"not valid TOML: {exc}"]) from exc


class _Validator:
    """Builds the configuration while collecting every problem instead of stopping at the first."""

    def __init__(self, source: str, policy: SecurityPolicy) -> None:
        self.source = source
        self.policy = policy
        self.problems: list[str] = []

    def config(self, data: Mapping[str, Any]) -> HubConfig:
        unknown = set(data) - {"policy", "areas", "partners", "agreements", "feeds", "taxii"}
        for key in sorted(unknown):
            self.problems.append(f"unknown top-level key {key!r}")
        areas = tuple(self.strings(data.get("areas", list(DEFAULT_AREAS)), "areas"))
        self.unique(areas, "area")
        partners = self.each(data, "partners", self.partner)
        partner_ids = {p.id for p in partners}
        for p in partners:
            for m in sorted(p.members - partner_ids):
                self.problems.append(f"partner {p.id}: member {m!r} is not a partner")
        agreements = self.each(
            data, "agreements", lambda a, w: self.agreement(a, w, partner_ids, areas)
        )
        feeds = self.each(data, "feeds", lambda f, w: self.feed(f, w, partner_ids, areas))
        taxii = parse_taxii(data.get("taxii"), self.policy, self.problems)
        if self.problems:
            raise ConfigError(self.source, self.problems)
        return HubConfig(
            self.policy, areas, tuple(partners), tuple(agreements), tuple(feeds), taxii
        )

    def each(
        self, data: Mapping[str, Any], key: str, build: Callable[[Mapping[str, Any], str], T | None]
    ) -> list[T]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            self.problems.append(f"{key} must be an array of tables ([[{key}]])")
            return []
        out: list[T] = []
        ids: list[str] = []
        for i, entry in enumerate(raw, start=1):
            where = f"{key}[{i}]"
            if not isinstance(entry, Mapping):
                self.problems.append(f"{where}: must be a table")
                continue
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not _ID.match(entry_id):
                self.problems.append(
                    f"{where}: 'id' must be a short name of letters, digits, - _ ."
                )
                continue
            ids.append(entry_id)
            built = build(entry, f"{key[:-1]} {entry_id}")
            if built is not None:
                out.append(built)
        self.unique(ids, key[:-1] + " id")
        return out

    def unique(self, names: Iterable[str], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name.casefold() in seen:
                self.problems.append(f"{what} {name!r} is defined more than once")
            seen.add(name.casefold())

    def strings(self, value: object, where: str) -> list[str]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.problems.append(f"{where}: must be a list of strings")
        return []

    def keys(
        self, entry: Mapping[str, Any], where: str, allowed: set[str], required: set[str]
    ) -> bool:
        for key in sorted(set(entry) - allowed):
            self.problems.append(f"{where}: unknown key {key!r}")
        missing = sorted(required - set(entry))
        for key in missing:
            self.problems.append(f"{where}: missing {key!r}")
        return not missing

    def classification(self, value: object, where: str) -> str | None:
        try:
            return self.policy.classification(str(value)).name
        except LabelError as exc:
            self.problems.append(f"{where}: {exc}")
            return None

    def partner(self, entry: Mapping[str, Any], where: str) -> Partner | None:
        if not self.keys(
            entry,
            where,
            {"id", "name", "kind", "clearance", "members"},
            {"id", "name", "kind", "clearance"},
        ):
            return None
        kind = self.enum(PartnerKind, entry["kind"], where)
        clearance = self.clearance(entry["clearance"], where)
        members = frozenset(self.strings(entry.get("members", []), f"{where}: members"))
        if members and kind is PartnerKind.NATION:
            self.problems.append(f"{where}: only an organisation has members")
        if kind is None or clearance is None:
            return None
        return Partner(entry["id"], str(entry["name"]), kind, clearance, members)

    def clearance(self, raw: object, where: str) -> Clearance | None:
        where = f"{where}: clearance"
        if not isinstance(raw, Mapping):
            self.problems.append(f"{where}: must be a table")
            return None
        if not self.keys(raw, where, {"classification", "categories"}, {"classification"}):
            return None
        classification = self.classification(raw["classification"], where)
        categories: dict[str, list[str]] = {}
        cats = raw.get("categories", {})
        if not isinstance(cats, Mapping):
            self.problems.append(f"{where}: categories must be a table of tag set = [values]")
            cats = {}
        for set_name, values in cats.items():
            try:
                tag_set = self.policy.tag_set(set_name)
                names = self.strings(values, f"{where}: {set_name}")
                categories[tag_set.name] = [self.policy.tag_value(set_name, v).name for v in names]
            except LabelError as exc:
                self.problems.append(f"{where}: {exc}")
        return None if classification is None else Clearance.of(classification, categories)

    def enum(self, enum_type: type[E], value: object, where: str) -> E | None:
        try:
            return enum_type(str(value))
        except ValueError:
            allowed = ", ".join(e.value for e in enum_type)
            self.problems.append(f"{where}: kind {value!r} is not one of {allowed}")
            return None

    def agreement(
        self, entry: Mapping[str, Any], where: str, partners: set[str], areas: tuple[str, ...]
    ) -> Agreement | None:
        allowed = {
            "id",
            "kind",
            "parties",
            "areas",
            "kinds",
            "max_classification",
            "in_force_from",
            "in_force_until",
            "obligations",
        }
        if not self.keys(
            entry, where, allowed, {"id", "kind", "parties", "areas", "max_classification"}
        ):
            return None
        kind = self.enum(AgreementKind, entry["kind"], where)
        parties = frozenset(self.strings(entry["parties"], f"{where}: parties"))
        for p in sorted(parties - partners):
            self.problems.append(f"{where}: party {p!r} is not a partner")
        if len(parties) < 2:
            self.problems.append(f"{where}: needs at least two parties")
        if kind in (AgreementKind.BILATERAL, AgreementKind.ITPP) and len(parties) != 2:
            self.problems.append(f"{where}: an agreement of kind {kind} has exactly two parties")
        covered = self.areas(entry["areas"], where, areas)
        kinds = None
        if "kinds" in entry:
            kinds = frozenset(self.strings(entry["kinds"], f"{where}: kinds"))
            for k in sorted(kinds - KNOWN_KINDS):
                self.problems.append(
                    f"{where}: kind of information {k!r} is unknown ({', '.join(sorted(KNOWN_KINDS))})"
                )
        top = self.classification(entry["max_classification"], f"{where}: max_classification")
        start = self.instant(entry.get("in_force_from"), f"{where}: in_force_from")
        end = self.instant(entry.get("in_force_until"), f"{where}: in_force_until")
        if start and end and end <= start:
            self.problems.append(f"{where}: in_force_until is not after in_force_from")
        obligations = self.obligations(entry.get("obligations", {}), where)
        if kind is None or top is None or obligations is None:
            return None
        return Agreement(entry["id"], kind, parties, covered, kinds, top, start, end, obligations)

    def areas(self, raw: object, where: str, known: tuple[str, ...]) -> frozenset[str]:
        if raw == "all":
            return frozenset(known)
        names = frozenset(self.strings(raw, f"{where}: areas"))
        for a in sorted(names - set(known)):
            self.problems.append(f"{where}: area {a!r} is not in the areas of cooperation")
        return names

    def instant(self, raw: object, where: str) -> datetime | None:
        if raw is None:
            return None
        if not isinstance(raw, datetime) or raw.tzinfo is None:
            self.problems.append(
                f"{where}: must be a date-time with a UTC offset, e.g. 2026-01-01T00:00:00Z"
            )
            return None
        return raw

    def obligations(self, raw: object, where: str) -> Obligations | None:
        where = f"{where}: obligations"
        if not isinstance(raw, Mapping):
            self.problems.append(f"{where}: must be a table")
            return None
        self.keys(raw, where, {"strip", "position_precision_deg"}, set())
        strip = frozenset(self.strings(raw.get("strip", []), f"{where}: strip"))
        precision = raw.get("position_precision_deg")
        if precision is not None and (
            isinstance(precision, bool)
            or not isinstance(precision, int | float)
            or not 0 < precision <= 90
        ):
            self.problems.append(f"{where}: position_precision_deg must be a number in (0, 90]")
            precision = None
        return Obligations(strip, None if precision is None else float(precision))

    def feed(
        self, entry: Mapping[str, Any], where: str, partners: set[str], areas: tuple[str, ...]
    ) -> Feed | None:
        if not self.keys(
            entry,
            where,
            {"id", "originator", "area", "label", "kind"},
            {"id", "originator", "area", "label"},
        ):
            return None
        originator, area = entry["originator"], entry["area"]
        if originator not in partners:
            self.problems.append(f"{where}: originator {originator!r} is not a partner")
        if area not in areas:
            self.problems.append(f"{where}: area {area!r} is not in the areas of cooperation")
        kind = entry.get("kind", "report")
        if kind not in KNOWN_KINDS:
            self.problems.append(f"{where}: kind {kind!r} is unknown")
        raw = entry["label"]
        try:
            label = (
                label_from_short(raw, self.policy)
                if isinstance(raw, str)
                else label_from_json(raw, self.policy)
            )
        except LabelError as exc:
            self.problems.append(f"{where}: label: {exc}")
            return None
        return Feed(entry["id"], str(originator), str(area), label, str(kind))

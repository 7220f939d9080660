"""The `[taxii]` table of hub.toml: how STIX markings and the hub's labels meet.

    [taxii]
    unknown_markings = "default"   # or "reject": inbound objects without a marking the hub reads
    [taxii.tlp_in]                 # an inbound TLP 2.0 marking -> the label the item gets
    clear = "NATO UNCLASSIFIED"
    [taxii.tlp_out]                # a classification -> the TLP 2.0 marking added outbound
    UNCLASSIFIED = "clear"

Outbound, every object carries its label as a statement marking; a TLP marking is added only
where configured, because TLP and classifications are different schemes and only the hub's
operators can say where they meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from liaison.errors import LabelError
from liaison.model.labels import Label
from liaison.policy.labels_io import label_from_short
from liaison.policy.security_policy import SecurityPolicy

TLP_NAMES = ("clear", "green", "amber", "amber+strict", "red")
UNKNOWN_MARKINGS = ("default", "reject")


@dataclass(frozen=True, slots=True)
class TaxiiSettings:
    unknown_markings: str = "default"
    # TLP name -> a short-form label (checked against the policy when read)
    tlp_in: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    tlp_out: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def tlp_for(self, label: Label) -> str | None:
        return self.tlp_out.get(label.classification)


def parse_taxii(raw: object, policy: SecurityPolicy, problems: list[str]) -> TaxiiSettings:
    """The settings, or the defaults with every problem appended to `problems`."""
    if raw is None:
        return TaxiiSettings()
    if not isinstance(raw, Mapping):
        problems.append("taxii: must be a table ([taxii])")
        return TaxiiSettings()
    for key in sorted(set(raw) - {"unknown_markings", "tlp_in", "tlp_out"}):
        problems.append(f"taxii: unknown key {key!r}")
    unknown = raw.get("unknown_markings", "default")
    if unknown not in UNKNOWN_MARKINGS:
        problems.append(f"taxii: unknown_markings must be one of {', '.join(UNKNOWN_MARKINGS)}")
    tlp_in: dict[str, str] = {}
    for tlp, text in _table(raw.get("tlp_in", {}), "taxii.tlp_in", problems).items():
        if tlp not in TLP_NAMES:
            problems.append(f"taxii.tlp_in: {tlp!r} is not a TLP 2.0 name ({', '.join(TLP_NAMES)})")
            continue
        try:
            label_from_short(str(text), policy)
            tlp_in[tlp] = str(text)
        except LabelError as exc:
            problems.append(f"taxii.tlp_in.{tlp}: {exc}")
    tlp_out: dict[str, str] = {}
    for name, value in _table(raw.get("tlp_out", {}), "taxii.tlp_out", problems).items():
        tlp = str(value)
        try:
            classification = policy.classification(name).name
        except LabelError as exc:
            problems.append(f"taxii.tlp_out: {exc}")
            continue
        if tlp not in TLP_NAMES:
            problems.append(f"taxii.tlp_out.{name}: {tlp!r} is not a TLP 2.0 name")
            continue
        tlp_out[classification] = tlp
    return TaxiiSettings(str(unknown), MappingProxyType(tlp_in), MappingProxyType(tlp_out))


def _table(raw: object, where: str, problems: list[str]) -> Mapping[str, object]:
    if isinstance(raw, Mapping) and all(isinstance(k, str) for k in raw):
        return raw
    problems.append(f"{where}: must be a table of names to strings")
    return {}

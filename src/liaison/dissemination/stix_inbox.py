"""STIX 2.1 objects partners send to the TAXII 2.1 server, read as hub report lines.

`read_envelope` takes a TAXII envelope (or a STIX bundle) and returns, per accepted object, the
JSON report line `liaison.ingest.reports.parse_report` reads, and per refused object a failure
saying where and why; one bad object never costs its neighbours. Markings become the line's
label: a statement marking holding a short-form label, or a TLP marking the hub is configured to
read as a label. Markings that disagree are refused, never reconciled: the hub does not guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stix2  # type: ignore[import-untyped, unused-ignore]
from stix2.utils import format_datetime  # type: ignore[import-untyped, unused-ignore]

from liaison.codec import format_time
from liaison.dissemination.stix import TLP2
from liaison.errors import ConfigError, InputError, LabelError
from liaison.model.labels import Label
from liaison.policy.labels_io import label_from_short
from liaison.policy.security_policy import SecurityPolicy

ACCEPTED = ("report", "note", "indicator")
CONTEXT = ("marking-definition", "identity")  # read, never stored as items
UNKNOWN_MARKINGS = ("default", "reject")
_TITLE_MAX = 120  # a note's title is cut from its text; a line, not a paragraph
# TLP 1.0 markings are predefined by STIX 2.1 and still what many feeds send; TLP 2.0 renamed
# WHITE to CLEAR, so both read through the same configured label.
_TLP_NAMES: Mapping[str, str] = {
    **{marking_id: name for name, marking_id in TLP2.items()},
    stix2.TLP_WHITE.id: "clear",
    stix2.TLP_GREEN.id: "green",
    stix2.TLP_AMBER.id: "amber",
    stix2.TLP_RED.id: "red",
}


@dataclass(frozen=True, slots=True)
class InboundObject:
    """One accepted STIX object, as a hub report line."""

    stix_id: str
    version: str  # its `modified` (else `created`) as a STIX timestamp
    report: dict[str, Any]  # a JSON report line for `liaison.ingest.reports.parse_report`


@dataclass(frozen=True, slots=True)
class InboundFailure:
    stix_id: str | None
    version: str | None
    message: str  # names where (object index, id) and why


class _Refused(Exception):
    """An object the hub does not take; the message says why."""


def read_envelope(
    body: Mapping[str, Any],
    policy: SecurityPolicy,
    tlp_labels: Mapping[str, str],
    unknown_markings: str,
) -> tuple[list[InboundObject], list[InboundFailure]]:
    """Accepted objects and failures, in envelope order. Marking definitions and identities
    (CONTEXT) are neither: markings are read to label the other objects; nothing is ingested. A body that is no envelope at all raises
    `InputError`; an `unknown_markings` other than "default" or "reject" raises `ConfigError`.
    """
    if unknown_markings not in UNKNOWN_MARKINGS:
        raise ConfigError(
            "stix inbox", [f"unknown_markings must be default or reject, not {unknown_markings!r}"]
        )
    raw = _envelope_objects(body)
    failures: list[tuple[int, InboundFailure]] = []
    parsed: list[tuple[int, Any]] = []
    statements: dict[str, str] = {}
    for index, obj in enumerate(raw):
        sid, version = _id_and_version(obj)
        try:
            stix_obj = _parse(obj)
        except _Refused as exc:
            failures.append((index, InboundFailure(sid, version, f"object {index} ({sid}): {exc}")))
            continue
        if stix_obj["type"] in CONTEXT:
            # Context, not items: markings label the other objects; identities name creators.
            if stix_obj.get("definition_type") == "statement":
                statements[stix_obj["id"]] = stix_obj["definition"]["statement"]
        else:
            parsed.append((index, stix_obj))
    markings = _Markings(statements, policy, tlp_labels, reject=unknown_markings == "reject")
    accepted: list[InboundObject] = []
    for index, stix_obj in parsed:
        sid, version = stix_obj["id"], _version(stix_obj)
        try:
            line = _report_line(stix_obj, markings.label(stix_obj))
        except _Refused as exc:
            failures.append((index, InboundFailure(sid, version, f"object {index} ({sid}): {exc}")))
            continue
        accepted.append(InboundObject(sid, version, line))
    return accepted, [failure for _, failure in sorted(failures, key=lambda f: f[0])]


def _envelope_objects(body: object) -> Sequence[object]:
    if not isinstance(body, Mapping):
        raise InputError("envelope", f"must be a JSON object, got {type(body).__name__}")
    if "type" in body and body["type"] != "bundle":
        raise InputError("envelope", f"type {body['type']!r}: expected a TAXII envelope or bundle")
    objects = body.get("objects", [])
    if not isinstance(objects, list):
        raise InputError("envelope", "objects must be a list of STIX objects")
    return objects


def _id_and_version(obj: object) -> tuple[str | None, str | None]:
    """What a failure can name of an object that may be anything at all."""
    if not isinstance(obj, Mapping):
        return None, None
    sid, version = obj.get("id"), obj.get("modified", obj.get("created"))
    return (sid if isinstance(sid, str) else None), (version if isinstance(version, str) else None)


def _parse(obj: object) -> Any:
    if not isinstance(obj, Mapping):
        raise _Refused(f"a STIX object must be a JSON object, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind not in CONTEXT and kind not in ACCEPTED:
        raise _Refused(
            f"type {kind} is not accepted by the hub ({', '.join(ACCEPTED)})"
            if isinstance(kind, str)
            else "type is missing or not a string"
        )
    if obj.get("spec_version") != "2.1":
        # Without it stix2 would read the object as STIX 2.0; TAXII 2.1 carries STIX 2.1 only.
        raise _Refused(f"spec_version must be '2.1', got {obj.get('spec_version')!r}")
    try:
        stix_obj = stix2.parse(dict(obj), allow_custom=False, version="2.1")
    except Exception as exc:  # stix2 raises STIXError, ValueError, TypeError, ... on bad input
        raise _Refused(f"not a valid STIX 2.1 {kind}: {exc}") from None
    if stix_obj.get("revoked"):
        raise _Refused("revoked: a hub item cannot be withdrawn by a later version")
    return stix_obj


def _version(stix_obj: Any) -> str:
    return str(format_datetime(stix_obj.get("modified") or stix_obj["created"]))


class _Markings:
    def __init__(
        self,
        statements: Mapping[str, str],
        policy: SecurityPolicy,
        tlp_labels: Mapping[str, str],
        reject: bool,
    ) -> None:
        self.statements = statements
        self.policy = policy
        self.tlp_labels = tlp_labels
        self.reject = reject

    def label(self, stix_obj: Any) -> str | None:
        """The short-form label the object's markings give, or None for the feed's default."""
        refs = list(stix_obj.get("object_marking_refs") or [])
        # The hub labels whole items: a granular marking restricts the whole item too.
        refs += [
            g["marking_ref"] for g in stix_obj.get("granular_markings") or [] if "marking_ref" in g
        ]
        known: dict[Label, tuple[str, str]] = {}  # label -> (its text, the marking that gave it)
        unknown: list[str] = []
        for ref in dict.fromkeys(refs):
            found = self._read(ref)
            if isinstance(found, tuple):
                known.setdefault(found[1], (found[0], ref))
            else:
                unknown.append(f"{ref} ({found})")
        if len(known) > 1:
            told = "; ".join(f"{ref} gives {text!r}" for text, ref in known.values())
            raise _Refused(f"markings disagree ({told}): the hub does not guess which applies")
        if self.reject and unknown:
            raise _Refused(
                f"unknown marking(s) {', '.join(unknown)}; unknown markings are rejected"
            )
        if self.reject and not known:
            raise _Refused("no marking gives a label; unmarked objects are rejected")
        return next(iter(known.values()))[0] if known else None

    def _read(self, ref: str) -> tuple[str, Label] | str:
        """(label text, label) for a marking the hub reads, else why it cannot."""
        if ref in self.statements:
            text = self.statements[ref]
            why = "statement is not a label of policy " + self.policy.name
        elif ref in _TLP_NAMES:
            name = _TLP_NAMES[ref]
            if name not in self.tlp_labels:
                return f"TLP:{name.upper()} has no configured label"
            text, why = self.tlp_labels[name], f"configured label for TLP:{name.upper()} is invalid"
        else:
            return "not defined in this envelope"
        try:
            return text, label_from_short(text, self.policy)
        except LabelError as exc:
            return f"{why}: {exc}"


def _report_line(stix_obj: Any, label: str | None) -> dict[str, Any]:
    kind = stix_obj["type"]
    sid = stix_obj["id"]
    if kind == "indicator":
        pattern = f"pattern ({stix_obj['pattern_type']}): {stix_obj['pattern']}"
        line = {"kind": "indicator", "title": stix_obj.get("name") or stix_obj["pattern"]}
        line["body"] = "\n\n".join(t for t in (stix_obj.get("description"), pattern) if t)
    elif kind == "note":
        content = stix_obj["content"]
        first = next((s.strip() for s in content.splitlines() if s.strip()), "")
        line = {"kind": "report", "title": stix_obj.get("abstract") or first[:_TITLE_MAX]}
        line["body"] = content
    else:
        line = {
            "kind": "report",
            "title": stix_obj["name"],
            "body": stix_obj.get("description", ""),
        }
    if not line["title"].strip():  # the hub requires a title; the id is one
        line["title"] = sid
    # References to what the hub could hold (reports, notes, indicators) are the item's sources.
    refs = stix_obj.get("object_refs") or []
    sources = [r for r in refs if r.partition("--")[0] in ACCEPTED]
    line.update(id=sid, time=format_time(_plain(stix_obj.get("modified") or stix_obj["created"])))
    if sources:
        line["sources"] = sources
    if label is not None:
        line["label"] = label
    return line


def _plain(t: datetime) -> datetime:
    """stix2's own datetime subclass prints itself in STIX style: the hub wants its own."""
    t = t.astimezone(UTC)
    return datetime(t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond, UTC)

"""JSON Lines reports: one report a line, omitted fields taken from the feed.

    {"id"?, "kind"?, "area"?, "label"?, "originators"?, "time"?, "title", "body", "sources"?}

`parse_report` turns one line into a `Report` (its `Item`) or raises `InputError` saying where and why.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from liaison.codec import canonical_json
from liaison.errors import InputError, LabelError
from liaison.model.feeds import Feed
from liaison.model.items import KNOWN_KINDS, Item
from liaison.model.labels import Label
from liaison.policy.labels_io import label_from_json, label_from_short
from liaison.policy.security_policy import SecurityPolicy

FIELDS = frozenset(
    {"id", "kind", "area", "label", "originators", "time", "title", "body", "sources"}
)
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
# Ids the hub makes are name-based: the same report from the same feed gets the same id.
_ID_NAMESPACE = uuid.UUID("5f1c0b0e-3c1a-4a57-9d2e-6c6961697361")


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What a report line is read against: its feed, the policy, the vocabulary, the time."""

    feed: Feed
    policy: SecurityPolicy
    areas: Collection[str]
    partners: Collection[str]
    now: datetime


@dataclass(frozen=True, slots=True)
class Report:
    item: Item
    timed: bool  # False: the line gave no time, so the item took the ingest time


def parse_report(line: str, where: str, ctx: ReportContext) -> Report:
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(where, f"not valid UTF-8 at column {exc.start + 1}") from None
    try:
        data = json.loads(line, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(where, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except _DuplicateKey as exc:
        # Two "label" keys: which one the sender meant is unknowable, so neither is taken.
        raise InputError(where, f"field {exc.args[0]!r} is given more than once") from None
    if not isinstance(data, dict):
        raise InputError(where, f"a report must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise InputError(where, f"unknown field(s): {', '.join(unknown)}")
    return Report(_Reader(where, ctx).item(data), timed="time" in data)


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _Reader:
    def __init__(self, where: str, ctx: ReportContext) -> None:
        self.where = where
        self.ctx = ctx

    def fail(self, reason: str) -> InputError:
        return InputError(self.where, reason)

    def item(self, data: Mapping[str, Any]) -> Item:
        feed = self.ctx.feed
        payload = {
            "title": self.text(data, "title", required=True),
            "body": self.text(data, "body"),
        }
        kind = self.choice(data, "kind", feed.kind, KNOWN_KINDS, "kind")
        area = self.choice(data, "area", feed.area, self.ctx.areas, "area of cooperation")
        label = self.label(data.get("label"), feed.label)
        originators = self.originators(data.get("originators"))
        time = self.time(data.get("time"))
        sources = tuple(self.string_list(data.get("sources", []), "sources"))
        item_id = data.get("id")
        if item_id is None:
            name = canonical_json({"feed": feed.id, "report": data})
            item_id = f"{kind}--{uuid.uuid5(_ID_NAMESPACE, name)}"
        elif not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
            raise self.fail(
                "id must be 1-128 letters, digits or - _ . : (starting with a letter or digit)"
            )
        return Item(item_id, kind, originators, area, label, time, payload, sources, feed.id)

    def text(self, data: Mapping[str, Any], key: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string")
        if required and not value.strip():
            raise self.fail(f"{key} is required and may not be empty")
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, default: str, allowed: Collection[str], what: str
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(f"{key} {value!r} is not a known {what}")
        return str(value)

    def label(self, raw: object, default: Label) -> Label:
        try:
            if raw is None:
                return default
            if isinstance(raw, str):
                return label_from_short(raw, self.ctx.policy)
            return label_from_json(raw, self.ctx.policy)
        except LabelError as exc:
            raise self.fail(f"label: {exc}") from None

    def originators(self, raw: object) -> frozenset[str]:
        feed = self.ctx.feed
        if raw is None:
            return frozenset({feed.originator})
        names = frozenset(self.string_list(raw, "originators"))
        unknown = sorted(names - set(self.ctx.partners))
        if unknown:
            raise self.fail(f"originator(s) {', '.join(unknown)} are not partners of the hub")
        if feed.originator not in names:
            raise self.fail(
                f"originators must include {feed.originator}, the originator of feed {feed.id}"
            )
        return names

    def time(self, raw: object) -> datetime:
        if raw is None:
            return self.ctx.now
        if not isinstance(raw, str):
            raise self.fail("time must be an ISO 8601 string")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise self.fail(f"time {raw!r} is not ISO 8601") from None
        if value.tzinfo is None:
            raise self.fail(f"time {raw!r} has no UTC offset (add Z or +00:00)")
        return value.astimezone(UTC)

    def string_list(self, raw: object, key: str) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
            raise self.fail(f"{key} must be a list of non-empty strings")
        return list(raw)

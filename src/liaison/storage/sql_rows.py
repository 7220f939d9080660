"""The store's rows: conversions between SQL rows and domain types, and the one
transaction shape every write uses."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from liaison.codec import canonical_json, parse_time
from liaison.config import ConfigSource
from liaison.errors import StoreError
from liaison.model.agreements import Obligations
from liaison.storage.base import PolicyVersion, Release
from liaison.storage.database import Database
from liaison.storage.sql_audit import AuditTables


class StoreRows:
    """What the store's parts (tokens, governance) share: the connection, the audit tables,
    and the one transaction shape."""

    path: str
    _db: Database
    _audit: AuditTables

    def _transaction(self) -> AbstractContextManager[None]:
        return self._db.transaction()


RELEASE_COLUMNS = (
    "r.partner_cursor, r.partner, r.item_id, r.policy_version, r.obligations, r.agreements, "
    "r.released, r.cursor"
)


def release_row(row: tuple[Any, ...]) -> Release:
    cursor, who, item_id, version, obligations, agreements, released, seq = row
    return Release(
        who,
        item_id,
        int(version),
        obligations_from(obligations),
        tuple(json.loads(agreements)),
        parse_time(released),
        int(cursor),
        seq=int(seq),
    )


def release_time(r: Release) -> str:
    if r.released is None:
        raise StoreError(f"release of {r.item_id} to {r.partner} has no release time")
    return fixed_time(r.released)


def fixed_time(t: datetime) -> str:
    """UTC with microseconds, always the same width, so that times compare as text."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def policy_row(row: tuple[int, str, str, str, bytes]) -> PolicyVersion:
    version, created, name, text, spif = row
    return PolicyVersion(int(version), ConfigSource(text, bytes(spif), name), parse_time(created))


def obligations_json(o: Obligations) -> str:
    return canonical_json(
        {"strip": sorted(o.strip), "position_precision_deg": o.position_precision_deg}
    )


def obligations_from(text: str) -> Obligations:
    data = json.loads(text)
    return Obligations(frozenset(data["strip"]), data["position_precision_deg"])

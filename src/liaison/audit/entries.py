"""Audit entries: one typed, canonical-JSON record per act of the hub.

    ingested  an item stored from a feed (its content hash); a position batch carries the Merkle
              root of its messages, so one entry covers a whole batch and the log keeps up
    derived   an item the hub made (a maritime event) and the items it was found in
    decided   the decision for one item and one partner, with its reasons and policy version
    released  a release: item, partner, cursor and the hash of the payload as sent
    denied    a partner asked for something it may not have
    policy    a configuration or agreement change (with its governance record when there is one)
    token     an API token issued or revoked (its id, never the token)

The entry's bytes are canonical JSON (sorted keys, no spaces, UTF-8): the leaf of the Merkle tree
is SHA-256(0x00 ‖ those bytes), so anyone holding an entry can recompute its leaf hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from liaison.audit.merkle import leaf_hash, root
from liaison.codec import canonical_json, format_time, item_digest
from liaison.governance.model import Act, Proposal
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.policy.engine import Decision

TYPES = (
    "ingested", "derived", "decided", "released", "denied", "policy", "token", "proposal",
    "governance",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    type: str
    time: datetime
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    partner: str | None = None  # whose entry it is, for the partner's own view
    item_id: str | None = None

    def body(self) -> bytes:
        return canonical_json(
            {"type": self.type, "time": format_time(self.time), **self.fields}
        ).encode("utf-8")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An entry as stored: its index in the log (the leaf index), its bytes and leaf hash."""

    index: int
    type: str
    partner: str | None
    item_id: str | None
    body: bytes
    leaf: bytes


def ingested(item: Item, at: datetime, fixes: Sequence[Fix] = ()) -> Entry:
    fields: dict[str, Any] = {
        "item": item.id,
        "feed": item.feed,
        "kind": item.kind,
        "sha256": item_digest(item),
    }
    if fixes:
        fields["messages"] = len(fixes)
        fields["messages_root"] = messages_root(fixes).hex()
    return Entry("ingested", at, fields, item_id=item.id)


def derived(item: Item, at: datetime) -> Entry:
    fields = {"item": item.id, "kind": item.kind, "sources": list(item.sources)}
    return Entry("derived", at, {**fields, "sha256": item_digest(item)}, item_id=item.id)


def decided(item: Item, partner: str, decision: Decision, at: datetime) -> Entry:
    fields = {
        "item": item.id,
        "partner": partner,
        "allowed": decision.allowed,
        "reasons": list(decision.reasons),
        "agreements": list(decision.agreements),
        "policy_version": decision.policy_version,
    }
    return Entry("decided", at, fields, partner=partner, item_id=item.id)


def released(
    item_id: str,
    partner: str,
    *,
    cursor: int,
    payload_sha256: str,
    policy_version: int,
    at: datetime,
) -> Entry:
    fields = {
        "item": item_id,
        "partner": partner,
        "cursor": cursor,
        "payload_sha256": payload_sha256,
        "policy_version": policy_version,
    }
    return Entry("released", at, fields, partner=partner, item_id=item_id)


def denied(partner: str, asked: str, reason: str, at: datetime) -> Entry:
    return Entry("denied", at, {"partner": partner, "asked": asked, "reason": reason}, partner)


def policy(
    version: int, config_sha256: str, name: str, at: datetime, record: Mapping[str, Any] | None
) -> Entry:
    fields = {"version": version, "config_sha256": config_sha256, "name": name, "record": record}
    return Entry("policy", at, fields)


def token(event: str, token_id: str, holder: str, role: str, at: datetime) -> Entry:
    fields = {"event": event, "token": token_id, "holder": holder, "role": role}
    return Entry("token", at, fields, partner=holder if role == "partner" else None)


def proposal(p: Proposal) -> Entry:
    fields = {
        "proposal": p.id,
        "proposer": p.proposer,
        "deadline": format_time(p.deadline),
        "body": sorted(p.body),
        "touches": sorted(p.touches),
        "base_version": p.base_version,
        "change_sha256": hashlib.sha256(p.change.encode()).hexdigest(),
        "supersedes": p.supersedes,
    }
    return Entry("proposal", p.created, fields)


def governance(act: Act) -> Entry:
    fields = {
        "proposal": act.proposal,
        "act": act.kind.value,
        "member": act.member,
        "reason": act.reason,
        "version": act.version,
    }
    return Entry("governance", act.at, fields)


def payload_sha256(payload: Mapping[str, Any]) -> str:
    """The hash a partner can recompute from the payload it received (canonical JSON)."""
    return hashlib.sha256(canonical_json(dict(payload)).encode("utf-8")).hexdigest()


def fix_bytes(fix: Fix) -> bytes:
    """A stored fix as the bytes its leaf hashes: its fields by `repr`, comma-separated (None for
    a missing value). Not JSON, on purpose: a batch holds thousands of fixes, and this is on the
    ingest path; `repr` of a float is the shortest string that reads back as the same float."""
    sog = None if fix.sog is None else float(fix.sog)
    cog = None if fix.cog is None else float(fix.cog)
    heading = None if fix.heading is None else int(fix.heading)
    # Types fixed here, so a value read back from the store hashes as the value written.
    return (
        f"{int(fix.mmsi)},{float(fix.time)!r},{float(fix.lat)!r},{float(fix.lon)!r},"
        f"{sog!r},{cog!r},{heading!r}"
    ).encode("ascii")


def messages_root(fixes: Sequence[Fix]) -> bytes:
    """The Merkle root over a batch's positions, in the order they are stored."""
    return root([leaf_hash(fix_bytes(f)) for f in fixes])

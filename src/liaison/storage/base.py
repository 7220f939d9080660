"""The storage protocol: SQLite now (`liaison.storage.sqlite`), PostgreSQL later.

Items, releases and policy versions are append-only. Everything a call writes is committed before
it returns, in one transaction: a batch is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from liaison.audit.entries import AuditRecord, Entry
from liaison.audit.heads import SignedHead
from liaison.config import ConfigSource
from liaison.governance.model import Act, Proposal
from liaison.maritime.tracks import Fix
from liaison.model.agreements import Obligations
from liaison.model.items import Item


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: int
    source: ConfigSource
    created: datetime


@dataclass(frozen=True, slots=True)
class Release:
    """A decision to release an item to a partner, as recorded. `cursor` orders a partner's feed:
    1, 2, 3... over that partner's releases only, so that it counts nothing released to others."""

    partner: str
    item_id: str
    policy_version: int
    obligations: Obligations
    agreements: tuple[str, ...]
    released: datetime | None = None  # when the router released it (TAXII's date_added)
    cursor: int = 0  # assigned by the store
    payload_sha256: str = ""  # of the sanitised payload as released (logged in the audit)
    seq: int = 0  # the hub's order of all releases (by the store): never shown to a partner


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record the hub refused, kept with its reason so nothing is silently lost."""

    feed: str
    source: str
    line: int
    reason: str
    raw: str
    at: datetime


@dataclass(frozen=True, slots=True)
class VesselTrack:
    """The latest state of one vessel as one feed reports it (derived; positions are the record)."""

    feed: str
    mmsi: int
    time: float  # UNIX seconds of the last fix
    lat: float
    lon: float
    sog: float | None
    cog: float | None
    heading: int | None
    fixes: int
    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None


@dataclass(frozen=True, slots=True)
class StoredFix:
    """A fix as the archive holds it: its storage sequence (the order it arrived in) and the feed
    of its position item, beside the fix itself."""

    seq: int
    feed: str
    fix: Fix


@dataclass(frozen=True, slots=True)
class StoredToken:
    """An API token as stored: its SHA-256, never the token itself."""

    id: str
    holder: str  # a partner id, or the operator's name for role "admin"
    role: str  # "partner" | "admin"
    hash: str
    created: datetime
    revoked: datetime | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    items: Sequence[Item] = ()
    releases: Sequence[Release] = ()
    rejections: Sequence[Rejection] = ()
    positions: Sequence[Fix] = ()  # each stored under its position item (`Fix.source`)
    tracks: Sequence[VesselTrack] = ()  # replace the feed's earlier state of these vessels
    # Audit entries of the batch's acts (ingested, derived, decided); the store adds a
    # `released` entry per release once its cursor is known, all in the one transaction.
    audit: Sequence[Entry] = ()
    # Where consumers of the bus have got to ({consumer: last message sequence}), stored with
    # what those messages made: a redelivered message at or below it was already stored.
    offsets: Mapping[str, int] = field(default_factory=dict)


class AuditView(Protocol):
    """The audit log as stored: entries (leaves), the Merkle node table, signed heads."""

    def size(self) -> int: ...

    def node(self, level: int, index: int) -> bytes: ...

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]: ...

    def root(self, size: int | None = None) -> tuple[int, bytes]: ...

    def records(self, after: int, limit: int, partner: str | None = None) -> list[AuditRecord]: ...

    def record(self, index: int) -> AuditRecord: ...

    def index_of(self, leaf: bytes, partner: str | None = None) -> int | None: ...

    def heads(self, limit: int = 1000, latest: bool = False) -> list[SignedHead]: ...


class Store(Protocol):
    @property
    def audit(self) -> AuditView: ...

    def add_policy_version(
        self,
        source: ConfigSource,
        created: datetime,
        expected: int | None = None,
        record: Mapping[str, Any] | None = None,
        acts: Sequence[Act] = (),
    ) -> int: ...

    def policy_head(self) -> int: ...

    def add_proposal(
        self, make: Callable[[str], Proposal], acts: Sequence[Act] = ()
    ) -> Proposal: ...

    def add_acts(self, acts: Sequence[Act]) -> None: ...

    def proposals(self, proposal_id: str | None = None) -> list[Proposal]: ...

    def acts(self, proposal_id: str | None = None) -> list[Act]: ...

    def log(self, logged: Sequence[Entry]) -> None: ...

    def audit_nodes(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]: ...

    def audit_node_levels(self) -> list[tuple[int, int, int, int]]: ...

    def add_head(self, head: SignedHead) -> None: ...

    def latest_policy(self) -> PolicyVersion | None: ...

    def policy_version(self, version: int) -> PolicyVersion: ...

    def commit(self, batch: Batch) -> None: ...

    def item(self, item_id: str) -> Item | None: ...

    def item_digest(self, item_id: str) -> str | None: ...

    def items(self, after: int = 0, limit: int = 1000) -> list[tuple[int, Item]]: ...

    def feed(
        self,
        partner: str,
        after: int,
        limit: int,
        *,
        area: str | None = None,
        kinds: Sequence[str] | None = None,
        released_after: datetime | None = None,
        newest: bool = False,
    ) -> list[tuple[Release, Item]]: ...

    def release(self, partner: str, item_id: str) -> Release | None: ...

    def releases_page(self, after: int, limit: int) -> list[Release]: ...

    def global_cursors_until(self) -> int: ...

    def rejections(self, feed: str | None = None, limit: int = 1000) -> list[Rejection]: ...

    def items_of_kind(
        self, kind: str, after: int = 0, limit: int = 1000
    ) -> list[tuple[int, Item]]: ...

    def events(
        self, event_type: str | None, partner: str | None, limit: int
    ) -> list[tuple[int, Item]]: ...

    def positions(self, source: str) -> list[Fix]: ...

    def bus_offset(self, consumer: str) -> int: ...

    def bus_offsets(self, prefix: str) -> dict[str, int]: ...

    def recent_fixes(self, sources: Sequence[str], per_vessel: int) -> list[Fix]: ...

    def last_position_seq(self) -> int: ...

    def fixes_page(
        self, after: tuple[int, float, int] | None, limit: int, last_seq: int
    ) -> list[StoredFix]: ...

    def add_token(self, token: StoredToken) -> None: ...

    def revoke_token(self, token_id: str, at: datetime) -> bool: ...

    def token_by_hash(self, digest: str) -> StoredToken | None: ...

    def token_revoked(self, token_id: str) -> bool:
        """Whether the token is revoked (or not stored): what open streams re-check."""
        ...

    def tokens(self) -> list[StoredToken]: ...

    def track_history(
        self, mmsi: int, feed: str | None = None, limit: int = 10_000
    ) -> list[Fix]: ...

    def tracks(self, feed: str | None = None, mmsi: int | None = None) -> list[VesselTrack]: ...

    def close(self) -> None: ...

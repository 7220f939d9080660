"""The embedded store: one SQLite file in WAL mode, nothing to start.

`synchronous=FULL`: a batch acknowledged is a batch on disk, even across a power cut. Triggers
make items, releases and policy versions append-only at the database level too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from liaison.audit import entries
from liaison.audit.entries import Entry
from liaison.audit.heads import SignedHead
from liaison.codec import (
    canonical_json,
    format_time,
    item_digest,
    item_from_json,
    item_to_json,
    parse_time,
)
from liaison.config import ConfigSource
from liaison.errors import Conflict, NotFound, StoreError
from liaison.governance.model import Act
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.storage.base import Batch, PolicyVersion, Rejection, Release, VesselTrack
from liaison.storage.sqlite_audit import AUDIT_SCHEMA, AuditTables
from liaison.storage.sqlite_governance import (
    GOVERNANCE_SCHEMA,
    GovernanceRows,
    insert_act,
)
from liaison.storage.sqlite_rows import (
    RELEASE_COLUMNS,
    fixed_time,
    obligations_json,
    policy_row,
    release_row,
    release_time,
)
from liaison.storage.sqlite_schema import FIX_COLUMNS, SCHEMA, SCHEMA_VERSION, append_only_triggers
from liaison.storage.sqlite_tokens import TokenRows


class SqliteStore(TokenRows, GovernanceRows):
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(
                "BEGIN;"
                + SCHEMA
                + AUDIT_SCHEMA
                + GOVERNANCE_SCHEMA
                + append_only_triggers()
                + "COMMIT;"
            )
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        if row[0] != str(SCHEMA_VERSION):
            self._db.close()
            raise StoreError(
                f"{self.path}: store schema version {row[0]}, this hub reads {SCHEMA_VERSION}"
            )
        self._audit = AuditTables(self._db)

    @property
    def audit(self) -> AuditTables:
        return self._audit

    def close(self) -> None:
        self._db.close()

    # --- policy versions ----------------------------------------------------------------------

    def add_policy_version(
        self,
        source: ConfigSource,
        created: datetime,
        expected: int | None = None,
        record: Mapping[str, Any] | None = None,
        acts: Sequence[Act] = (),
    ) -> int:
        """Append the next policy version; with `expected`, only if that is its number;
        `record` is the governance record of the change, logged with it, and `acts` the acts
        on proposals that make it (a proposal passing), in the same transaction."""
        with self._transaction():
            row = self._db.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions"
            ).fetchone()
            version = int(row[0])
            if expected is not None and version != expected:
                raise Conflict(f"policy version {version - 1} is already stored")
            self._db.execute(
                "INSERT INTO policy_versions VALUES (?, ?, ?, ?, ?)",
                (version, format_time(created), source.name, source.text, source.spif),
            )
            digest = hashlib.sha256(source.text.encode() + b"\0" + source.spif).hexdigest()
            for act in acts:
                insert_act(self._db, replace(act, version=version))
            frontier = self.audit.append(
                [entries.policy(version, digest, source.name, created, record)]
                + [entries.governance(replace(a, version=version)) for a in acts]
            )
        self.audit.install(frontier)
        return version

    def policy_head(self) -> int:
        """The latest policy version's number (0 before `init`): cheap, read per batch."""
        row = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM policy_versions").fetchone()
        return int(row[0])

    def latest_policy(self) -> PolicyVersion | None:
        row = self._db.execute(
            "SELECT version, created, config_name, config_text, spif FROM policy_versions "
            "ORDER BY version DESC LIMIT 1"
        ).fetchone()
        return None if row is None else policy_row(row)

    def policy_version(self, version: int) -> PolicyVersion:
        row = self._db.execute(
            "SELECT version, created, config_name, config_text, spif FROM policy_versions WHERE version = ?",
            (version,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no policy version {version}")
        return policy_row(row)

    # --- items, releases, quarantine ----------------------------------------------------------

    def commit(self, batch: Batch) -> None:
        """Store a whole batch in one transaction: all of it, or (on any error) none of it."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO items (id, kind, area, feed, time, digest, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i.id,
                        i.kind,
                        i.area,
                        i.feed,
                        format_time(i.time),
                        item_digest(i),
                        canonical_json(item_to_json(i)),
                    )
                    for i in batch.items
                ],
            )
            logged = list(batch.audit)
            for r in batch.releases:
                inserted = self._db.execute(
                    "INSERT INTO releases "
                    "(partner, item_id, policy_version, obligations, agreements, kind, area, released) "
                    "SELECT ?, ?, ?, ?, ?, i.kind, i.area, ? FROM items i WHERE i.id = ?",
                    (
                        r.partner, r.item_id, r.policy_version, obligations_json(r.obligations),
                        json.dumps(r.agreements), release_time(r), r.item_id,
                    ),
                )  # fmt: skip
                if inserted.rowcount != 1 or inserted.lastrowid is None:
                    # INSERT ... SELECT inserts nothing for an item that is not stored.
                    raise StoreError(
                        f"{self.path}: write failed, nothing stored: a release names item "
                        f"{r.item_id!r}, which is not stored (FOREIGN KEY constraint failed)"
                    )
                logged.append(
                    entries.released(
                        r.item_id, r.partner, cursor=inserted.lastrowid,
                        payload_sha256=r.payload_sha256, policy_version=r.policy_version,
                        at=r.released or datetime.now(UTC),
                    )
                )  # fmt: skip
            self._db.executemany(
                "INSERT INTO positions (source, mmsi, time, lat, lon, sog, cog, heading) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (f.source, f.mmsi, f.time, f.lat, f.lon, f.sog, f.cog, f.heading)
                    for f in batch.positions
                ],
            )
            self._db.executemany(
                # Counts add up across batches and ingests; the state moves only forward in time;
                # static data, once known, is not forgotten by a batch that lacks it.
                "INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (feed, mmsi) DO UPDATE SET fixes = fixes + excluded.fixes, "
                "time = CASE WHEN excluded.time >= time THEN excluded.time ELSE time END, "
                "lat = CASE WHEN excluded.time >= time THEN excluded.lat ELSE lat END, "
                "lon = CASE WHEN excluded.time >= time THEN excluded.lon ELSE lon END, "
                "sog = CASE WHEN excluded.time >= time THEN excluded.sog ELSE sog END, "
                "cog = CASE WHEN excluded.time >= time THEN excluded.cog ELSE cog END, "
                "heading = CASE WHEN excluded.time >= time THEN excluded.heading ELSE heading END, "
                "name = COALESCE(excluded.name, name), callsign = COALESCE(excluded.callsign, callsign), "
                "ship_type = COALESCE(excluded.ship_type, ship_type)",
                [
                    (t.feed, t.mmsi, t.time, t.lat, t.lon, t.sog, t.cog, t.heading, t.fixes,
                     t.name, t.callsign, t.ship_type)
                    for t in batch.tracks
                ],
            )  # fmt: skip
            self._db.executemany(
                "INSERT INTO quarantine (feed, source, line, reason, raw, at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (q.feed, q.source, q.line, q.reason, q.raw, format_time(q.at))
                    for q in batch.rejections
                ],
            )
            frontier = self.audit.append(logged)
        self.audit.install(frontier)

    def item(self, item_id: str) -> Item | None:
        row = self._db.execute("SELECT body FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else item_from_json(json.loads(row[0]))

    def item_digest(self, item_id: str) -> str | None:
        row = self._db.execute("SELECT digest FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else str(row[0])

    def items(self, after: int = 0, limit: int = 1000) -> list[tuple[int, Item]]:
        rows = self._db.execute(
            "SELECT seq, body FROM items WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        ).fetchall()
        return [(int(seq), item_from_json(json.loads(body))) for seq, body in rows]

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
    ) -> list[tuple[Release, Item]]:
        """The partner's releases after the cursor, in order (the newest `limit` of them, newest
        first, with `newest`); optionally of one area, of some kinds, released after a time."""
        where = ["r.partner = ?", "r.cursor > ?"]
        args: list[object] = [partner, after]
        if area is not None:
            where.append("r.area = ?")
            args.append(area)
        if kinds is not None:
            where.append(f"r.kind IN ({', '.join('?' for _ in kinds)})")
            args.extend(kinds)
        if released_after is not None:
            where.append("r.released > ?")
            args.append(fixed_time(released_after))
        rows = self._db.execute(
            f"SELECT {RELEASE_COLUMNS}, i.body FROM releases r JOIN items i ON i.id = r.item_id "
            f"WHERE {' AND '.join(where)} ORDER BY r.cursor {'DESC' if newest else ''} LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [(release_row(row[:-1]), item_from_json(json.loads(row[-1]))) for row in rows]

    def release(self, partner: str, item_id: str) -> Release | None:
        row = self._db.execute(
            f"SELECT {RELEASE_COLUMNS} FROM releases r WHERE r.partner = ? AND r.item_id = ?",
            (partner, item_id),
        ).fetchone()
        return None if row is None else release_row(row)

    def releases_page(self, after: int, limit: int) -> list[Release]:
        """Every partner's releases after the cursor, in cursor order (for the audit check)."""
        rows = self._db.execute(
            f"SELECT {RELEASE_COLUMNS} FROM releases r WHERE r.cursor > ? ORDER BY r.cursor LIMIT ?",
            (after, limit),
        ).fetchall()
        return [release_row(row) for row in rows]

    def rejections(self, feed: str | None = None, limit: int = 1000) -> list[Rejection]:
        rows = self._db.execute(
            "SELECT feed, source, line, reason, raw, at FROM quarantine "
            "WHERE ? IS NULL OR feed = ? ORDER BY seq LIMIT ?",
            (feed, feed, limit),
        ).fetchall()
        return [Rejection(f, s, int(n), r, raw, parse_time(at)) for f, s, n, r, raw, at in rows]

    def items_of_kind(self, kind: str, after: int = 0, limit: int = 1000) -> list[tuple[int, Item]]:
        rows = self._db.execute(
            "SELECT seq, body FROM items WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
            (kind, after, limit),
        ).fetchall()
        return [(int(seq), item_from_json(json.loads(body))) for seq, body in rows]

    def events(
        self, event_type: str | None, partner: str | None, limit: int
    ) -> list[tuple[int, Item]]:
        """The newest events first, of one type and released to one partner where given."""
        rows = self._db.execute(
            "SELECT seq, body FROM items WHERE kind = 'event' "
            "AND (? IS NULL OR json_extract(body, '$.payload.type') = ?) "
            "AND (? IS NULL OR EXISTS "
            "     (SELECT 1 FROM releases r WHERE r.item_id = items.id AND r.partner = ?)) "
            "ORDER BY seq DESC LIMIT ?",
            (event_type, event_type, partner, partner, limit),
        ).fetchall()
        return [(int(seq), item_from_json(json.loads(body))) for seq, body in rows]

    # --- the maritime picture -----------------------------------------------------------------

    def positions(self, source: str) -> list[Fix]:
        rows = self._db.execute(
            f"SELECT {FIX_COLUMNS} FROM positions p WHERE p.source = ? ORDER BY p.seq", (source,)
        ).fetchall()
        return [Fix(*row) for row in rows]

    def track_history(self, mmsi: int, feed: str | None = None, limit: int = 10_000) -> list[Fix]:
        rows = self._db.execute(
            f"SELECT {FIX_COLUMNS} FROM positions p JOIN items i ON i.id = p.source "
            "WHERE p.mmsi = ? AND (? IS NULL OR i.feed = ?) ORDER BY p.time, p.seq LIMIT ?",
            (mmsi, feed, feed, limit),
        ).fetchall()
        return [Fix(*row) for row in rows]

    def tracks(self, feed: str | None = None, mmsi: int | None = None) -> list[VesselTrack]:
        rows = self._db.execute(
            "SELECT * FROM tracks WHERE (? IS NULL OR feed = ?) AND (? IS NULL OR mmsi = ?) "
            "ORDER BY feed, mmsi",
            (feed, feed, mmsi, mmsi),
        ).fetchall()
        return [VesselTrack(*row) for row in rows]

    # --- the audit log (reads: `self.audit`) ---------------------------------------------------

    def audit_nodes(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]:
        """The stored Merkle nodes (index, hash) of one level with start <= index < end."""
        rows = self._db.execute(
            "SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
            (level, start, end),
        ).fetchall()
        return [(int(i), h) for i, h in rows]  # as stored: a hash of another type is a mismatch

    def audit_node_levels(self) -> list[tuple[int, int, int, int]]:
        """(level, count, lowest index, highest index) of the stored Merkle nodes, per level."""
        rows = self._db.execute(
            "SELECT level, COUNT(*), MIN(idx), MAX(idx) FROM audit_nodes GROUP BY level ORDER BY level"
        ).fetchall()
        return [(int(v), int(n), int(lo), int(hi)) for v, n, lo, hi in rows]

    def log(self, logged: Sequence[Entry]) -> None:
        """Acts that write nothing else (a denial): their entries, in their own transaction."""
        with self._transaction():
            frontier = self.audit.append(logged)
        self.audit.install(frontier)

    def add_head(self, head: SignedHead) -> None:
        with self._transaction():
            self.audit.add_head(head)

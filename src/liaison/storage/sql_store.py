"""The store: items, releases, positions, policy versions, the audit log, tokens and proposals
in SQL tables, over SQLite (`sqlite.py`) or PostgreSQL (`postgres.py`) through one `Database`.

Every write is one transaction, all of it or none of it, with the audit entries of what it
records; triggers make history append-only at the database level too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
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
from liaison.storage.base import Batch, PolicyVersion, Rejection, Release, StoredFix, VesselTrack
from liaison.storage.database import Database
from liaison.storage.schema_sqlite import FIX_COLUMNS
from liaison.storage.sql_audit import AuditTables
from liaison.storage.sql_governance import GovernanceRows, insert_act
from liaison.storage.sql_rows import (
    RELEASE_COLUMNS,
    fixed_time,
    obligations_json,
    policy_row,
    release_row,
    release_time,
)
from liaison.storage.sql_tokens import TokenRows


class SqlStore(TokenRows, GovernanceRows):
    """The store over one SQL database connection (SQLite or PostgreSQL: `database.py`)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.path = db.name
        self._audit = AuditTables(db)

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
                # The partner's next cursor, read and taken under the write lock: its cursors
                # go 1, 2, 3... in commit order, and count nothing released to others.
                inserted = self._db.execute(
                    "INSERT INTO releases (partner, item_id, policy_version, obligations, "
                    "agreements, kind, area, released, partner_cursor) "
                    "SELECT ?, ?, ?, ?, ?, i.kind, i.area, ?, (SELECT COALESCE(MAX(partner_cursor), 0) + 1 "
                    "FROM releases WHERE partner = ?) FROM items i WHERE i.id = ? "
                    "RETURNING partner_cursor",
                    (
                        r.partner, r.item_id, r.policy_version, obligations_json(r.obligations),
                        json.dumps(r.agreements), release_time(r), r.partner, r.item_id,
                    ),
                ).fetchone()  # fmt: skip
                if inserted is None:
                    # INSERT ... SELECT inserts nothing for an item that is not stored.
                    raise StoreError(
                        f"{self.path}: write failed, nothing stored: a release names item "
                        f"{r.item_id!r}, which is not stored (FOREIGN KEY constraint failed)"
                    )
                logged.append(
                    entries.released(
                        r.item_id, r.partner, cursor=int(inserted[0]),
                        payload_sha256=r.payload_sha256, policy_version=r.policy_version,
                        at=r.released or datetime.now(UTC),
                    )
                )  # fmt: skip
            self._db.prepare_positions(f.time for f in batch.positions)
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
                "INSERT INTO tracks AS t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (feed, mmsi) DO UPDATE SET fixes = t.fixes + excluded.fixes, "
                "time = CASE WHEN excluded.time >= t.time THEN excluded.time ELSE t.time END, "
                "lat = CASE WHEN excluded.time >= t.time THEN excluded.lat ELSE t.lat END, "
                "lon = CASE WHEN excluded.time >= t.time THEN excluded.lon ELSE t.lon END, "
                "sog = CASE WHEN excluded.time >= t.time THEN excluded.sog ELSE t.sog END, "
                "cog = CASE WHEN excluded.time >= t.time THEN excluded.cog ELSE t.cog END, "
                "heading = CASE WHEN excluded.time >= t.time THEN excluded.heading ELSE t.heading END, "
                "name = COALESCE(excluded.name, t.name), callsign = COALESCE(excluded.callsign, t.callsign), "
                "ship_type = COALESCE(excluded.ship_type, t.ship_type)",
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
            self._db.executemany(
                "INSERT INTO bus_offsets AS b VALUES (?, ?) ON CONFLICT (consumer) DO UPDATE "
                "SET seq = CASE WHEN excluded.seq > b.seq THEN excluded.seq ELSE b.seq END",
                list(batch.offsets.items()),
            )
            frontier = self.audit.append(logged)
        self.audit.install(frontier)

    def bus_offset(self, consumer: str) -> int:
        """The last bus message sequence the consumer stored what it made of (0: none)."""
        row = self._db.execute(
            "SELECT seq FROM bus_offsets WHERE consumer = ?", (consumer,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def bus_offsets(self, prefix: str) -> dict[str, int]:
        """Every consumer's offset whose name starts with `prefix`."""
        rows = self._db.execute(
            "SELECT consumer, seq FROM bus_offsets WHERE consumer LIKE ?", (prefix + "%",)
        )
        return {c: int(q) for c, q in rows.fetchall() if c.startswith(prefix)}

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
        where = ["r.partner = ?", "r.partner_cursor > ?"]
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
            f"WHERE {' AND '.join(where)} ORDER BY r.partner_cursor {'DESC' if newest else ''} LIMIT ?",
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
        """Every partner's releases after the hub's (global) order `after` (a release's `seq`),
        in that order (for the audit check)."""
        rows = self._db.execute(
            f"SELECT {RELEASE_COLUMNS} FROM releases r WHERE r.cursor > ? ORDER BY r.cursor LIMIT ?",
            (after, limit),
        ).fetchall()
        return [release_row(row) for row in rows]

    def global_cursors_until(self) -> int:
        """The releases up to this `seq` were logged with the hub's global cursor (before
        per-partner cursors); those after it, with their partner's cursor."""
        row = self._db.execute(
            "SELECT value FROM meta WHERE key = 'global_cursors_until'"
        ).fetchone()
        return 0 if row is None else int(row[0])

    def rejections(self, feed: str | None = None, limit: int = 1000) -> list[Rejection]:
        rows = self._db.execute(
            "SELECT feed, source, line, reason, raw, at FROM quarantine "
            "WHERE CAST(? AS TEXT) IS NULL OR feed = ? ORDER BY seq LIMIT ?",
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
            f"AND (CAST(? AS TEXT) IS NULL OR {self._db.json_text('body', 'payload', 'type')} = ?) "
            "AND (CAST(? AS TEXT) IS NULL OR EXISTS "
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

    def recent_fixes(self, sources: Sequence[str], per_vessel: int) -> list[Fix]:
        """The newest `per_vessel` fixes of each vessel (per feed) among these batches, in
        storage order: what a trail shows, read without reading every fix of the batches."""
        if not sources:
            return []
        marks = ", ".join("?" for _ in sources)
        rows = self._db.execute(
            f"SELECT {FIX_COLUMNS.replace('p.', 'r.')} FROM ("
            "SELECT p.*, ROW_NUMBER() OVER (PARTITION BY i.feed, p.mmsi ORDER BY p.time DESC, p.seq DESC) AS n "
            f"FROM positions p JOIN items i ON i.id = p.source WHERE p.source IN ({marks})) AS r "
            "WHERE r.n <= ? ORDER BY r.seq",
            (*sources, per_vessel),
        ).fetchall()
        return [Fix(*row) for row in rows]

    def track_history(self, mmsi: int, feed: str | None = None, limit: int = 10_000) -> list[Fix]:
        rows = self._db.execute(
            f"SELECT {FIX_COLUMNS} FROM positions p JOIN items i ON i.id = p.source "
            "WHERE p.mmsi = ? AND (CAST(? AS TEXT) IS NULL OR i.feed = ?) ORDER BY p.time, p.seq LIMIT ?",
            (mmsi, feed, feed, limit),
        ).fetchall()
        return [Fix(*row) for row in rows]

    def last_position_seq(self) -> int:
        """The newest fix's sequence (0: none): where an export stops, so that fixes stored
        while it runs do not half appear in it."""
        row = self._db.execute("SELECT MAX(seq) FROM positions").fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def fixes_page(
        self, after: tuple[int, float, int] | None, limit: int, last_seq: int
    ) -> list[StoredFix]:
        """Every feed's fixes with seq <= last_seq, by (mmsi, time, seq), the `limit` after the
        key `after` (None: from the start). Keyed on the (mmsi, time) index both engines have,
        each page costs the same however far in: an OFFSET, or seq order on PostgreSQL's
        partitions (no index on seq there), would re-read the table for every page."""
        mmsi, time, seq = after if after is not None else (-1, float("-inf"), -1)
        rows = self._db.execute(
            f"SELECT p.seq, i.feed, {FIX_COLUMNS} FROM positions p JOIN items i ON i.id = p.source "
            "WHERE (p.mmsi, p.time, p.seq) > (?, ?, ?) AND p.seq <= ? "
            "ORDER BY p.mmsi, p.time, p.seq LIMIT ?",
            (mmsi, time, seq, last_seq, limit),
        ).fetchall()
        return [StoredFix(int(row[0]), row[1], Fix(*row[2:])) for row in rows]

    def tracks(self, feed: str | None = None, mmsi: int | None = None) -> list[VesselTrack]:
        rows = self._db.execute(
            "SELECT * FROM tracks WHERE (CAST(? AS TEXT) IS NULL OR feed = ?) "
            "AND (CAST(? AS BIGINT) IS NULL OR mmsi = ?) "
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

"""The audit log's tables in the store: entries (the leaves), the Merkle node table and
the signed tree heads. Entries are appended inside the transaction of the act they record.

Level 0 of the tree is the entries' leaf hashes; `audit_nodes` holds every complete aligned
subtree above them as it completes (one row per append on average), so the root at any size and
any proof take O(log n) reads. The in-memory frontier is re-read whenever the log grew
elsewhere (another process writing the same file), and replaced only after a commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from liaison.audit.entries import AuditRecord, Entry
from liaison.audit.heads import SignedHead
from liaison.audit.merkle import Frontier, leaf_hash
from liaison.codec import format_time, parse_time
from liaison.errors import NotFound, StoreError
from liaison.storage.database import Database


class AuditTables:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._frontier = Frontier()

    def size(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries").fetchone()
        return int(row[0])

    def node(self, level: int, index: int) -> bytes:
        if level == 0:
            row = self._db.execute(
                "SELECT leaf FROM audit_entries WHERE seq = ?", (index,)
            ).fetchone()
        else:
            row = self._db.execute(
                "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?", (level, index)
            ).fetchone()
        if row is None:
            raise KeyError((level, index))
        return bytes(row[0])

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Many nodes in two queries (leaves, then the rest): a proof needs about 2·log n."""
        out: dict[tuple[int, int], bytes] = {}
        leaves = [i for level, i in keys if level == 0]
        upper = [(level, i) for level, i in keys if level > 0]
        if leaves:
            marks = ", ".join("?" for _ in leaves)
            for seq, leaf in self._db.execute(
                f"SELECT seq, leaf FROM audit_entries WHERE seq IN ({marks})", leaves
            ):
                out[(0, int(seq))] = bytes(leaf)
        if upper:
            # Point lookups joined in one statement: each one uses the primary key (a row-value
            # IN list did not, and scanned the table).
            one = "SELECT level, idx, hash FROM audit_nodes WHERE level = ? AND idx = ?"
            flat = [v for key in upper for v in key]
            for level, idx, digest in self._db.execute(
                " UNION ALL ".join(one for _ in upper), flat
            ):
                out[(int(level), int(idx))] = bytes(digest)
        return out

    def append(self, entries: Sequence[Entry]) -> Frontier:
        """Write the entries and the nodes they complete; call inside the act's transaction.
        Returns the new frontier, to `install` once the transaction has committed."""
        size = self._fresh()
        frontier = self._frontier.copy()  # the stored one changes only once the act commits
        rows = []
        nodes = []
        for offset, entry in enumerate(entries):
            body = entry.body()
            leaf = leaf_hash(body)
            rows.append((size + offset, entry.type, entry.partner, entry.item_id, body, leaf))
            nodes += [(n.level, n.index, n.hash) for n in frontier.append(leaf)]
        self._db.executemany("INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.executemany("INSERT INTO audit_nodes VALUES (?, ?, ?)", nodes)
        return frontier

    def install(self, frontier: Frontier) -> None:
        self._frontier = frontier

    def _fresh(self) -> int:
        """The log's size, the frontier re-read first if the log grew elsewhere (another
        process writing the same file)."""
        size = self.size()
        if self._frontier.size != size:
            self._frontier = Frontier.from_nodes(size, self.node)
        return size

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """(size, root) now, or the root at an earlier size."""
        current = self._fresh()
        if size is None or size == current:
            return current, self._frontier.root()
        if not 0 <= size <= current:
            raise NotFound(f"the audit log holds {current} entries, not {size}")
        return size, Frontier.from_nodes(size, self.node).root()

    def records(self, after: int, limit: int, partner: str | None = None) -> list[AuditRecord]:
        rows = self._db.execute(
            "SELECT seq, type, partner, item_id, body, leaf FROM audit_entries "
            "WHERE seq >= ? AND (CAST(? AS TEXT) IS NULL OR partner = ?) ORDER BY seq LIMIT ?",
            (after, partner, partner, limit),
        ).fetchall()
        return [_record(row) for row in rows]

    def record(self, index: int) -> AuditRecord:
        row = self._db.execute(
            "SELECT seq, type, partner, item_id, body, leaf FROM audit_entries WHERE seq = ?",
            (index,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no audit entry {index}")
        return _record(row)

    def index_of(self, leaf: bytes, partner: str | None = None) -> int | None:
        """The first entry with this leaf hash: among the partner's own entries and those about
        no partner (policy changes, operators' tokens) if given, else anywhere (a scan)."""
        args: tuple[object, ...]
        if partner is None:
            sql, args = "SELECT MIN(seq) FROM audit_entries WHERE leaf = ?", (leaf,)
        else:
            sql = (
                "SELECT MIN(seq) FROM (SELECT seq FROM audit_entries WHERE partner = ? AND leaf = ? "
                "UNION ALL SELECT seq FROM audit_entries WHERE partner IS NULL AND leaf = ?) AS found"
            )
            args = (partner, leaf, leaf)
        row = self._db.execute(sql, args).fetchone()
        return None if row[0] is None else int(row[0])

    def add_head(self, head: SignedHead) -> None:
        self._db.execute(
            "INSERT INTO audit_heads VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (head.size, head.root, format_time(head.time), head.key_id, head.signature),
        )

    def heads(self, limit: int = 1000, latest: bool = False) -> list[SignedHead]:
        order = "DESC" if latest else "ASC"
        rows = self._db.execute(
            f"SELECT size, root, time, key_id, signature FROM audit_heads ORDER BY size {order} LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            SignedHead(int(s), bytes(r), parse_time(t), k, bytes(sig)) for s, r, t, k, sig in rows
        ]


def _record(row: tuple[int, str, str | None, str | None, object, object]) -> AuditRecord:
    seq, kind, partner, item_id, body, leaf = row
    if not isinstance(body, bytes) or not isinstance(leaf, bytes):
        # Only a hand-edited row is stored otherwise: say so instead of failing on it.
        raise StoreError(f"audit entry {seq} cannot be read: its body or leaf is not bytes")
    return AuditRecord(int(seq), kind, partner, item_id, body, leaf)

"""API tokens in the embedded store: only their hashes; issuing and revoking are logged."""

from __future__ import annotations

from datetime import datetime

from liaison.audit import entries
from liaison.codec import format_time, parse_time
from liaison.storage.base import StoredToken
from liaison.storage.sql_rows import StoreRows


class TokenRows(StoreRows):
    def add_token(self, token: StoredToken) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, NULL)",
                (token.id, token.holder, token.role, token.hash, format_time(token.created)),
            )
            frontier = self._audit.append(
                [entries.token("issued", token.id, token.holder, token.role, token.created)]
            )
        self._audit.install(frontier)

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        with self._transaction():
            done = self._db.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (format_time(at), token_id),
            )
            if done.rowcount != 1:
                return False
            holder, role = self._db.execute(
                "SELECT holder, role FROM tokens WHERE id = ?", (token_id,)
            ).fetchone()
            frontier = self._audit.append([entries.token("revoked", token_id, holder, role, at)])
        self._audit.install(frontier)
        return True

    def token_by_hash(self, digest: str) -> StoredToken | None:
        row = self._db.execute(
            "SELECT id, holder, role, hash, created, revoked FROM tokens WHERE hash = ?", (digest,)
        ).fetchone()
        if row is None:
            return None
        tid, holder, role, hashed, created, revoked = row
        return StoredToken(
            tid, holder, role, hashed, parse_time(created), parse_time(revoked) if revoked else None
        )

    def token_revoked(self, token_id: str) -> bool:
        row = self._db.execute("SELECT revoked FROM tokens WHERE id = ?", (token_id,)).fetchone()
        return row is None or row[0] is not None

    def tokens(self) -> list[StoredToken]:
        rows = self._db.execute(
            "SELECT id, holder, role, hash, created, revoked FROM tokens ORDER BY created"
        ).fetchall()
        return [
            StoredToken(t, h, r, d, parse_time(c), parse_time(v) if v else None)
            for t, h, r, d, c, v in rows
        ]

"""The PostgreSQL store: the same store over a PostgreSQL database (`--db postgresql://...`),
for a hub of several processes on one database.

Writers take one transaction-scoped advisory lock, so that, as in the embedded store, one
process writes at a time: release cursors and audit leaves are then assigned in commit order,
and a partner resuming after cursor N can never miss a release numbered below N that committed
later. The schema is applied by numbered migrations (`migrations/postgres/NNNN_*.sql`), each
recorded in `schema_migrations` in the transaction that applies it.
"""

from __future__ import annotations

import importlib.resources
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from liaison.errors import StoreError, StoreUnavailable
from liaison.storage.database import Database, Rows
from liaison.storage.sql_store import SqlStore

DAY = 86_400
CONNECT_TIMEOUT_S = 5
COMMITS_CHANNEL = "liaison_commits"  # NOTIFY'd by every write; `serve` LISTENs
WRITE_LOCK = 0x4C49414953  # "LIAIS": the advisory lock every write transaction holds
MIGRATIONS = "liaison.storage.migrations.postgres"
log = logging.getLogger("liaison.store")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, to name the database in messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@cache
def _placeholders(sql: str) -> str:
    # The store writes `?`; psycopg reads `%s` (and a literal % as %%).
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDatabase(Database):
    """One connection, made again when it is lost (a server restart, a network cut): the call
    that finds it lost fails with StoreUnavailable (nothing stored), a later call reconnects."""

    errors = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = redacted(url)
        try:
            self._db = self._connect()
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: cannot open the store: {exc}") from exc

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._db.closed or self._db.broken:
            try:
                self._db = self._connect()
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(
                    f"{self.name}: the database cannot be reached: {exc}"
                ) from exc
            log.warning("%s: reconnected to the database", self.name)
        return self._db

    @contextmanager
    def _lost(self) -> Iterator[None]:
        """A lost connection is StoreUnavailable, whatever the statement was."""
        try:
            yield
        except psycopg.OperationalError as exc:
            if self._db.closed or self._db.broken:
                raise StoreUnavailable(
                    f"{self.name}: the connection to the database was lost: {exc}"
                ) from exc
            raise

    def execute(self, sql: str, args: Sequence[object] = ()) -> Rows:
        with self._lost():
            return self._connection().execute(_placeholders(sql), tuple(args))

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            with self._lost(), self._connection().cursor() as cursor:
                cursor.executemany(_placeholders(sql), batch)

    def script(self, sql: str) -> None:
        with self._lost():
            self._connection().execute(sql.encode())  # no parameters: many statements at once

    @contextmanager
    def _begin(self) -> Iterator[None]:
        with self._lost(), self._connection().transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield
            # Other processes' live streams wake on the commit, not on their next poll.
            self._db.execute("SELECT pg_notify(%s, '')", (COMMITS_CHANNEL,))

    def json_text(self, column: str, *path: str) -> str:
        return f"(({column})::jsonb #>> '{{{','.join(path)}}}')"

    def prepare_positions(self, times: Iterable[float]) -> None:
        """A partition per UTC day of the batch's fixes (most batches: one day, one cheap
        catalogue lookup); made under the write lock, so never twice at once."""
        for day in sorted({int(t // DAY) for t in times}):
            name = datetime.fromtimestamp(day * DAY, UTC).strftime("positions_d%Y%m%d")
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF positions "
                f"FOR VALUES FROM ({day * DAY}) TO ({(day + 1) * DAY})".encode()
            )

    def close(self) -> None:
        self._db.close()


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL) of every shipped migration, in order."""
    folder = importlib.resources.files(MIGRATIONS)
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StoreError(f"the shipped migrations are not numbered 1..{len(found)}: {numbers}")
    return found


def migrate(db: PostgresDatabase) -> list[str]:
    """Apply the migrations the database lacks, each in its own transaction; their names."""
    db.script(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    applied = []
    for number, name, sql in migrations():
        with db.transaction():  # the write lock: two processes never migrate at once
            done = db.execute("SELECT 1 FROM schema_migrations WHERE number = ?", (number,))
            if done.fetchone() is not None:
                continue
            db.script(sql)
            db.execute("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", (number, name))
        applied.append(name)
    known = len(migrations())
    newest = db.execute("SELECT COALESCE(MAX(number), 0) FROM schema_migrations").fetchone()[0]
    if int(newest) > known:
        raise StoreError(
            f"{db.name}: the database is at migration {newest}, this hub knows {known}: upgrade the hub"
        )
    return applied


class PostgresStore(SqlStore):
    """The store on PostgreSQL; opening it applies any migration the database lacks."""

    def __init__(self, url: str) -> None:
        self.url = url
        db = PostgresDatabase(url)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        super().__init__(db)

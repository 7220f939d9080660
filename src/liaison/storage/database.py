"""One connection to a SQL database, as the store uses it: SQLite or PostgreSQL behind the same
few calls, so that the store is one code path over both.

The store writes `?` placeholders and SQL both engines read alike (`ON CONFLICT`, `RETURNING`,
`CAST(? AS TEXT) IS NULL`); what differs lives here: how a write transaction shuts other
writers out (SQLite `BEGIN IMMEDIATE`, PostgreSQL an advisory lock: either way one writer at a
time across every process, so cursors and audit leaves are assigned in commit order), how a
JSON field is read, and which exceptions are the database's.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from liaison.errors import StoreError


class Rows(Protocol):
    """What a statement returns: a DB-API cursor."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(ABC):
    """A connection: `name` says which (a path, or a URL without its password)."""

    name: str
    errors: tuple[type[Exception], ...]

    @abstractmethod
    def execute(self, sql: str, args: Sequence[object] = ()) -> Rows: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    @abstractmethod
    def script(self, sql: str) -> None:
        """Several statements without parameters (a schema)."""

    @abstractmethod
    def _begin(self) -> AbstractContextManager[None]: ...

    @abstractmethod
    def json_text(self, column: str, *path: str) -> str:
        """The SQL expression of a JSON text column's field, as text."""

    @abstractmethod
    def close(self) -> None: ...

    def prepare_positions(self, times: Iterable[float]) -> None:
        """Make room for fixes of these times (inside the write transaction): nothing to do
        unless the engine partitions positions."""
        del times

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All of it or none of it, one writer at a time; a database error is a StoreError."""
        try:
            with self._begin():
                yield
        except self.errors as exc:
            raise StoreError(f"{self.name}: write failed, nothing stored: {exc}") from exc


class SqliteDatabase(Database):
    """A SQLite file in WAL mode; `synchronous=FULL`: a commit is on disk, power cut or not."""

    errors = (sqlite3.Error,)

    def __init__(self, path: str) -> None:
        self.name = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=5000"):  # fmt: skip
                self._db.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store: {exc}") from exc

    def execute(self, sql: str, args: Sequence[object] = ()) -> Rows:
        return self._db.execute(sql, args)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._db.executemany(sql, rows)

    def script(self, sql: str) -> None:
        self._db.executescript(sql)

    @contextmanager
    def _begin(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")  # the write lock now, not at the first write
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def json_text(self, column: str, *path: str) -> str:
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    def close(self) -> None:
        self._db.close()

"""Which store a `--db` names: a PostgreSQL URL, or the path of a SQLite file."""

from __future__ import annotations

from pathlib import Path

from liaison.storage.sql_store import SqlStore


def is_database_url(db: str | Path) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def open_store(db: str | Path) -> SqlStore:
    if is_database_url(db):
        from liaison.storage.postgres import PostgresStore  # noqa: PLC0415 - psycopg only when used

        return PostgresStore(str(db))
    from liaison.storage.sqlite import SqliteStore  # noqa: PLC0415

    return SqliteStore(db)

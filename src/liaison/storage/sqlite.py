"""The embedded store: one SQLite file in WAL mode, nothing to start.

`synchronous=FULL`: a batch acknowledged is a batch on disk, even across a power cut. The
schema is created when the file is first opened; a file of another schema version is refused.
"""

from __future__ import annotations

from pathlib import Path

from liaison.errors import StoreError
from liaison.storage.database import SqliteDatabase
from liaison.storage.schema_sqlite import (
    AUDIT_SCHEMA,
    GOVERNANCE_SCHEMA,
    SCHEMA,
    SCHEMA_VERSION,
    UPGRADE_FROM_2,
    append_only_triggers,
)
from liaison.storage.sql_store import SqlStore


class SqliteStore(SqlStore):
    def __init__(self, path: str | Path) -> None:
        db = SqliteDatabase(str(path))
        try:
            _upgrade(db)
            schema = SCHEMA + AUDIT_SCHEMA + GOVERNANCE_SCHEMA + append_only_triggers()
            db.script(f"BEGIN IMMEDIATE;{schema}COMMIT;")  # a script commits on its own
            db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                (str(SCHEMA_VERSION),),
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except SqliteDatabase.errors as exc:
            db.close()
            raise StoreError(f"{path}: cannot open the store: {exc}") from exc
        if row[0] != str(SCHEMA_VERSION):
            db.close()
            raise StoreError(
                f"{path}: store schema version {row[0]}, this hub reads {SCHEMA_VERSION}"
            )
        super().__init__(db)


def _upgrade(db: SqliteDatabase) -> None:
    """Bring a file of an older schema this hub knows how to upgrade to the current one."""
    known = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
    row = (
        db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if known
        else None
    )
    if row is not None and row[0] == "2":
        db.script(UPGRADE_FROM_2)

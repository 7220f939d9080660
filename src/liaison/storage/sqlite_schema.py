"""The embedded store's schema: tables, indexes and the triggers that make history append-only."""

from __future__ import annotations

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS policy_versions (
    version INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    config_name TEXT NOT NULL,
    config_text TEXT NOT NULL,
    spif BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    area TEXT NOT NULL,
    feed TEXT,
    time TEXT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS releases (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    partner TEXT NOT NULL,
    item_id TEXT NOT NULL REFERENCES items(id),
    policy_version INTEGER NOT NULL REFERENCES policy_versions(version),
    obligations TEXT NOT NULL,
    agreements TEXT NOT NULL,
    -- copied from the item so that a partner's collection per area is read from one index
    kind TEXT NOT NULL,
    area TEXT NOT NULL,
    released TEXT NOT NULL,  -- fixed-width UTC with microseconds: compares as text
    UNIQUE (partner, item_id)
);
CREATE INDEX IF NOT EXISTS releases_by_partner ON releases (partner, cursor);
CREATE INDEX IF NOT EXISTS releases_by_area ON releases (partner, area, cursor);
CREATE INDEX IF NOT EXISTS items_by_kind ON items (kind, seq);
CREATE TABLE IF NOT EXISTS positions (
    seq INTEGER PRIMARY KEY,
    source TEXT NOT NULL REFERENCES items(id),
    mmsi INTEGER NOT NULL,
    time REAL NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    sog REAL,
    cog REAL,
    heading INTEGER
);
CREATE INDEX IF NOT EXISTS positions_by_source ON positions (source);
CREATE INDEX IF NOT EXISTS positions_by_vessel ON positions (mmsi, time);
CREATE TABLE IF NOT EXISTS tracks (
    feed TEXT NOT NULL,
    mmsi INTEGER NOT NULL,
    time REAL NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    sog REAL,
    cog REAL,
    heading INTEGER,
    fixes INTEGER NOT NULL,
    name TEXT,
    callsign TEXT,
    ship_type INTEGER,
    PRIMARY KEY (feed, mmsi)
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    feed TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

FIX_COLUMNS = "p.mmsi, p.time, p.lat, p.lon, p.sog, p.cog, p.heading, p.source"

APPEND_ONLY = (
    "policy_versions",
    "items",
    "releases",
    "positions",
    "audit_entries",
    "audit_nodes",
    "audit_heads",
    "proposals",
    "proposal_acts",
)


def append_only_triggers() -> str:
    out = []
    for table in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;"
            )
    return "\n".join(out)

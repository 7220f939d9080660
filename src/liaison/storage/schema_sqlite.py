"""The embedded store's schema: tables, indexes and the triggers that make history append-only.
(PostgreSQL's is in migrations/postgres: the same tables with its types.)"""

from __future__ import annotations

SCHEMA_VERSION = 3

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
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,  -- the hub's order of all releases: never shown
    -- 1, 2, 3... within the partner, in commit order: the only cursor a partner sees, so that
    -- it counts the partner's own releases and nothing released to others
    partner_cursor INTEGER NOT NULL,
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
CREATE UNIQUE INDEX IF NOT EXISTS releases_by_partner_cursor ON releases (partner, partner_cursor);
CREATE INDEX IF NOT EXISTS releases_by_partner_area ON releases (partner, area, partner_cursor);
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
-- Where each consumer of the bus has got to, written with what its messages made.
CREATE TABLE IF NOT EXISTS bus_offsets (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL);
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

# Schema 2 to 3: per-partner cursors. Releases already stored are numbered per partner in their
# order; their `released` audit entries keep the global cursor they were logged with, and
# `global_cursors_until` tells `audit verify` which entries those are.
UPGRADE_FROM_2 = """
BEGIN IMMEDIATE;
DROP TRIGGER IF EXISTS releases_no_update;
ALTER TABLE releases ADD COLUMN partner_cursor INTEGER NOT NULL DEFAULT 0;
UPDATE releases SET partner_cursor = n.n FROM (
    SELECT cursor AS c, ROW_NUMBER() OVER (PARTITION BY partner ORDER BY cursor) AS n FROM releases
) AS n WHERE releases.cursor = n.c;
DROP INDEX IF EXISTS releases_by_partner;
DROP INDEX IF EXISTS releases_by_area;
INSERT INTO meta VALUES ('global_cursors_until', (SELECT COALESCE(MAX(cursor), 0) FROM releases));
UPDATE meta SET value = '3' WHERE key = 'schema_version';
COMMIT;
"""

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_entries (
    seq INTEGER PRIMARY KEY,  -- the leaf index, from 0
    type TEXT NOT NULL,
    partner TEXT,
    item_id TEXT,
    body BLOB NOT NULL,       -- canonical JSON, exactly the bytes the leaf hashes
    leaf BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_partner ON audit_entries (partner, seq);
-- No index on the leaf hash: random inserts into it tripled the cost of an append. A partner
-- finds a hash among its own entries (and the hub-wide ones) through audit_by_partner.
CREATE TABLE IF NOT EXISTS audit_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_heads (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL
);
"""

GOVERNANCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS proposals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    proposer TEXT NOT NULL,
    created TEXT NOT NULL,
    deadline TEXT NOT NULL,
    rationale TEXT NOT NULL,
    change TEXT NOT NULL,
    body TEXT NOT NULL,
    touches TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    apply_to_existing INTEGER NOT NULL,
    supersedes TEXT,
    spif BLOB
);
CREATE TABLE IF NOT EXISTS proposal_acts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal TEXT NOT NULL REFERENCES proposals(id),
    kind TEXT NOT NULL,
    member TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    version INTEGER
);
CREATE INDEX IF NOT EXISTS acts_by_proposal ON proposal_acts (proposal, seq);
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

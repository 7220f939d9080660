"""verify_store: a clean store verifies; every way of rewriting the database behind the hub's
back (the attacker drops the append-only triggers first) is found, at the right entry."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison import tokens
from liaison.audit import entries, heads
from liaison.audit.merkle import Frontier, leaf_hash
from liaison.audit.verify import Report, verify_store
from liaison.codec import item_digest, item_from_json
from liaison.demo import load_demo
from liaison.governance.model import Act, ActKind
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from liaison.storage.schema_sqlite import APPEND_ONLY
from liaison.storage.sqlite import SqliteStore

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
SPACE = 'rationale = "Space too."\n[[amend_agreement]]\nid = "jpn-usa"\nadd_areas = ["space"]\n'
ARCTIC = 'rationale = "The High North."\n[[add_area]]\nname = "arctic"\n'


@dataclass(frozen=True)
class Base:
    path: Path
    key: Ed25519PrivateKey
    size: int
    types: tuple[str, ...]  # of each entry, by index
    head_sizes: tuple[int, ...]

    def of_type(self, kind: str) -> list[int]:
        return [i for i, t in enumerate(self.types) if t == kind]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    path = tmp_path_factory.mktemp("audit") / "hub.db"
    key = Ed25519PrivateKey.generate()
    hub = Hub.open(path)
    load_demo(hub)
    hub.store.add_head(heads.sign(key, *hub.store.audit.root(), NOW))
    lines = [line for _, line in nmea_lines(build_scenario("miyako-transit", 1, load_region()))]
    hub.ingest_ais("jpn-ais", lines, "m.nmea", batch_lines=400)
    stored, _ = tokens.issue(hub.store, "NATO", "partner", NOW)
    hub.store.revoke_token(stored.id, NOW + timedelta(minutes=1))
    deadline = datetime.now(UTC) + timedelta(days=7)
    space = hub.governance.submit("JPN", SPACE, deadline)  # P-1
    hub.governance.concur(space.id, "USA", "agreed")  # every party: it passes
    arctic = hub.governance.submit("FRA", ARCTIC, deadline)  # P-2
    hub.governance.break_silence(arctic.id, "GBR", "not now")
    hub.store.add_head(heads.sign(key, *hub.store.audit.root(), NOW + timedelta(minutes=2)))
    records = hub.store.audit.records(0, 1_000_000)
    sizes = tuple(h.size for h in hub.store.audit.heads())
    hub.close()
    return Base(path, key, len(records), tuple(r.type for r in records), sizes)


def verify(path: Path, key: Ed25519PrivateKey | None) -> Report:
    store = SqliteStore(path)
    try:
        return verify_store(store, key.public_key() if key else None)
    finally:
        store.close()


def test_clean_store_verifies(base: Base) -> None:
    assert len(base.of_type("ingested")) >= 5
    assert {"derived", "decided", "released", "policy", "token"} <= set(base.types)
    assert {"proposal", "governance"} <= set(base.types)
    report = verify(base.path, base.key)
    assert report.ok, report.findings
    assert (report.entries, report.heads, report.heads_checked) == (base.size, 2, 2)
    with closing(SqliteStore(base.path)) as store:
        assert report.root == store.audit.root()[1]
    assert report.notes == ()


def test_without_a_key_signatures_are_noted_not_found(base: Base) -> None:
    report = verify(base.path, None)
    assert report.ok
    assert report.heads_checked == 0
    assert any("not checked" in note for note in report.notes)


def test_with_a_wrong_key_every_head_is_a_finding(base: Base) -> None:
    report = verify(base.path, Ed25519PrivateKey.generate())
    assert not report.ok
    assert report.heads_checked == 2
    assert [f.index for f in report.findings] == [None, None]
    assert all("does not verify" in f.what for f in report.findings)


# --- the attacker ------------------------------------------------------------------------------

Tamper = Callable[[sqlite3.Connection, Base], int | None]  # returns the entry expected first


@pytest.fixture
def attacked(base: Base, tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A fresh copy of the base store, open with the append-only triggers dropped."""
    path = tmp_path / "copy.db"
    with closing(sqlite3.connect(base.path)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    db = sqlite3.connect(path, isolation_level=None)
    for table in APPEND_ONLY:
        for op in ("update", "delete"):
            db.execute(f"DROP TRIGGER {table}_no_{op}")
    yield path, db
    db.close()


def row(db: sqlite3.Connection, seq: int) -> tuple[str, str | None, str | None, bytes, bytes]:
    found = db.execute(
        "SELECT type, partner, item_id, body, leaf FROM audit_entries WHERE seq = ?", (seq,)
    ).fetchone()
    assert found is not None
    return found  # type: ignore[no-any-return]


def put(db: sqlite3.Connection, seq: int, values: tuple[object, ...]) -> None:
    db.execute(
        "UPDATE audit_entries SET type = ?, partner = ?, item_id = ?, body = ?, leaf = ? "
        "WHERE seq = ?",
        (*values, seq),
    )


def rewrite_body(db: sqlite3.Connection, seq: int, *, leaf: bool) -> None:
    """Flip a decision's `allowed`: a valid entry, with its leaf recomputed if `leaf`."""
    kind, partner, item, body, old = row(db, seq)
    assert kind == "decided"
    data = json.loads(body)
    data["allowed"] = not data["allowed"]
    new = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    put(db, seq, (kind, partner, item, new, leaf_hash(new) if leaf else old))


def rebuild_nodes(db: sqlite3.Connection) -> None:
    """What a careful attacker does after rewriting entries: a node table that fits them."""
    db.execute("DELETE FROM audit_nodes")
    frontier, nodes = Frontier(), []
    for (leaf,) in db.execute("SELECT leaf FROM audit_entries ORDER BY seq").fetchall():
        nodes += [(n.level, n.index, n.hash) for n in frontier.append(leaf)]
    db.executemany("INSERT INTO audit_nodes VALUES (?, ?, ?)", nodes)


def insert_entry(db: sqlite3.Connection, seq: int, entry: entries.Entry) -> None:
    """Insert at `seq`, renumbering the entries from there on (seq + 1)."""
    db.execute("UPDATE audit_entries SET seq = -seq - 1 WHERE seq >= ?", (seq,))
    db.execute("UPDATE audit_entries SET seq = -seq WHERE seq < 0")
    body = entry.body()
    db.execute(
        "INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?)",
        (seq, entry.type, entry.partner, entry.item_id, body, leaf_hash(body)),
    )


def forged_release(cursor: int = 999_999) -> entries.Entry:
    return entries.released(
        "jpn-report-1", "KOR", cursor=cursor, payload_sha256="0" * 64, policy_version=1, at=NOW
    )


def middle(base: Base, kind: str, parity: int | None = None) -> int:
    found = [i for i in base.of_type(kind) if parity is None or i % 2 == parity]
    return found[len(found) // 2]


def body_byte(db: sqlite3.Connection, base: Base) -> int:
    seq = middle(base, "decided")
    kind, partner, item, body, leaf = row(db, seq)
    changed = body.replace(b'"allowed":', b'"allowed": ', 1)  # one byte more
    assert changed != body
    put(db, seq, (kind, partner, item, changed, leaf))
    return seq


def body_and_leaf(parity: int) -> Tamper:
    def tamper(db: sqlite3.Connection, base: Base) -> int:
        seq = middle(base, "decided", parity)
        rewrite_body(db, seq, leaf=True)
        return seq & ~1  # the level-1 node over entries seq & ~1 and seq | 1

    return tamper


def body_leaf_and_nodes(db: sqlite3.Connection, base: Base) -> None:
    """Only the signed heads after it can tell, and a head is tied to no one entry."""
    rewrite_body(db, middle(base, "decided"), leaf=True)
    rebuild_nodes(db)


def partner_column(db: sqlite3.Connection, base: Base) -> int:
    seq = middle(base, "released")
    db.execute("UPDATE audit_entries SET partner = 'KOR' WHERE seq = ?", (seq,))
    return seq


def delete_entry(kind: str) -> Tamper:
    def tamper(db: sqlite3.Connection, base: Base) -> int:
        seq = middle(base, kind)
        db.execute("DELETE FROM audit_entries WHERE seq = ?", (seq,))
        return seq

    return tamper


def delete_last(db: sqlite3.Connection, base: Base) -> int:
    db.execute("DELETE FROM audit_entries WHERE seq = ?", (base.size - 1,))
    return base.size - 1


def swap(db: sqlite3.Connection, base: Base) -> int:
    first, second = middle(base, "decided", 1), middle(base, "released")
    assert first // 2 != second // 2
    a, b = row(db, first), row(db, second)
    put(db, first, b)
    put(db, second, a)
    return min(first, second) & ~1


def insert_middle(db: sqlite3.Connection, base: Base) -> int:
    seq = middle(base, "decided")
    insert_entry(db, seq, forged_release())
    return seq & ~1  # the node table no longer fits from there on


def insert_middle_with_nodes(db: sqlite3.Connection, base: Base) -> int:
    seq = middle(base, "decided")
    insert_entry(db, seq, forged_release())
    rebuild_nodes(db)
    return seq  # a release that was never made


def insert_middle_denial_with_nodes(db: sqlite3.Connection, base: Base) -> None:
    """A denial is no act the store keeps: only the signed heads after it can tell."""
    insert_entry(db, middle(base, "decided"), entries.denied("KOR", "x", "forged", NOW))
    rebuild_nodes(db)


def append_with_nodes(entry: entries.Entry) -> Tamper:
    def tamper(db: sqlite3.Connection, base: Base) -> int:
        insert_entry(db, base.size, entry)
        rebuild_nodes(db)
        return base.size

    return tamper


def entry_of(db: sqlite3.Connection, kind: str, item: str) -> int:
    found = db.execute(
        "SELECT seq FROM audit_entries WHERE type = ? AND item_id = ?", (kind, item)
    ).fetchone()
    assert found is not None
    return int(found[0])


def released_entry(db: sqlite3.Connection, cursor: int) -> int:
    """The `released` entry of the release `cursor` (the store's global order), which logs
    the partner's own cursor."""
    partner, own = db.execute(
        "SELECT partner, partner_cursor FROM releases WHERE cursor = ?", (cursor,)
    ).fetchone()
    rows = db.execute("SELECT seq, body FROM audit_entries WHERE type = 'released'").fetchall()
    found = [
        int(seq)
        for seq, body in rows
        if (json.loads(body)["partner"], json.loads(body)["cursor"]) == (partner, own)
    ]
    assert len(found) == 1
    return found[0]


def item_body(db: sqlite3.Connection, base: Base) -> int:
    db.execute(
        "UPDATE items SET body = replace(body, 'Miyako', 'Tsushima') WHERE id = 'jpn-report-1'"
    )
    return entry_of(db, "ingested", "jpn-report-1")


def position_changed(db: sqlite3.Connection, base: Base) -> int:
    seq, source = db.execute("SELECT seq, source FROM positions LIMIT 1 OFFSET 50").fetchone()
    db.execute("UPDATE positions SET lat = lat + 0.01 WHERE seq = ?", (seq,))
    return entry_of(db, "ingested", source)


def release_deleted(db: sqlite3.Connection, base: Base) -> int:
    cursor, partner, item = db.execute(
        "SELECT cursor, partner, item_id FROM releases ORDER BY cursor LIMIT 1 OFFSET 5"
    ).fetchone()
    seq = released_entry(db, cursor)
    db.execute("DELETE FROM releases WHERE cursor = ?", (cursor,))
    assert row(db, seq)[1:3] == (partner, item)
    return seq


def release_obligations(db: sqlite3.Connection, base: Base) -> int:
    """The release now says the title was stripped: the payload hash logged no longer fits."""
    cursor = db.execute(
        "SELECT cursor FROM releases WHERE item_id = 'jpn-report-1' LIMIT 1"
    ).fetchone()[0]
    db.execute(
        "UPDATE releases SET obligations = ? WHERE cursor = ?",
        ('{"position_precision_deg":null,"strip":["title"]}', cursor),
    )
    return released_entry(db, cursor)


def release_inserted(db: sqlite3.Connection, base: Base) -> None:
    """A release without an entry: tied to no entry."""
    db.execute(
        "INSERT INTO releases (partner, item_id, policy_version, obligations, agreements, kind, "
        "area, released, partner_cursor) SELECT 'KOR', id, 1, "
        "'{\"position_precision_deg\":null,\"strip\":[]}', '[]', kind, area, "
        "'2026-11-30T00:00:00.000000Z', 999 FROM items WHERE id = 'usa-space-1'"
    )


def token_unrevoked(db: sqlite3.Connection, base: Base) -> int:
    db.execute("UPDATE tokens SET revoked = NULL")
    return base.of_type("token")[-1]


def policy_changed(db: sqlite3.Connection, base: Base) -> int:
    db.execute("UPDATE policy_versions SET config_text = config_text || '\n# edited'")
    return base.of_type("policy")[0]


def governance_entry(db: sqlite3.Connection, proposal: str, act: str) -> int:
    rows = db.execute("SELECT seq, body FROM audit_entries WHERE type = 'governance'").fetchall()
    found = [
        int(seq)
        for seq, body in rows
        if (json.loads(body)["proposal"], json.loads(body)["act"]) == (proposal, act)
    ]
    assert len(found) == 1
    return found[0]


def proposal_entry(db: sqlite3.Connection, proposal: str) -> int:
    rows = db.execute("SELECT seq, body FROM audit_entries WHERE type = 'proposal'").fetchall()
    found = [int(seq) for seq, body in rows if json.loads(body)["proposal"] == proposal]
    assert len(found) == 1
    return found[0]


def act_deleted(db: sqlite3.Connection, base: Base) -> int:
    done = db.execute("DELETE FROM proposal_acts WHERE proposal = 'P-1' AND kind = 'concur'")
    assert done.rowcount == 1
    return governance_entry(db, "P-1", "concur")


def act_member(db: sqlite3.Connection, base: Base) -> int:
    """The break now comes from another member: its entry no longer fits, nor does the row."""
    db.execute("UPDATE proposal_acts SET member = 'DEU' WHERE kind = 'break'")
    return governance_entry(db, "P-2", "break")


def act_inserted(db: sqlite3.Connection, base: Base) -> None:
    """A concurrence nobody logged: tied to no entry."""
    db.execute(
        "INSERT INTO proposal_acts (proposal, kind, member, at, reason) "
        "VALUES ('P-2', 'concur', 'DEU', '2026-11-30T03:00:00Z', '')"
    )


def change_text(db: sqlite3.Connection, base: Base) -> int:
    done = db.execute(
        "UPDATE proposals SET change = replace(change, 'space', 'resilience') WHERE id = 'P-1'"
    )
    assert done.rowcount == 1
    return proposal_entry(db, "P-1")


def backlog_flag(db: sqlite3.Connection, base: Base) -> int:
    """`apply_to_existing` is read from the change set, which says otherwise."""
    db.execute("UPDATE proposals SET apply_to_existing = 1 WHERE id = 'P-1'")
    return proposal_entry(db, "P-1")


def proposal_deleted(db: sqlite3.Connection, base: Base) -> int:
    db.execute("DELETE FROM proposals WHERE id = 'P-2'")
    return proposal_entry(db, "P-2")


def node_changed(level: int, index: int) -> Tamper:
    def tamper(db: sqlite3.Connection, base: Base) -> int:
        done = db.execute(
            "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = ? AND idx = ?", (level, index)
        )
        assert done.rowcount == 1
        return index << level  # the first entry under the node

    return tamper


def node_deleted(db: sqlite3.Connection, base: Base) -> int:
    db.execute("DELETE FROM audit_nodes WHERE level = 1 AND idx = 7")
    return 14


def body_as_text(db: sqlite3.Connection, base: Base) -> int:
    """The same bytes, stored as text: the store cannot read the row back as an entry."""
    seq = middle(base, "decided")
    db.execute("UPDATE audit_entries SET body = CAST(body AS TEXT) WHERE seq = ?", (seq,))
    return seq


def item_garbled(db: sqlite3.Connection, base: Base) -> None:
    """No entry concerned: the items cannot be read back."""
    db.execute("UPDATE items SET body = '{' WHERE id = 'jpn-report-2'")


def head_root(db: sqlite3.Connection, base: Base) -> None:
    db.execute("UPDATE audit_heads SET root = zeroblob(32) WHERE size = ?", (base.head_sizes[0],))


TAMPERS: dict[str, Tamper] = {
    "one byte of a body": body_byte,
    "body and leaf, even entry": body_and_leaf(0),
    "body and leaf, odd entry": body_and_leaf(1),
    "body, leaf and every node": body_leaf_and_nodes,
    "a partner column": partner_column,
    "a decision deleted": delete_entry("decided"),
    "a release's entry deleted": delete_entry("released"),
    "the last entry deleted": delete_last,
    "two entries swapped": swap,
    "a release forged in the middle": insert_middle,
    "a release forged in the middle, nodes rebuilt": insert_middle_with_nodes,
    "a denial forged in the middle, nodes rebuilt": insert_middle_denial_with_nodes,
    "an ingest forged at the end, nodes rebuilt": append_with_nodes(
        entries.Entry("ingested", NOW, {"item": "forged", "sha256": "0" * 64}, item_id="forged")
    ),
    "a release forged at the end, nodes rebuilt": append_with_nodes(forged_release()),
    "an item's body": item_body,
    "a stored position": position_changed,
    "a release deleted": release_deleted,
    "a release's obligations": release_obligations,
    "a release inserted": release_inserted,
    "a revocation undone": token_unrevoked,
    "the policy text": policy_changed,
    "an act on a proposal deleted": act_deleted,
    "an act's member": act_member,
    "an act on a proposal inserted": act_inserted,
    "a proposal's change text": change_text,
    "a proposal's apply_to_existing": backlog_flag,
    "a proposal deleted": proposal_deleted,
    "a concurrence forged at the end, nodes rebuilt": append_with_nodes(
        entries.governance(Act("P-2", ActKind.CONCUR, "DEU", NOW))
    ),
    "a level-1 node": node_changed(1, 5),
    "a level-3 node": node_changed(3, 2),
    "a node deleted": node_deleted,
    "a body stored as text": body_as_text,
    "an item garbled": item_garbled,
    "a signed head's root": head_root,
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_tampering_is_found_at_the_first_entry_concerned(
    base: Base, attacked: tuple[Path, sqlite3.Connection], tamper: Tamper
) -> None:
    path, db = attacked
    expected = tamper(db, base)
    db.close()
    report = verify(path, base.key)
    assert not report.ok
    first = report.findings[0]
    assert first.index == expected, report.findings
    if expected is not None:
        assert str(expected) in first.what
    indices = [f.index for f in report.findings if f.index is not None]
    assert indices == sorted(indices)
    # Without the key the tree and the acts still tell (a head's root is checked regardless).
    assert not verify(path, None).ok


def test_a_rewrite_that_fits_everything_is_found_only_by_the_signatures(
    base: Base, attacked: tuple[Path, sqlite3.Connection]
) -> None:
    """The attacker changes an item, its entries to fit (the item's hash, its releases' payload
    hashes), the node table to fit, and signs new heads: only the hub's key tells."""
    path, db = attacked
    db.execute(
        "UPDATE items SET body = replace(body, 'Miyako', 'Tsushima') WHERE id = 'jpn-report-1'"
    )
    (body,) = db.execute("SELECT body FROM items WHERE id = 'jpn-report-1'").fetchone()
    changed = item_from_json(json.loads(body))
    logged = db.execute("SELECT seq FROM audit_entries WHERE item_id = 'jpn-report-1'").fetchall()
    for (seq,) in logged:  # its ingested entry, and the payloads its releases logged
        kind, partner, item, body, _ = row(db, seq)
        data = json.loads(body)
        if kind == "ingested":
            data["sha256"] = item_digest(changed)
        if kind == "released":
            data["payload_sha256"] = entries.payload_sha256(changed.payload)
        new = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        put(db, seq, (kind, partner, item, new, leaf_hash(new)))
    rebuild_nodes(db)
    db.execute("DELETE FROM audit_heads")
    db.close()
    with closing(SqliteStore(path)) as store:
        store.add_head(heads.sign(Ed25519PrivateKey.generate(), *store.audit.root(), NOW))
    assert verify(path, None).ok  # without the key, nothing tells
    report = verify(path, base.key)
    assert [(f.index, "does not verify" in f.what) for f in report.findings] == [(None, True)]


def test_findings_are_capped_and_sorted(
    base: Base, attacked: tuple[Path, sqlite3.Connection]
) -> None:
    path, db = attacked
    db.execute("UPDATE audit_entries SET body = CAST(body || ' ' AS BLOB)")
    db.close()
    store = SqliteStore(path)
    try:
        report = verify_store(store, None, limit_findings=10)
    finally:
        store.close()
    assert [f.index for f in report.findings] == list(range(10))
    assert report.omitted > 0
    assert not report.ok


@pytest.fixture(scope="module")
def long_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25,000 entries: the log is read in pages of 10,000."""
    path = tmp_path_factory.mktemp("long") / "hub.db"
    with closing(SqliteStore(path)) as store:
        for first in range(0, 25_000, 5000):
            store.log(
                [
                    entries.denied("KOR", f"item-{n}", "not released", NOW)
                    for n in range(first, first + 5000)
                ]
            )
    return path


@pytest.mark.parametrize("seq", [9_999, 10_000, 17_001, 24_999])
def test_long_logs_are_checked_across_pages(long_log: Path, tmp_path: Path, seq: int) -> None:
    assert verify(long_log, None).ok
    for sql, expected in [
        ("UPDATE audit_entries SET body = CAST(body || ' ' AS BLOB) WHERE seq = ?", seq),
        ("DELETE FROM audit_entries WHERE seq = ?", seq),
    ]:
        path = tmp_path / "copy.db"
        path.unlink(missing_ok=True)
        with closing(sqlite3.connect(long_log)) as src, closing(sqlite3.connect(path)) as dst:
            src.backup(dst)
            dst.execute("DROP TRIGGER audit_entries_no_update")
            dst.execute("DROP TRIGGER audit_entries_no_delete")
            dst.execute(sql, (seq,))
            dst.commit()
        report = verify(path, None)
        assert [f.index for f in report.findings][:1] == [expected], report.findings

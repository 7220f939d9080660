"""The store, on both backends (SQLite and PostgreSQL): policy versions, batches, feeds by
cursor, atomicity, append-only; then what is particular to each (WAL, migrations, partitions)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from liaison.config import ConfigSource
from liaison.errors import NotFound, StoreError
from liaison.model.agreements import Obligations
from liaison.model.items import Item
from liaison.model.labels import Label
from liaison.storage.base import Batch, Rejection, Release
from liaison.storage.open import is_database_url, open_store
from liaison.storage.postgres import PostgresStore, migrations
from liaison.storage.sql_store import SqlStore
from liaison.storage.sqlite import SqliteStore
from tests.servers import PostgresServer

T0 = datetime(2026, 11, 28, 2, 10, 0, 123456, tzinfo=UTC)
SPIF = b"<?xml version='1.0'?>\x00\x01\xff binary \xe2\x82\xac"  # bytes, not text: kept exactly
TEXT = '# hub.toml — Tōkyō\n[policy]\nspif = "x.xml"\n'


def make_item(
    item_id: str,
    minutes: int = 0,
    originators: frozenset[str] = frozenset({"JPN"}),
    title: str | None = None,
) -> Item:
    return Item(
        id=item_id,
        kind="report",
        originators=originators,
        area="maritime-security",
        label=Label.of(
            "NATO",
            "RESTRICTED",
            {"Releasable To": ["JPN", "NATO", "USA"], "Administrative": ["STAFF"]},
        ),
        time=T0 + timedelta(minutes=minutes),
        payload={"title": title or f"title of {item_id}", "body": "Miyako Strait", "n": [1, 2]},
        sources=("src-a", "src-b"),
        feed="jpn-reports",
    )


def release(partner: str, item_id: str, version: int = 1) -> Release:
    return Release(partner, item_id, version, Obligations(), ("itpp-jpn",), T0)


def rejection(feed: str, line: int) -> Rejection:
    return Rejection(feed, "reports.jsonl", line, f"reason {line}", f'{{"raw": {line}}}', T0)


def assert_same_item(actual: Item | None, expected: Item) -> None:
    assert actual is not None
    for field in dataclasses.fields(Item):
        assert getattr(actual, field.name) == getattr(expected, field.name), field.name


@pytest.fixture
def path(store_location: str) -> str:
    return store_location


@pytest.fixture
def store(path: str) -> Iterator[SqlStore]:
    s = open_store(path)
    yield s
    s.close()


@pytest.fixture
def versioned(store: SqlStore) -> SqlStore:
    """A store holding policy version 1 (releases refer to it)."""
    assert store.add_policy_version(ConfigSource(TEXT, SPIF, "hub.toml"), T0) == 1
    return store


@contextmanager
def raw(location: str) -> Iterator[sqlite3.Connection | psycopg.Connection[tuple[object, ...]]]:
    """A second connection to the same database, bypassing the store."""
    if is_database_url(location):
        with psycopg.connect(location, autocommit=True) as db:
            yield db
    else:
        with closing(sqlite3.connect(location, isolation_level=None)) as db:
            yield db


DATABASE_ERRORS = (sqlite3.DatabaseError, psycopg.Error)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


# --- policy versions ----------------------------------------------------------------------------


def test_empty_store_has_no_policy(store: SqlStore) -> None:
    assert store.latest_policy() is None
    assert store.items() == []
    assert store.feed("USA", 0, 100) == []
    assert store.rejections() == []


def test_policy_versions_round_trip(store: SqlStore) -> None:
    first = ConfigSource(TEXT, SPIF, "hub.toml")
    second = ConfigSource(TEXT + "# changed\n", SPIF + b"\x00", "hub-v2.toml")
    assert store.add_policy_version(first, T0) == 1
    assert store.add_policy_version(second, T0 + timedelta(days=1)) == 2

    latest = store.latest_policy()
    assert latest is not None
    assert latest.version == 2
    assert latest.source == second
    assert latest.created == T0 + timedelta(days=1)

    one = store.policy_version(1)
    assert one.version == 1
    assert one.source.text == TEXT
    assert one.source.spif == SPIF
    assert isinstance(one.source.spif, bytes)
    assert one.source.name == "hub.toml"
    assert one.created == T0
    assert one.created.tzinfo is not None


def test_missing_policy_version_is_not_found(versioned: SqlStore) -> None:
    with pytest.raises(NotFound, match="no policy version 7"):
        versioned.policy_version(7)
    with pytest.raises(NotFound):
        versioned.policy_version(0)


# --- batches ------------------------------------------------------------------------------------


def test_commit_and_read_back(versioned: SqlStore) -> None:
    items = [make_item("a", 1), make_item("b", 2, frozenset({"JPN", "USA"})), make_item("c", 3)]
    versioned.commit(
        Batch(
            items,
            [
                release("USA", "a"),
                release("JPN", "a"),
                release("USA", "b"),
                release("JPN", "c"),
                release("USA", "c"),
            ],
            [rejection("jpn-reports", 2), rejection("usa-reports", 5)],
        )
    )

    for item in items:
        assert_same_item(versioned.item(item.id), item)
    assert versioned.item("zzz") is None
    assert versioned.item_digest("zzz") is None
    digest = versioned.item_digest("a")
    assert digest is not None
    assert len(digest) == 64
    assert digest != versioned.item_digest("c")

    stored = versioned.items()
    assert [seq for seq, _ in stored] == [1, 2, 3]
    assert [i.id for _, i in stored] == ["a", "b", "c"]
    assert [i.id for _, i in versioned.items(after=1)] == ["b", "c"]
    assert [i.id for _, i in versioned.items(after=0, limit=1)] == ["a"]

    usa = versioned.feed("USA", 0, 100)
    assert [(r.item_id, r.partner) for r, _ in usa] == [("a", "USA"), ("b", "USA"), ("c", "USA")]
    cursors = [r.cursor for r, _ in usa]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == 3
    assert cursors[0] > 0
    first_release, first_item = usa[0]
    assert first_release.policy_version == 1
    assert first_release.obligations == Obligations()
    assert first_release.agreements == ("itpp-jpn",)
    assert_same_item(first_item, items[0])
    assert [r.item_id for r, _ in versioned.feed("JPN", 0, 100)] == ["a", "c"]
    assert versioned.feed("FRA", 0, 100) == []

    assert [(r.feed, r.line) for r in versioned.rejections()] == [
        ("jpn-reports", 2),
        ("usa-reports", 5),
    ]
    (only,) = versioned.rejections("usa-reports")
    assert only == rejection("usa-reports", 5)
    assert versioned.rejections("kor-reports") == []


def test_release_obligations_round_trip(versioned: SqlStore) -> None:
    obligations = Obligations(frozenset({"body", "sources"}), 0.5)
    versioned.commit(
        Batch(
            [make_item("a")],
            [Release("NATO", "a", 1, obligations, ("itpp-jpn", "alliance"), T0)],
        )
    )
    ((got, _),) = versioned.feed("NATO", 0, 10)
    assert got.obligations == obligations
    assert got.agreements == ("itpp-jpn", "alliance")


def test_after_resumes_with_every_later_release_exactly_once(versioned: SqlStore) -> None:
    versioned.commit(
        Batch(
            [make_item(f"i{n}", n) for n in range(5)],
            [release("USA", f"i{n}") for n in range(5)] + [release("JPN", "i2")],
        )
    )
    everything = [(r.cursor, r.item_id) for r, _ in versioned.feed("USA", 0, 100)]
    assert [i for _, i in everything] == ["i0", "i1", "i2", "i3", "i4"]

    middle = everything[1][0]
    assert [r.item_id for r, _ in versioned.feed("USA", middle, 100)] == ["i2", "i3", "i4"]

    # A second batch arrives after a reader's last cursor: it gets exactly the new releases.
    last = everything[-1][0]
    versioned.commit(
        Batch(
            [make_item("j0", 10), make_item("j1", 11)], [release("USA", "j1"), release("USA", "j0")]
        )
    )
    assert [r.item_id for r, _ in versioned.feed("USA", last, 100)] == ["j1", "j0"]

    # Paging one at a time from 0 sees every release once, in cursor order.
    seen: list[str] = []
    after = 0
    while page := versioned.feed("USA", after, 1):
        ((r, _),) = page
        assert r.cursor > after
        seen.append(r.item_id)
        after = r.cursor
    assert seen == ["i0", "i1", "i2", "i3", "i4", "j1", "j0"]


def test_a_release_needs_its_item_and_policy_version(versioned: SqlStore) -> None:
    with pytest.raises(StoreError):
        versioned.commit(Batch([], [release("USA", "ghost")]))
    versioned.commit(Batch([make_item("a")]))
    with pytest.raises(StoreError):
        versioned.commit(Batch([], [release("USA", "a", version=9)]))
    assert versioned.feed("USA", 0, 10) == []


# --- atomicity ----------------------------------------------------------------------------------


def test_a_failing_batch_stores_nothing(versioned: SqlStore, path: str) -> None:
    versioned.commit(Batch([make_item("a")], [release("USA", "a")], [rejection("jpn-reports", 1)]))
    before_items = versioned.items()
    before_feed = versioned.feed("USA", 0, 100)

    doomed = Batch(
        [make_item("fresh", 5), make_item("a", 6, title="same id, different content")],
        [release("USA", "fresh"), release("JPN", "fresh")],
        [rejection("jpn-reports", 9)],
    )
    with pytest.raises(StoreError, match="nothing stored"):
        versioned.commit(doomed)

    assert versioned.item("fresh") is None
    assert versioned.item_digest("fresh") is None
    assert [i.id for _, i in versioned.items()] == [i.id for _, i in before_items]
    assert [r.item_id for r, _ in versioned.feed("USA", 0, 100)] == [
        r.item_id for r, _ in before_feed
    ]
    assert versioned.feed("JPN", 0, 100) == []
    assert [r.line for r in versioned.rejections()] == [1]
    assert_same_item(versioned.item("a"), make_item("a"))  # the stored item is untouched

    # The store is still usable: the transaction was rolled back, not left open.
    versioned.commit(Batch([make_item("fresh", 5)], [release("USA", "fresh")]))
    assert [r.item_id for r, _ in versioned.feed("USA", 0, 100)] == ["a", "fresh"]
    with raw(path) as db:
        row = db.execute("SELECT COUNT(*) FROM items").fetchone()
    assert row == (2,)


def test_a_duplicate_release_fails_the_whole_batch(versioned: SqlStore) -> None:
    with pytest.raises(StoreError):
        versioned.commit(Batch([make_item("a")], [release("USA", "a"), release("USA", "a")]))
    assert versioned.item("a") is None
    assert versioned.items() == []


# --- append-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE items SET kind = 'track'",
        "DELETE FROM items",
        "UPDATE releases SET partner = 'FRA'",
        "DELETE FROM releases",
        "UPDATE policy_versions SET config_text = ''",
        "DELETE FROM policy_versions",
    ],
)
def test_append_only_at_the_database_level(versioned: SqlStore, path: str, statement: str) -> None:
    versioned.commit(Batch([make_item("a")], [release("USA", "a")]))
    with raw(path) as db, pytest.raises(DATABASE_ERRORS, match="append-only"):
        db.execute(statement)
    assert_same_item(versioned.item("a"), make_item("a"))
    assert [(r.partner, r.item_id) for r, _ in versioned.feed("USA", 0, 10)] == [("USA", "a")]
    latest = versioned.latest_policy()
    assert latest is not None
    assert latest.source.text == TEXT


def test_update_through_another_connection_is_an_integrity_error(
    versioned: SqlStore, path: str
) -> None:
    versioned.commit(Batch([make_item("a")]))
    with raw(path) as db, pytest.raises(INTEGRITY_ERRORS, match="items are append-only"):
        db.execute("UPDATE items SET body = '{}' WHERE id = 'a'")


# --- durability ---------------------------------------------------------------------------------


def test_data_survives_close_and_reopen(path: str) -> None:
    first = open_store(path)
    first.add_policy_version(ConfigSource(TEXT, SPIF, "hub.toml"), T0)
    first.commit(
        Batch(
            [make_item("a"), make_item("b", 1)],
            [release("USA", "a"), release("USA", "b")],
            [rejection("jpn-reports", 3)],
        )
    )
    cursors = [r.cursor for r, _ in first.feed("USA", 0, 10)]
    first.close()

    again = open_store(path)
    try:
        latest = again.latest_policy()
        assert latest is not None
        assert (latest.version, latest.source.text, latest.source.spif) == (1, TEXT, SPIF)
        assert_same_item(again.item("a"), make_item("a"))
        assert_same_item(again.item("b"), make_item("b", 1))
        assert [r.cursor for r, _ in again.feed("USA", 0, 10)] == cursors
        assert again.rejections() == [rejection("jpn-reports", 3)]
        # Numbering continues after a reopen.
        assert again.add_policy_version(ConfigSource(TEXT, SPIF, "v2"), T0) == 2
        again.commit(Batch([make_item("c", 2)], [release("USA", "c")]))
        later = [r.cursor for r, _ in again.feed("USA", cursors[-1], 10)]
        assert len(later) == 1
        assert later[0] > cursors[-1]
    finally:
        again.close()


def test_journal_mode_is_wal(tmp_path: Path) -> None:
    path = str(tmp_path / "hub.db")
    SqliteStore(path).close()
    with raw(path) as db:
        row = db.execute("PRAGMA journal_mode").fetchone()
    assert row == ("wal",)


def test_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the store"):
        SqliteStore(tmp_path / "no-such-folder" / "hub.db")


def test_a_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(path)


# --- PostgreSQL: migrations and partitions ----------------------------------------------------


def test_opening_applies_the_migrations_once(postgres_server: PostgresServer) -> None:
    url = postgres_server.database()
    PostgresStore(url).close()
    PostgresStore(url).close()  # a second opening applies nothing again
    with psycopg.connect(url) as db:
        applied = db.execute(
            "SELECT number, name FROM schema_migrations ORDER BY number"
        ).fetchall()
    assert applied == [(n, name) for n, name, _ in migrations()]


def test_a_database_from_a_newer_hub_is_refused(postgres_server: PostgresServer) -> None:
    url = postgres_server.database()
    PostgresStore(url).close()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("INSERT INTO schema_migrations (number, name) VALUES (999, '0999_future.sql')")
    with pytest.raises(StoreError, match="at migration 999"):
        PostgresStore(url)


def test_positions_go_to_a_partition_per_day(postgres_server: PostgresServer) -> None:
    from liaison.maritime.tracks import Fix  # noqa: PLC0415

    url = postgres_server.database()
    store = PostgresStore(url)
    try:
        store.add_policy_version(ConfigSource(TEXT, SPIF, "hub.toml"), T0)
        day = 86_400
        fixes = [
            Fix(431000001, t, 25.0, 125.0, 10.0, 90.0, 90, "a")
            for t in (day * 20_000 + 5, day * 20_001 + 5)
        ]
        store.commit(Batch([make_item("a")], positions=fixes))
        assert store.positions("a") == fixes
    finally:
        store.close()
    with psycopg.connect(url) as db:
        parts = db.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'positions' ORDER BY 1"
        ).fetchall()
    days = [datetime.fromtimestamp(f.time, UTC).strftime("positions_d%Y%m%d") for f in fixes]
    assert [p for (p,) in parts] == days
    assert days[0] != days[1]


def test_a_wrong_url_is_a_store_error_without_the_password(postgres_server: PostgresServer) -> None:
    url = f"postgresql://postgres:s3cret@127.0.0.1:{postgres_server.port}/no_such_database"
    with pytest.raises(StoreError, match="cannot open the store") as caught:
        PostgresStore(url)
    assert "s3cret" not in str(caught.value)

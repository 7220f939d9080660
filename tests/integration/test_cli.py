"""The `liaison` command line, end to end through typer's CliRunner.

typer 0.29 ships its own Click (`typer._click`); its `Result` keeps `stdout` and `stderr` apart
(`output` mixes both), so the tests check that errors go to standard error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner, Result

from liaison.cli import app
from liaison.demo import load_demo
from liaison.hub import Hub

runner = CliRunner()

DEMO_PARTNERS = ("NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL")
DEMO_ITEMS = (
    "jpn-report-1",
    "jpn-position-1",
    "jpn-report-2",
    "kor-cyber-1",
    "usa-space-1",
    "usa-cyber-1",
    "nato-atomal-1",
    "nato-maritime-1",
    "aus-report-1",
)
DECISION_KEYS = {
    "item",
    "partner",
    "allowed",
    "reasons",
    "obligations",
    "agreements",
    "policy_version",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Without colour codes and with rich's line wrapping undone: one space between words."""
    return " ".join(_ANSI.sub("", text).split())


def ok_json(*args: str | Path) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hub.db"


@pytest.fixture
def initialised(db: Path) -> Path:
    result = run("init", "--db", db)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    hub = Hub.open(path)
    try:
        load_demo(hub)
    finally:
        hub.close()
    return path


# --- init ---------------------------------------------------------------------------------------


def test_init_records_policy_version_1(db: Path) -> None:
    result = run("init", "--db", db)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "policy version 1" in out
    assert "<builtin demo-hub.toml>" in out
    assert "10 partners, 6 agreements, 12 feeds, policy NATO" in out
    assert result.stderr == ""
    assert ok_json("items", "--db", db, "--json") == []


def test_second_init_fails_with_exit_2(initialised: Path) -> None:
    result = run("init", "--db", initialised)
    assert result.exit_code == 2
    assert "already initialised (policy version 1)" in flat(result.stderr)
    assert result.stdout == ""


def test_init_with_an_invalid_config_lists_every_problem(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        """
[[partners]]
id = "JPN"
name = "Japan"
kind = "nation"
clearance = { classification = "ULTRA" }

[[feeds]]
id = "jpn-reports"
originator = "MARS"
area = "maritime-security"
label = "NATO RESTRICTED"
""",
        "utf-8",
    )
    result = run("init", "--db", db, "--config", bad)
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert f"{bad}: invalid configuration (2 problems)" in err
    assert "partner JPN: clearance: classification 'ULTRA' is not defined" in err
    assert "feed jpn-reports: originator 'MARS' is not a partner" in err
    assert result.stdout == ""
    # Nothing was recorded: the store still has no policy, and a good init now gets version 1.
    uninitialised = run("items", "--db", db)
    assert uninitialised.exit_code == 2
    assert "holds no policy yet" in flat(uninitialised.stderr)
    assert "policy version 1" in flat(run("init", "--db", db).stdout)


def test_init_with_a_missing_config_file(tmp_path: Path, db: Path) -> None:
    result = run("init", "--db", db, "--config", tmp_path / "absent.toml")
    assert result.exit_code == 2
    assert str(tmp_path / "absent.toml") in flat(result.stderr)
    assert "cannot read" in flat(result.stderr)


# --- ingest -------------------------------------------------------------------------------------

GOOD_1 = '{"id": "good-1", "title": "Destroyers in the Miyako Strait", "body": "two"}'
GOOD_AUTO = '{"title": "A report with neither id nor time"}'
GOOD_2 = (
    '{"id": "good-2", "kind": "indicator", "area": "cyber-defence", '
    '"label": "NATO CONFIDENTIAL // REL TO JPN, NATO", "time": "2026-11-28T02:10:00+09:00", '
    '"title": "C2 domain", "body": "beaconing"}'
)
BAD = {
    2: ("{not json", "not valid JSON"),
    3: ('{"id": "bad-3", "title": "t", "colour": "red"}', "unknown field(s): colour"),
    4: (
        '{"id": "bad-4", "title": "t", "label": "NATO RESTRICTED // REL TO XYZ"}',
        "label: value 'XYZ' is not defined in tag set 'Releasable To'",
    ),
    5: (
        '{"id": "bad-5", "title": "t", "area": "basket-weaving"}',
        "area 'basket-weaving' is not a known area of cooperation",
    ),
    6: ('{"id": "bad-6", "body": "no title"}', "title is required"),
    8: (
        '{"id": "bad-8", "title": "t", "originators": ["USA"]}',
        "originators must include JPN, the originator of feed jpn-reports",
    ),
    9: ('{"id": "bad-9", "title": "t", "sources": ["nope"]}', "source 'nope' is not stored"),
}
MIXED = [GOOD_1, *(BAD[n][0] for n in (2, 3, 4, 5, 6)), "", BAD[8][0], BAD[9][0], GOOD_AUTO, GOOD_2]


@pytest.fixture
def mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mixed file, named relatively (the CLI reports `reports.jsonl:LINE`)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports.jsonl").write_text("\n".join(MIXED) + "\n", "utf-8")
    return Path("reports.jsonl")


def stored_ids(db: Path) -> list[str]:
    return [i["id"] for i in ok_json("items", "--db", db, "--json")]


def test_ingest_stores_good_lines_and_reports_bad_ones(initialised: Path, mixed: Path) -> None:
    result = run("ingest", "--db", initialised, "--feed", "jpn-reports", mixed)

    assert result.exit_code == 1
    assert "reports.jsonl: 3 stored, 0 already stored, 7 rejected" in flat(result.stdout)
    err = flat(result.stderr)
    for number, (_, reason) in BAD.items():
        assert f"reports.jsonl:{number}: rejected: {reason}" in err
    assert "reports.jsonl:1:" not in err
    assert "reports.jsonl:7:" not in err  # the blank line is skipped, not rejected

    items = ok_json("items", "--db", initialised, "--json")
    assert [i["id"] for i in items[:1]] == ["good-1"]
    assert items[1]["id"].startswith("report--")  # the hub names reports that carry no id
    assert items[2]["id"] == "good-2"
    assert [i["seq"] for i in items] == [1, 2, 3]
    first, auto, second = items
    assert first["payload"] == {"title": "Destroyers in the Miyako Strait", "body": "two"}
    assert first["originators"] == ["JPN"]
    assert first["feed"] == "jpn-reports"
    assert (first["kind"], first["area"]) == ("report", "maritime-security")  # from the feed
    assert first["label"] == {
        "policy": "NATO",
        "classification": "RESTRICTED",
        "categories": {"Releasable To": ["JPN"]},
    }
    assert auto["payload"] == {"title": "A report with neither id nor time", "body": ""}
    assert (second["kind"], second["area"]) == ("indicator", "cyber-defence")
    assert second["time"] == "2026-11-27T17:10:00Z"
    assert second["label"] == {
        "policy": "NATO",
        "classification": "CONFIDENTIAL",
        "categories": {"Releasable To": ["JPN", "NATO"]},
    }

    quarantined = ok_json("quarantine", "--db", initialised, "--json")
    assert [q["line"] for q in quarantined] == sorted(BAD)
    for q in quarantined:
        raw, reason = BAD[q["line"]]
        assert q["raw"] == raw
        assert reason in q["reason"]
        assert (q["feed"], q["source"]) == ("jpn-reports", "reports.jsonl")
    assert ok_json("quarantine", "--db", initialised, "--feed", "usa-reports", "--json") == []


def test_reingesting_the_same_file_stores_nothing_new(
    initialised: Path, mixed: Path, tmp_path: Path
) -> None:
    assert run("ingest", "--db", initialised, "--feed", "jpn-reports", mixed).exit_code == 1
    before = ok_json("items", "--db", initialised, "--json")

    again = run("ingest", "--db", initialised, "--feed", "jpn-reports", mixed)
    assert again.exit_code == 1  # the bad lines are still bad
    assert "reports.jsonl: 0 stored, 3 already stored, 7 rejected" in flat(again.stdout)
    assert "different content" not in flat(again.stderr)
    assert ok_json("items", "--db", initialised, "--json") == before

    # Only the good lines: every one already stored, nothing rejected, exit 0.
    (tmp_path / "good.jsonl").write_text("\n".join([GOOD_1, GOOD_AUTO, GOOD_2]) + "\n", "utf-8")
    good = run("ingest", "--db", initialised, "--feed", "jpn-reports", "good.jsonl")
    assert good.exit_code == 0, good.output
    assert "good.jsonl: 0 stored, 3 already stored, 0 rejected, 0 releases" in flat(good.stdout)
    assert ok_json("items", "--db", initialised, "--json") == before


def test_same_id_with_different_content_is_rejected(
    initialised: Path, mixed: Path, tmp_path: Path
) -> None:
    run("ingest", "--db", initialised, "--feed", "jpn-reports", mixed)
    (tmp_path / "changed.jsonl").write_text(
        '{"id": "good-1", "title": "Destroyers in the Miyako Strait", "body": "three"}\n'
        '{"id": "good-3", "title": "new"}\n',
        "utf-8",
    )
    result = run("ingest", "--db", initialised, "--feed", "jpn-reports", "changed.jsonl")
    assert result.exit_code == 1
    assert (
        "changed.jsonl:1: rejected: id 'good-1' is already stored with different content"
        in flat(result.stderr)
    )
    items = {i["id"]: i for i in ok_json("items", "--db", initialised, "--json")}
    assert items["good-1"]["payload"]["body"] == "two"  # the original is untouched
    assert "good-3" in items


def test_ingest_on_an_unknown_feed_does_nothing(initialised: Path, mixed: Path) -> None:
    result = run("ingest", "--db", initialised, "--feed", "mars-reports", mixed)
    assert result.exit_code == 2
    assert "no feed 'mars-reports'" in flat(result.stderr)
    assert stored_ids(initialised) == []


def test_input_that_looks_like_markup_is_printed_as_is(
    initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.jsonl").write_text(
        '{"id": "m-1", "title": "[UPDATE] [red]destroyers[/red]"}\n{"title": "t", "[/x]": 1}\n',
        "utf-8",
    )
    result = run("ingest", "--db", initialised, "--feed", "jpn-reports", "m.jsonl")
    assert result.exit_code == 1, result.output
    assert "m.jsonl:2: rejected: unknown field(s): [/x]" in flat(result.stderr)

    listed = run("quarantine", "--db", initialised)
    assert listed.exit_code == 0, listed.output
    assert "m.jsonl:2: unknown field(s): [/x]" in flat(listed.stdout)

    table = run("feed", "--db", initialised, "--partner", "JPN")
    assert table.exit_code == 0, table.output
    assert "[UPDATE] [red]destroyers[/red]" in flat(table.stdout)

    missing = run("decide", "--db", initialised, "[/x]", "JPN")
    assert missing.exit_code == 2
    assert "no item '[/x]'" in flat(missing.stderr)


# --- derived reports ----------------------------------------------------------------------------


def test_a_report_citing_sources_takes_their_dominant_label(
    initialised: Path, tmp_path: Path
) -> None:
    usa = tmp_path / "usa.jsonl"
    usa.write_text(
        '{"id": "usa-src", "label": "NATO CONFIDENTIAL // REL TO USA, JPN", "title": "u",'
        ' "time": "2026-11-28T01:00:00Z"}\n',
        "utf-8",
    )
    jpn = tmp_path / "jpn.jsonl"
    jpn.write_text(
        '{"id": "jpn-src", "label": {"policy": "NATO", "classification": "RESTRICTED",'
        ' "categories": {"Releasable To": ["JPN", "NATO", "USA"], "Administrative": ["STAFF"]}},'
        ' "title": "j", "time": "2026-11-28T01:30:00Z"}\n'
        '{"id": "jpn-fused", "label": "NATO RESTRICTED // REL TO JPN, USA, NATO, KOR",'
        ' "sources": ["jpn-src", "usa-src"], "title": "f", "time": "2026-11-28T02:00:00Z"}\n',
        "utf-8",
    )
    assert run("ingest", "--db", initialised, "--feed", "usa-reports", usa).exit_code == 0
    assert run("ingest", "--db", initialised, "--feed", "jpn-reports", jpn).exit_code == 0

    items = {i["id"]: i for i in ok_json("items", "--db", initialised, "--json")}
    fused = items["jpn-fused"]
    # The highest classification, the intersection of Releasable To, the union of Administrative.
    assert fused["label"] == {
        "policy": "NATO",
        "classification": "CONFIDENTIAL",
        "categories": {"Administrative": ["STAFF"], "Releasable To": ["JPN", "USA"]},
    }
    assert fused["originators"] == ["JPN", "USA"]
    assert fused["sources"] == ["jpn-src", "usa-src"]
    # The sources themselves are unchanged.
    assert items["usa-src"]["originators"] == ["USA"]
    assert items["jpn-src"]["label"]["classification"] == "RESTRICTED"

    # Only its two originators may receive it: NATO is no longer in Releasable To.
    allowed = {
        p
        for p in DEMO_PARTNERS
        if ok_json("decide", "--db", initialised, "jpn-fused", p, "--json")["allowed"]
    }
    assert allowed == {"JPN", "USA"}


# --- decide and explain -------------------------------------------------------------------------


def test_decide_json_allowed(demo_db: Path) -> None:
    decision = ok_json("decide", "--db", demo_db, "jpn-report-1", "NATO", "--json")
    assert set(decision) == DECISION_KEYS
    assert decision["item"] == "jpn-report-1"
    assert decision["partner"] == "NATO"
    assert decision["allowed"] is True
    assert decision["obligations"] == []
    assert decision["agreements"] == ["itpp-jpn"]
    assert decision["policy_version"] == 1
    assert (
        "agreement itpp-jpn between JPN and NATO covers report in area maritime-security "
        "up to CONFIDENTIAL"
    ) in decision["reasons"]


def test_decide_json_denied(demo_db: Path) -> None:
    decision = ok_json("decide", "--db", demo_db, "jpn-report-1", "FRA", "--json")
    assert set(decision) == DECISION_KEYS
    assert decision["allowed"] is False
    assert decision["reasons"] == ["no agreement in force between JPN and FRA"]
    assert decision["agreements"] == []
    assert decision["obligations"] == []


def test_itpp_jpn_does_not_carry_positions(demo_db: Path) -> None:
    decision = ok_json("decide", "--db", demo_db, "jpn-position-1", "NATO", "--json")
    assert decision["allowed"] is False
    assert any("kind position" in r for r in decision["reasons"]), decision["reasons"]
    usa = ok_json("decide", "--db", demo_db, "jpn-position-1", "USA", "--json")
    assert usa["allowed"] is True  # jpn-usa limits no kinds
    assert usa["agreements"] == ["jpn-usa"]


def test_explain_prints_the_reasons_in_prose(demo_db: Path) -> None:
    result = run("explain", "--db", demo_db, "jpn-report-1", "FRA")
    assert result.exit_code == 0, result.output
    prose = flat(result.stdout)
    assert "FRA may NOT receive jpn-report-1" in prose
    assert "denied because:" in prose
    assert "- no agreement in force between JPN and FRA" in prose
    assert "(policy version 1)" in prose

    allowed = flat(run("explain", "--db", demo_db, "jpn-report-1", "USA").stdout)
    assert "USA may receive jpn-report-1" in allowed
    assert "agreement jpn-usa between JPN and USA covers report" in allowed

    as_json = ok_json("explain", "--db", demo_db, "jpn-report-1", "FRA", "--json")
    assert as_json == ok_json("decide", "--db", demo_db, "jpn-report-1", "FRA", "--json")


@pytest.mark.parametrize(
    ("item", "partner", "message"),
    [
        ("no-such-item", "NATO", "no item 'no-such-item'"),
        ("jpn-report-1", "CHN", "no partner 'CHN'"),
    ],
)
def test_decide_unknown_item_or_partner_exits_2(
    demo_db: Path, item: str, partner: str, message: str
) -> None:
    for command in ("decide", "explain"):
        result = run(command, "--db", demo_db, item, partner, "--json")
        assert result.exit_code == 2
        assert message in flat(result.stderr)
        assert result.stdout == ""


# --- feeds --------------------------------------------------------------------------------------


def feed_page(db: Path, partner: str, after: int = 0) -> dict[str, Any]:
    page: dict[str, Any] = ok_json(
        "feed", "--db", db, "--partner", partner, "--after", str(after), "--json"
    )
    return page


def test_feed_in_cursor_order_and_resumable(demo_db: Path) -> None:
    page = feed_page(demo_db, "USA")
    assert page["partner"] == "USA"
    ids = [e["item"]["id"] for e in page["items"]]
    assert ids == [
        "jpn-report-1",
        "jpn-position-1",
        "jpn-report-2",
        "usa-space-1",
        "usa-cyber-1",
        "nato-atomal-1",
        "nato-maritime-1",
    ]
    cursors = [e["cursor"] for e in page["items"]]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == len(cursors)
    assert page["next"] == cursors[-1]
    first = page["items"][0]
    assert first["marking"] == "NATO RESTRICTED Releasable to JPN, NATO, USA"
    assert first["agreements"] == ["jpn-usa"]

    rest = feed_page(demo_db, "USA", page["next"])
    assert rest["items"] == []
    assert rest["next"] == page["next"]

    middle = cursors[2]
    later = feed_page(demo_db, "USA", middle)
    assert [e["item"]["id"] for e in later["items"]] == ids[3:]
    assert [e["cursor"] for e in later["items"]] == cursors[3:]
    assert later["next"] == cursors[-1]

    limited = ok_json("feed", "--db", demo_db, "--partner", "USA", "--limit", "2", "--json")
    assert [e["item"]["id"] for e in limited["items"]] == ids[:2]
    assert limited["next"] == cursors[1]


def test_feed_of_an_unknown_partner_exits_2(demo_db: Path) -> None:
    result = run("feed", "--db", demo_db, "--partner", "CHN", "--json")
    assert result.exit_code == 2
    assert "no partner 'CHN'" in flat(result.stderr)


def test_no_partner_sees_an_item_the_engine_denies_it(demo_db: Path) -> None:
    items = [i["id"] for i in ok_json("items", "--db", demo_db, "--json")]
    assert items == list(DEMO_ITEMS)
    released_somewhere = set()
    for partner in DEMO_PARTNERS:
        page = feed_page(demo_db, partner)
        in_feed = {e["item"]["id"]: e for e in page["items"]}
        for item in items:
            decision = ok_json("decide", "--db", demo_db, item, partner, "--json")
            assert (item in in_feed) is decision["allowed"], (item, partner, decision["reasons"])
            if decision["allowed"]:
                assert in_feed[item]["agreements"] == decision["agreements"]
                released_somewhere.add((item, partner))
    # Not vacuous: some releases, but far from all.
    assert ("jpn-report-1", "USA") in released_somewhere
    assert ("jpn-report-1", "FRA") not in released_somewhere
    assert ("nato-atomal-1", "FRA") not in released_somewhere  # FRA does not hold ATOMAL
    assert 10 < len(released_somewhere) < len(items) * len(DEMO_PARTNERS)


# --- demo and label -----------------------------------------------------------------------------


def test_demo_prints_the_release_matrix(tmp_path: Path) -> None:
    kept = tmp_path / "kept.db"
    result = run("demo", "--db", kept)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "Release matrix" in out
    assert "agreements: alliance, itpp-jpn, itpp-kor, itpp-aus, itpp-nzl, jpn-usa" in out
    for partner in DEMO_PARTNERS:
        assert f" {partner} " in out
    for item in DEMO_ITEMS:
        assert item in out
        for partner in DEMO_PARTNERS:
            assert f"{item} -> {partner}: " in out
    assert "jpn-report-1 -> FRA: denied: no agreement in force between JPN and FRA" in out
    reports = [i["id"] for i in ok_json("items", "--db", kept, "--json", "--limit", "1000")]
    assert reports[: len(DEMO_ITEMS)] == list(DEMO_ITEMS)
    # Then the maritime picture: position batches and events on the AIS feeds.
    assert "The maritime picture, per partner" in out
    assert "USA sees" in out
    assert "Miyako Strait: East China Sea -> Pacific" in out
    # It ends with the audit log: a signed head, and the whole log verified.
    assert "signed tree head:" in out
    assert out.rstrip().endswith(": verified")
    verified = run("audit", "verify", "--db", kept)
    assert verified.exit_code == 0, verified.output


def test_demo_without_a_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "aus-report-1" in flat(result.stdout)
    assert list(tmp_path.iterdir()) == []  # a temporary hub, gone afterwards


LABEL = "NATO RESTRICTED // REL TO JPN, USA"


def test_label_to_xml() -> None:
    result = run("label", LABEL, "--to", "xml")
    assert result.exit_code == 0, result.output
    root = etree.fromstring(result.stdout.encode())
    ns = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
    assert root.tag == f"{{{ns}}}ConfidentialityLabel"
    assert root.findtext(f".//{{{ns}}}PolicyIdentifier") == "NATO"
    assert root.findtext(f".//{{{ns}}}Classification") == "RESTRICTED"
    (category,) = root.findall(f".//{{{ns}}}Category")
    assert category.get("TagName") == "Releasable To"
    assert category.get("Type") == "PERMISSIVE"
    assert [v.text for v in category.findall(f"{{{ns}}}GenericValue")] == ["JPN", "USA"]
    # And back again.
    back = run("label", result.stdout, "--to", "short")
    assert back.exit_code == 0, back.output
    assert back.stdout == LABEL + "\n"


def test_label_to_json() -> None:
    result = run("label", LABEL, "--to", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "policy": "NATO",
        "classification": "RESTRICTED",
        "categories": {"Releasable To": ["JPN", "USA"]},
    }
    back = run("label", result.stdout.strip())
    assert back.stdout == LABEL + "\n"


def test_label_to_marking() -> None:
    result = run("label", LABEL, "--to", "marking")
    assert result.exit_code == 0, result.output
    assert result.stdout == "NATO RESTRICTED Releasable to JPN, USA\n"


def test_label_short_form_is_normalised() -> None:
    result = run("label", "nato restricted // rel to usa, jpn")
    assert result.exit_code == 0, result.output
    assert result.stdout == LABEL + "\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LABEL, "--to", "pdf"), "--to must be one of short, json, xml, marking"),
        (("NATO RESTRICTED // REL TO XYZ",), "XYZ"),
        (("NATO ULTRA",), "ULTRA"),
        (("{not json",), "error:"),
    ],
)
def test_label_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run("label", *args)
    assert result.exit_code == 2
    assert message in flat(result.stderr)
    assert result.stdout == ""


def test_undecodable_bytes_are_rejected_by_line_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    source = tmp_path / "latin1.jsonl"
    source.write_bytes(b'{"title": "ok", "body": "a"}\n{"title": "caf\xe9"}\n')
    result = run("ingest", "--db", db, "--feed", "jpn-reports", source)
    assert result.exit_code == 1
    assert f"{source}:2: rejected: not valid UTF-8 at column 15" in flat(result.stderr)
    (rejection,) = ok_json("quarantine", "--db", db, "--json")
    assert rejection["raw"] == '{"title": "caf\\xe9"}'
    assert len(ok_json("items", "--db", db, "--json")) == 1


def test_policy_show(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    shown = ok_json("policy", "show", "--db", db, "--json")
    assert shown["version"] == 1
    assert shown["policy"] == {"name": "NATO", "id": "1.3.26.1.3.1"}
    assert [p["id"] for p in shown["partners"]] == list(DEMO_PARTNERS)
    itpp_jpn = next(a for a in shown["agreements"] if a["id"] == "itpp-jpn")
    assert itpp_jpn["parties"] == ["JPN", "NATO"]
    assert itpp_jpn["kinds"] == ["indicator", "report"]
    assert len(itpp_jpn["areas"]) == 16
    feeds = {f["id"]: f for f in shown["feeds"]}
    assert feeds["kor-reports"]["label"] == "NATO RESTRICTED // REL TO KOR"
    text = flat(run("policy", "show", "--db", db).stdout)
    assert "policy version 1" in text
    assert "jpn-usa" in text


def test_an_invalid_config_creates_no_store(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('areas = ["x"]\n[[partners]]\nid = "A"\n', "utf-8")
    db = tmp_path / "never.db"
    result = run("init", "--db", db, "--config", config)
    assert result.exit_code == 2
    assert "missing 'name'" in flat(result.stderr)
    assert not db.exists()

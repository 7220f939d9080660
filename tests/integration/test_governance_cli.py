"""Governance on the command line, end to end: propose, silence concur|break, withdraw,
proposals, policy diff. The CLI runs on the real clock: deadlines pass by waiting a second, or
at once when every member of the body concurs."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from liaison.cli import app
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.policy.spif import default_policy_bytes

runner = CliRunner()
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

TOKYO = """\
rationale = "Open the Tokyo tracking channel."

[[amend_agreement]]
id = "itpp-jpn"
add_kinds = ["position", "track", "event"]
"""
KOREA = """\
rationale = "Korea joins maritime-security reporting."

[[amend_agreement]]
id = "itpp-kor"
add_areas = ["maritime-security"]
"""
ALLIANCE = ("USA", "FRA", "GBR", "DEU", "LTU")


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(_ANSI.sub("", text).split())


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def proposals(db: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok("proposals", "--db", db, "--json").stdout)
    return data


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    hub = Hub.open(path)
    try:
        load_demo(hub)
    finally:
        hub.close()
    return path


def change_file(tmp_path: Path, text: str, name: str = "CHANGE.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_propose_then_a_break_fails_it_on_the_record(db: Path, tmp_path: Path) -> None:
    change = change_file(tmp_path, TOKYO)
    result = ok("propose", "--db", db, "--by", "JPN", "--file", change, "--deadline", "7d")
    printed = flat(result.stdout)
    assert "P-1: proposed by JPN" in printed
    assert "governed by DEU, FRA, GBR, JPN, LTU, USA" in printed
    assert "6d 23h 59m left" in printed
    (p,) = proposals(db)
    assert p["state"] == "circulating"
    assert p["proposer"] == "JPN"
    assert p["body"] == ["DEU", "FRA", "GBR", "JPN", "LTU", "USA"]
    span = datetime.fromisoformat(p["deadline"]) - datetime.fromisoformat(p["created"])
    assert timedelta(days=7) - timedelta(seconds=5) < span <= timedelta(days=7)
    assert p["change"] == TOKYO
    # Breaking silence needs a reason.
    missing = run("silence", "break", "--db", db, "--by", "FRA", "P-1")
    assert missing.exit_code == 2
    assert "--reason" in flat(missing.stderr)
    broke = ok(
        "silence", "break", "--db", db, "--by", "FRA", "P-1", "--reason", "obligations first"
    )
    assert "FRA broke silence: obligations first" in flat(broke.stdout)
    assert "outcome: failed: FRA broke silence" in flat(broke.stdout)
    (p,) = proposals(db)
    assert p["state"] == "failed"
    assert p["broke_silence"] == [{"member": "FRA", "reason": "obligations first"}]
    assert p["policy_version"] is None
    assert [a["kind"] for a in p["acts"]] == ["submitted", "break"]
    # Silence is over: no more acts.
    late = run("silence", "concur", "--db", db, "--by", "USA", "P-1")
    assert late.exit_code == 2
    assert "P-1 is failed: silence is over" in flat(late.stderr)
    assert ok("policy", "show", "--db", db, "--json").stdout.count('"version": 1') == 1


def test_every_member_concurring_passes_it_and_policy_diff_shows_the_change(
    db: Path, tmp_path: Path
) -> None:
    change = change_file(tmp_path, KOREA)
    ok("propose", "--db", db, "--by", "KOR", "--file", change, "--deadline", "2099-01-01T00:00:00Z")
    for member in ALLIANCE[:-1]:
        concurred = ok("silence", "concur", "--db", db, "--by", member, "P-1")
        assert "outcome: circulating" in flat(concurred.stdout)
    last = ok("silence", "concur", "--db", db, "--by", "LTU", "P-1", "--reason", "agreed")
    assert "passed: silence held; applied as policy version 2" in flat(last.stdout)
    (p,) = proposals(db)
    assert p["state"] == "passed"
    assert p["concurred"] == sorted(ALLIANCE)
    assert p["policy_version"] == 2
    assert p["outcome"]["kind"] == "passed"
    assert p["time_left"] is None
    diff = ok("policy", "diff", "1", "2", "--db", db).stdout
    assert diff.startswith("--- policy version 1 (<builtin demo-hub.toml>, ")
    assert "+++ policy version 2 (proposal P-1, " in diff
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in {"---", "+++"}
    ]
    assert changed == [
        '-areas = ["cyber-defence", "non-proliferation", "emerging-disruptive-technologies", '
        '"interoperability"]',
        '+areas = ["cyber-defence", "non-proliferation", "emerging-disruptive-technologies", '
        '"interoperability", "maritime-security"]',
    ]
    assert diff.endswith("\n")
    assert "SPIF: unchanged" in diff
    assert json.loads(ok("policy", "show", "--db", db, "--json").stdout)["version"] == 2
    # The next ingest is decided under version 2: KOR now receives NATO's maritime reports.
    report = {
        "id": "nato-maritime-2", "kind": "report", "area": "maritime-security",
        "label": "NATO RESTRICTED // REL TO NATO, KOR", "title": "Tankers again", "body": "-",
    }  # fmt: skip
    lines = change_file(tmp_path, json.dumps(report) + "\n", "r.jsonl")
    ok("ingest", "--db", db, "--feed", "nato-reports", lines)
    feed = json.loads(ok("feed", "--db", db, "--partner", "KOR", "--json").stdout)
    got = [e["item"]["id"] for e in feed["items"]]
    assert "nato-maritime-2" in got
    assert "nato-maritime-1" not in got  # stored before, and apply_to_existing was not asked
    same = ok("policy", "diff", "1", "1", "--db", db).stdout.splitlines()
    assert same[0] == "the configuration text of versions 1 and 1 is the same"
    assert same[1].startswith("SPIF: unchanged")
    assert run("policy", "diff", "1", "3", "--db", db).exit_code == 2


def test_the_deadline_passes_it_on_the_next_command(db: Path, tmp_path: Path) -> None:
    change = change_file(tmp_path, KOREA)
    ok("propose", "--db", db, "--by", "KOR", "--file", change, "--deadline", "1s")
    table = flat(ok("proposals", "--db", db).stdout)
    assert "P-1 by KOR" in table
    assert "circulating" in table
    time.sleep(1.1)
    (p,) = proposals(db)
    assert p["state"] == "passed"
    assert p["acts"][-1] == {**p["acts"][-1], "kind": "passed", "member": "hub", "version": 2}
    assert p["broke_silence"] == []


def test_refusals_exit_2_with_the_reason(db: Path, tmp_path: Path) -> None:
    change = change_file(tmp_path, TOKYO)

    def refused(*args: str | Path) -> str:
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        return flat(result.stderr)

    base = ("propose", "--db", db, "--file", change)
    assert "is not in the future" in refused(
        *base, "--by", "JPN", "--deadline", "2020-01-01T00:00:00Z"
    )
    assert "neither an ISO 8601 time" in refused(*base, "--by", "JPN", "--deadline", "soon")
    assert "no time zone" in refused(*base, "--by", "JPN", "--deadline", "2099-01-01T00:00:00")
    assert "KOR is not a member of the body" in refused(*base, "--by", "KOR", "--deadline", "7d")
    assert "cannot read" in refused(
        "propose", "--db", db, "--by", "JPN", "--file", tmp_path / "nope.toml", "--deadline", "7d"
    )
    bad = change_file(tmp_path, 'rationale = "x"\n[[amend_agreement]]\nid = "itpp-xyz"\n', "b.toml")
    assert "there is no agreement 'itpp-xyz'" in refused(
        "propose", "--db", db, "--by", "JPN", "--file", bad, "--deadline", "7d"
    )
    assert proposals(db) == []
    ok(*base, "--by", "JPN", "--deadline", "7d")
    assert "NZL is not a member of the body governing P-1" in refused(
        "silence", "concur", "--db", db, "--by", "NZL", "P-1"
    )
    assert "already proposes changes to agreement:itpp-jpn" in refused(
        *base, "--by", "USA", "--deadline", "7d"
    )
    assert "only the proposer (JPN) may withdraw it" in refused(
        "withdraw", "--db", db, "--by", "USA", "P-1"
    )
    assert "no proposal 'P-9'" in refused("silence", "concur", "--db", db, "--by", "USA", "P-9")


def test_withdraw_and_amend(db: Path, tmp_path: Path) -> None:
    change = change_file(tmp_path, TOKYO)
    ok("propose", "--db", db, "--by", "JPN", "--file", change, "--deadline", "7d")
    amended = change_file(
        tmp_path, TOKYO.replace('"event"]', '"event"]\nmax_classification = "RESTRICTED"'), "2.toml"
    )
    result = ok(
        "propose",
        "--db",
        db,
        "--by",
        "JPN",
        "--file",
        amended,
        "--deadline",
        "14d",
        "--amends",
        "P-1",
    )
    assert "amends P-1" in flat(result.stdout)
    first, second = proposals(db)
    assert first["state"] == "superseded"
    assert second["supersedes"] == "P-1"
    assert second["state"] == "circulating"
    withdrawn = ok("withdraw", "--db", db, "--by", "JPN", "P-2", "--reason", "not now")
    assert "withdrawn by JPN: not now" in flat(withdrawn.stdout)
    assert [p["state"] for p in proposals(db)] == ["superseded", "withdrawn"]


def test_a_replacement_spif_is_read_beside_the_change_file(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "changes"
    folder.mkdir()
    (folder / "nato-2027.xml").write_bytes(default_policy_bytes() + b"<!-- 2027 edition -->\n")
    change = change_file(
        folder,
        'rationale = "The 2027 edition of the policy."\n[replace_spif]\npath = "nato-2027.xml"\n',
    )
    ok("propose", "--db", db, "--by", "USA", "--file", change, "--deadline", "7d")
    (p,) = proposals(db)
    assert p["replaces_spif"] is True
    assert p["body"] == sorted(ALLIANCE)
    for member in ALLIANCE[1:]:
        ok("silence", "concur", "--db", db, "--by", member, "P-1")
    assert proposals(db)[0]["policy_version"] == 2
    diff = ok("policy", "diff", "1", "2", "--db", db).stdout
    assert "the configuration text of versions 1 and 2 is the same" in diff
    assert "SPIF: changed" in diff
    missing = change_file(folder, 'rationale = "x"\n[replace_spif]\npath = "gone.xml"\n', "m.toml")
    result = run("propose", "--db", db, "--by", "USA", "--file", missing, "--deadline", "7d")
    assert result.exit_code == 2
    assert "gone.xml: cannot read" in flat(result.stderr)


def test_proposals_when_there_are_none(db: Path) -> None:
    assert "no proposals yet" in flat(ok("proposals", "--db", db).stdout)
    assert proposals(db) == []


def test_the_demo_runs_two_proposals(tmp_path: Path) -> None:
    kept = tmp_path / "kept.db"
    printed = flat(ok("demo", "--db", kept).stdout)
    section = printed[printed.index("3. Governance") :]
    assert "P-1: proposed by JPN" in section
    assert "Open the Tokyo tracking channel" in section
    assert "FRA broke silence: real-time positions near the Senkakus" in section
    assert "outcome: failed: FRA broke silence" in section
    assert "P-2: proposed by KOR" in section
    assert "concurred: USA" in section
    assert "outcome: passed: silence held; applied as policy version 2" in section
    assert '+areas = ["cyber-defence", "non-proliferation", ' in section
    assert "KOR now receives: nato-maritime-1 (report, maritime-security)" in section
    assert "in its feed already (apply_to_existing)" in section
    assert "Unchanged after P-1 failed: jpn-position-1 -> NATO: agreement itpp-jpn" in section
    # Before (section 1), KOR was denied nato-maritime-1.
    assert (
        "nato-maritime-1 -> KOR: denied: agreement itpp-kor between NATO and KOR does not cover area maritime-security"
        in printed
    )
    tokyo, korea = proposals(kept)
    assert (tokyo["state"], tokyo["policy_version"]) == ("failed", None)
    assert (korea["state"], korea["policy_version"]) == ("passed", 2)
    assert json.loads(ok("policy", "show", "--db", kept, "--json").stdout)["version"] == 2
    feed = json.loads(
        ok("feed", "--db", kept, "--partner", "KOR", "--json", "--limit", "10000").stdout
    )
    assert "nato-maritime-1" in [e["item"]["id"] for e in feed["items"]]

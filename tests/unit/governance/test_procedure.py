"""The silence procedure on the demo hub: who may act on what, how a proposal ends, what passing
does to the policy, the releases and the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from liaison.audit.verify import verify_store
from liaison.codec import format_time
from liaison.config import ConfigSource, HubConfig, parse_config
from liaison.demo import load_demo
from liaison.errors import ConfigError, Conflict, Forbidden, InputError
from liaison.governance.model import CLOSING, ActKind, State
from liaison.governance.procedure import HUB, Governance
from liaison.hub import Hub
from liaison.model.agreements import Agreement
from liaison.policy.spif import default_policy_bytes
from liaison.storage.base import Release

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
NATO_MEMBERS = frozenset({"USA", "FRA", "GBR", "DEU", "LTU"})

JPN_TRACKS = """rationale = "Open the Tokyo tracking channel."
[[amend_agreement]]
id = "itpp-jpn"
add_kinds = ["position", "track", "event"]
"""
JPN_CEILING = """rationale = "Raise Japan's ceiling."
[[amend_agreement]]
id = "itpp-jpn"
max_classification = "SECRET"
"""
JPN_USA_SPACE = """rationale = "Space situational awareness with Japan."
[[amend_agreement]]
id = "jpn-usa"
add_areas = ["space"]
"""
END_JPN_USA = """rationale = "The bilateral ends."
[[terminate_agreement]]
id = "jpn-usa"
"""
ARCTIC = """rationale = "The High North."
[[add_area]]
name = "arctic"
"""
NEW_SPIF = """rationale = "The 2027 policy."
[replace_spif]
path = "nato-2027.xml"
"""


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hub(tmp_path: Path, clock: Clock) -> Iterator[Hub]:
    hub = Hub.open(tmp_path / "hub.db", clock=clock)
    load_demo(hub)
    yield hub
    hub.close()


def agreement(config: HubConfig, agreement_id: str) -> Agreement:
    return next(a for a in config.agreements if a.id == agreement_id)


def closing_acts(gov: Governance, proposal_id: str) -> list[ActKind]:
    return [a.kind for a in gov.standing(proposal_id).acts if a.kind in CLOSING]


def report(item_id: str, originator: str, area: str, label: str, at: datetime) -> str:
    return json.dumps(
        {
            "id": item_id,
            "kind": "report",
            "area": area,
            "originators": [originator],
            "label": label,
            "time": format_time(at),
            "title": item_id,
            "body": "b",
        }
    )


# --- submitting ----------------------------------------------------------------------------------


def test_a_change_that_breaks_the_policy_lists_every_problem(hub: Hub) -> None:
    remove_usa = 'rationale = "x"\n[[remove_partner]]\nid = "USA"\n'
    with pytest.raises(ConfigError) as raised:
        hub.governance.submit("FRA", remove_usa, T0 + WEEK)
    problems = "\n".join(raised.value.problems)
    for broken in (
        "partner NATO: member 'USA'",
        "agreement alliance: party 'USA'",
        "agreement jpn-usa: party 'USA'",
        "feed usa-reports: originator 'USA'",
    ):
        assert broken in problems
    assert len(raised.value.problems) == 4
    assert hub.store.proposals() == []
    # A change set that is not one lists its problems too, all at once.
    with pytest.raises(ConfigError) as raised:
        hub.governance.submit("FRA", 'rationale = ""\n[[rename_partner]]\nid = 1\n', T0 + WEEK)
    assert len(raised.value.problems) == 3  # unknown key, no rationale, changes nothing


def test_the_deadline_must_be_in_the_future(hub: Hub) -> None:
    with pytest.raises(InputError):
        hub.governance.submit("JPN", JPN_TRACKS, T0)
    assert hub.store.proposals() == []


def test_a_proposer_outside_the_body_is_forbidden(hub: Hub) -> None:
    with pytest.raises(Forbidden, match="DEU, FRA, GBR, JPN, LTU, USA"):
        hub.governance.submit("KOR", JPN_TRACKS, T0 + WEEK)
    with pytest.raises(Forbidden, match="not a partner"):
        hub.governance.submit("CHN", JPN_TRACKS, T0 + WEEK)
    with pytest.raises(Forbidden):  # the organisation speaks through its members
        hub.governance.submit("NATO", JPN_TRACKS, T0 + WEEK)
    with pytest.raises(Forbidden):  # the areas are the alliance's members' to change
        hub.governance.submit("JPN", ARCTIC, T0 + WEEK)
    assert hub.store.proposals() == []
    assert hub.store.acts() == []


def test_a_bilateral_is_governed_by_its_two_parties_only(hub: Hub) -> None:
    gov = hub.governance
    p = gov.submit("JPN", JPN_USA_SPACE, T0 + WEEK)
    assert p.body == {"JPN", "USA"}
    for outsider in ("FRA", "NATO", "GBR", "KOR", "CHN"):
        with pytest.raises(Forbidden):
            gov.concur(p.id, outsider)
        with pytest.raises(Forbidden):
            gov.break_silence(p.id, outsider, "not ours, but we object")
        with pytest.raises(Forbidden):
            gov.withdraw(p.id, outsider)
    assert [a.kind for a in gov.standing(p.id).acts] == [ActKind.SUBMITTED]
    assert gov.concur(p.id, "USA").state is State.PASSED  # the other party: all concurred


def test_an_itpp_is_governed_by_the_organisations_members_and_the_partner(hub: Hub) -> None:
    gov = hub.governance
    p = gov.submit("DEU", JPN_TRACKS, T0 + WEEK)
    assert p.body == NATO_MEMBERS | {"JPN"}
    assert p.touches == {"agreement:itpp-jpn"}
    with pytest.raises(Forbidden):
        gov.concur(p.id, "NATO")
    with pytest.raises(Forbidden):
        gov.break_silence(p.id, "KOR", "no")
    assert gov.concur(p.id, "JPN").state is State.CIRCULATING
    assert gov.concur(p.id, "LTU").concurred == {"JPN", "LTU"}


def test_a_feed_is_governed_by_its_originator(hub: Hub) -> None:
    drop = 'rationale = "Unused."\n[[remove_feed]]\nid = "nzl-reports"\n'
    with pytest.raises(Forbidden):
        hub.governance.submit("USA", drop, T0 + WEEK)
    p = hub.governance.submit("NZL", drop, T0 + WEEK)
    assert p.body == {"NZL"}


# --- the one-after-the-other rule -------------------------------------------------------------


def test_proposals_on_the_same_object_are_decided_one_after_the_other(
    hub: Hub, clock: Clock
) -> None:
    gov = hub.governance
    first = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    with pytest.raises(
        Conflict, match=f"{first.id} already proposes changes to agreement:itpp-jpn"
    ):
        gov.submit("USA", JPN_CEILING, T0 + WEEK)
    other = gov.submit("JPN", JPN_USA_SPACE, T0 + WEEK)  # another object: no wait
    gov.withdraw(first.id, "JPN")
    second = gov.submit("USA", JPN_CEILING, T0 + 2 * WEEK)  # the first is decided
    with pytest.raises(Conflict):
        gov.submit("JPN", JPN_TRACKS, T0 + 2 * WEEK)
    clock.advance(WEEK)
    assert gov.standing(other.id).state is State.CIRCULATING
    gov.tick()
    assert gov.standing(other.id).state is State.PASSED
    assert gov.standing(second.id).state is State.CIRCULATING
    clock.advance(WEEK)
    gov.tick()
    assert gov.standing(second.id).state is State.PASSED
    assert hub.store.policy_head() == 3
    assert agreement(hub.config, "itpp-jpn").max_classification == "SECRET"
    assert "space" in agreement(hub.config, "jpn-usa").areas


def test_a_proposal_whose_object_changed_since_no_longer_applies(hub: Hub, clock: Clock) -> None:
    """Serialising makes this rare; a version stored beside the procedure (an operator's
    re-initialisation, another tool) changes what the proposal was checked against."""
    gov = hub.governance
    stale = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    fresh = gov.submit("JPN", JPN_USA_SPACE, T0 + WEEK)
    current = hub.store.latest_policy()
    assert current is not None
    text = current.source.text.replace(
        'kinds = ["report", "indicator"]   # no real-time',
        'kinds = ["report"]   # no real-time',
    )
    assert text != current.source.text
    source = ConfigSource(text, current.source.spif, "operator")
    parse_config(source)
    assert hub.store.add_policy_version(source, T0 + timedelta(days=1)) == 2
    clock.advance(WEEK)
    decided = {s.proposal.id: s for s in gov.tick()}
    assert decided[stale.id].state is State.FAILED
    failed = decided[stale.id].acts[-1]
    assert (failed.kind, failed.member) == (ActKind.FAILED, HUB)
    assert "no longer applies: agreement:itpp-jpn changed since version 1" in failed.reason
    # The other proposal's object did not change: it passes, on top of the operator's version.
    assert decided[fresh.id].state is State.PASSED
    assert decided[fresh.id].acts[-1].version == 3
    assert hub.store.policy_head() == 3
    config = hub.config
    assert agreement(config, "itpp-jpn").kinds == frozenset({"report"})
    assert "space" in agreement(config, "jpn-usa").areas


def test_a_change_that_no_longer_makes_a_valid_policy_fails(hub: Hub, clock: Clock) -> None:
    """Checked again at the deadline: the proposal fails rather than store an invalid policy."""
    gov = hub.governance
    p = gov.submit("FRA", ARCTIC, T0 + WEEK)
    current = hub.store.latest_policy()
    assert current is not None
    text = current.source.text.replace(
        'areas = [\n  "maritime-security"', 'areas = [\n  "arctic", "maritime-security"'
    )
    assert text != current.source.text
    hub.store.add_policy_version(ConfigSource(text, current.source.spif, "operator"), T0)
    clock.advance(WEEK)
    gov.tick()
    standing = gov.standing(p.id)
    assert standing.state is State.FAILED
    assert "areas changed since version 1" in standing.acts[-1].reason
    assert hub.store.policy_head() == 2


# --- acts: withdraw, amend, break, concur -----------------------------------------------------


def test_only_the_proposer_withdraws(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    p = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    with pytest.raises(Forbidden, match="only the proposer"):
        gov.withdraw(p.id, "USA")
    assert gov.withdraw(p.id, "JPN", "rethinking").state is State.WITHDRAWN
    with pytest.raises(Conflict, match="withdrawn"):
        gov.concur(p.id, "USA")
    with pytest.raises(Conflict):
        gov.withdraw(p.id, "JPN")
    clock.advance(2 * WEEK)
    gov.tick()
    assert gov.standing(p.id).state is State.WITHDRAWN
    assert hub.store.policy_head() == 1


def test_amending_supersedes_and_restarts_the_clock(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    old = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    gov.concur(old.id, "USA")
    clock.advance(timedelta(days=6))
    with pytest.raises(Forbidden, match="only JPN may amend"):
        gov.amend(old.id, "USA", JPN_CEILING, clock.now + WEEK)
    new = gov.amend(old.id, "JPN", JPN_CEILING, clock.now + WEEK)
    assert (new.supersedes, new.deadline, new.proposer) == (old.id, T0 + timedelta(days=13), "JPN")
    superseded = gov.standing(old.id)
    assert superseded.state is State.SUPERSEDED
    assert (superseded.acts[-1].kind, superseded.acts[-1].member) == (ActKind.SUPERSEDED, "JPN")
    assert gov.standing(new.id).concurred == frozenset()  # concurrences start again too
    with pytest.raises(Conflict, match="superseded"):
        gov.concur(old.id, "FRA")
    with pytest.raises(Conflict, match="superseded"):
        gov.amend(old.id, "JPN", JPN_TRACKS, clock.now + WEEK)
    clock.advance(timedelta(days=2))  # past the old deadline, not the new one
    gov.tick()
    assert gov.standing(new.id).state is State.CIRCULATING
    assert hub.store.policy_head() == 1
    clock.advance(WEEK)
    gov.tick()
    assert gov.standing(new.id).state is State.PASSED
    itpp = agreement(hub.config, "itpp-jpn")
    assert itpp.max_classification == "SECRET"
    assert itpp.kinds == frozenset({"report", "indicator"})  # the superseded change never applied


def test_one_break_fails_it_whatever_the_concurrences(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    p = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    for member in ("USA", "FRA", "GBR", "DEU"):
        gov.concur(p.id, member)
    with pytest.raises(InputError):
        gov.break_silence(p.id, "LTU", "  ")  # a break says why
    after = gov.break_silence(p.id, "LTU", "Not before the summit.")
    assert after.state is State.FAILED
    with pytest.raises(Conflict):
        gov.concur(p.id, "JPN")
    with pytest.raises(Conflict):
        gov.break_silence(p.id, "USA", "me too")
    clock.advance(2 * WEEK)
    gov.tick()
    assert closing_acts(gov, p.id) == [ActKind.BREAK]
    assert hub.store.policy_head() == 1


def test_it_passes_at_once_when_every_member_concurred(hub: Hub) -> None:
    gov = hub.governance
    p = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    for member in ("USA", "FRA", "GBR", "DEU"):
        assert gov.concur(p.id, member).state is State.CIRCULATING
    with pytest.raises(Conflict, match="already concurred"):
        gov.concur(p.id, "USA")
    passed = gov.concur(p.id, "LTU")  # the proposer's own concurrence is not needed
    assert passed.state is State.PASSED
    assert (passed.acts[-1].member, passed.acts[-1].at, passed.acts[-1].version) == (HUB, T0, 2)
    assert hub.policy_version == 2
    assert {"position", "track", "event"} <= (agreement(hub.config, "itpp-jpn").kinds or set())


# --- what passing does ----------------------------------------------------------------------------

JPN_LABEL = "NATO RESTRICTED // REL TO JPN, NATO, USA"


def test_a_termination_takes_effect_at_the_deadline_and_releases_stop(
    hub: Hub, clock: Clock
) -> None:
    gov = hub.governance
    p = gov.submit("JPN", END_JPN_USA, T0 + WEEK)
    hub.ingest_reports(
        "jpn-reports", [report("before", "JPN", "maritime-security", JPN_LABEL, T0)], "t"
    )
    assert hub.store.release("USA", "before") is not None
    clock.advance(WEEK + timedelta(hours=5))  # nobody looked for five hours after the deadline
    gov.tick()
    assert gov.standing(p.id).state is State.PASSED
    assert agreement(hub.config, "jpn-usa").in_force_until == T0 + WEEK
    line = report("after", "JPN", "maritime-security", JPN_LABEL, clock.now)
    hub.ingest_reports("jpn-reports", [line], "t")
    assert hub.store.release("USA", "after") is None
    decision = hub.decide("after", "USA")
    assert not decision.allowed
    assert decision.policy_version == 2
    assert hub.store.release("NATO", "after") is not None  # itpp-jpn still in force
    assert hub.store.release("USA", "before") is not None  # nothing is recalled


def test_a_termination_passed_early_takes_effect_when_it_passes(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    p = gov.submit("JPN", END_JPN_USA, T0 + WEEK)
    clock.advance(timedelta(days=2))
    assert gov.concur(p.id, "USA").state is State.PASSED
    assert agreement(hub.config, "jpn-usa").in_force_until == T0 + timedelta(days=2)
    assert not hub.decide("jpn-report-1", "USA").allowed


def test_an_agreement_that_ended_is_not_terminated_again(hub: Hub, clock: Clock) -> None:
    """Terminating it again would move its end later: in force again, on the record. A
    scheduled end, though, may be brought forward."""
    gov = hub.governance
    later = 'rationale = "Until 2030."\n[[amend_agreement]]\nid = "jpn-usa"\nin_force_until = 2030-01-01T00:00:00Z\n'
    gov.concur(gov.submit("JPN", later, T0 + WEEK).id, "USA")
    assert agreement(hub.config, "jpn-usa").in_force_until == datetime(2030, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert gov.concur(gov.submit("JPN", END_JPN_USA, T0 + WEEK).id, "USA").state is State.PASSED
    assert agreement(hub.config, "jpn-usa").in_force_until == T0 + timedelta(days=1)
    clock.advance(timedelta(days=1))
    with pytest.raises(ConfigError, match="it ended already"):
        gov.submit("JPN", END_JPN_USA, T0 + WEEK)


def test_replacing_the_spif(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    spif = default_policy_bytes() + b"\n<!-- the 2027 edition -->\n"
    with pytest.raises(InputError, match="SPIF"):
        gov.submit("FRA", NEW_SPIF, T0 + WEEK)
    with pytest.raises(ConfigError, match=r"replace_spif: .*not well-formed XML"):
        gov.submit("FRA", NEW_SPIF, T0 + WEEK, spif=b"<SPIF>not a policy")
    p = gov.submit("FRA", NEW_SPIF, T0 + WEEK, spif=spif)
    assert p.body == NATO_MEMBERS
    assert p.touches == {"spif"}
    with pytest.raises(Conflict):
        gov.submit("GBR", NEW_SPIF, T0 + WEEK, spif=spif)
    clock.advance(WEEK)
    gov.tick()
    before, after = hub.store.policy_version(1), hub.store.policy_version(2)
    assert after.source.spif == spif
    assert after.source.text == before.source.text  # the SPIF travels beside the text
    assert hub.policy_version == 2


def test_a_restart_past_the_deadline_applies_it_exactly_once(
    tmp_path: Path, hub: Hub, clock: Clock
) -> None:
    p = hub.governance.submit("JPN", JPN_TRACKS, T0 + WEEK)
    hub.close()
    clock.advance(WEEK + timedelta(days=1))  # the hub was down at the deadline
    first, second = (Hub.open(tmp_path / "hub.db", clock=clock) for _ in range(2))
    try:
        decided = first.governance.tick()
        assert [s.state for s in decided] == [State.PASSED]
        assert second.governance.tick() == []
        assert first.governance.tick() == []
        assert second.policy_version == first.policy_version == 2
    finally:
        first.close()
        second.close()
    reopened = Hub.open(tmp_path / "hub.db", clock=clock)
    try:
        assert reopened.governance.tick() == []
        assert reopened.store.policy_head() == 2
        acts = reopened.governance.standing(p.id).acts
        assert [a.kind for a in acts] == [ActKind.SUBMITTED, ActKind.PASSED]
        assert acts[-1].at == clock.now  # decided when first looked, in force from the deadline
    finally:
        reopened.close()
    hub.store = reopened.store  # the fixture closes it again: harmless


class Racing:
    """A store through which another process decides the proposal while this one is deciding
    it: just before this one's first call of `method`, the other ticks."""

    def __init__(self, store: Any, other: Hub, method: str) -> None:
        self._store, self._other, self._method = store, other, method

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name != self._method:
            return found
        self._method = ""
        assert [s.state for s in self._other.governance.tick()] == [State.PASSED]
        return found


@pytest.mark.parametrize("method", ["latest_policy", "policy_version", "add_policy_version"])
def test_two_processes_deciding_at_once_leave_one_closing_act(
    tmp_path: Path, hub: Hub, clock: Clock, method: str
) -> None:
    p = hub.governance.submit("JPN", JPN_TRACKS, T0 + WEEK)
    clock.advance(WEEK)
    other = Hub.open(tmp_path / "hub.db", clock=clock)
    try:
        Governance(Racing(hub.store, other, method), clock).tick()
    finally:
        other.close()
    gov = hub.governance
    assert gov.standing(p.id).state is State.PASSED
    assert closing_acts(gov, p.id) == [ActKind.PASSED]
    assert hub.store.policy_head() == 2


# --- releases under the new version ---------------------------------------------------------------


def releases(hub: Hub) -> list[Release]:
    return hub.store.releases_page(0, 1_000_000)


def decided_entries(hub: Hub, item_id: str, partner: str) -> list[dict[str, Any]]:
    records = hub.store.audit.records(0, 1_000_000)
    bodies = [json.loads(r.body) for r in records if r.type == "decided" and r.item_id == item_id]
    return [b for b in bodies if b["partner"] == partner]


def test_apply_to_existing_releases_the_backlog_under_the_new_version(
    hub: Hub, clock: Clock
) -> None:
    before = releases(hub)
    assert hub.store.release("JPN", "usa-space-1") is None  # jpn-usa does not cover space
    jpn_feed = [e.item.id for e in hub.feed("JPN", 0, 1000).entries]
    last = hub.feed("JPN", 0, 1000).entries[-1].cursor
    change = JPN_USA_SPACE.replace('"\n', '"\napply_to_existing = true\n', 1)
    p = hub.governance.submit("USA", change, T0 + WEEK)
    assert p.apply_to_existing
    clock.advance(timedelta(hours=1))
    assert hub.governance.concur(p.id, "JPN").state is State.PASSED
    after = releases(hub)
    assert after[: len(before)] == before  # nothing recalled, nothing rewritten
    new = after[len(before) :]
    assert [(r.partner, r.item_id, r.policy_version) for r in new] == [("JPN", "usa-space-1", 2)]
    assert new[0].cursor == max(r.cursor for r in before if r.partner == "JPN") + 1
    # Through the normal feed: after the cursors JPN already read, under the new version.
    page = hub.feed("JPN", last, 1000).entries
    assert [e.item.id for e in page] == ["usa-space-1"]
    assert [e.item.id for e in hub.feed("JPN", 0, 1000).entries] == [*jpn_feed, "usa-space-1"]
    logged = decided_entries(hub, "usa-space-1", "JPN")  # denied when ingested, now released
    assert [(d["allowed"], d["policy_version"]) for d in logged] == [(False, 1), (True, 2)]


def test_without_apply_to_existing_only_new_items_follow_the_new_version(
    hub: Hub, clock: Clock
) -> None:
    before = releases(hub)
    p = hub.governance.submit("USA", JPN_USA_SPACE, T0 + WEEK)
    assert not p.apply_to_existing
    clock.advance(WEEK)
    hub.governance.tick()
    assert hub.policy_version == 2
    assert releases(hub) == before  # the backlog stays where it was
    assert hub.store.release("JPN", "usa-space-1") is None
    assert hub.decide("usa-space-1", "JPN").allowed  # as it would be decided now
    line = report("usa-space-2", "USA", "space", "NATO RESTRICTED // REL TO USA, JPN", clock.now)
    hub.ingest_reports("usa-reports", [line], "t")
    released = hub.store.release("JPN", "usa-space-2")
    assert released is not None
    assert released.policy_version == 2
    assert all(r.policy_version == 1 for r in before)
    logged = decided_entries(hub, "usa-space-2", "JPN")
    assert [(d["allowed"], d["policy_version"]) for d in logged] == [(True, 2)]


# --- the audit log --------------------------------------------------------------------------------


def test_every_act_is_in_the_audit_log_and_the_log_verifies(hub: Hub, clock: Clock) -> None:
    gov = hub.governance
    a = gov.submit("JPN", JPN_TRACKS, T0 + WEEK)
    gov.concur(a.id, "USA", "fine")
    b = gov.amend(a.id, "JPN", JPN_CEILING, T0 + WEEK)
    gov.break_silence(b.id, "FRA", "Not at SECRET.")
    c = gov.submit(
        "USA", JPN_USA_SPACE.replace('"\n', '"\napply_to_existing = true\n', 1), T0 + WEEK
    )
    gov.concur(c.id, "JPN")
    d = gov.submit("FRA", ARCTIC, T0 + WEEK)
    gov.withdraw(d.id, "FRA")
    e = gov.submit("NZL", 'rationale = "Unused."\n[[remove_feed]]\nid = "nzl-reports"\n', T0 + WEEK)
    clock.advance(WEEK)
    gov.tick()
    assert [gov.standing(x.id).state for x in (a, b, c, d, e)] == [
        State.SUPERSEDED, State.FAILED, State.PASSED, State.WITHDRAWN, State.PASSED,
    ]  # fmt: skip

    records = hub.store.audit.records(0, 1_000_000)
    logged = [json.loads(r.body) for r in records]
    proposals = [x for x in logged if x["type"] == "proposal"]
    assert [x["proposal"] for x in proposals] == [p.id for p in hub.store.proposals()]
    assert [x["supersedes"] for x in proposals] == [None, a.id, None, None, None]
    acts = [
        (x["proposal"], x["act"], x["member"], x["reason"], x["version"], x["time"])
        for x in logged
        if x["type"] == "governance"
    ]
    stored = [
        (x.proposal, x.kind.value, x.member, x.reason, x.version, format_time(x.at))
        for x in hub.store.acts()
    ]
    assert acts == stored
    assert len(stored) == 12
    policies = [x for x in logged if x["type"] == "policy"]
    assert [(x["version"], (x["record"] or {}).get("proposal")) for x in policies] == [
        (1, None), (2, c.id), (3, e.id),
    ]  # fmt: skip
    report_ = verify_store(hub.store, None)
    assert report_.ok, report_.findings

"""The release engine against an independent oracle, on random hubs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.model import Agreement, AgreementKind, Item, Label, Obligations, Partner, PartnerKind
from liaison.model.partners import Clearance
from liaison.policy.engine import ReleaseEngine
from liaison.policy.spif import default_policy_bytes, parse_spif
from tests.oracle import may_release
from tests.strategies import CLASSES, clearances, labels

POLICY = parse_spif(default_policy_bytes(), "builtin")
PARTNERS = ["NATO", "USA", "FRA", "JPN", "KOR", "AUS"]
AREAS = ["maritime-security", "cyber-defence", "space", "resilience"]
KINDS = ["position", "event", "report", "indicator"]
AT = datetime(2026, 11, 29, 12, tzinfo=UTC)


@st.composite
def agreements(draw: st.DrawFn, n: int) -> Agreement:
    parties = draw(st.lists(st.sampled_from(PARTNERS), min_size=2, max_size=4, unique=True))
    window = draw(st.sampled_from(["always", "current", "past", "future"]))
    start = end = None
    if window == "current":
        start, end = AT - timedelta(days=1), AT + timedelta(days=1)
    elif window == "past":
        end = AT - timedelta(hours=1)
    elif window == "future":
        start = AT + timedelta(seconds=1)
    return Agreement(
        id=f"a{n}",
        kind=AgreementKind.MULTILATERAL,
        parties=frozenset(parties),
        areas=frozenset(draw(st.lists(st.sampled_from(AREAS), min_size=1, unique=True))),
        kinds=draw(st.none() | st.frozensets(st.sampled_from(KINDS), min_size=1)),
        max_classification=draw(st.sampled_from(CLASSES)),
        in_force_from=start,
        in_force_until=end,
        obligations=draw(st.sampled_from([Obligations(), Obligations(frozenset({"body"}))])),
    )


@st.composite
def hubs(draw: st.DrawFn) -> tuple[dict[str, Clearance], list[Agreement], list[Item]]:
    cleared = {p: draw(clearances()) for p in PARTNERS}
    deals = [draw(agreements(n)) for n in range(draw(st.integers(0, 6)))]
    items = [
        Item(
            id=f"i{n}",
            kind=draw(st.sampled_from(KINDS)),
            originators=frozenset(
                draw(st.lists(st.sampled_from(PARTNERS), min_size=1, max_size=3, unique=True))
            ),
            area=draw(st.sampled_from(AREAS)),
            label=draw(labels(POLICY)),
            time=AT,
            payload={"title": "t", "body": "b"},
        )
        for n in range(draw(st.integers(1, 8)))
    ]
    return cleared, deals, items


@settings(max_examples=300, deadline=None)
@given(hubs())
def test_engine_agrees_with_the_oracle(
    hub: tuple[dict[str, Clearance], list[Agreement], list[Item]],
) -> None:
    cleared, deals, items = hub
    partners = [Partner(p, p, PartnerKind.NATION, c) for p, c in cleared.items()]
    engine = ReleaseEngine(POLICY, partners, deals, version=7, clock=lambda: AT)
    for item in items:
        for partner in PARTNERS:
            expected = may_release(POLICY, cleared, deals, item, partner, AT)
            decision = engine.decide(item, partner, AT)
            assert decision.allowed == expected, (item, partner, decision)
            assert decision.reasons, "every decision says why"
            assert decision.policy_version == 7
            if not decision.allowed:
                assert decision.obligations == Obligations()
            # Cached and uncached answers agree.
            assert engine.decide(item, partner, AT) == decision


@settings(max_examples=100, deadline=None)
@given(hubs(), st.sampled_from([AT - timedelta(days=3), AT, AT + timedelta(days=3)]))
def test_decisions_follow_the_clock(
    hub: tuple[dict[str, Clearance], list[Agreement], list[Item]], when: datetime
) -> None:
    """The same engine answers for other instants as agreements enter and leave force."""
    cleared, deals, items = hub
    partners = [Partner(p, p, PartnerKind.NATION, c) for p, c in cleared.items()]
    engine = ReleaseEngine(POLICY, partners, deals, version=1, clock=lambda: AT)
    for item in items:
        for partner in PARTNERS:
            engine.decide(item, partner, AT)  # warm the cache at AT first
            expected = may_release(POLICY, cleared, deals, item, partner, when)
            assert engine.decide(item, partner, when).allowed == expected


def test_no_agreement_no_release_whatever_the_label() -> None:
    cleared = {p: Clearance.of("TOP SECRET", {"Releasable To": PARTNERS}) for p in PARTNERS}
    partners = [Partner(p, p, PartnerKind.NATION, c) for p, c in cleared.items()]
    engine = ReleaseEngine(POLICY, partners, [], version=1)
    item = Item(
        "x", "report", frozenset({"JPN"}), "space", Label.of("NATO", "UNCLASSIFIED"), AT, {}
    )
    assert engine.decide(item, "JPN", AT).allowed
    for p in PARTNERS[:3]:
        decision = engine.decide(item, p, AT)
        assert not decision.allowed
        assert decision.reasons == (f"no agreement in force between JPN and {p}",)

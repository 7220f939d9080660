"""The release engine's choices beyond allow/deny: obligations, time, unknown partners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liaison.errors import InputError, NotFound
from liaison.model import Agreement, AgreementKind, Item, Label, Obligations, Partner, PartnerKind
from liaison.model.partners import Clearance
from liaison.policy.engine import ReleaseEngine
from liaison.policy.security_policy import SecurityPolicy

AT = datetime(2026, 11, 29, tzinfo=UTC)


def partner(pid: str) -> Partner:
    return Partner(pid, pid, PartnerKind.NATION, Clearance.of("SECRET", {"Releasable To": [pid]}))


def agreement(aid: str, parties: set[str], **kw: object) -> Agreement:
    fields: dict[str, object] = {
        "kind": AgreementKind.BILATERAL,
        "parties": frozenset(parties),
        "areas": frozenset({"maritime-security"}),
        "kinds": None,
        "max_classification": "SECRET",
    }
    fields.update(kw)
    return Agreement(aid, **fields)  # type: ignore[arg-type]


def item(originators: set[str], rel: list[str]) -> Item:
    label = Label.of("NATO", "RESTRICTED", {"Releasable To": rel})
    return Item(
        "x", "position", frozenset(originators), "maritime-security", label, AT, {"lat": 25.77}
    )


def test_lightest_obligations_win_among_fitting_agreements(policy: SecurityPolicy) -> None:
    deals = [
        agreement("coarse", {"JPN", "USA"}, obligations=Obligations(position_precision_deg=1.0)),
        agreement("fine", {"JPN", "USA"}, obligations=Obligations(position_precision_deg=0.1)),
    ]
    engine = ReleaseEngine(policy, [partner("JPN"), partner("USA")], deals, 1)
    decision = engine.decide(item({"JPN"}, ["USA"]), "USA", AT)
    assert decision.allowed
    assert decision.agreements == ("fine",)
    assert decision.obligations == Obligations(position_precision_deg=0.1)


def test_obligations_of_every_originator_apply(policy: SecurityPolicy) -> None:
    deals = [
        agreement("a", {"JPN", "USA"}, obligations=Obligations(frozenset({"source"}))),
        agreement("b", {"AUS", "USA"}, obligations=Obligations(position_precision_deg=0.5)),
    ]
    engine = ReleaseEngine(policy, [partner(p) for p in ("JPN", "AUS", "USA")], deals, 1)
    decision = engine.decide(item({"JPN", "AUS"}, ["USA"]), "USA", AT)
    assert decision.allowed
    assert decision.agreements == ("b", "a")  # in originator order: AUS, JPN
    assert decision.obligations == Obligations(frozenset({"source"}), 0.5)


def test_every_originator_must_agree(policy: SecurityPolicy) -> None:
    engine = ReleaseEngine(
        policy, [partner(p) for p in ("JPN", "AUS", "USA")], [agreement("a", {"JPN", "USA"})], 1
    )
    decision = engine.decide(item({"JPN", "AUS"}, ["USA"]), "USA", AT)
    assert not decision.allowed
    assert decision.reasons == ("no agreement in force between AUS and USA",)


def test_agreement_windows(policy: SecurityPolicy) -> None:
    deal = agreement("a", {"JPN", "USA"}, in_force_from=AT, in_force_until=AT + timedelta(days=30))
    now = [AT - timedelta(seconds=1)]
    engine = ReleaseEngine(
        policy, [partner("JPN"), partner("USA")], [deal], 1, clock=lambda: now[0]
    )
    x = item({"JPN"}, ["USA"])
    assert not engine.decide(x, "USA").allowed
    now[0] = AT
    assert engine.decide(x, "USA").allowed  # from is inclusive
    now[0] = AT + timedelta(days=30)
    assert not engine.decide(x, "USA").allowed  # until is exclusive


def test_unknown_partner_is_not_found(policy: SecurityPolicy) -> None:
    engine = ReleaseEngine(policy, [partner("JPN")], [], 1)
    with pytest.raises(NotFound, match="XYZ"):
        engine.decide(item({"JPN"}, ["JPN"]), "XYZ", AT)


def test_a_permissive_category_naming_nobody_releases_to_originators_only(
    policy: SecurityPolicy,
) -> None:
    engine = ReleaseEngine(
        policy, [partner("JPN"), partner("USA")], [agreement("a", {"JPN", "USA"})], 1
    )
    x = item({"JPN"}, [])
    assert engine.decide(x, "JPN", AT).allowed
    decision = engine.decide(x, "USA", AT)
    assert not decision.allowed
    assert decision.reasons == (
        "the label's Releasable To names nobody: only its originators receive it",
    )


def test_an_item_without_originators_cannot_exist() -> None:
    with pytest.raises(InputError, match="originator"):
        item(set(), ["JPN"])

"""Release decisions per second: Liaison's engine (cold and warm) against Cedar (cedarpy).

10,000 items x 10 partners of the demo hub. The same releasability rules are written in Cedar;
every one of the 100,000 decisions is checked to agree before any time is compared.
The last line is `ratio: X`, Cedar's time per decision divided by ours (warm).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import cedarpy

from bench.machine import describe
from liaison.config import HubConfig, parse_config, read_config_source
from liaison.model.items import KNOWN_KINDS, Item
from liaison.model.labels import Label
from liaison.policy.engine import ReleaseEngine
from liaison.policy.security_policy import SecurityPolicy, TagType

N_ITEMS = 10_000
BATCH = 1_000
ROUNDS = 5
AT = datetime(2026, 11, 29, tzinfo=UTC)
NATIONS = ["NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL"]
CEDAR_POLICY = """
permit (principal, action == Action::"receive", resource)
when { resource.originators == [principal.pid] };

permit (principal, action == Action::"receive", resource)
when {
  principal.rank >= resource.rank &&
  principal.restrictive.containsAll(resource.restrictive) &&
  (!resource.has_rel || principal.rel.containsAny(resource.rel)) &&
  (!resource.has_only || principal.only.containsAny(resource.only)) &&
  principal.grants.containsAll(resource.needs)
};
"""


def make_items(config: HubConfig, rng: random.Random) -> list[Item]:
    policy = config.policy
    classes = [c.name for c in policy.classifications[:4]]
    labels = []
    for _ in range(300):
        cls = rng.choice(classes)
        cats: dict[str, list[str]] = {"Releasable To": rng.sample(NATIONS, rng.randint(1, 5))}
        if cls in ("CONFIDENTIAL", "SECRET") and rng.random() < 0.2:
            cats["Additional Sensitivity"] = ["ATOMAL"]
        labels.append(policy.check_label(Label.of("NATO", cls, cats)))
    partners = [p.id for p in config.partners]
    kinds = sorted(KNOWN_KINDS)
    return [
        Item(
            f"i{n}",
            rng.choice(kinds),
            frozenset(rng.sample(partners, 1 if rng.random() < 0.8 else 2)),
            rng.choice(config.areas),
            rng.choice(labels),
            AT,
            {"title": "t"},
        )
        for n in range(N_ITEMS)
    ]


def cedar_entities(config: HubConfig, items: list[Item]) -> list[dict[str, Any]]:
    policy = config.policy
    out: list[dict[str, Any]] = []
    for p in config.partners:
        # A co-originator needs no agreement with itself: its own contributions always "agree".
        grants = {
            f"{p.id}|{area}|{kind}|{rank}"
            for area in config.areas
            for kind in KNOWN_KINDS
            for rank in range(1, len(policy.classifications) + 1)
        }
        for a in config.agreements:
            if p.id not in a.parties:
                continue
            for other in a.parties - {p.id}:
                for area in a.areas:
                    for kind in a.kinds or KNOWN_KINDS:
                        for rank in range(1, policy.rank(a.max_classification) + 1):
                            grants.add(f"{other}|{area}|{kind}|{rank}")
        out.append(
            {
                "uid": {"type": "Partner", "id": p.id},
                "attrs": {
                    "pid": p.id,
                    "rank": policy.rank(p.clearance.classification),
                    "restrictive": sorted(p.clearance.holds("Additional Sensitivity")),
                    "rel": sorted(p.clearance.holds("Releasable To")),
                    "only": sorted(p.clearance.holds("Only")),
                    "grants": sorted(grants),
                },
                "parents": [],
            }
        )
    for i in items:
        rank = policy.rank(i.label.classification)
        out.append(
            {
                "uid": {"type": "Item", "id": i.id},
                "attrs": {
                    "originators": sorted(i.originators),
                    "rank": rank,
                    "restrictive": sorted(_values(policy, i.label, TagType.RESTRICTIVE)),
                    "has_rel": i.label.values("Releasable To") is not None,
                    "rel": sorted(i.label.values("Releasable To") or ()),
                    "has_only": i.label.values("Only") is not None,
                    "only": sorted(i.label.values("Only") or ()),
                    "needs": sorted(f"{o}|{i.area}|{i.kind}|{rank}" for o in i.originators),
                },
                "parents": [],
            }
        )
    return out


def cedar_requests(pairs: list[tuple[Item, str]]) -> list[dict[str, Any]]:
    """May the partner (principal) receive the item (resource)?"""
    return [
        {
            "principal": {"type": "Partner", "id": p},
            "action": {"type": "Action", "id": "receive"},
            "resource": {"type": "Item", "id": i.id},
            "context": {},
        }
        for i, p in pairs
    ]


def _values(policy: SecurityPolicy, label: Label, tag_type: TagType) -> set[str]:
    return {v for _, values in policy.values_of_type(label, tag_type) for v in values}


def time_ours_warm(engine: ReleaseEngine, pairs: list[tuple[Item, str]]) -> float:
    decide = engine.decide
    start = time.perf_counter()
    for item, partner in pairs:
        decide(item, partner, AT)
    return (time.perf_counter() - start) / len(pairs)


def time_ours_cold(config: HubConfig, pairs: list[tuple[Item, str]]) -> float:
    engine = ReleaseEngine(config.policy, config.partners, config.agreements, 1)
    seen: set[tuple[object, ...]] = set()
    unique = []
    for item, partner in pairs:
        key = (item.label, item.originators, item.area, item.kind, partner)
        if key not in seen:
            seen.add(key)
            unique.append((item, partner))
    start = time.perf_counter()
    for item, partner in unique:
        engine.decide(item, partner, AT)
    return (time.perf_counter() - start) / len(unique)


def main() -> int:
    config = parse_config(read_config_source(None))
    rng = random.Random(20261129)
    items = make_items(config, rng)
    partners = [p.id for p in config.partners]
    pairs = [(i, p) for i in items for p in partners]
    print(describe())
    print(
        f"workload: {len(items)} items x {len(partners)} partners = {len(pairs)} decisions (demo hub)"
    )

    engine = ReleaseEngine(config.policy, config.partners, config.agreements, 1)
    ours = [engine.decide(i, p, AT).allowed for i, p in pairs]

    policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)
    entities = cedarpy.Entities.from_json_str(json.dumps(cedar_entities(config, items)))
    requests = cedar_requests(pairs)

    def cedar_pass() -> list[bool]:
        out: list[bool] = []
        for k in range(0, len(requests), BATCH):
            out.extend(
                r.allowed
                for r in cedarpy.is_authorized_batch(requests[k : k + BATCH], policies, entities)
            )
        return out

    theirs = cedar_pass()
    mismatches = sum(a != b for a, b in zip(ours, theirs, strict=True))
    print(
        f"agreement with Cedar: {len(pairs) - mismatches}/{len(pairs)} decisions equal, {sum(ours)} allowed"
    )
    if mismatches:
        print("ERROR: Liaison and Cedar disagree; timings would compare different rules")
        return 1

    cold = [time_ours_cold(config, pairs) for _ in range(3)]
    warm = [time_ours_warm(engine, pairs) for _ in range(ROUNDS)]
    cedar = []
    for _ in range(3):
        start = time.perf_counter()
        cedar_pass()
        cedar.append((time.perf_counter() - start) / len(pairs))
    cold_us, warm_us, cedar_us = (statistics.median(x) * 1e6 for x in (cold, warm, cedar))
    print(
        f"liaison cold : {cold_us:8.2f} us/decision  ({1e6 / cold_us:>12,.0f} decisions/s)  median of {len(cold)}"
    )
    print(
        f"liaison warm : {warm_us:8.3f} us/decision  ({1e6 / warm_us:>12,.0f} decisions/s)  median of {len(warm)}"
    )
    print(
        f"cedarpy      : {cedar_us:8.2f} us/decision  ({1e6 / cedar_us:>12,.0f} decisions/s)  batches of {BATCH}, median of {len(cedar)}"
    )
    print(f"target warm <= 2 us: {'met' if warm_us <= 2 else 'NOT met'}")
    print(f"ratio: {cedar_us / warm_us:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

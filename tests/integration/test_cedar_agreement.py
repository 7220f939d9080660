"""Cedar (cedarpy), given the same releasability rules, decides like the engine on the demo hub."""

from __future__ import annotations

import json
import random

import cedarpy
from bench.decide import AT, CEDAR_POLICY, cedar_entities, cedar_requests, make_items

from liaison.config import HubConfig
from liaison.policy.engine import ReleaseEngine


def test_engine_and_cedar_agree(demo_config: HubConfig) -> None:
    items = make_items(demo_config, random.Random(7))[:300]
    engine = ReleaseEngine(demo_config.policy, demo_config.partners, demo_config.agreements, 1)
    entities = cedarpy.Entities.from_json_str(json.dumps(cedar_entities(demo_config, items)))
    pairs = [(i, p.id) for i in items for p in demo_config.partners]
    requests = cedar_requests(pairs)
    theirs = [r.allowed for r in cedarpy.is_authorized_batch(requests, CEDAR_POLICY, entities)]
    ours = [engine.decide(i, p, AT).allowed for i, p in pairs]
    assert ours == theirs
    assert 0 < sum(ours) < len(ours)

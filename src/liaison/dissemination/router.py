"""The router: decide every new item for every partner and record what may be released."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from liaison.model.items import Item
from liaison.policy.engine import ReleaseEngine
from liaison.storage.base import Release


def route(engine: ReleaseEngine, items: Iterable[Item], at: datetime) -> list[Release]:
    releases = []
    for item in items:
        for partner in engine.partners:
            decision = engine.decide(item, partner.id, at)
            if decision.allowed:
                releases.append(
                    Release(
                        partner.id,
                        item.id,
                        decision.policy_version,
                        decision.obligations,
                        decision.agreements,
                    )
                )
    return releases

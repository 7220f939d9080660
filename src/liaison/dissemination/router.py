"""The router: decide every new item for every partner and record what may be released."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from liaison.dissemination.releaser import Releaser
from liaison.model.items import Item
from liaison.storage.base import Release


def route(releaser: Releaser, items: Iterable[Item], at: datetime) -> list[Release]:
    releases = []
    for item in items:
        for partner in releaser.engine.partners:
            d = releaser.decide(item, partner.id, at)
            if d.allowed:
                releases.append(
                    Release(partner.id, item.id, d.policy_version, d.obligations, d.agreements, at)
                )
    return releases

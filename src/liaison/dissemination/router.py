"""The router: decide every new item for every partner and record what may be released."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from liaison.audit import entries
from liaison.audit.entries import Entry
from liaison.dissemination.releaser import Releaser
from liaison.model.items import Item
from liaison.policy.obligations import sanitise
from liaison.storage.base import Release


@dataclass(frozen=True, slots=True)
class Routed:
    releases: list[Release]
    decisions: list[Entry]  # one `decided` audit entry per item and partner, allowed or not


def route(releaser: Releaser, items: Iterable[Item], at: datetime) -> Routed:
    releases = []
    decisions = []
    for item in items:
        for partner in releaser.engine.partners:
            d = releaser.decide(item, partner.id, at)
            decisions.append(entries.decided(item, partner.id, d, at))
            if d.allowed:
                payload = (
                    item.payload if d.obligations.empty else sanitise(item.payload, d.obligations)
                )
                releases.append(
                    Release(
                        partner.id, item.id, d.policy_version, d.obligations, d.agreements, at,
                        payload_sha256=entries.payload_sha256(payload),
                    )
                )  # fmt: skip
    return Routed(releases, decisions)

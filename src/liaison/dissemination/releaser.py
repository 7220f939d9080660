"""The release decision for stored items: the engine's, plus what the engine cannot see.

The engine decides on an item's label, originators, area and kind. An item that cites sources
must not carry out what its sources may not: a report quoting a JPN position must not reach a
partner that may not see JPN positions, whatever the report's own kind. So an item is released
only where each of its sources would be, and the copy obeys the sources' obligations too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from liaison.model.agreements import Obligations
from liaison.model.items import Item
from liaison.policy.engine import Decision, ReleaseEngine

Lookup = Callable[[str], Item | None]


class Releaser:
    def __init__(self, engine: ReleaseEngine, lookup: Lookup) -> None:
        self.engine = engine
        self.lookup = lookup

    def decide(self, item: Item, partner: str, at: datetime | None = None) -> Decision:
        decision = self.engine.decide(item, partner, at)
        if not decision.allowed or not item.sources:
            return decision
        obligations = decision.obligations
        for source_id in item.sources:
            source = self.lookup(source_id)
            if source is None:
                return self._deny(decision, f"source {source_id} is not stored")
            verdict = self.decide(source, partner, at)
            if not verdict.allowed:
                why = "; ".join(verdict.reasons)
                return self._deny(
                    decision, f"source {source_id} may not be released to {partner}: {why}"
                )
            obligations = obligations.merge(verdict.obligations)
        return replace(decision, obligations=obligations)

    @staticmethod
    def _deny(decision: Decision, reason: str) -> Decision:
        return Decision(False, (reason,), Obligations(), decision.policy_version)

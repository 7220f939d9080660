"""The release engine: may this partner receive this item, and why (DESIGN.md steps 1-4).

Deny by default; there is no switch that turns it off. The policy is compiled once per policy
version, and decisions are cached per (label, originators, area, kind, partner, time segment),
so a decision on the hot path is one dictionary lookup.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from liaison.errors import NotFound
from liaison.model.agreements import Agreement, Obligations
from liaison.model.items import Item
from liaison.model.labels import Label
from liaison.model.partners import Partner
from liaison.policy.labels_io import label_to_short
from liaison.policy.security_policy import SecurityPolicy, TagType

Clock = Callable[[], datetime]
CacheKey = tuple[Label, frozenset[str], str, str, str, int]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[str, ...]  # every failed step when denied; the grounds when allowed
    obligations: Obligations
    policy_version: int
    agreements: tuple[str, ...] = ()  # the agreements the release rests on


@dataclass(frozen=True, slots=True)
class _CompiledLabel:
    rank: int
    restrictive: tuple[tuple[str, frozenset[str]], ...]
    permissive: tuple[tuple[str, frozenset[str]], ...]
    short: str


class ReleaseEngine:
    """Decides releases under one policy version. Build a new engine for a new version."""

    def __init__(
        self,
        policy: SecurityPolicy,
        partners: Iterable[Partner],
        agreements: Iterable[Agreement],
        version: int,
        clock: Clock = utc_now,
    ) -> None:
        self.policy = policy
        self.version = version
        self._clock = clock
        self._partners = {p.id: p for p in partners}
        self._agreements = tuple(sorted(agreements, key=lambda a: a.id))
        self._by_pair: dict[frozenset[str], tuple[Agreement, ...]] = {}
        for a in self._agreements:
            for x, y in itertools.combinations(sorted(a.parties), 2):
                pair = frozenset((x, y))
                self._by_pair[pair] = (*self._by_pair.get(pair, ()), a)
        # Decisions can change only where an agreement enters or leaves force.
        instants = {
            t.timestamp()
            for a in self._agreements
            for t in (a.in_force_from, a.in_force_until)
            if t is not None
        }
        self._boundaries = sorted(instants)
        self._cache: dict[CacheKey, Decision] = {}
        self._labels: dict[Label, _CompiledLabel] = {}

    @property
    def partners(self) -> tuple[Partner, ...]:
        return tuple(self._partners.values())

    def decide(self, item: Item, partner: str, at: datetime | None = None) -> Decision:
        segment = 0
        if self._boundaries:
            at = at or self._clock()
            segment = bisect.bisect_right(self._boundaries, at.timestamp())
        key = (item.label, item.originators, item.area, item.kind, partner, segment)
        found = self._cache.get(key)
        if found is None:
            found = self._decide(item, partner, at or self._clock())
            self._cache[key] = found
        return found

    # --- the rules, run once per cache key --------------------------------------------------

    def _decide(self, item: Item, partner_id: str, at: datetime) -> Decision:
        partner = self._partners.get(partner_id)
        if partner is None:
            raise NotFound(f"{partner_id!r} is not a partner of the hub")
        if not item.originators:  # Item refuses this; the engine denies it all the same
            return Decision(False, ("the item names no originator",), Obligations(), self.version)
        if item.originators == {partner_id}:
            reason = f"{partner_id} is the originator of this item"
            return Decision(True, (reason,), Obligations(), self.version)
        # A co-originator (of an item derived from others' material) gets no free pass: the
        # other originators' material reaches it only as their agreements and its clearance allow.
        label = self._compiled(item.label)
        denials = self._clearance_denials(label, partner)
        grounds: list[str] = []
        used: list[str] = []
        obligations = Obligations()
        for originator in sorted(item.originators - {partner_id}):
            found, why = self._agreement_for(originator, partner_id, item, label, at)
            if found is None:
                denials.extend(why)
                continue
            used.append(found.id)
            obligations = obligations.merge(found.obligations)
            grounds.append(
                f"agreement {found.id} between {_pair(originator, partner_id)} covers "
                f"{item.kind} in area {item.area} up to {found.max_classification}"
            )
        if denials:
            return Decision(False, tuple(denials), Obligations(), self.version)
        cleared = (
            f"{partner_id}'s clearance ({partner.clearance.classification}) covers {label.short}"
        )
        return Decision(True, (cleared, *grounds), obligations, self.version, tuple(used))

    def _compiled(self, label: Label) -> _CompiledLabel:
        found = self._labels.get(label)
        if found is None:
            found = _CompiledLabel(
                rank=self.policy.rank(label.classification),
                restrictive=tuple(self.policy.values_of_type(label, TagType.RESTRICTIVE)),
                permissive=tuple(self.policy.values_of_type(label, TagType.PERMISSIVE)),
                short=label_to_short(label, self.policy),
            )
            self._labels[label] = found
        return found

    def _clearance_denials(self, label: _CompiledLabel, partner: Partner) -> list[str]:
        """Step 2, the SPIF access rule."""
        out: list[str] = []
        cleared = partner.clearance
        if self.policy.rank(cleared.classification) < label.rank:
            out.append(
                f"{partner.id}'s clearance ({cleared.classification}) is below the label "
                f"({label.short})"
            )
        for tag_set, required in label.restrictive:
            missing = sorted(required - cleared.holds(tag_set))
            if missing:
                out.append(
                    f"{partner.id} does not hold {', '.join(missing)} ({tag_set}), which the label requires"
                )
        for tag_set, allowed in label.permissive:
            if not allowed:
                out.append(f"the label's {tag_set} names nobody: only its originators receive it")
            elif not allowed & cleared.holds(tag_set):
                out.append(f"{partner.id} is not among {tag_set} {', '.join(sorted(allowed))}")
        return out

    def _agreement_for(
        self, originator: str, partner: str, item: Item, label: _CompiledLabel, at: datetime
    ) -> tuple[Agreement | None, list[str]]:
        """Step 3: the agreement (with the lightest obligations) that lets `originator` release to `partner`."""
        pair = _pair(originator, partner)
        binding = [
            a for a in self._by_pair.get(frozenset((originator, partner)), ()) if a.in_force(at)
        ]
        if not binding:
            return None, [f"no agreement in force between {pair}"]
        why: list[str] = []
        fitting: list[Agreement] = []
        for a in binding:
            misses = self._misses(a, item, label)
            if misses:
                why.append(f"agreement {a.id} between {pair} does not cover {'; '.join(misses)}")
            else:
                fitting.append(a)
        if not fitting:
            return None, why
        return min(fitting, key=_weight), []

    def _misses(self, a: Agreement, item: Item, label: _CompiledLabel) -> list[str]:
        misses: list[str] = []
        if item.area not in a.areas:
            misses.append(f"area {item.area}")
        if not a.covers_kind(item.kind):
            kinds = ", ".join(sorted(a.kinds or ()))
            misses.append(f"kind {item.kind} (it covers {kinds})")
        if label.rank > self.policy.rank(a.max_classification):
            misses.append(f"{label.short} (it allows up to {a.max_classification})")
        return misses


def _pair(a: str, b: str) -> str:
    return f"{a} and {b}"


def _weight(a: Agreement) -> tuple[int, float, str]:
    """Lighter obligations first: fewer stripped fields, then finer precision, then id."""
    precision = a.obligations.position_precision_deg
    return (len(a.obligations.strip), precision or 0.0, a.id)

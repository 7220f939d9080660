"""The silence procedure: a proposal circulates until its deadline and passes unless a member of
its governing body breaks silence first — one break is enough. Every member concurring passes it
at once. At the deadline (or the first time the hub looks after it, even after a restart) a
proposal still circulating is applied as one new policy version, exactly once.

Proposals touching the same object are decided one after the other: a second one is refused
while the first circulates, and a proposal whose objects changed since it was submitted fails
at its deadline ("no longer applies") instead of overwriting that change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from liaison.config import ConfigSource, parse_config
from liaison.errors import ConfigError, Conflict, Forbidden, InputError, NotFound, SpifError
from liaison.governance.changes import ChangeSet, apply_change, governing_body, parse_change
from liaison.governance.model import Act, ActKind, Proposal, State, state_of
from liaison.storage.base import PolicyVersion, Store

HUB = "hub"  # the member name of the hub's own acts (passing, failing at the deadline)


@dataclass(frozen=True, slots=True)
class Standing:
    """A proposal with its acts and the state they leave it in."""

    proposal: Proposal
    acts: tuple[Act, ...]
    state: State

    @property
    def concurred(self) -> frozenset[str]:
        return frozenset(a.member for a in self.acts if a.kind is ActKind.CONCUR)


class Governance:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        on_passed: Callable[[Proposal], None] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.on_passed = on_passed  # e.g. release the backlog (`apply_to_existing`)

    # --- reading --------------------------------------------------------------------------

    def standing(self, proposal_id: str) -> Standing:
        found = self.store.proposals(proposal_id)
        if not found:
            raise NotFound(f"no proposal {proposal_id!r}")
        acts = tuple(self.store.acts(proposal_id))
        return Standing(found[0], acts, state_of(acts))

    def all(self) -> list[Standing]:
        acts: dict[str, list[Act]] = {}
        for act in self.store.acts():
            acts.setdefault(act.proposal, []).append(act)
        return [
            Standing(p, tuple(acts.get(p.id, ())), state_of(acts.get(p.id, ())))
            for p in self.store.proposals()
        ]

    # --- acts -----------------------------------------------------------------------------

    def submit(
        self,
        by: str,
        change_text: str,
        deadline: datetime,
        *,
        spif: bytes | None = None,
        supersedes: str | None = None,
    ) -> Proposal:
        """Check the change against the current policy (every problem listed) and circulate it."""
        self.tick()
        now = self.clock()
        if deadline <= now:
            raise InputError("deadline", f"{deadline.isoformat()} is not in the future")
        change = parse_change(change_text)
        current = self._current()
        config = parse_config(current.source)
        if config.partner(by) is None:
            raise Forbidden(f"{by!r} is not a partner of the hub")
        if any(op == "replace_spif" for op, _ in change.ops) and spif is None:
            raise InputError("replace_spif", "the replacement SPIF's bytes are missing")
        self._check(change, current, spif, now)
        body = governing_body(change, config)
        if by not in body:
            raise Forbidden(
                f"{by} is not a member of the body that governs this change "
                f"({', '.join(sorted(body))})"
            )
        superseded: tuple[Act, ...] = ()
        if supersedes is not None:
            old = self.standing(supersedes)
            if old.proposal.proposer != by:
                raise Forbidden(f"only {old.proposal.proposer} may amend {supersedes}")
            if old.state is not State.CIRCULATING:
                raise Conflict(f"{supersedes} is {old.state.value}: it can no longer be amended")
        for other in self.all():
            if other.state is State.CIRCULATING and other.proposal.id != supersedes:
                shared = other.proposal.touches & change.touches
                if shared:
                    raise Conflict(
                        f"{other.proposal.id} already proposes changes to "
                        f"{', '.join(sorted(shared))}: it is decided first"
                    )

        def make(pid: str) -> Proposal:
            return Proposal(
                pid, by, now, deadline, change.rationale, change_text, body, change.touches,
                current.version, change.apply_to_existing, supersedes, spif,
            )  # fmt: skip

        if supersedes is not None:
            superseded = (Act(supersedes, ActKind.SUPERSEDED, by, now, "amended"),)
        return self.store.add_proposal(make, superseded)

    def concur(self, proposal_id: str, member: str, reason: str = "") -> Standing:
        standing = self._open_to(proposal_id, member)
        if member in standing.concurred:
            raise Conflict(f"{member} has already concurred with {proposal_id}")
        self.store.add_acts([Act(proposal_id, ActKind.CONCUR, member, self.clock(), reason)])
        after = self.standing(proposal_id)
        if after.proposal.body <= after.concurred | {after.proposal.proposer}:
            self._resolve(after, self.clock())  # everyone agrees: no need to wait
        return self.standing(proposal_id)

    def break_silence(self, proposal_id: str, member: str, reason: str) -> Standing:
        self._open_to(proposal_id, member)  # a non-member is refused whatever it says
        if not reason.strip():
            raise InputError("reason", "a member breaking silence says why")
        self.store.add_acts([Act(proposal_id, ActKind.BREAK, member, self.clock(), reason)])
        return self.standing(proposal_id)

    def withdraw(self, proposal_id: str, member: str, reason: str = "") -> Standing:
        standing = self._open_to(proposal_id, member)
        if member != standing.proposal.proposer:
            raise Forbidden(f"only the proposer ({standing.proposal.proposer}) may withdraw it")
        self.store.add_acts([Act(proposal_id, ActKind.WITHDRAW, member, self.clock(), reason)])
        return self.standing(proposal_id)

    def amend(
        self,
        proposal_id: str,
        by: str,
        change_text: str,
        deadline: datetime,
        spif: bytes | None = None,
    ) -> Proposal:
        """A new proposal superseding the old one: the clock starts again."""
        return self.submit(by, change_text, deadline, spif=spif, supersedes=proposal_id)

    def tick(self) -> list[Standing]:
        """Decide every circulating proposal whose deadline has come; the ones decided."""
        now = self.clock()
        due = sorted(
            (s for s in self.all() if s.state is State.CIRCULATING and s.proposal.deadline <= now),
            key=lambda s: (s.proposal.deadline, s.proposal.created),
        )
        for standing in due:
            self._resolve(standing, now)
        return [self.standing(s.proposal.id) for s in due]

    # --- inside ---------------------------------------------------------------------------

    def _open_to(self, proposal_id: str, member: str) -> Standing:
        self.tick()
        standing = self.standing(proposal_id)
        if member not in standing.proposal.body:
            raise Forbidden(
                f"{member} is not a member of the body governing {proposal_id} "
                f"({', '.join(sorted(standing.proposal.body))})"
            )
        if standing.state is not State.CIRCULATING:
            raise Conflict(f"{proposal_id} is {standing.state.value}: silence is over")
        return standing

    def _current(self) -> PolicyVersion:
        current = self.store.latest_policy()
        if current is None:
            raise NotFound("the store holds no policy yet: run `liaison init` first")
        return current

    def _check(
        self, change: ChangeSet, base: PolicyVersion, spif: bytes | None, at: datetime
    ) -> ConfigSource:
        text = apply_change(change, base.source.text, at)
        source = ConfigSource(text, spif or base.source.spif, base.source.name)
        try:
            parse_config(source)  # raises ConfigError listing every problem
        except SpifError as exc:  # the replacement SPIF is not one: a problem of the change
            raise ConfigError(base.source.name, [f"replace_spif: {exc}"]) from None
        return source

    def _resolve(self, standing: Standing, now: datetime) -> None:
        p = standing.proposal
        current = self._current()
        # Another process (the server's tick, a command's) may have decided it since `standing`
        # was read. Read again only now, after `current`: had it passed in between, `current`
        # would show its own change as a change since the base, and it would fail as "no
        # longer applies" after passing; if it passes after this, storing the version below
        # finds the version number taken.
        if self.standing(p.id).state is not State.CIRCULATING:
            return
        try:
            changed = _changed_since(p, self.store.policy_version(p.base_version), current)
            if changed:
                raise Conflict(
                    f"no longer applies: {', '.join(sorted(changed))} changed since version "
                    f"{p.base_version} (now version {current.version})"
                )
            change = parse_change(p.change)
            # A termination takes effect when the proposal passes: at its deadline, or earlier
            # when every member concurred.
            source = self._check(change, current, p.spif, min(now, p.deadline))
        except (ConfigError, Conflict) as exc:
            self.store.add_acts([Act(p.id, ActKind.FAILED, HUB, now, str(exc))])
            return
        source = replace(source, name=f"proposal {p.id}")
        record = {
            "proposal": p.id,
            "proposer": p.proposer,
            "rationale": p.rationale,
            "body": sorted(p.body),
            "concurred": sorted(standing.concurred),
            "deadline": p.deadline.isoformat(),
        }
        passed = Act(p.id, ActKind.PASSED, HUB, now, "silence held")
        try:
            self.store.add_policy_version(
                source, now, expected=current.version + 1, record=record, acts=[passed]
            )
        except Conflict:
            return  # another process applied a version first: the next tick decides again
        if self.on_passed is not None:
            self.on_passed(p)


def _changed_since(p: Proposal, base: PolicyVersion, current: PolicyVersion) -> set[str]:
    if base.version == current.version:
        return set()
    before, after = _objects(base), _objects(current)
    return {key for key in p.touches if before.get(key) != after.get(key)}


def _objects(version: PolicyVersion) -> dict[str, Any]:
    data = tomllib.loads(version.source.text)
    out: dict[str, Any] = {"areas": data.get("areas"), "spif": version.source.spif}
    for section, kind in (("partners", "partner"), ("agreements", "agreement"), ("feeds", "feed")):
        for table in data.get(section, []):
            out[f"{kind}:{table.get('id')}"] = table
    return out

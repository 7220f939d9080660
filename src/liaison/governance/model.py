"""Proposals and the acts on them: what the silence procedure records.

A proposal never changes once submitted; its state is read from its acts, which are only ever
appended: `submitted`, then any `concur`, and one closing act — `break` (a member broke silence:
failed), `withdraw` (by the proposer), `superseded` (amended by a new proposal), `passed` (applied
as a new policy version) or `failed` (no longer applies, or would make the policy invalid).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class State(enum.Enum):
    CIRCULATING = "circulating"
    PASSED = "passed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class ActKind(enum.Enum):
    SUBMITTED = "submitted"
    CONCUR = "concur"
    BREAK = "break"  # a member breaks silence: one is enough to stop the proposal
    WITHDRAW = "withdraw"
    SUPERSEDED = "superseded"
    PASSED = "passed"
    FAILED = "failed"


CLOSING = {
    ActKind.BREAK: State.FAILED,
    ActKind.WITHDRAW: State.WITHDRAWN,
    ActKind.SUPERSEDED: State.SUPERSEDED,
    ActKind.PASSED: State.PASSED,
    ActKind.FAILED: State.FAILED,
}


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str  # "P-<n>"
    proposer: str
    created: datetime
    deadline: datetime  # UTC: silence holds until then
    rationale: str
    change: str  # the change set as TOML, exactly as submitted
    body: frozenset[str]  # the governing body: the members who may act on it
    touches: frozenset[str]  # the objects it changes ("agreement:itpp-jpn", "areas", ...)
    base_version: int  # the policy version it was checked against when submitted
    apply_to_existing: bool = False
    supersedes: str | None = None
    spif: bytes | None = None  # a replacement SPIF, when the change set replaces it


@dataclass(frozen=True, slots=True)
class Act:
    proposal: str
    kind: ActKind
    member: str  # who acted; "hub" for the hub's own acts (passed, failed at the deadline)
    at: datetime
    reason: str = ""
    version: int | None = None  # the policy version a passed proposal became


def state_of(acts: Sequence[Act]) -> State:
    """The state the acts (in order) leave the proposal in: the first closing act decides."""
    for act in acts:
        if act.kind in CLOSING:
            return CLOSING[act.kind]
    return State.CIRCULATING

"""Governance over HTTP: proposals under the silence procedure, and members' acts on them.

Partners are delegations: any of them reads every proposal with its acts. A member acts only as
itself (its token's partner), and only on proposals its governing body decides; operators (admin
tokens) read, but never act as a member. Every refused act is logged as denied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from liaison.errors import Forbidden
from liaison.governance.deadlines import parse_deadline
from liaison.governance.model import State
from liaison.governance.procedure import Standing
from liaison.hub import Hub
from liaison.render_governance import standing_json
from liaison.tokens import Caller


class ProposalIn(BaseModel):
    """A change set (the TOML of a CHANGE.toml) and when silence ends."""

    model_config = ConfigDict(extra="forbid")
    change: str = Field(min_length=1, description="The change set, as TOML text.")
    deadline: str = Field(
        min_length=1, description="2026-12-07T12:00:00Z, or a duration from now: 7d, 48h, 30m."
    )
    amends: str | None = Field(default=None, description="The proposal of yours it supersedes.")
    spif: str | None = Field(
        default=None, description="The replacement SPIF (XML) when the change has [replace_spif]."
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=4000)


class BreakIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=4000, description="Why: it goes on the record.")


def governance_router(hub: Hub, caller: Callable[..., Awaitable[Caller]]) -> APIRouter:
    router = APIRouter(prefix="/api/v1/governance", tags=["governance"])
    authenticated = Depends(caller)

    def acting(who: Caller, act: str, target: str, do: Callable[[str], Standing]) -> Standing:
        """Run a member's act as the caller; a refusal (not a member of the body governing it,
        not its proposal) is logged as denied."""
        if who.is_admin:
            raise Forbidden(
                f"operators do not act as members: to {act} {target} takes a member's token"
            )
        try:
            standing = do(who.holder)
        except Forbidden as exc:
            hub.deny(who.holder, f"{act} {target}", str(exc))
            raise
        if standing.state is State.PASSED:
            hub.notify()  # a new policy version: live streams look again
        return standing

    @router.get("/proposals")
    async def proposals(who: Caller = authenticated) -> dict[str, Any]:
        """Every proposal, oldest first, with its acts (concurrences, breaks and why, outcome)."""
        governance = hub.governance
        governance.tick()
        now = hub.clock()
        return {"proposals": [standing_json(s, now) for s in governance.all()]}

    @router.get("/proposals/{proposal_id}")
    async def proposal(proposal_id: str, who: Caller = authenticated) -> dict[str, Any]:
        """One proposal with its acts."""
        governance = hub.governance
        governance.tick()
        return standing_json(governance.standing(proposal_id), hub.clock())

    @router.post("/proposals", status_code=201)
    async def propose(body: ProposalIn, who: Caller = authenticated) -> dict[str, Any]:
        """Circulate a change set as the caller; it passes at the deadline unless a member of
        its governing body breaks silence first."""
        governance = hub.governance
        spif = body.spif.encode() if body.spif is not None else None
        target = f"an amendment of {body.amends}" if body.amends else "a change"

        def submit(partner: str) -> Standing:
            deadline = parse_deadline(body.deadline, hub.clock())
            p = governance.submit(partner, body.change, deadline, spif=spif, supersedes=body.amends)
            return governance.standing(p.id)

        return standing_json(acting(who, "propose", target, submit), hub.clock())

    @router.post("/proposals/{proposal_id}/concur")
    async def concur(
        proposal_id: str, body: ReasonIn | None = None, who: Caller = authenticated
    ) -> dict[str, Any]:
        """Concur; when every member of the body has, the proposal passes at once."""
        reason = body.reason if body is not None else ""
        standing = acting(
            who, "concur with", proposal_id,
            lambda partner: hub.governance.concur(proposal_id, partner, reason),
        )  # fmt: skip
        return standing_json(standing, hub.clock())

    @router.post("/proposals/{proposal_id}/break")
    async def break_silence(
        proposal_id: str, body: BreakIn, who: Caller = authenticated
    ) -> dict[str, Any]:
        """Break silence, saying why: the proposal fails."""
        standing = acting(
            who, "break silence on", proposal_id,
            lambda partner: hub.governance.break_silence(proposal_id, partner, body.reason),
        )  # fmt: skip
        return standing_json(standing, hub.clock())

    @router.post("/proposals/{proposal_id}/withdraw")
    async def withdraw(
        proposal_id: str, body: ReasonIn | None = None, who: Caller = authenticated
    ) -> dict[str, Any]:
        """Withdraw a circulating proposal: its proposer only."""
        reason = body.reason if body is not None else ""
        standing = acting(
            who, "withdraw", proposal_id,
            lambda partner: hub.governance.withdraw(proposal_id, partner, reason),
        )  # fmt: skip
        return standing_json(standing, hub.clock())

    return router

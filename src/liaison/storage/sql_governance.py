"""Proposals and their acts in the store: both append-only; a proposal's state is read
from its acts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from liaison.audit import entries
from liaison.codec import format_time, parse_time
from liaison.governance.model import Act, ActKind, Proposal
from liaison.storage.database import Database
from liaison.storage.sql_rows import StoreRows

GOVERNANCE_TABLES = ("proposals", "proposal_acts")
_PROPOSAL_COLUMNS = (
    "id, proposer, created, deadline, rationale, change, body, touches, base_version, "
    "apply_to_existing, supersedes, spif"
)


def insert_proposal(db: Database, p: Proposal) -> None:
    db.execute(
        f"INSERT INTO proposals ({_PROPOSAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            p.id, p.proposer, format_time(p.created), format_time(p.deadline), p.rationale,
            p.change, json.dumps(sorted(p.body)), json.dumps(sorted(p.touches)), p.base_version,
            int(p.apply_to_existing), p.supersedes, p.spif,
        ),
    )  # fmt: skip


def insert_act(db: Database, act: Act) -> None:
    db.execute(
        "INSERT INTO proposal_acts (proposal, kind, member, at, reason, version) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (act.proposal, act.kind.value, act.member, format_time(act.at), act.reason, act.version),
    )


def next_proposal_id(db: Database) -> str:
    row = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM proposals").fetchone()
    return f"P-{int(row[0])}"


def read_proposals(db: Database, proposal_id: str | None = None) -> list[Proposal]:
    rows = db.execute(
        f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE CAST(? AS TEXT) IS NULL OR id = ? ORDER BY seq",
        (proposal_id, proposal_id),
    ).fetchall()
    return [
        Proposal(
            pid, proposer, parse_time(created), parse_time(deadline), rationale, change,
            frozenset(json.loads(body)), frozenset(json.loads(touches)), int(base),
            bool(apply), supersedes, None if spif is None else bytes(spif),
        )
        for (pid, proposer, created, deadline, rationale, change, body, touches, base, apply,
             supersedes, spif) in rows
    ]  # fmt: skip


def read_acts(db: Database, proposal_id: str | None = None) -> list[Act]:
    rows = db.execute(
        "SELECT proposal, kind, member, at, reason, version FROM proposal_acts "
        "WHERE CAST(? AS TEXT) IS NULL OR proposal = ? ORDER BY seq",
        (proposal_id, proposal_id),
    ).fetchall()
    return [
        Act(p, ActKind(kind), member, parse_time(at), reason, version)
        for p, kind, member, at, reason, version in rows
    ]


class GovernanceRows(StoreRows):
    """Proposals and acts, each write with its audit entries in one transaction."""

    def add_proposal(self, make: Callable[[str], Proposal], acts: Sequence[Act] = ()) -> Proposal:
        """Store a new proposal (`make` receives its id) with its `submitted` act, and `acts`
        (the `superseded` act of the proposal it amends), in one transaction."""
        with self._transaction():
            proposal = make(next_proposal_id(self._db))
            insert_proposal(self._db, proposal)
            submitted = Act(proposal.id, ActKind.SUBMITTED, proposal.proposer, proposal.created)
            for act in (submitted, *acts):
                insert_act(self._db, act)
            frontier = self._audit.append(
                [entries.proposal(proposal)] + [entries.governance(a) for a in (submitted, *acts)]
            )
        self._audit.install(frontier)
        return proposal

    def add_acts(self, acts: Sequence[Act]) -> None:
        with self._transaction():
            for act in acts:
                insert_act(self._db, act)
            frontier = self._audit.append([entries.governance(a) for a in acts])
        self._audit.install(frontier)

    def proposals(self, proposal_id: str | None = None) -> list[Proposal]:
        return read_proposals(self._db, proposal_id)

    def acts(self, proposal_id: str | None = None) -> list[Act]:
        return read_acts(self._db, proposal_id)

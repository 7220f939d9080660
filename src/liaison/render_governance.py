"""Proposals for people and machines: the record of the silence procedure, as JSON and text."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.markup import escape
from rich.table import Table

from liaison.codec import format_time
from liaison.governance.deadlines import time_left
from liaison.governance.model import CLOSING, Act, ActKind, State
from liaison.governance.procedure import Standing
from liaison.storage.base import PolicyVersion

_STATE_STYLE = {
    State.CIRCULATING: "yellow",
    State.PASSED: "green",
    State.FAILED: "red",
    State.WITHDRAWN: "dim",
    State.SUPERSEDED: "dim",
}


def act_json(act: Act) -> dict[str, Any]:
    return {
        "kind": act.kind.value,
        "member": act.member,
        "at": format_time(act.at),
        "reason": act.reason,
        "version": act.version,
    }


def outcome(s: Standing) -> Act | None:
    """The act that closed the proposal (None while it circulates)."""
    return next((a for a in s.acts if a.kind in CLOSING), None)


def broke(s: Standing) -> list[Act]:
    return [a for a in s.acts if a.kind is ActKind.BREAK]


def standing_json(s: Standing, now: datetime) -> dict[str, Any]:
    p = s.proposal
    closed = outcome(s)
    circulating = s.state is State.CIRCULATING
    return {
        "id": p.id,
        "proposer": p.proposer,
        "state": s.state.value,
        "rationale": p.rationale,
        "created": format_time(p.created),
        "deadline": format_time(p.deadline),
        "seconds_left": max(0, int((p.deadline - now).total_seconds())) if circulating else None,
        "time_left": time_left(p.deadline, now) if circulating else None,
        "body": sorted(p.body),
        "touches": sorted(p.touches),
        "base_version": p.base_version,
        "apply_to_existing": p.apply_to_existing,
        "supersedes": p.supersedes,
        "replaces_spif": p.spif is not None,
        "concurred": sorted(s.concurred),
        "broke_silence": [{"member": a.member, "reason": a.reason} for a in broke(s)],
        "outcome": act_json(closed) if closed is not None else None,
        "policy_version": closed.version if closed is not None else None,
        "change": p.change,
        "acts": [act_json(a) for a in s.acts],
    }


def _seconds(t: datetime) -> str:
    """A time for people: to the second (JSON keeps it whole)."""
    return format_time(t.replace(microsecond=0))


def deadline_text(s: Standing, now: datetime) -> str:
    p = s.proposal
    if s.state is State.CIRCULATING:
        return f"{_seconds(p.deadline)} ({time_left(p.deadline, now)} left)"
    return _seconds(p.deadline)


def outcome_text(s: Standing) -> str:
    """One line: how the proposal ended (or that it circulates)."""
    closed = outcome(s)
    if closed is None:
        return "circulating: silence holds so far"
    match closed.kind:
        case ActKind.PASSED:
            return f"passed: silence held; applied as policy version {closed.version}"
        case ActKind.BREAK:
            return f"failed: {closed.member} broke silence"
        case ActKind.WITHDRAW:
            why = f": {closed.reason}" if closed.reason else ""
            return f"withdrawn by {closed.member}{why}"
        case ActKind.SUPERSEDED:
            return f"superseded: amended by {closed.member}"
        case _:
            return f"failed: {closed.reason}"


def record_lines(s: Standing, now: datetime) -> list[str]:
    """The record of one proposal, in prose: who proposed what and why, who acted, the outcome."""
    p = s.proposal
    lines = [
        f"{p.id}: proposed by {p.proposer} on {_seconds(p.created)}: {p.rationale}",
        f"  governed by {', '.join(sorted(p.body))}; silence until {deadline_text(s, now)}",
    ]
    if p.supersedes:
        lines.append(f"  amends {p.supersedes}")
    if s.concurred:
        lines.append(f"  concurred: {', '.join(sorted(s.concurred))}")
    lines += [f"  {a.member} broke silence: {a.reason}" for a in broke(s)]
    lines.append(f"  outcome: {outcome_text(s)}")
    return lines


def proposals_table(standings: Sequence[Standing], now: datetime) -> Table:
    table = Table(title="Proposals under the silence procedure")
    for column in (
        "proposal",
        "state",
        "deadline",
        "body",
        "concurred",
        "broke silence",
        "version",
    ):
        table.add_column(column)
    for s in standings:
        p = s.proposal
        closed = outcome(s)
        style = _STATE_STYLE[s.state]
        # Cells quote input (rationales, reasons): escaped, never read as markup.
        table.add_row(
            f"{escape(p.id)} by {escape(p.proposer)}\n[dim]{escape(p.rationale)}[/]",
            f"[{style}]{s.state.value}[/]",
            escape(deadline_text(s, now)),
            escape(", ".join(sorted(p.body))),
            escape(", ".join(sorted(s.concurred))) or "-",
            "\n".join(escape(f"{a.member}: {a.reason}") for a in broke(s)) or "-",
            str(closed.version) if closed is not None and closed.version is not None else "-",
        )
    return table


def policy_diff_lines(old: PolicyVersion, new: PolicyVersion) -> list[str]:
    """A unified diff of two versions' configuration text (lines ending in a newline), then a
    line saying whether the SPIF changed."""
    name = "policy version {0.version} ({0.source.name}, {1})".format
    lines = list(
        difflib.unified_diff(
            old.source.text.splitlines(keepends=True),
            new.source.text.splitlines(keepends=True),
            fromfile=name(old, format_time(old.created)),
            tofile=name(new, format_time(new.created)),
        )
    )
    lines = [line if line.endswith("\n") else line + "\n" for line in lines]
    if old.source.text == new.source.text:
        lines.append(
            f"the configuration text of versions {old.version} and {new.version} is the same\n"
        )
    before, after = (hashlib.sha256(v.source.spif).hexdigest() for v in (old, new))
    if before == after:
        lines.append(f"SPIF: unchanged (sha256 {before[:16]}...)\n")
    else:
        lines.append(f"SPIF: changed (sha256 {before[:16]}... -> {after[:16]}...)\n")
    return lines

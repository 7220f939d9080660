"""The policy and how it changes: `policy show|diff`, `propose`, `silence concur|break`,
`withdraw` and `proposals` (the silence procedure; see liaison.governance)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from liaison import render, render_governance
from liaison.cli_common import DbOption, JsonOption, app, fail, hub_session, out, print_json
from liaison.errors import LiaisonError
from liaison.governance.changes import parse_change
from liaison.governance.deadlines import parse_deadline
from liaison.governance.procedure import Standing

policy_app = typer.Typer(
    help="The hub's policy: partners, agreements, feeds, and its versions.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")
silence_app = typer.Typer(
    help="Act on a circulating proposal: concur, or break silence (which fails it).",
    no_args_is_help=True,
)
app.add_typer(silence_app, name="silence")

ByOption = Annotated[str, typer.Option("--by", help="The member acting (a partner id).")]
ProposalArg = Annotated[str, typer.Argument(metavar="PROPOSAL_ID")]


@policy_app.command("show")
def policy_show(db: DbOption, as_json: JsonOption = False) -> None:
    """The policy version in force: partners, clearances, agreements and feeds."""
    with hub_session(db) as hub:
        config = hub.config
        if as_json:
            print_json(render.policy_json(hub.policy_version, config))
            return
        out.print(
            f"policy version {hub.policy_version}: SPIF {config.policy.name} ({config.policy.id}), "
            f"partners {', '.join(p.id for p in config.partners)}",
            markup=False,
            highlight=False,
        )
        out.print(render.agreements_table(config))


@policy_app.command("diff")
def policy_diff(
    v1: Annotated[int, typer.Argument(metavar="V1", min=1)],
    v2: Annotated[int, typer.Argument(metavar="V2", min=1)],
    db: DbOption,
) -> None:
    """A unified diff of two policy versions' configuration text, and whether the SPIF changed."""
    with hub_session(db) as hub:
        old, new = hub.store.policy_version(v1), hub.store.policy_version(v2)
    sys.stdout.writelines(render_governance.policy_diff_lines(old, new))


@app.command()
def propose(
    db: DbOption,
    by: ByOption,
    file: Annotated[Path, typer.Option("--file", help="The change set (CHANGE.toml).")],
    deadline: Annotated[
        str,
        typer.Option(help="When silence ends: 2026-12-07T12:00:00Z, or from now: 7d, 48h, 30m."),
    ],
    amends: Annotated[
        str | None, typer.Option(help="Supersede this circulating proposal of yours.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Circulate a change set: it passes at the deadline unless a member breaks silence."""
    try:
        text = file.read_text("utf-8")
        spif = _replacement_spif(file, text)
    except OSError as exc:
        fail(LiaisonError(f"{exc.filename}: cannot read: {exc.strerror}"))
    except UnicodeDecodeError:
        fail(LiaisonError(f"{file}: not UTF-8 text"))
    except LiaisonError as exc:
        fail(exc)
    with hub_session(db) as hub:
        at = parse_deadline(deadline, hub.clock())
        governance = hub.governance
        proposal = governance.submit(by, text, at, spif=spif, supersedes=amends)
        standing = governance.standing(proposal.id)
        if as_json:
            print_json(render_governance.standing_json(standing, hub.clock()))
            return
        _print_record(standing, hub.clock())


def _replacement_spif(file: Path, text: str) -> bytes | None:
    """The SPIF a `[replace_spif]` names, read relative to the change file."""
    change = parse_change(text, str(file))
    paths = [str(table["path"]) for op, table in change.ops if op == "replace_spif"]
    if not paths:
        return None
    return (file.parent / paths[-1]).read_bytes()


@silence_app.command("concur")
def silence_concur(
    db: DbOption,
    by: ByOption,
    proposal_id: ProposalArg,
    reason: Annotated[str, typer.Option(help="A word on the record (optional).")] = "",
) -> None:
    """Concur with a proposal; when every member has, it passes at once."""
    with hub_session(db) as hub:
        _print_record(hub.governance.concur(proposal_id, by, reason), hub.clock())


@silence_app.command("break")
def silence_break(
    db: DbOption,
    by: ByOption,
    proposal_id: ProposalArg,
    reason: Annotated[str, typer.Option(help="Why: it goes on the record.")],
) -> None:
    """Break silence: the proposal fails, and the record says who and why."""
    with hub_session(db) as hub:
        _print_record(hub.governance.break_silence(proposal_id, by, reason), hub.clock())


@app.command()
def withdraw(
    db: DbOption,
    by: ByOption,
    proposal_id: ProposalArg,
    reason: Annotated[str, typer.Option(help="Why (optional).")] = "",
) -> None:
    """Withdraw a circulating proposal (only its proposer may)."""
    with hub_session(db) as hub:
        _print_record(hub.governance.withdraw(proposal_id, by, reason), hub.clock())


@app.command()
def proposals(db: DbOption, as_json: JsonOption = False) -> None:
    """Every proposal: state, deadline and time left, body, concurrences, breaks, the version."""
    with hub_session(db) as hub:
        hub.governance.tick()
        standings, now = hub.governance.all(), hub.clock()
        if as_json:
            print_json([render_governance.standing_json(s, now) for s in standings])
            return
        if not standings:
            out.print("no proposals yet: `liaison propose` circulates one", markup=False)
            return
        out.print(render_governance.proposals_table(standings, now))


def _print_record(standing: Standing, now: datetime) -> None:
    for line in render_governance.record_lines(standing, now):
        out.print(line, markup=False, highlight=False)

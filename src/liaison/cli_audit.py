"""`liaison audit`: sign heads, read entries, prove inclusion and consistency, verify the log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison.audit import heads
from liaison.audit.log import record_json
from liaison.cli_common import DbOption, JsonOption, app, fail, hub_session, out, print_json
from liaison.errors import LiaisonError

audit_app = typer.Typer(
    help="The tamper-evident audit log (RFC 9162): heads, entries, proofs, verification.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

KeyOption = Annotated[
    Path | None,
    typer.Option("--key", help="The hub's key file (default: <db>.audit-key beside the store)."),
]


@audit_app.command("head")
def audit_head(db: DbOption, key: KeyOption = None) -> None:
    """Sign the log as it is now (a new head only if it grew) and print the signed head."""
    with hub_session(db) as hub:
        hub.audit.key = heads.load_key(key or heads.default_key_path(db))
        print_json(hub.audit.sign_head(hub.clock()).to_json())


@audit_app.command("key")
def audit_key(db: DbOption, key: KeyOption = None) -> None:
    """Print the public key partners check signed heads with (PEM)."""
    try:
        public = heads.load_public(key or heads.default_key_path(db))
    except LiaisonError as exc:
        fail(exc)
    print(heads.public_pem(public), end="")


@audit_app.command("entries")
def audit_entries(
    db: DbOption,
    partner: Annotated[
        str | None, typer.Option(help="Only the entries about this partner.")
    ] = None,
    after: Annotated[int, typer.Option(min=0, help="From this entry index.")] = 0,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonOption = False,
) -> None:
    """Entries in log order, with their leaf hashes."""
    with hub_session(db) as hub:
        records = [record_json(r) for r in hub.store.audit.records(after, limit, partner)]
    if as_json:
        print_json(records)
        return
    for r in records:
        entry = r["entry"]
        about = entry.get("item") or entry.get("token") or entry.get("version") or ""
        who = entry.get("partner") or entry.get("holder") or ""
        out.print(f"{r['index']:>8}  {entry['time']}  {r['type']:9} {who:5} {about}", markup=False)


@audit_app.command("prove")
def audit_prove(
    db: DbOption,
    index: Annotated[int | None, typer.Option(min=0, help="Inclusion of this entry.")] = None,
    leaf: Annotated[
        str | None, typer.Option(help="Inclusion of the entry with this leaf hash.")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(min=1, help="In the tree of this size (default: the latest signed head)."),
    ] = None,
    old: Annotated[
        int | None, typer.Option(min=0, help="Consistency: from this tree size...")
    ] = None,
    new: Annotated[int | None, typer.Option(min=0, help="...to this one.")] = None,
) -> None:
    """An inclusion proof (--index or --leaf) or a consistency proof (--old, --new), as JSON,
    checked here with RFC 9162's verification before it is printed."""
    with hub_session(db) as hub:
        if old is not None or new is not None:
            if old is None or new is None:
                fail(LiaisonError("a consistency proof needs both --old and --new"))
            proof = hub.audit.consistency(old, new)
            print_json({**proof.to_json(), "verified": proof.verifies()})
            return
        if (index is None) == (leaf is None):
            fail(LiaisonError("give --index N or --leaf HASH (or --old and --new)"))
        at = index if index is not None else hub.audit.index_of(str(leaf))
        tree_size, _ = hub.audit.head_for(size, hub.clock())
        inclusion = hub.audit.inclusion(at, tree_size)
        print_json({**inclusion.to_json(), "verified": inclusion.verifies()})


@audit_app.command("verify")
def audit_verify(db: DbOption, key: KeyOption = None, as_json: JsonOption = False) -> None:
    """Recompute the whole tree, every signed head and every act's entry; exit 1 on a mismatch."""
    from liaison.audit.verify import verify_store  # noqa: PLC0415 - only this command needs it

    path = key or heads.default_key_path(db)
    try:
        public = heads.load_public(path) if key is not None or path.exists() else None
    except LiaisonError as exc:
        fail(exc)
    with hub_session(db, decide_proposals=False) as hub:  # only reads: it writes nothing
        report = verify_store(hub.store, public)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "heads": report.heads,
                "heads_checked": report.heads_checked,
                "root": report.root.hex(),
                "findings": [{"index": f.index, "what": f.what} for f in report.findings],
            }
        )
    else:
        out.print(
            f"{report.entries} entries, root {report.root.hex()}; "
            f"{report.heads} signed heads, {report.heads_checked} signatures checked"
            + ("" if public is not None else " (no key: signatures not checked)"),
            markup=False,
        )
        if report.findings:
            first = report.findings[0]
            where = f"entry {first.index}" if first.index is not None else "the log"
            out.print(f"first mismatch at {where}: {first.what}", markup=False)
            for f in report.findings[1:]:
                out.print(f"  also: {f.what}", markup=False)
        else:
            out.print("verified: every entry, node, head and act matches", markup=False)
    if not report.ok:
        raise typer.Exit(1)

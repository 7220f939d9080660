"""The audit log over HTTP: the public key, signed heads, a partner's own entries, and proofs.

A partner reads only the entries about itself (its decisions and releases, its tokens); it may
ask for the inclusion proof of any leaf hash it holds (a hash reveals nothing), and for
consistency proofs between any two sizes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from liaison.audit import heads
from liaison.audit.entries import AuditRecord
from liaison.audit.log import record_json
from liaison.audit.verify import Report, verify_store
from liaison.errors import Forbidden, InputError, NotFound
from liaison.hub import Hub
from liaison.tokens import Caller

Index = Annotated[int, Query(ge=0, le=2**62)]


def report_json(report: Report, head: heads.SignedHead | None) -> dict[str, Any]:
    """A full verification as `liaison audit verify --json` prints it, with what was not
    checked (`notes`), the findings left out (`omitted`) and the latest signed head."""
    return {
        "ok": report.ok,
        "entries": report.entries,
        "heads": report.heads,
        "heads_checked": report.heads_checked,
        "root": report.root.hex(),
        "findings": [
            {
                "index": f.index,
                "where": "the log" if f.index is None else f"entry {f.index}",
                "what": f.what,
            }
            for f in report.findings
        ],
        "omitted": report.omitted,
        "notes": list(report.notes),
        "head": head.to_json() if head is not None else None,
    }


def visible_to_partner(record: AuditRecord) -> bool:
    """A partner's own entries, except the decisions that withheld an item from it: those name
    the item and say why (its label), which is what withholding it keeps from the partner."""
    if record.type != "decided":
        return True
    return bool(json.loads(record.body).get("allowed"))


def audit_router(hub: Hub, caller: Callable[..., Awaitable[Caller]]) -> APIRouter:
    router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
    authenticated = Depends(caller)

    @router.get("/key")
    async def key() -> dict[str, Any]:
        """The Ed25519 public key that signs the tree heads (no token needed: it is public)."""
        if hub.audit.key is None:
            raise NotFound("this hub holds no audit signing key")
        public = hub.audit.key.public_key()
        return {
            "algorithm": "Ed25519",
            "key_id": heads.key_id(public),
            "public_key_pem": heads.public_pem(public),
            "signed_bytes": "canonical JSON of {log, root (hex), size, time}",
        }

    @router.get("/head")
    async def head(who: Caller = authenticated) -> dict[str, Any]:
        """The latest signed tree head (signed now if the log has grown since)."""
        return hub.audit.sign_head(hub.clock()).to_json()

    @router.get("/heads")
    async def signed_heads(
        who: Caller = authenticated, limit: Annotated[int, Query(ge=1, le=10_000)] = 100
    ) -> dict[str, Any]:
        """The newest signed heads, newest first: keep them, and ask for consistency proofs."""
        return {"heads": [h.to_json() for h in hub.store.audit.heads(limit, latest=True)]}

    @router.get("/entries")
    async def entries(
        who: Caller = authenticated,
        partner: str | None = None,
        after: Index = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> dict[str, Any]:
        """Entries in log order from index `after`: a partner's own (`partner=me`, the default for
        a partner); an operator's choice of partner, or all."""
        if who.is_admin:
            reader = None if partner in {None, "all"} else partner
        else:
            if partner not in {None, "me", who.holder}:
                hub.deny(who.holder, f"audit entries of {partner}", "not its own entries")
                raise Forbidden(f"{who.holder} may read its own audit entries, not {partner}'s")
            reader = who.holder
        records = hub.store.audit.records(after, limit, reader)
        shown = records if who.is_admin else [r for r in records if visible_to_partner(r)]
        return {
            "entries": [record_json(r) for r in shown],
            "next": records[-1].index + 1 if records else after,
        }

    @router.get("/verify")
    async def verify(who: Caller = authenticated) -> dict[str, Any]:
        """Operators: recompute the whole log from its entries (leaves, nodes, every signed
        head and its signature, every act against its entry), as `liaison audit verify` does.
        It writes nothing, not even a new head (a partner's refusal is logged). It reads the whole store in the event loop's
        thread, so the server answers nothing else meanwhile: for a large store, prefer the
        command line."""
        if not who.is_admin:
            hub.deny(who.holder, "a full audit verification", "operators only")
            raise Forbidden(
                f"{who.holder} may not verify the whole log: ask for the signed head and "
                "consistency and inclusion proofs instead"
            )
        public = hub.audit.key.public_key() if hub.audit.key is not None else None
        report = verify_store(hub.store, public)
        return report_json(report, hub.audit.latest_head())

    @router.get("/proof/inclusion")
    async def inclusion(
        who: Caller = authenticated,
        index: Index | None = None,
        leaf: Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$")] = None,
        size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    ) -> dict[str, Any]:
        """The inclusion proof of an entry (by `leaf` hash, or by `index` for one's own entries)
        in the tree of `size` entries (default: the latest signed head)."""
        if (index is None) == (leaf is None):
            raise InputError("query", "give index=N or leaf=<64 hex digits>")
        holder = None if who.is_admin else who.holder
        at = index if index is not None else hub.audit.index_of(str(leaf), holder)
        if index is not None and not who.is_admin:
            owner = hub.store.audit.record(index).partner
            if owner != who.holder:
                hub.deny(who.holder, f"audit entry {index}", "not its own entry")
                raise Forbidden(
                    f"entry {index} is not {who.holder}'s: ask by the leaf hash you hold"
                )
        tree_size, _ = hub.audit.head_for(size, hub.clock())
        return hub.audit.inclusion(at, tree_size).to_json()

    @router.get("/proof/consistency")
    async def consistency(
        who: Caller = authenticated,
        first: Annotated[int, Query(ge=0, le=2**62)] = 0,
        second: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    ) -> dict[str, Any]:
        """That the log of `second` entries (default: the latest signed head) extends the log
        of `first` entries."""
        to, _ = hub.audit.head_for(second, hub.clock())
        return hub.audit.consistency(first, to).to_json()

    return router

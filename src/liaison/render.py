"""Text for people: decisions, feeds and the release matrix as the CLI prints them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from liaison.codec import format_time, item_to_json
from liaison.config import HubConfig
from liaison.dissemination.feeds import FeedEntry, FeedPage
from liaison.model.items import Item
from liaison.policy.engine import Decision
from liaison.policy.labels_io import display_marking, label_to_short
from liaison.policy.security_policy import SecurityPolicy


def decision_json(item: Item, partner: str, d: Decision) -> dict[str, Any]:
    return {
        "item": item.id,
        "partner": partner,
        "allowed": d.allowed,
        "reasons": list(d.reasons),
        "obligations": d.obligations.as_json(),
        "agreements": list(d.agreements),
        "policy_version": d.policy_version,
    }


def decision_prose(item: Item, partner: str, d: Decision, policy: SecurityPolicy) -> str:
    verdict = "may receive" if d.allowed else "may NOT receive"
    lines = [
        f"{partner} {verdict} {item.id} ({item.kind}, {item.area}, "
        f"{label_to_short(item.label, policy)}; originated by {', '.join(sorted(item.originators))})",
        "because:" if d.allowed else "denied because:",
    ]
    lines += [f"  - {r}" for r in d.reasons]
    if d.obligations.describe():
        lines.append("on condition that the copy released is sanitised:")
        lines += [f"  - {o}" for o in d.obligations.describe()]
    lines.append(f"(policy version {d.policy_version})")
    return "\n".join(lines)


def feed_json(page: FeedPage, policy: SecurityPolicy) -> dict[str, Any]:
    return {
        "partner": page.partner,
        "items": [entry_json(e, policy) for e in page.entries],
        "next": page.next,
    }


def entry_json(e: FeedEntry, policy: SecurityPolicy) -> dict[str, Any]:
    """One release as feeds and live streams carry it."""
    return {
        "cursor": e.cursor,
        "marking": display_marking(e.item.label, policy),
        "agreements": list(e.agreements),
        "item": item_to_json(e.item, e.payload),
    }


def feed_table(page: FeedPage, policy: SecurityPolicy) -> Table:
    table = Table(title=f"Feed of {page.partner} (next cursor {page.next})")
    for column in ("cursor", "item", "kind", "area", "label", "title"):
        table.add_column(column)
    for e in page.entries:
        # Cells quote input (titles are free text): escaped, never read as markup.
        table.add_row(
            str(e.cursor),
            escape(e.item.id),
            escape(e.item.kind),
            escape(e.item.area),
            escape(label_to_short(e.item.label, policy)),
            escape(str(e.payload.get("title", ""))),
        )
    return table


def matrix_json(
    items: Sequence[Item], partners: Sequence[str], decide: Any
) -> list[dict[str, Any]]:
    return [decision_json(item, p, decide(item, p)) for item in items for p in partners]


def matrix_table(
    items: Sequence[Item],
    partners: Sequence[str],
    decide: Any,
    policy: SecurityPolicy,
    *,
    changed: Collection[tuple[str, str]] = (),
    title: str = "Release matrix: may the partner (column) receive the item (row)?",
) -> Table:
    """`changed` (item, partner) cells are in capitals, reversed: what a new policy changed."""
    table = Table(title=title)
    table.add_column("item", no_wrap=True)
    table.add_column("label", no_wrap=True)
    for p in partners:
        table.add_column(p, justify="center")
    for item in items:
        marks = [_mark(decide(item, p).allowed, (item.id, p) in changed) for p in partners]
        table.add_row(
            f"{escape(item.id)}\n[dim]{escape(item.kind)}, {escape(item.area)}[/]",
            escape(label_to_short(item.label, policy)),
            *marks,
        )
    return table


def _mark(allowed: bool, changed: bool) -> str:
    if changed:
        return "[bold reverse green]YES[/]" if allowed else "[bold reverse red]NO[/]"
    return "[green]yes[/]" if allowed else "[red]no[/]"


def denials_text(items: Sequence[Item], partners: Sequence[str], decide: Any) -> list[str]:
    lines = []
    for item in items:
        for p in partners:
            d = decide(item, p)
            verdict = "released" if d.allowed else "denied"
            lines.append(f"{item.id} -> {p}: {verdict}: {'; '.join(d.reasons)}")
    return lines


def policy_json(version: int, config: HubConfig) -> dict[str, Any]:
    return {
        "version": version,
        "policy": {"name": config.policy.name, "id": config.policy.id},
        "areas": list(config.areas),
        "partners": [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind.value,
                "clearance": {
                    "classification": p.clearance.classification,
                    "categories": {name: sorted(v) for name, v in p.clearance.categories},
                },
                "members": sorted(p.members),
            }
            for p in config.partners
        ],
        "agreements": [
            {
                "id": a.id,
                "kind": a.kind.value,
                "parties": sorted(a.parties),
                "areas": sorted(a.areas),
                "kinds": None if a.kinds is None else sorted(a.kinds),
                "max_classification": a.max_classification,
                "in_force_from": None if a.in_force_from is None else format_time(a.in_force_from),
                "in_force_until": None
                if a.in_force_until is None
                else format_time(a.in_force_until),
                "obligations": a.obligations.describe(),
            }
            for a in config.agreements
        ],
        "feeds": [
            {
                "id": f.id,
                "originator": f.originator,
                "area": f.area,
                "kind": f.kind,
                "label": label_to_short(f.label, config.policy),
            }
            for f in config.feeds
        ],
    }


def agreements_table(config: HubConfig) -> Table:
    table = Table(title="Agreements")
    for column in ("id", "kind", "parties", "areas", "kinds", "up to", "obligations"):
        table.add_column(column)
    every = frozenset(config.areas)
    for a in config.agreements:
        areas = "all" if a.areas == every else ", ".join(sorted(a.areas))
        table.add_row(
            a.id, a.kind.value, ", ".join(sorted(a.parties)), areas,
            "all" if a.kinds is None else ", ".join(sorted(a.kinds)),
            a.max_classification, "; ".join(a.obligations.describe()) or "-",
        )  # fmt: skip
    return table

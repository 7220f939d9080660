"""Text for people: events and tracks as the CLI prints them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from liaison.codec import format_unix
from liaison.hub import Hub
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.storage.base import VesselTrack


def event_summary(payload: Mapping[str, Any]) -> str:
    """One line a duty officer reads: what happened, where."""
    kind = payload.get("type")
    if kind == "transit":
        return f"{payload.get('gate_name')}: {payload.get('direction')}"
    if kind == "zone":
        seen = " (inferred: between two reports)" if payload.get("inferred") else ""
        return f"{payload.get('action')} {payload.get('zone')}{seen}"
    if kind == "gap":
        flag = ", likely intentional" if payload.get("likely_intentional") else ""
        return f"silent {payload.get('duration_h')} h{flag}"
    if kind == "encounter":
        return f"{payload.get('duration_h')} h together, closest {payload.get('closest_m')} m"
    if kind == "loitering":
        return f"{payload.get('duration_h')} h under 2 kn"
    if kind == "jump":
        speed = payload.get("implied_speed_kn")
        how = "at the same time stamp" if speed is None else f"implied {speed} kn"
        return f"{payload.get('distance_nm')} nm {how}"
    return str(kind)


def events_table(events: Sequence[tuple[Item, Mapping[str, Any]]], partner: str | None) -> Table:
    title = f"Events released to {partner}" if partner else "Events (operators' view)"
    table = Table(title=f"{title}: {len(events)}, newest first")
    for column in ("end", "type", "vessels", "what", "position", "feed"):
        table.add_column(column)
    for item, p in events:
        names = [
            n or str(m) for n, m in zip(p.get("names") or [], p.get("mmsi") or [], strict=False)
        ]
        pos = p.get("position", {})
        table.add_row(
            str(p.get("end", "")), str(p.get("type")), escape(", ".join(names)),
            escape(event_summary(p)), f"{pos.get('lat', '?')}, {pos.get('lon', '?')}", item.feed or "",
        )  # fmt: skip
    return table


def track_json(t: VesselTrack, history: Sequence[Fix] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "feed": t.feed,
        "mmsi": t.mmsi,
        "name": t.name,
        "callsign": t.callsign,
        "ship_type": t.ship_type,
        "time": format_unix(t.time),
        "lat": t.lat,
        "lon": t.lon,
        "sog": t.sog,
        "cog": t.cog,
        "heading": t.heading,
        "fixes": t.fixes,
    }
    if history is not None:
        out["positions"] = [
            {"time": format_unix(f.time), "lat": f.lat, "lon": f.lon, "sog": f.sog, "cog": f.cog}
            for f in history
        ]
    return out


def tracks_table(rows: Sequence[VesselTrack], history: Sequence[Fix] | None) -> Table:
    table = Table(title=f"Tracks: {len(rows)}")
    for column in ("feed", "mmsi", "name", "last report", "position", "sog kn", "cog", "fixes"):
        table.add_column(column)
    for t in rows:
        table.add_row(
            t.feed, str(t.mmsi), escape(t.name or ""), format_unix(t.time), f"{t.lat:.4f}, {t.lon:.4f}",
            "" if t.sog is None else f"{t.sog:.1f}", "" if t.cog is None else f"{t.cog:.0f}", str(t.fixes),
        )  # fmt: skip
    if history:
        table.caption = f"{len(history)} positions, {format_unix(history[0].time)} to {format_unix(history[-1].time)}"
    return table


def partner_picture_table(hub: Hub, picture: Sequence[Item]) -> Table:
    """Per partner: position batches and events received per feed, and why the rest was denied."""
    table = Table(title="The maritime picture, per partner")
    for column in ("partner", "position batches", "events", "denied (one reason per feed)"):
        table.add_column(column)
    feeds = sorted({i.feed or "" for i in picture})
    for partner in hub.config.partners:
        received = {e.item.id for e in hub.feed(partner.id, 0, 1_000_000).entries}
        batches = sum(1 for i in picture if i.kind == "position" and i.id in received)
        events = sum(1 for i in picture if i.kind == "event" and i.id in received)
        denied = []
        for feed in feeds:
            refused = next((i for i in picture if i.feed == feed and i.id not in received), None)
            if refused is not None:
                reason = "; ".join(hub.releaser.decide(refused, partner.id).reasons)
                denied.append(f"{feed}: {reason}")
        table.add_row(partner.id, str(batches), str(events), escape("\n".join(denied)) or "-")
    return table

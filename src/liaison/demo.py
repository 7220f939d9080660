"""The policy demo: the situation's cases on the demo hub, as a release matrix with reasons."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from rich.console import Console

from liaison import render, render_governance, render_maritime
from liaison.audit.heads import default_key_path, load_or_create_key
from liaison.codec import canonical_json
from liaison.config import ConfigSource, read_config_source
from liaison.hub import Hub
from liaison.ingest.ais_stream import AisSummary
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from liaison.model.items import Item
from liaison.policy.engine import utc_now

DEMO_REPORTS = "demo-reports.jsonl"


class DemoClock:
    """The real time plus whatever the demo lets pass, so that a deadline a week away comes
    at once."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.skipped

    def advance(self, by: timedelta) -> None:
        self.skipped += by


def demo_reports() -> list[str]:
    return resources.files("liaison.data").joinpath(DEMO_REPORTS).read_text("utf-8").splitlines()


def load_demo(hub: Hub, source: ConfigSource | None = None) -> None:
    """Initialise `hub` (by default with the demo configuration) and ingest the demo reports."""
    hub.initialise(source or read_config_source(None))
    by_feed: dict[str, list[str]] = defaultdict(list)
    for line in demo_reports():
        originator = json.loads(line)["originators"][0]
        by_feed[f"{originator.lower()}-reports"].append(line)
    for feed_id, lines in by_feed.items():
        hub.ingest_reports(feed_id, lines, DEMO_REPORTS)


# Japan's picture around the Senkakus and the straits; the alliance's picture further north.
DEMO_AIS = {
    "jpn-ais": ("miyako-transit", "senkaku-patrol", "dark-vessel"),
    "nato-ais": ("rendezvous", "spoofed-identity", "background"),
}


def load_demo_picture(hub: Hub, workdir: Path, seed: int = 1) -> dict[str, AisSummary]:
    """Simulate the demo scenarios as NMEA files and ingest them on the demo's AIS feeds."""
    region = load_region()
    out = {}
    for feed_id, scenarios in DEMO_AIS.items():
        lines: list[tuple[float, str]] = []
        for name in scenarios:
            lines += nmea_lines(build_scenario(name, seed, region))
        lines.sort(key=lambda pair: pair[0])
        path = workdir / f"{feed_id}.nmea"
        path.write_text("".join(line + "\n" for _, line in lines), "ascii")
        with path.open(encoding="ascii") as stream:
            out[feed_id] = hub.ingest_ais(feed_id, stream, path.name)
    return out


def run_demo(console: Console, db: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-demo-") as tmp:
        path = db or Path(tmp) / "demo.db"
        clock = DemoClock()
        hub = Hub.open(path, clock=clock)
        try:
            load_demo(hub)
            config = hub.config
            console.print(
                f"Liaison demo hub ({path}): policy {config.policy.name}, "
                f"{len(config.partners)} partners, agreements: "
                + ", ".join(a.id for a in config.agreements),
                highlight=False,
            )
            console.rule("1. Reports: who may receive what, and why")
            reports = [i for _, i in hub.store.items(0, 1000)]
            partners = [p.id for p in config.partners]
            console.print(
                render.matrix_table(reports, partners, hub.releaser.decide, config.policy)
            )
            for line in render.denials_text(reports, partners, hub.releaser.decide):
                console.print("  " + line, highlight=False)
            console.rule("2. The maritime picture: simulated AIS on jpn-ais and nato-ais")
            for feed_id, summary in load_demo_picture(hub, Path(tmp)).items():
                events = ", ".join(f"{n} {t}" for t, n in sorted(summary.events.items()))
                console.print(
                    f"{feed_id}: {summary.messages} messages, {summary.positions} positions, "
                    f"{summary.rejected} rejected; events: {events}",
                    highlight=False,
                )
            render_picture(console, hub)
            console.rule("3. Governance: two proposals under the silence procedure")
            run_governance(console, hub, clock, reports)
            console.rule("4. The audit log: every act above, tamper-evident")
            render_audit(console, hub, path)
        finally:
            hub.close()


def render_audit(console: Console, hub: Hub, db: Path) -> None:
    """Sign the log as the demo left it, and verify all of it as `liaison audit verify` does."""
    from liaison.audit.verify import verify_store  # noqa: PLC0415 - only the demo's end needs it

    key_path = default_key_path(db)
    hub.audit.key = load_or_create_key(key_path)
    head = hub.audit.sign_head(hub.clock())
    counts: dict[str, int] = {}
    after = 0
    while records := hub.store.audit.records(after, 10_000):
        for r in records:
            counts[r.type] = counts.get(r.type, 0) + 1
        after = records[-1].index + 1
    console.print(
        "entries: " + ", ".join(f"{n} {t}" for t, n in sorted(counts.items())), highlight=False
    )
    console.print("signed tree head:", highlight=False)
    console.print_json(data=head.to_json())
    report = verify_store(hub.store, hub.audit.key.public_key())
    verdict = "verified" if report.ok else f"FAILED: {report.findings[0].what}"
    console.print(
        f"liaison audit verify --db {db}: {report.entries} entries, {report.heads} signed heads "
        f"({report.heads_checked} signatures checked), root {report.root.hex()[:16]}...: {verdict}",
        highlight=False,
    )


def render_picture(console: Console, hub: Hub) -> None:
    """Per partner: what it received of the picture, its transit and zone events, what it was denied."""
    picture = [
        i for kind in ("position", "event") for _, i in hub.store.items_of_kind(kind, 0, 100_000)
    ]
    table = render_maritime.partner_picture_table(hub, picture)
    console.print(table)
    shown: dict[str, str] = {}
    for partner in (p.id for p in hub.config.partners):
        # What the partner is actually sent: the feed's copies, sanitised where agreements say so.
        copies = [
            e for e in hub.feed(partner, 0, 1_000_000).entries
            if e.item.kind == "event" and e.payload.get("type") in ("transit", "zone")
        ]  # fmt: skip
        if not copies:
            continue
        key = canonical_json([[e.item.id, dict(e.payload)] for e in copies])
        if key in shown:
            console.print(
                f"{partner} sees the same {len(copies)} transit and zone events as {shown[key]}."
            )
            continue
        shown[key] = partner
        console.print(f"{partner} sees {len(copies)} transit and zone events:", style="bold")
        for entry in copies:
            p = entry.payload
            names = ", ".join(n or "?" for n in p.get("names") or [])
            console.print(
                f"  {p.get('end')}  {names}: {render_maritime.event_summary(p)}", highlight=False
            )


TOKYO_CHANNEL = """\
rationale = "Open the Tokyo tracking channel: Japan's real-time positions, tracks and events in maritime security reach NATO."

[[amend_agreement]]
id = "itpp-jpn"
add_kinds = ["position", "track", "event"]
"""
FRA_REASON = (
    "real-time positions near the Senkakus need agreed obligations first (coarsened positions, "
    "no onward release); France will support an amendment that carries them"
)
KOR_MARITIME = """\
rationale = "Bring the Republic of Korea into the alliance's maritime-security reporting on the East China Sea."
apply_to_existing = true   # what is already stored is released under the new version too

[[amend_agreement]]
id = "itpp-kor"
add_areas = ["maritime-security"]
"""
SILENCE = timedelta(days=7)


def run_governance(console: Console, hub: Hub, clock: DemoClock, reports: list[Item]) -> None:
    """JPN's Tokyo channel fails (FRA breaks silence); KOR's maritime-security extension passes
    (silence holds to the deadline) and the release matrix changes with policy version 2."""
    partners = [p.id for p in hub.config.partners]
    before = {(i.id, p): hub.releaser.decide(i, p).allowed for i in reports for p in partners}
    governance = hub.governance
    tokyo = governance.submit("JPN", TOKYO_CHANNEL, clock() + SILENCE)
    governance.break_silence(tokyo.id, "FRA", FRA_REASON)
    korea = governance.submit("KOR", KOR_MARITIME, clock() + SILENCE)
    governance.concur(korea.id, "USA", "the alliance gains Korean maritime reporting")
    console.print(
        f"{tokyo.id} and {korea.id} circulate for {SILENCE.days} days; the demo's clock lets "
        "the week pass.",
        highlight=False,
    )
    clock.advance(SILENCE + timedelta(seconds=1))
    governance.tick()
    now = clock()
    for proposal in (tokyo, korea):
        for line in render_governance.record_lines(governance.standing(proposal.id), now):
            console.print(line, markup=False, highlight=False)
    old, new = hub.store.policy_version(1), hub.store.policy_version(hub.policy_version)
    console.print(f"\n`liaison policy diff 1 {new.version}`:", markup=False, highlight=False)
    for line in render_governance.policy_diff_lines(old, new):
        console.print("  " + line.rstrip("\n"), markup=False, highlight=False)
    decide = hub.releaser.decide
    changed = {
        cell
        for cell, allowed in before.items()
        if decide(hub.item(cell[0]), cell[1]).allowed != allowed
    }
    console.print(
        render.matrix_table(
            reports, partners, decide, hub.config.policy, changed=changed,
            title=f"Release matrix under policy version {new.version} (in capitals: changed since 1.)",
        )
    )  # fmt: skip
    for item_id, partner in sorted(changed, key=lambda c: (c[1], c[0])):
        item = hub.item(item_id)
        d = decide(item, partner)
        verdict = "now receives" if d.allowed else "no longer receives"
        in_feed = any(e.item.id == item_id for e in hub.feed(partner, 0, 1_000_000).entries)
        console.print(
            f"{partner} {verdict}: {item_id} ({item.kind}, {item.area}): {'; '.join(d.reasons)}"
            + ("; in its feed already (apply_to_existing)" if in_feed else ""),
            highlight=False,
        )
    position = next(i for i in reports if i.kind == "position")
    console.print(
        f"Unchanged after {tokyo.id} failed: {position.id} -> NATO: "
        + "; ".join(decide(position, "NATO").reasons),
        highlight=False,
    )

"""The audit log as a partner checks it, over the API, with nothing but RFC 9162's verification
algorithms, the hub's public key and what the partner itself received."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liaison import tokens
from liaison.api.app import create_app
from liaison.audit import heads, merkle
from liaison.cli import app as cli
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    db = tmp_path / "hub.db"
    key = heads.load_or_create_key(heads.default_key_path(db))
    h = Hub.open(db)
    assert h.audit.key is not None
    assert h.audit.key.public_key() == key.public_key()
    load_demo(h)
    scenario = build_scenario("miyako-transit", 1, load_region())
    h.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "m.nmea")
    yield h
    h.close()


def _auth(hub: Hub, holder: str, role: str = tokens.PARTNER) -> dict[str, str]:
    _, secret = tokens.issue(hub.store, holder, role, hub.clock())
    return {"Authorization": f"Bearer {secret}"}


def _canonical(payload: dict[str, Any]) -> bytes:
    # The partner's own canonical JSON, written from the entry format's description.
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_partner_verifies_what_it_received_was_logged(hub: Hub) -> None:
    client = TestClient(create_app(hub))
    usa = _auth(hub, "USA")
    key = client.get("/api/v1/audit/key").json()
    public = load_pem_public_key(key["public_key_pem"].encode())
    assert isinstance(public, Ed25519PublicKey)
    head = client.get("/api/v1/audit/head", headers=usa).json()
    signed = _canonical(
        {"log": "liaison-audit", "root": head["root"], "size": head["size"], "time": head["time"]}
    )
    public.verify(base64.b64decode(head["signature"]), signed)

    feed = client.get("/api/v1/feed?limit=1000", headers=usa).json()["items"]
    mine = client.get("/api/v1/audit/entries?partner=me&limit=10000", headers=usa).json()
    released = {
        (e["entry"]["item"], e["entry"]["cursor"]): e
        for e in mine["entries"]
        if e["type"] == "released"
    }
    assert feed
    assert {e["entry"].get("partner", e["entry"].get("holder")) for e in mine["entries"]} == {"USA"}
    for delivered in feed:
        entry = released[(delivered["item"]["id"], delivered["cursor"])]
        payload_hash = hashlib.sha256(_canonical(delivered["item"]["payload"])).hexdigest()
        assert entry["entry"]["payload_sha256"] == payload_hash
        leaf = hashlib.sha256(b"\x00" + _canonical(entry["entry"])).hexdigest()
        assert leaf == entry["leaf"]
        proof = client.get(f"/api/v1/audit/proof/inclusion?leaf={leaf}", headers=usa).json()
        assert proof["size"] == head["size"]
        assert proof["root"] == head["root"]
        assert merkle.verify_inclusion(
            bytes.fromhex(leaf),
            proof["index"],
            proof["size"],
            [bytes.fromhex(h) for h in proof["proof"]],
            bytes.fromhex(head["root"]),
        )

    # Tomorrow: the log grew; today's head is a prefix of tomorrow's.
    hub.ingest_reports("usa-reports", ['{"title": "later", "body": "x"}'], "later.jsonl")
    later = client.get("/api/v1/audit/head", headers=usa).json()
    assert later["size"] > head["size"]
    step = client.get(
        f"/api/v1/audit/proof/consistency?first={head['size']}&second={later['size']}",
        headers=usa,
    ).json()
    assert merkle.verify_consistency(
        head["size"],
        later["size"],
        bytes.fromhex(head["root"]),
        bytes.fromhex(later["root"]),
        [bytes.fromhex(h) for h in step["proof"]],
    )
    assert not merkle.verify_consistency(
        head["size"],
        later["size"],
        bytes.fromhex(later["root"]),  # a forged history does not verify
        bytes.fromhex(later["root"]),
        [bytes.fromhex(h) for h in step["proof"]],
    )


def test_partners_read_only_their_own_entries_and_denials_are_logged(hub: Hub) -> None:
    client = TestClient(create_app(hub))
    nato = _auth(hub, "NATO")
    assert client.get("/api/v1/audit/entries?partner=USA", headers=nato).status_code == 403
    own = client.get("/api/v1/audit/entries?limit=10000", headers=nato).json()["entries"]
    assert own
    assert {e["entry"].get("partner", e["entry"].get("holder")) for e in own} == {"NATO"}
    usa_entry = next(r for r in hub.store.audit.records(0, 10_000) if r.partner == "USA")
    by_index = client.get(f"/api/v1/audit/proof/inclusion?index={usa_entry.index}", headers=nato)
    assert by_index.status_code == 403
    by_leaf = client.get(f"/api/v1/audit/proof/inclusion?leaf={usa_entry.leaf.hex()}", headers=nato)
    assert by_leaf.status_code == 200  # a hash it holds: the proof reveals no content
    # Asking for an item it may not have (a JPN track) is answered 404 and logged as denied.
    position = next(item for _, item in hub.store.items_of_kind("position", 0, 1))
    assert client.get(f"/api/v1/items/{position.id}", headers=nato).status_code == 404
    denied = [
        json.loads(r.body)
        for r in hub.store.audit.records(0, 100_000, "NATO")
        if r.type == "denied"
    ]
    assert [d["asked"] for d in denied] == [
        "audit entries of USA",
        f"audit entry {usa_entry.index}",
        f"item {position.id}",
    ]
    admin = _auth(hub, "ops", tokens.ADMIN)
    everything = client.get("/api/v1/audit/entries?limit=10000", headers=admin).json()["entries"]
    assert {e["type"] for e in everything} >= {
        "policy", "ingested", "derived", "decided", "released", "denied", "token",
    }  # fmt: skip


def test_cli_proves_and_verifies(hub: Hub, tmp_path: Path) -> None:
    db = str(hub.store.path)  # type: ignore[attr-defined]
    runner = CliRunner()
    head = json.loads(runner.invoke(cli, ["audit", "head", "--db", db]).stdout)
    proved = runner.invoke(cli, ["audit", "prove", "--db", db, "--index", "3"])
    assert proved.exit_code == 0, proved.output
    proof = json.loads(proved.stdout)
    assert proof["verified"] is True
    assert proof["size"] == head["size"]
    consistency = json.loads(
        runner.invoke(
            cli, ["audit", "prove", "--db", db, "--old", "5", "--new", str(head["size"])]
        ).stdout
    )
    assert consistency["verified"] is True
    done = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert done.exit_code == 0, done.output
    assert "verified" in done.stdout
    public = runner.invoke(cli, ["audit", "key", "--db", db]).stdout
    assert public.startswith("-----BEGIN PUBLIC KEY-----")

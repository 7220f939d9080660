"""What the governance and audit pages rely on: the operator's full audit verification over
HTTP (a clean store verifies, a rewritten one does not, partners may not ask), and pages that
keep to the Content-Security-Policy (no inline script, no inline handler)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import liaison
from liaison import tokens
from liaison.api.app import create_app
from liaison.audit import heads
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.storage.schema_sqlite import APPEND_ONLY

VERIFY = "/api/v1/audit/verify"
STATIC = Path(liaison.__file__).parent / "web" / "static"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hub.db"
    heads.load_or_create_key(heads.default_key_path(path))
    return path


@pytest.fixture
def hub(db: Path) -> Iterator[Hub]:
    h = Hub.open(db)
    assert h.audit.key is not None
    load_demo(h)
    h.audit.sign_head(h.clock())
    yield h
    h.close()


def _auth(hub: Hub, holder: str, role: str = tokens.PARTNER) -> dict[str, str]:
    _, secret = tokens.issue(hub.store, holder, role, hub.clock())
    return {"Authorization": f"Bearer {secret}"}


def _attacker(db: Path) -> sqlite3.Connection:
    """The database opened behind the hub's back, its append-only triggers dropped."""
    conn = sqlite3.connect(db, isolation_level=None)
    for table in APPEND_ONLY:
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    return conn


def test_an_operator_verifies_a_clean_store(hub: Hub) -> None:
    client = TestClient(create_app(hub))
    admin = _auth(hub, "ops", tokens.ADMIN)
    heads_before = len(hub.store.audit.heads(1000))
    response = client.get(VERIFY, headers=admin)
    assert response.status_code == 200, response.text
    report = response.json()
    size, root = hub.store.audit.root()
    assert report["ok"] is True
    assert report["findings"] == []
    assert report["omitted"] == 0
    assert report["notes"] == []
    assert report["entries"] == size
    assert report["root"] == root.hex()
    assert report["heads"] == report["heads_checked"] == heads_before >= 1
    latest = hub.audit.latest_head()
    assert latest is not None
    assert report["head"] == latest.to_json()
    # Verifying writes nothing: no new head, no entry.
    assert len(hub.store.audit.heads(1000)) == heads_before
    assert hub.store.audit.size() == size


def test_a_partner_may_not_verify_the_whole_log_and_the_refusal_is_logged(hub: Hub) -> None:
    client = TestClient(create_app(hub))
    usa = _auth(hub, "USA")
    response = client.get(VERIFY, headers=usa)
    assert response.status_code == 403
    refusal = response.json()
    assert refusal["error"] == "Forbidden"
    assert "USA" in refusal["detail"]
    assert "ok" not in refusal
    denied = [
        json.loads(r.body) for r in hub.store.audit.records(0, 100_000, "USA") if r.type == "denied"
    ]
    assert [d["asked"] for d in denied] == ["a full audit verification"]
    assert client.get(VERIFY).status_code == 401


def test_a_rewritten_entry_is_a_finding_at_that_entry(hub: Hub, db: Path) -> None:
    client = TestClient(create_app(hub))
    admin = _auth(hub, "ops", tokens.ADMIN)
    with closing(_attacker(db)) as conn:
        seq, body = conn.execute(
            "SELECT seq, body FROM audit_entries WHERE type = 'decided' ORDER BY seq LIMIT 1"
        ).fetchone()
        data = json.loads(body)
        data["allowed"] = not data["allowed"]
        changed = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        conn.execute("UPDATE audit_entries SET body = ? WHERE seq = ?", (changed, seq))
    report = client.get(VERIFY, headers=admin).json()
    assert report["ok"] is False
    first = report["findings"][0]
    assert first["index"] == seq
    assert first["where"] == f"entry {seq}"
    assert "does not hash to its leaf" in first["what"]


def test_a_forged_head_signature_is_a_finding_of_the_log(hub: Hub, db: Path) -> None:
    client = TestClient(create_app(hub))
    admin = _auth(hub, "ops", tokens.ADMIN)
    with closing(_attacker(db)) as conn:
        conn.execute("UPDATE audit_heads SET signature = zeroblob(64)")
    report = client.get(VERIFY, headers=admin).json()
    assert report["ok"] is False
    assert report["findings"]
    assert all(f["index"] is None and f["where"] == "the log" for f in report["findings"])
    assert any("does not verify with the public key" in f["what"] for f in report["findings"])


def test_without_a_signing_key_signatures_are_noted_not_checked(tmp_path: Path) -> None:
    with closing(Hub.open(tmp_path / "keyless.db")) as hub:
        load_demo(hub)
        client = TestClient(create_app(hub))
        report = client.get(VERIFY, headers=_auth(hub, "ops", tokens.ADMIN)).json()
    assert report["ok"] is True
    assert report["head"] is None
    assert report["heads_checked"] == 0


# --- the pages ---------------------------------------------------------------------------------

PAGES = {
    "governance.html": ("/static/js/governance.js", ["banner-top", "banner-bottom", "proposals"]),
    "audit.html": (
        "/static/js/audit.js",
        ["banner-top", "banner-bottom", "verify", "verify-signature", "verify-log", "entries"],
    ),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_keep_to_the_content_security_policy(page: str) -> None:
    html = (STATIC / page).read_text(encoding="utf-8")
    script, ids = PAGES[page]
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts, "the page loads its module"
    for attributes, body in scripts:
        assert body.strip() == "", "no inline script"
        assert 'type="module"' in attributes
    assert f'src="{script}"' in html
    assert (STATIC / script.removeprefix("/static/")).is_file()
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "no inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from other origins"
    for element in ("signin", "token", "signin-button", "signout", *ids):
        assert f'id="{element}"' in html, element

"""The governance and audit pages in a real browser, against a real serve: a circulating proposal
with its live countdown and acts; the signed head, checked in the browser (Ed25519) and, for an
operator, by the hub recomputing the whole log; a partner checks the signature but is not offered
the full check."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Hub, shot
from tests.integration.processes import liaison

CHANGE = """\
rationale = "Open the Tokyo tracking channel: Japan's positions, tracks and events reach NATO."

[[amend_agreement]]
id = "itpp-jpn"
add_kinds = ["position", "track", "event"]
"""
VERIFY_MS = 60_000  # the full check recomputes a log the simulation keeps growing


@pytest.fixture(scope="module")
def proposal(served_hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A proposal by JPN circulating for two hours, concurred with by the USA: its id."""
    change = tmp_path_factory.mktemp("proposal") / "CHANGE.toml"
    change.write_text(CHANGE, "utf-8")
    db = served_hub.db
    out = liaison(
        "propose", "--db", db, "--by", "JPN", "--file", change, "--deadline", "2h", "--json"
    )
    proposal_id = str(json.loads(out)["id"])
    liaison("silence", "concur", "--db", db, "--by", "USA", "--reason", "Agreed.", proposal_id)
    return proposal_id


def sign_in(page: Page, hub: Hub, holder: str, path: str) -> None:
    page.goto(hub.url + path)
    expect(page.locator("#signin-panel")).to_be_visible()
    page.fill("#token", hub.tokens[holder])
    page.click("#signin-button")
    expect(page.locator("#signin-panel")).to_be_hidden(timeout=10_000)
    expect(page.locator("#signout")).to_be_visible()
    expect(page.locator("#status")).to_have_attribute("data-state", "live", timeout=15_000)


def test_governance_lists_the_circulating_proposal_with_a_ticking_countdown_and_its_acts(
    page: Page, served_hub: Hub, proposal: str
) -> None:
    sign_in(page, served_hub, "JPN", "/governance")
    expect(page.locator("#whoami")).to_contain_text("JPN")
    article = page.locator(f'#open-proposals article.proposal[data-id="{proposal}"]')
    expect(article).to_have_attribute("data-state", "circulating")
    expect(article).to_contain_text("Open the Tokyo tracking channel")
    countdown = article.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^\d\d:\d\d:\d\d left$"))
    before = countdown.text_content()
    page.wait_for_function(
        "(before) => document.querySelector('#open-proposals .countdown').textContent !== before",
        arg=before,
        timeout=2_000,
    )
    # The acts: JPN proposed it, the USA concurred; the body shows who stands where.
    expect(article.locator('.act[data-kind="submitted"][data-member="JPN"]')).to_be_visible()
    expect(article.locator('.act[data-kind="concur"][data-member="USA"]')).to_be_visible()
    expect(article.locator(".acts-section h4")).to_have_text("Acts (2)")
    usa = article.locator('li.member[data-member="USA"]')
    expect(usa).to_have_attribute("data-standing", "concurred")
    expect(article.locator('li.member[data-member="FRA"]')).to_have_attribute(
        "data-standing", "silent"
    )
    shot(page, "06-governance-circulating")


def test_the_operator_verifies_the_signed_head_and_the_whole_log(
    page: Page, served_hub: Hub
) -> None:
    key = httpx.get(served_hub.url + "/api/v1/audit/key", timeout=10).json()
    sign_in(page, served_hub, "admin", "/audit")
    expect(page.locator("#whoami")).to_contain_text("operator")
    # The signed head: its size, root, time, key id and signature.
    expect(page.locator("#head-root")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#head-size")).to_have_text(re.compile(r"^[1-9][\d,]*$"))
    expect(page.locator("#head-key-id")).to_have_text(key["key_id"])
    expect(page.locator("#head-signature")).not_to_have_text("—")
    expect(page.locator("#entries-body tr.entry").first).to_be_visible()
    page.click("#verify")
    signature = page.locator("#verify-signature")
    expect(signature).to_have_attribute("data-state", "ok", timeout=VERIFY_MS)
    expect(signature).to_contain_text("Signature valid")
    log = page.locator("#verify-log")
    expect(log).to_have_attribute("data-state", "ok", timeout=VERIFY_MS)
    expect(log).to_contain_text("Verified: every entry, node, head and act matches.")
    expect(page.locator("#verify")).to_be_enabled()
    page.locator("#verify-log").scroll_into_view_if_needed()
    shot(page, "07-audit-operator-verified")


def test_a_partner_checks_the_signature_but_is_not_offered_the_full_check(
    page: Page, served_hub: Hub
) -> None:
    sign_in(page, served_hub, "JPN", "/audit")
    expect(page.locator("#whoami")).to_contain_text("JPN")
    expect(page.locator("#head-root")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#entries-partner-label")).to_be_hidden()  # operators only
    page.click("#verify")
    expect(page.locator("#verify-signature")).to_have_attribute(
        "data-state", "ok", timeout=VERIFY_MS
    )
    expect(page.locator("#verify-signature")).to_contain_text("Signature valid")
    log = page.locator("#verify-log")
    expect(log).to_have_attribute("data-state", "info")
    expect(log).to_contain_text("for operators")
    expect(log).not_to_contain_text("Verified")
    # One of JPN's own entries is proven, in the browser, to be in the verified head.
    page.locator("#entries-body button.prove").first.click()
    expect(page.locator("#entries-body .proof").first).to_have_attribute(
        "data-state", "ok", timeout=15_000
    )
    page.locator("#verify-log").scroll_into_view_if_needed()
    shot(page, "08-audit-partner-signature")

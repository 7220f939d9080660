"""The web map in a real browser: what JPN, NATO and an operator see, live, against the API."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, Hub, shot

LIVE_S = 60_000  # ms: the scenario at 400x puts the transit ~20 s after the server starts


def api(hub: Hub, holder: str, path: str) -> Any:
    answer = httpx.get(
        hub.url + path, headers={"Authorization": f"Bearer {hub.tokens[holder]}"}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def sign_in(page: Page, hub: Hub, holder: str) -> None:
    page.goto(hub.url + "/")
    page.fill("#token", hub.tokens[holder])
    page.click("#signin-button")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)


def marker_mmsis(page: Page) -> set[int]:
    found = page.eval_on_selector_all(
        ".vessel-marker", "els => els.map(e => Number(e.dataset.mmsi))"
    )
    return set(found)


def center(page: Page) -> tuple[float, float]:
    c = page.evaluate(
        "(() => { const c = window.liaison.map.getCenter(); return [c.lat, c.lng]; })()"
    )
    return float(c[0]), float(c[1])


def test_opens_on_the_base_map_with_zones_and_gates_and_no_partner_data(
    page: Page, served_hub: Hub
) -> None:
    page.goto(served_hub.url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "signed-out")
    # The base map (Natural Earth countries) and the region's zones and gates are drawn.
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane path').length > 20"
    )
    lat, lon = center(page)
    assert 22 < lat < 34, "the initial view is the East China Sea"
    assert 119 < lon < 132, "the initial view is the East China Sea"
    assert page.locator(".vessel-marker").count() == 0
    assert page.locator(".event-marker").count() == 0
    expect(page.locator("#banner-top")).to_have_text("NATO UNCLASSIFIED")
    expect(page.locator("#banner-bottom")).to_have_text("NATO UNCLASSIFIED")
    shot(page, "01-signed-out")


def test_jpn_sees_the_picture_grow_live_and_the_transit(
    page: Page, served_hub: Hub, console: Console
) -> None:
    sign_in(page, served_hub, "JPN")
    assert served_hub.tokens["JPN"] not in page.url
    assert (
        page.evaluate("() => sessionStorage.getItem('liaison.token')") == served_hub.tokens["JPN"]
    )
    expect(page.locator("#whoami")).to_contain_text("JPN")
    # Markers arrive over the stream while the page is open.
    page.wait_for_function(
        "() => document.querySelectorAll('.vessel-marker').length > 0", timeout=LIVE_S
    )
    first = page.locator(".timeline-entry").count()
    transit = page.locator('.timeline-entry[data-type="transit"]').first
    expect(transit).to_be_visible(timeout=LIVE_S)
    assert page.locator(".timeline-entry").count() > first or first > 0
    assert page.locator('.event-marker[data-type="transit"]').count() >= 1
    expect(page.locator("#banner-top")).to_contain_text("NATO RESTRICTED")
    # The page shows what the API gives JPN: every vessel of a picture taken before, none
    # that a picture taken after lacks.
    before = {v["mmsi"] for v in api(served_hub, "JPN", "/api/v1/picture")["vessels"]}
    page.wait_for_timeout(2_000)
    shown = marker_mmsis(page)
    after = {v["mmsi"] for v in api(served_hub, "JPN", "/api/v1/picture")["vessels"]}
    assert before <= shown <= after, (before, shown, after)
    shot(page, "02-jpn-transit")


def test_clicking_an_event_pans_the_map_to_it(page: Page, served_hub: Hub) -> None:
    sign_in(page, served_hub, "JPN")
    entry = page.locator('.timeline-entry[data-type="transit"]').first
    expect(entry).to_be_visible(timeout=LIVE_S)
    event_id = entry.get_attribute("data-id")
    events = api(served_hub, "JPN", "/api/v1/picture")["events"]
    event = next(e for e in events if e["id"] == event_id)
    page.evaluate("() => window.liaison.map.setView([31.0, 121.0], 6, {animate: false})")
    entry.click()
    page.wait_for_function(
        f"() => {{ const c = window.liaison.map.getCenter();"
        f" return Math.abs(c.lat - {event['lat']}) < 0.05 && Math.abs(c.lng - {event['lon']}) < 0.05; }}",
        timeout=10_000,
    )
    expect(page.locator("#details")).to_contain_text("transit", ignore_case=True)
    expect(page.locator("#details")).to_contain_text("Releasable to JPN")
    shot(page, "03-event-selected")


def test_nato_does_not_see_japans_own_tracks(page: Page, served_hub: Hub) -> None:
    # Japan's feed is labelled releasable to JPN and USA: NATO's picture stays empty while
    # Japan's fills.
    assert api(served_hub, "JPN", "/api/v1/picture")["vessels"], "JPN has a picture by now"
    sign_in(page, served_hub, "NATO")
    page.wait_for_timeout(3_000)  # the live stream runs: nothing may arrive
    assert page.locator(".vessel-marker").count() == 0
    assert page.locator(".event-marker").count() == 0
    assert api(served_hub, "NATO", "/api/v1/picture")["vessels"] == []
    expect(page.locator("#banner-top")).to_have_text("NATO UNCLASSIFIED")
    shot(page, "04-nato-empty")


def test_an_operator_sees_as_a_partner_and_reads_why_nato_does_not(
    page: Page, served_hub: Hub
) -> None:
    sign_in_operator = served_hub.tokens["admin"]
    page.goto(served_hub.url + "/")
    page.fill("#token", sign_in_operator)
    page.click("#signin-button")
    see_as = page.locator("#see-as")
    expect(see_as).to_be_visible()
    see_as.select_option("JPN")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.vessel-marker').length > 0", timeout=LIVE_S
    )
    jpn = {v["mmsi"] for v in api(served_hub, "admin", "/api/v1/picture?partner=JPN")["vessels"]}
    assert marker_mmsis(page) & jpn, "the operator sees what JPN sees"
    page.locator(".vessel-marker").first.dispatch_event("click")  # ships in company overlap
    nato = page.locator('#decisions tr[data-partner="NATO"]')
    expect(nato).to_have_attribute("data-allowed", "false", timeout=10_000)
    expect(page.locator('#decisions tr[data-partner="JPN"]')).to_have_attribute(
        "data-allowed", "true"
    )
    expect(nato).to_contain_text("JPN")
    shot(page, "05-operator-decisions")
    see_as.select_option("NATO")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)
    page.wait_for_timeout(1_000)
    assert page.locator(".vessel-marker").count() == 0

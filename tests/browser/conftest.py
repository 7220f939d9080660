"""Browser tests: Playwright for Python driving Debian's Chromium against a real `liaison serve`.

Nothing is downloaded by Playwright: the browser is Debian's `chromium` package, installed here
with apt when it is missing (CI runs as root). The tests skip, saying why, only where that is
impossible (no apt, not root, or the install failed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

from tests.integration.processes import free_port, liaison, start_server
from tests.servers import Unavailable, apt_install

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("LIAISON_TEST_ARTIFACTS", "test-artifacts")) / "browser"


@pytest.fixture(scope="session")
def chromium() -> Path:
    try:
        if not CHROMIUM.exists():
            apt_install("chromium")
        if not CHROMIUM.exists():
            raise Unavailable("apt-get installed chromium, yet /usr/bin/chromium is missing")
    except Unavailable as exc:
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM}, and it cannot be had: {exc}"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Per module, not per session: Playwright's sync API keeps an asyncio loop running in this
    # thread while it is open, and every later test that calls asyncio.run() would find it.
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@dataclass
class Hub:
    """A served hub: its URL and a token per holder (partners by id, "admin" for an operator)."""

    url: str
    tokens: dict[str, str]
    db: Path


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The demo hub serving the miyako-transit scenario, sped up so that the transit comes
    within seconds of the page opening."""
    tmp = tmp_path_factory.mktemp("web")
    db = tmp / "hub.db"
    liaison("init", "--db", db)
    tokens = {
        holder: liaison("tokens", "create", "--db", db, *flag).strip().splitlines()[-1]
        for holder, flag in (
            ("JPN", ("--partner", "JPN")), ("NATO", ("--partner", "NATO")),
            ("USA", ("--partner", "USA")), ("admin", ("--admin", "duty-officer")),
        )
    }  # fmt: skip
    port = free_port()
    server = start_server(
        db,
        port,
        tmp / "serve.log",
        "--simulate",
        "jpn-ais=miyako-transit",
        "--speed",
        "400",
        "--loop",
    )
    try:
        yield Hub(f"http://127.0.0.1:{port}", tokens, db)
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass
class Console:
    """What the page said on its console, and the errors it threw."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def seen(self, message: ConsoleMessage) -> None:
        line = f"{message.type}: {message.text} ({message.location.get('url', '')})"
        self.messages.append(line)
        if message.type in {"error", "warning"}:
            self.errors.append(line)

    def failed(self, request: Request) -> None:
        # A stream the page aborts on purpose (switching partner, signing out) is no failure.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, console: Console, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (its own session storage); any console error or warning fails the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    tab.on("console", console.seen)
    tab.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    tab.on("requestfailed", console.failed)
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-end.png"))
    errors = list(console.errors)  # before closing: closing aborts the live stream
    context.close()
    assert errors == [], "the page logged errors:\n" + "\n".join(errors)


def shot(page: Page, name: str) -> Path:
    """A screenshot into the test artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path

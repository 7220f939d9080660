"""The web map and its pages: static files, and the JSON the page reads beyond the partner API.

The pages are plain files shipped in the package (`liaison/web/static`); Leaflet and the base
map were built into `static/vendor` by the project's set-up from the npm registry. Nothing is
fetched from elsewhere, at run time or by the browser: the Content-Security-Policy says so.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.api import geojson
from liaison.api.picture import batch_json, picture_json
from liaison.dissemination.feeds import read_feed
from liaison.errors import NotFound
from liaison.hub import Hub
from liaison.maritime.region import REGION_PACKAGE, REGION_RESOURCE
from liaison.policy.labels_io import classification_marking
from liaison.tokens import Caller

STATIC = Path(str(importlib.resources.files("liaison.web").joinpath("static")))
PAGES = {"/": "index.html", "/governance": "governance.html", "/audit": "audit.html"}

# Same origin only; no inline script (the pages load modules); Leaflet sets inline styles.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_REGION_KEYS = {
    "zone": ("id", "name", "kind"),
    "gate": ("id", "name", "positive_direction", "negative_direction", "left_side", "right_side"),
}


class PageHeaders:
    """Security headers on everything the server sends (API answers included: harmless there)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


@cache
def region_json() -> dict[str, Any]:
    """The region's zones and gates, with only what the map shows (the file also carries every
    baseline point's source: that stays in the file)."""
    raw = importlib.resources.files(REGION_PACKAGE).joinpath(REGION_RESOURCE).read_bytes()
    features = []
    for f in json.loads(raw)["features"]:
        props = f.get("properties", {})
        role = "gate" if f["geometry"]["type"] == "LineString" else "zone"
        kept = {k: props[k] for k in _REGION_KEYS[role] if k in props}
        features.append(
            {"type": "Feature", "geometry": f["geometry"], "properties": {"role": role} | kept}
        )
    return {"type": "FeatureCollection", "features": features}  # fmt: skip


def mount_pages(app: FastAPI) -> None:
    """The pages at `/`, `/governance`, `/audit`, and their files under `/static`."""
    app.add_middleware(PageHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for path, name in PAGES.items():
        app.add_api_route(path, _page(name), methods=["GET", "HEAD"], include_in_schema=False)


def _page(name: str) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return page


def web_router(
    hub: Hub,
    caller: Callable[..., Awaitable[Caller]],
    whose: Callable[[Caller, str | None], str],
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["web map"])
    authenticated = Depends(caller)

    @router.get("/classifications")
    async def classifications() -> dict[str, Any]:
        """The policy's classifications, lowest first, with their markings (no token needed:
        the page shows the label banner before anyone signs in)."""
        policy = hub.config.policy
        return {
            "policy": policy.name,
            "classifications": [
                {"name": c.name, "rank": rank, "marking": classification_marking(c.name, policy)}
                for rank, c in enumerate(policy.classifications)
            ],
        }

    @router.get("/whoami")
    async def whoami(who: Caller = authenticated) -> dict[str, Any]:
        """Who the token is: a partner (itself only), or an operator (every partner, to see as)."""
        partners = hub.config.partners if who.is_admin else [hub.config.partner(who.holder)]
        return {
            "holder": who.holder,
            "is_admin": who.is_admin,
            "name": None if who.is_admin else partners[0].name if partners[0] else None,
            "partners": [{"id": p.id, "name": p.name} for p in partners if p is not None],
            "policy_version": hub.policy_version,
        }

    @router.get("/region.geojson", response_class=JSONResponse, responses=geojson.RESPONSES)
    async def region() -> JSONResponse:
        """The zones and gates the detectors use, as RFC 7946 features (public geography)."""
        return JSONResponse(region_json(), media_type="application/geo+json")

    @router.get("/picture")
    async def picture(who: Caller = authenticated, partner: str | None = None) -> dict[str, Any]:
        """The maritime picture the partner may see now: vessels with their recent trails and
        events, and the cursor to resume its live stream after."""
        return picture_json(hub, whose(who, partner))

    @router.get("/items/{item_id}/positions")
    async def positions(
        item_id: str, who: Caller = authenticated, partner: str | None = None
    ) -> dict[str, Any]:
        """The fixes of one position batch released to the partner, per vessel, as it may
        see them."""
        reader = whose(who, partner)
        release = hub.store.release(reader, item_id)
        if release is not None:
            page = read_feed(hub.store, hub.releaser, reader, hub.clock(), after=release.cursor - 1, limit=1)  # fmt: skip
            entry = next((e for e in page.entries if e.item.id == item_id), None)
            if entry is not None and entry.item.kind == "position":
                return batch_json(hub, entry)
            if entry is not None:  # its own item, only not a batch: nothing withheld
                raise NotFound(f"{item_id!r} is not a position batch")
        if not who.is_admin:
            # Logged alike whether the batch exists or not: its audit entries tell it neither.
            hub.deny(reader, f"positions of {item_id}", "not released to it")
        raise NotFound(f"no position batch {item_id!r} released to {reader}")

    return router

"""The hub's HTTP API (FastAPI): each partner reads its own feed and publishes its own reports.

Endpoints are `async` on purpose: the store is one SQLite connection, used only from the event
loop's thread; each call is short (indexed reads, one-transaction writes).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import (
    Depends,
    FastAPI,
    Header,
    Query,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from liaison import render, tokens
from liaison.api import errors, geojson, live
from liaison.api.audit import audit_router
from liaison.api.commits import relay_commits
from liaison.api.cot import serve_cot
from liaison.api.governance import governance_router
from liaison.api.limits import BodyLimit
from liaison.api.taxii import taxii_router
from liaison.api.web import mount_pages, web_router
from liaison.codec import item_to_json
from liaison.errors import Forbidden, InputError, LiaisonError, NotAuthenticated, NotFound
from liaison.governance.model import State
from liaison.hub import Hub
from liaison.ingest.listener import Endpoints
from liaison.ingest.listener import listen as run_listener
from liaison.ingest.replay import Simulation, replay
from liaison.policy.labels_io import display_marking
from liaison.policy.obligations import sanitise
from liaison.tokens import Caller

MAX_BODY_BYTES = 1024 * 1024
MAX_CURSOR = 2**63 - 1  # cursors are SQLite integers


class ErrorOut(BaseModel):
    """Every refusal: the error's kind and a sentence saying why."""

    error: str
    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "The body is not JSON"),
        (401, "No token, a wrong one or a revoked one"),
        (403, "Not the caller's to read or write"),
        (404, "No such item released to the caller"),
        (409, "Conflicts with what is stored"),
        (413, "The body is too large"),
        (422, "The request is malformed; the detail says where"),
        (503, "The hub holds no policy yet"),
    )
}


class ReportIn(BaseModel):
    """A report a partner publishes; omitted fields come from the feed (default `<partner>-reports`)."""

    model_config = ConfigDict(extra="forbid")
    feed: str | None = None
    id: str | None = None
    kind: str | None = None
    area: str | None = None
    label: str | dict[str, Any] | None = None
    originators: list[str] | None = Field(default=None, min_length=1)
    time: str | None = None
    title: str = Field(min_length=1)
    body: str = ""
    sources: list[str] | None = None


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        errors.log.error("a simulated feed or a bus processor failed", exc_info=task.exception())


def create_app(  # noqa: PLR0915 - the routes, in one place
    hub: Hub,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    listen: tuple[str, Endpoints] | None = None,
    cot: tuple[str, int] | None = None,
    closing: live.Closing | None = None,
    head_every_s: float = 60.0,
    commit_s: float = 0.1,
    decide_every_s: float = 1.0,
    simulate: Sequence[Simulation] = (),
    speed: float = 60.0,
    loop: bool = False,
    bus: tuple[str, Sequence[int]] | None = None,
) -> FastAPI:
    """The API; with `listen` (feed, endpoints), AIS listeners run in the same event loop.

    `closing`, once set (by the server's signal handler), tells live clients the server is
    stopping and where to resume, and ends their streams so that shutdown need not wait.
    With an audit key, the hub signs a new tree head every `head_every_s` if the log grew.
    Listeners commit every `commit_s` (or 5,000 lines): the floor of ingest-to-delivery latency.
    Every `decide_every_s` the hub decides the proposals whose deadline has come.
    Each of `simulate` plays a scenario on its feed at `speed` (and again, with `loop`)."""

    async def sign_heads() -> None:
        while hub.audit.key is not None:
            try:
                hub.audit.sign_head(hub.clock())
            except LiaisonError as exc:  # a busy or read-only store: try again next time
                errors.log.warning("could not sign an audit head: %s", exc)
            await asyncio.sleep(head_every_s)

    async def decide_proposals() -> None:
        # A passed proposal is a new policy version: the next batch is decided under it.
        while True:
            try:
                decided = hub.governance.tick()
            except Exception:  # a busy store, a bad row: logged, and tried again next time
                errors.log.exception("could not decide the proposals whose deadline has come")
                decided = []
            for s in decided:
                errors.log.info("proposal %s: %s", s.proposal.id, s.state.value)
            if any(s.state is State.PASSED for s in decided):
                hub.notify()
            await asyncio.sleep(decide_every_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        if listen is not None:
            feed_id, endpoints = listen
            stream = hub.ais_stream(feed_id, endpoints.describe(), live=True)
            ready = asyncio.Event()
            task = asyncio.create_task(
                run_listener(stream, endpoints, stop, commit_s=commit_s, ready=ready)
            )
            await ready.wait()
        replays: list[asyncio.Task[Any]] = [
            asyncio.create_task(replay(hub, sim, stop, speed=speed, loop=loop, commit_s=max(commit_s, 1.0)))
            for sim in simulate
        ]  # fmt: skip
        if bus is not None:  # partitions of the bus processed in this server
            from liaison.bus.process import process_partition  # noqa: PLC0415 - nats when used

            url, partitions = bus
            replays += [
                asyncio.create_task(process_partition(hub, url, p, stop)) for p in partitions
            ]
        for task_ in replays:  # a failed scenario or processor is told at once, not at shutdown
            task_.add_done_callback(_log_failure)
        cot_server = await serve_cot(hub, *cot) if cot is not None else None
        signer = asyncio.create_task(sign_heads())
        decider = asyncio.create_task(decide_proposals())
        relay = asyncio.create_task(relay_commits(hub))
        try:
            yield
        finally:
            relay.cancel()
            decider.cancel()
            signer.cancel()
            if cot_server is not None:
                cot_server.close()
            stop.set()
            if task is not None:
                await task  # the in-flight batch is committed before the server stops
            await asyncio.gather(*replays, return_exceptions=True)  # failures: logged above
            # The hub is its opener's to close (`liaison serve` closes it after the server).

    # No /docs or /redoc: their pages load scripts from a CDN, and nothing here downloads.
    app = FastAPI(
        title="Liaison", version="1", docs_url=None, redoc_url=None, lifespan=lifespan, responses=_ERRORS,
        description="Each partner receives exactly what its agreements and each item's label allow.",
    )  # fmt: skip
    errors.install(app)

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    async def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
        # async: FastAPI would run a plain function in a worker thread, and the store's one
        # connection is used from the event loop's thread only.
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            raise NotAuthenticated("no token: send Authorization: Bearer <token>")
        found = tokens.authenticate(hub.store, token.strip())
        if not found.is_admin and hub.config.partner(found.holder) is None:
            raise NotAuthenticated("the token's partner is no longer a partner of the hub")
        return found

    authenticated = Depends(caller)

    def alive(who: Caller) -> Callable[[], bool]:
        """Whether an open stream's token still speaks for its caller (asked again and again)."""
        return lambda: (
            tokens.still_valid(hub.store, who)
            and (who.is_admin or hub.config.partner(who.holder) is not None)
        )

    def whose(who: Caller, partner: str | None) -> str:
        """The partner whose view is asked for: a partner only ever gets its own."""
        if who.is_admin:
            if partner is None:
                raise InputError("partner", "an operator names the partner: ?partner=P")
            return partner
        if partner is not None and partner != who.holder:
            hub.deny(who.holder, f"the view of {partner}", "a partner reads only its own")
            raise Forbidden(f"{who.holder} may not read the feed of {partner}")
        return who.holder

    @app.get("/api/v1/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "policy_version": hub.policy_version}

    @app.get("/api/v1/feed")
    async def feed(
        who: Caller = authenticated,
        after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        partner: str | None = None,
    ) -> dict[str, Any]:
        """The caller's releases after `after`, in order; resume with `after=next`."""
        page = hub.feed(whose(who, partner), after, limit)
        return render.feed_json(page, hub.config.policy)

    @app.get("/api/v1/stream", response_class=StreamingResponse)
    async def stream(
        who: Caller = authenticated,
        after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
        partner: str | None = None,
        last_event_id: Annotated[str | None, Header(pattern=r"^[0-9]{0,18}$")] = None,
        until_idle: Annotated[float | None, Query(gt=0, le=3600)] = None,
    ) -> StreamingResponse:
        """Server-Sent Events: each release as `id: <cursor>`, `event: release`, `data: <json>`.
        Reconnect with `Last-Event-ID` (or `?after=`) to resume; `until_idle` ends a quiet stream."""
        reader = whose(who, partner)
        if last_event_id:
            after = max(after, int(last_event_id))
        return StreamingResponse(
            live.sse(hub, reader, after, until_idle, closing, alive=alive(who)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.websocket("/api/v1/ws")
    async def websocket(socket: WebSocket, after: int = 0, until_idle: float | None = None) -> None:
        """Each release as a JSON message; authenticate with the Authorization header; resume
        with `?after=<cursor>`. Send nothing: the server pushes."""
        try:
            who = await caller(socket.headers.get("authorization"))
        except NotAuthenticated as exc:
            errors.log.warning("401 WS /api/v1/ws: %s", exc)
            await socket.close(code=4401, reason=str(exc))
            return
        if who.is_admin or not 0 <= after <= MAX_CURSOR:
            await socket.close(
                code=4400, reason="a partner's stream: a partner token and after >= 0"
            )
            return
        await socket.accept()
        try:
            news = live.releases(
                hub, who.holder, after, until_idle=until_idle, closing=closing, alive=alive(who)
            )
            async for got in news:
                match got:
                    case live.Delivery(_, entry):
                        await socket.send_json({"type": "release", **entry})
                    case live.KeepAlive():
                        await socket.send_json({"type": "keep-alive"})
                    case live.ShuttingDown(resume):
                        await socket.send_json({"type": "shutdown", "resume_after": resume})
                        await socket.close(code=1001, reason=f"server stopping; after={resume}")
                        return
                    case live.Revoked():
                        await socket.send_json({"type": "revoked", "reason": live.REVOKED})
                        await socket.close(code=4401, reason=live.REVOKED)
                        return
            await socket.close(code=1000, reason="idle")
        except WebSocketDisconnect:
            return

    @app.get("/api/v1/events.geojson", response_class=JSONResponse, responses=geojson.RESPONSES)
    async def events_geojson(
        who: Caller = authenticated,
        partner: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> JSONResponse:
        """The events the caller may see, newest first, as an RFC 7946 FeatureCollection; each
        feature's point and properties come from the caller's (sanitised) copy."""
        reader = whose(who, partner)
        features = [
            geojson.event_feature(item, payload)
            for item, payload in hub.events(None, reader, limit)
        ]
        collection = {
            "type": "FeatureCollection",
            "features": [f for f in features if f is not None],
        }
        return JSONResponse(collection, media_type="application/geo+json")

    @app.get("/api/v1/tracks.geojson", response_class=JSONResponse, responses=geojson.RESPONSES)
    async def tracks_geojson(
        who: Caller = authenticated,
        partner: str | None = None,
        batches: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> JSONResponse:
        """Each vessel's latest position among the newest `batches` position items released to
        the caller, as RFC 7946 Points, coarsened where the caller's agreements say so."""
        reader = whose(who, partner)
        features = [
            geojson.vessel_feature(v) for v in geojson.released_vessels(hub, reader, batches)
        ]
        collection = {"type": "FeatureCollection", "features": features}
        return JSONResponse(collection, media_type="application/geo+json")

    @app.get("/api/v1/items/{item_id}")
    async def item(
        item_id: str, who: Caller = authenticated, partner: str | None = None
    ) -> dict[str, Any]:
        """One item, if it is released to the caller (as the caller may see it)."""
        reader = whose(who, partner)
        found = hub.store.item(item_id)
        release = hub.store.release(reader, item_id) if found else None
        decision = hub.releaser.decide(found, reader) if found and release else None
        if found is None or decision is None or not decision.allowed:
            if not who.is_admin:
                # Logged, and answered, alike whether the item exists or not: the partner reads
                # its own audit entries, which must not tell it either (the reasons, which would
                # describe the item's label, are in the operators' `decided` entries).
                hub.deny(reader, f"item {item_id}", "not released to it")
            # The same answer for "no such item" and "not yours": existence is not disclosed.
            raise NotFound(f"no item {item_id!r} released to {reader}")
        obligations = (
            decision.obligations
            if release is None
            else release.obligations.merge(decision.obligations)
        )
        payload = found.payload if obligations.empty else sanitise(found.payload, obligations)
        return {
            "marking": display_marking(found.label, hub.config.policy),
            "item": item_to_json(found, payload),
        }

    @app.post("/api/v1/items", status_code=201)
    async def publish(report: ReportIn, who: Caller = authenticated) -> dict[str, Any]:
        """Publish a report on one of the caller's own feeds; the hub labels and releases it."""
        if who.is_admin:
            raise Forbidden("operators do not originate reports; a partner's token does")
        feed_id = report.feed or f"{who.holder.lower()}-reports"
        feed = hub.config.feed(feed_id)
        if feed is None or feed.originator != who.holder:
            raise Forbidden(f"{who.holder} does not originate feed {feed_id!r}")
        line = json.dumps(report.model_dump(exclude_none=True, exclude={"feed"}))
        summary = hub.ingest_reports(feed_id, [line], f"api:{who.holder}")
        if summary.rejections:
            raise InputError("body", summary.rejections[0].reason)
        (item_id,) = summary.ids
        return {
            "id": item_id,
            "stored": summary.stored == 1,
            "duplicate": summary.duplicates == 1,
            "releases": summary.releases,
        }

    @app.get("/api/v1/decisions/{item_id}")
    async def decisions(item_id: str, who: Caller = authenticated) -> dict[str, Any]:
        """For operators: the decision for every partner, with reasons."""
        if not who.is_admin:
            raise Forbidden("decisions are for the hub's operators")
        found = hub.item(item_id)
        return {
            "item": item_id,
            "decisions": [
                render.decision_json(found, p.id, hub.releaser.decide(found, p.id))
                for p in hub.config.partners
            ],
        }

    app.include_router(taxii_router(hub, caller, max_body_bytes))
    app.include_router(audit_router(hub, caller))
    app.include_router(governance_router(hub, caller))
    app.include_router(web_router(hub, caller, whose))
    mount_pages(app)
    return app

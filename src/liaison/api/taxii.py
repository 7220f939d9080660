"""TAXII 2.1 under /taxii2/: discovery, one API root, each partner's collections, its inbox.

Authentication as for the rest of the API (`Authorization: Bearer <token>`); HTTP Basic with
the token as the password is accepted too, since many TAXII clients speak only Basic.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from liaison.codec import parse_time
from liaison.dissemination import taxii
from liaison.dissemination.stix_inbox import CONTEXT, read_envelope
from liaison.errors import Forbidden, InputError, MediaTypeError, NotFound
from liaison.hub import Hub
from liaison.tokens import Caller

TAXII_MEDIA = "application/taxii+json;version=2.1"
ROOT = "liaison"
MAX_STATUSES = 10_000  # the newest inbox statuses kept for their posters to read

Authenticate = Callable[[str | None], Awaitable[Caller]]


PageLimit = Annotated[int, Query(ge=1, le=10_000)]
QueryText = Annotated[str | None, Query(max_length=200)]


class TaxiiResponse(JSONResponse):
    media_type = TAXII_MEDIA


class TaxiiErrorOut(BaseModel):
    """TAXII 2.1's error message: every refusal under /taxii2/."""

    title: str
    description: str
    http_status: str


_REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": TaxiiErrorOut, "description": text, "content": {TAXII_MEDIA: {}}}
    for code, text in (
        (401, "No token, a wrong one or a revoked one"),
        (403, "Not the caller's to read or write (an inbox is written, a collection read)"),
        (404, "No such collection, object or status for the caller"),
        (406, "The Accept header asks for something other than TAXII 2.1"),
        (413, "The body is too large"),
        (415, "The body is not application/taxii+json;version=2.1"),
        (422, "The request is malformed; the description says where"),
        (503, "The hub holds no policy yet"),
    )
}


def taxii_router(hub: Hub, authenticate: Authenticate, max_body_bytes: int) -> APIRouter:  # noqa: PLR0915
    statuses: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()

    async def partner(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> str:
        _accepts(request.headers.get("accept"))
        who = await authenticate(_bearer(authorization))
        if who.is_admin:
            # Collections are views of one partner's releases; an operator has none.
            raise Forbidden("TAXII collections are a partner's: use a partner token")
        return who.holder

    router = APIRouter(
        prefix="/taxii2",
        tags=["TAXII 2.1"],
        default_response_class=TaxiiResponse,
        responses=_REFUSALS,
    )
    reader = Depends(partner)

    def route(path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Each path with and without its trailing slash (clients build both)."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            router.add_api_route(path, fn, **kw)
            router.add_api_route(path.rstrip("/"), fn, include_in_schema=False, **kw)
            return fn

        return register

    @route("/", methods=["GET"])
    async def discovery(request: Request, who: str = reader) -> TaxiiResponse:
        """TAXII server discovery: the one API root."""
        root = f"{str(request.base_url).rstrip('/')}/taxii2/{ROOT}/"
        return TaxiiResponse(
            {
                "title": "Liaison coalition hub",
                "description": "Each partner reads what its agreements and each item's label "
                "allow, as STIX 2.1, and publishes to its inbox.",
                "default": root,
                "api_roots": [root],
            }
        )

    @route(f"/{ROOT}/", methods=["GET"])
    async def api_root(who: str = reader) -> TaxiiResponse:
        return TaxiiResponse(
            {
                "title": "Liaison",
                "description": "Collections per area of cooperation, and an inbox.",
                "versions": [TAXII_MEDIA],
                "max_content_length": max_body_bytes,
            }
        )

    @route(f"/{ROOT}/collections/", methods=["GET"])
    async def collections(who: str = reader) -> TaxiiResponse:
        found = taxii.collections(hub.config, who)
        return TaxiiResponse({"collections": [c.resource() for c in found]})

    @route(f"/{ROOT}/collections/{{collection_id}}/", methods=["GET"])
    async def collection(collection_id: str, who: str = reader) -> TaxiiResponse:
        return TaxiiResponse(taxii.find_collection(hub.config, who, collection_id).resource())

    def page(  # noqa: PLR0917 - the TAXII query, one argument per parameter
        who: str,
        collection_id: str,
        added_after: str | None,
        limit: int,
        next_token: str | None,
        match: taxii.Match,
    ) -> taxii.Page:
        found = taxii.find_collection(hub.config, who, collection_id)
        if not found.can_read:
            raise Forbidden(f"collection {collection_id} is an inbox: {who} may write, not read")
        return taxii.objects(
            hub.store, hub.releaser, hub.config, who, found, at=hub.clock(),
            added_after=_time(added_after), match=match, limit=limit, next_token=next_token,
        )  # fmt: skip

    def headers(records: tuple[taxii.Record, ...]) -> dict[str, str]:
        if not records:
            return {}
        added = sorted(r.date_added for r in records)
        return {
            "X-TAXII-Date-Added-First": _stamp(added[0]),
            "X-TAXII-Date-Added-Last": _stamp(added[-1]),
        }

    def envelope(got: taxii.Page, objects: list[Any]) -> TaxiiResponse:
        body: dict[str, Any] = {"more": got.more, "objects": objects}
        if got.next is not None:
            body["next"] = got.next
        return TaxiiResponse(body, headers=headers(got.records))

    @route(f"/{ROOT}/collections/{{collection_id}}/objects/", methods=["GET"])
    async def get_objects(  # noqa: PLR0917 - TAXII's query parameters
        request: Request,
        collection_id: str,
        who: str = reader,
        added_after: QueryText = None,
        limit: PageLimit = 100,
        next: QueryText = None,
    ) -> TaxiiResponse:
        """The collection's objects in the order they were released to the caller."""
        got = page(who, collection_id, added_after, limit, next, _match(request))
        return envelope(got, [r.object for r in got.records])

    @route(f"/{ROOT}/collections/{{collection_id}}/manifest/", methods=["GET"])
    async def manifest(  # noqa: PLR0917 - TAXII's query parameters
        request: Request,
        collection_id: str,
        who: str = reader,
        added_after: QueryText = None,
        limit: PageLimit = 100,
        next: QueryText = None,
    ) -> TaxiiResponse:
        got = page(who, collection_id, added_after, limit, next, _match(request))
        return envelope(
            got,
            [
                {
                    "id": r.object["id"],
                    "date_added": _stamp(r.date_added),
                    "version": r.version,
                    "media_type": taxii.STIX_MEDIA,
                }
                for r in got.records
            ],
        )

    def versions_of(
        request: Request, who: str, collection_id: str, object_id: str
    ) -> list[taxii.Record]:
        match = _match(request, ids=frozenset({object_id}), default_version="all")
        records: list[taxii.Record] = []
        token: str | None = None
        while True:
            got = page(who, collection_id, None, 1000, token, match)
            records += got.records
            if not got.more:
                break
            token = got.next
        if not records:
            raise NotFound(f"no object {object_id!r} in collection {collection_id} for {who}")
        return records

    @route(f"/{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/", methods=["GET"])
    async def get_object(
        request: Request, collection_id: str, object_id: str, who: str = reader
    ) -> TaxiiResponse:
        records = versions_of(request, who, collection_id, object_id)
        return TaxiiResponse(
            {"more": False, "objects": [r.object for r in records]}, headers=headers(tuple(records))
        )

    @route(
        f"/{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/", methods=["GET"]
    )
    async def object_versions(
        request: Request, collection_id: str, object_id: str, who: str = reader
    ) -> TaxiiResponse:
        records = versions_of(request, who, collection_id, object_id)
        unique = sorted({r.version for r in records})
        return TaxiiResponse({"more": False, "versions": unique}, headers=headers(tuple(records)))

    @route(f"/{ROOT}/collections/{{collection_id}}/objects/", methods=["POST"], status_code=202)
    async def add_objects(
        request: Request,
        collection_id: str,
        who: str = reader,
        content_type: Annotated[str | None, Header()] = None,
    ) -> TaxiiResponse:
        """Publish STIX 2.1 objects: each is validated, labelled from its markings and ingested
        on the caller's report feed; the status lists every success and every failure."""
        found = taxii.find_collection(hub.config, who, collection_id)
        if not found.can_write:
            raise Forbidden(f"collection {collection_id} is read-only for {who}")
        _content(content_type)
        body = _envelope(await request.body())
        feed_id = f"{who.lower()}-reports"
        if hub.config.feed(feed_id) is None:
            raise Forbidden(f"{who} has no report feed ({feed_id}) to publish on")
        settings = hub.config.taxii
        accepted, failures = read_envelope(
            body, hub.config.policy, settings.tlp_in, settings.unknown_markings
        )
        lines = [json.dumps(a.report) for a in accepted]
        summary = hub.ingest_reports(feed_id, lines, f"taxii:{who}")
        refused = {r.line: r.reason for r in summary.rejections}
        successes = []
        failed = [{"id": f.stix_id, "version": f.version, "message": f.message} for f in failures]
        failed_ids = {f.stix_id for f in failures}
        for obj in body["objects"]:
            if (
                isinstance(obj, dict)
                and obj.get("type") in CONTEXT
                and obj.get("id") not in failed_ids
            ):
                version = obj.get("modified", obj.get("created"))
                successes.append(
                    {
                        "id": obj.get("id"),
                        "version": version,
                        "message": "read as context, not stored as an item",
                    }
                )
        for number, obj in enumerate(accepted, start=1):
            if number in refused:
                failed.append(
                    {"id": obj.stix_id, "version": obj.version, "message": refused[number]}
                )
            else:
                successes.append({"id": obj.stix_id, "version": obj.version, "message": "stored"})
        now = hub.clock()
        status_id = str(uuid.uuid4())
        status = {
            "id": status_id,
            "status": "complete",
            "request_timestamp": _stamp(now),
            "total_count": len(successes) + len(failed),
            "success_count": len(successes),
            "successes": successes,
            "failure_count": len(failed),
            "failures": failed,
            "pending_count": 0,
            "pendings": [],
        }
        statuses[status_id] = (who, status)
        while len(statuses) > MAX_STATUSES:
            statuses.popitem(last=False)
        return TaxiiResponse(status, status_code=202)

    @route(f"/{ROOT}/status/{{status_id}}/", methods=["GET"])
    async def get_status(status_id: str, who: str = reader) -> TaxiiResponse:
        owner, status = statuses.get(status_id, (None, {}))
        if owner != who:
            raise NotFound(f"no status {status_id!r} for {who}")
        return TaxiiResponse(status)

    return router


def _bearer(authorization: str | None) -> str | None:
    """Bearer as is; Basic with the token as the password (any user name) as Bearer."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return authorization
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return f"Bearer {decoded.partition(':')[2]}"


def _accepts(accept: str | None) -> None:
    """TAXII 2.1 only: `application/taxii+json` (version 2.1 if a version is named)."""
    if accept is None or accept.strip() in {"", "*/*"}:
        return
    for part in accept.split(","):
        tokens = [t.strip().lower() for t in part.split(";")]
        if tokens[0] in {"application/taxii+json", "*/*", "application/*"}:
            versions = [t for t in tokens[1:] if t.startswith("version=")]
            if not versions or "version=2.1" in versions:
                return
    raise MediaTypeError(
        "Accept", f"this server speaks {TAXII_MEDIA}, not {accept[:100]!r}", accept=True
    )


def _content(content_type: str | None) -> None:
    tokens = [t.strip().lower() for t in (content_type or "").split(";")]
    if tokens[0] != "application/taxii+json" or not all(
        t == "version=2.1" for t in tokens[1:] if t.startswith("version=")
    ):
        raise MediaTypeError(
            "Content-Type", f"send {TAXII_MEDIA}, not {(content_type or 'nothing')[:100]!r}",
            accept=False,
        )  # fmt: skip


def _envelope(raw: bytes) -> Mapping[str, Any]:
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("body", f"not JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("objects"), list):
        raise InputError("body", 'a TAXII envelope is an object with "objects": [...]')
    return body


def _match(
    request: Request, *, ids: frozenset[str] | None = None, default_version: str = "last"
) -> taxii.Match:
    q = request.query_params

    def values(name: str) -> frozenset[str] | None:
        raw = [v for item in q.getlist(f"match[{name}]") for v in item.split(",") if v]
        return frozenset(raw) if raw else None

    versions = values("version") or frozenset({default_version})
    for v in versions - {"first", "last", "all"}:
        _time(v, where="match[version]")
    return taxii.Match(values("type"), ids or values("id"), versions, values("spec_version"))


def _time(text: str | None, where: str = "added_after") -> datetime | None:
    if text is None:
        return None
    try:
        if datetime.fromisoformat(text).tzinfo is None:
            raise ValueError(text)
        return parse_time(text)
    except ValueError:
        raise InputError(
            where, f"{text[:60]!r} is not an RFC 3339 timestamp (with Z or an offset)"
        ) from None


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

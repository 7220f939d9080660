"""Domain errors to HTTP responses: the one place status codes are chosen."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from liaison.errors import (
    AuthError,
    ConfigError,
    Conflict,
    Forbidden,
    InputError,
    LabelError,
    LiaisonError,
    MediaTypeError,
    NotAuthenticated,
    NotFound,
    NotInitialised,
    StoreUnavailable,
)

log = logging.getLogger("liaison.api")

TAXII_PREFIX = "/taxii2"
TAXII_MEDIA = "application/taxii+json;version=2.1"

_STATUS: list[tuple[type[LiaisonError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InputError, 422),
    (LabelError, 422),
    (ConfigError, 422),
    (NotInitialised, 503),
    (StoreUnavailable, 503),
]


def status_of(exc: LiaisonError) -> int:
    if isinstance(exc, MediaTypeError):
        return 406 if exc.accept else 415
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)


def payload_too_large(path: str, max_bytes: int) -> tuple[int, str, bytes]:
    """For the body limit, which answers before the app: status, media type, body."""
    detail = f"bodies are limited to {max_bytes} bytes"
    if path.startswith(TAXII_PREFIX):
        body = {"title": "PayloadTooLarge", "description": detail, "http_status": "413"}
        return 413, TAXII_MEDIA, json.dumps(body).encode()
    return (
        413,
        "application/json",
        json.dumps({"error": "PayloadTooLarge", "detail": detail}).encode(),
    )


def refusal(
    request: Request, code: int, kind: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """One shape per interface: {error, detail} for the API, TAXII's error message under /taxii2."""
    if request.url.path.startswith(TAXII_PREFIX):
        return JSONResponse(
            {"title": kind, "description": detail, "http_status": str(code)},
            status_code=code,
            headers=headers,
            media_type=TAXII_MEDIA,
        )
    return JSONResponse({"error": kind, "detail": detail}, status_code=code, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def framework(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own refusals (a body that is not JSON, an unknown path) in our shape.
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route's methods; a path served by several routes
            # (GET and POST of TAXII objects) allows all of theirs.
            headers["Allow"] = ", ".join(_allowed(request))
        return refusal(request, exc.status_code, "HTTPError", str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One shape for every refusal: where, and why, in a sentence.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        )
        return refusal(request, 422, "ValidationError", problems or "invalid request")

    @app.exception_handler(LiaisonError)
    async def handle(request: Request, exc: LiaisonError) -> JSONResponse:
        code = status_of(exc)
        if isinstance(exc, AuthError):
            # Every refused caller is logged, with what it asked for (never its token).
            log.warning("%s %s %s: %s", code, request.method, request.url.path, exc)
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        return refusal(request, code, type(exc).__name__, str(exc), headers)


def _allowed(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        if (
            isinstance(route, Route)
            and route.methods
            and route.matches(request.scope)[0] != Match.NONE
        ):
            methods |= route.methods
    return sorted(methods)

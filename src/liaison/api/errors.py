"""Domain errors to HTTP responses: the one place status codes are chosen."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison.errors import (
    AuthError,
    ConfigError,
    Conflict,
    Forbidden,
    InputError,
    LabelError,
    LiaisonError,
    NotAuthenticated,
    NotFound,
    NotInitialised,
)

log = logging.getLogger("liaison.api")

_STATUS: list[tuple[type[LiaisonError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InputError, 422),
    (LabelError, 422),
    (ConfigError, 422),
    (NotInitialised, 503),
]


def status_of(exc: LiaisonError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def framework(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own refusals (a body that is not JSON, an unknown path) in our shape.
        return JSONResponse(
            {"error": "HTTPError", "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One shape for every refusal: where, and why, in a sentence.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        )
        return JSONResponse(
            {"error": "ValidationError", "detail": problems or "invalid request"}, status_code=422
        )

    @app.exception_handler(LiaisonError)
    async def handle(request: Request, exc: LiaisonError) -> JSONResponse:
        code = status_of(exc)
        if isinstance(exc, AuthError):
            # Every refused caller is logged, with what it asked for (never its token).
            log.warning("%s %s %s: %s", code, request.method, request.url.path, exc)
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        return JSONResponse(
            {"error": type(exc).__name__, "detail": str(exc)}, status_code=code, headers=headers
        )

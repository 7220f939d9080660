"""Domain errors to HTTP responses: the one place status codes are chosen."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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

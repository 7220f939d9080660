"""API tokens: issued once, stored only as a hash, revocable; and who a token speaks for.

A token is 32 random bytes (URL-safe base64) after a `lia_` prefix that makes it easy to find
in a leaked log. Only its SHA-256 is stored: a stolen database gives no working token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from liaison.errors import NotAuthenticated
from liaison.storage.base import Store, StoredToken

PARTNER = "partner"
ADMIN = "admin"
PREFIX = "lia_"


class Secret(str):
    """A token in memory: printable on purpose only, never by accident in a log or a repr."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


@dataclass(frozen=True, slots=True)
class Caller:
    holder: str  # the partner's id, or the operator's name
    role: str
    token_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def issue(store: Store, holder: str, role: str, now: datetime) -> tuple[StoredToken, Secret]:
    secret = Secret(PREFIX + secrets.token_urlsafe(32))
    stored = StoredToken(f"tok-{secrets.token_hex(6)}", holder, role, digest(secret), now)
    store.add_token(stored)
    return stored, secret


def authenticate(store: Store, presented: str | None) -> Caller:
    """The caller a token speaks for; NotAuthenticated for none, a wrong or a revoked token."""
    if not presented:
        raise NotAuthenticated("no token: send Authorization: Bearer <token>")
    wanted = digest(presented)
    found = store.token_by_hash(wanted)
    # The lookup is by hash (not by the secret), and the final comparison is constant-time.
    if found is None or not hmac.compare_digest(found.hash, wanted):
        raise NotAuthenticated("unknown token")
    if found.revoked is not None:
        raise NotAuthenticated("revoked token")
    return Caller(found.holder, found.role, found.id)


def still_valid(store: Store, caller: Caller) -> bool:
    """Whether the token a stream was opened with still speaks for its caller: an open stream
    asks again on every wake-up, so that a revocation (by any process) ends it at once."""
    return not store.token_revoked(caller.token_id)

"""Signed tree heads: the hub's Ed25519 signature over (size, root, time) of its audit log.

The private key lives in a file beside the database, never in it: whoever can rewrite the
database still cannot sign a head for a rewritten log. Partners keep the heads they have seen;
a consistency proof from an old head to a new one shows the log only grew.

The signed bytes are canonical JSON: {"log": "liaison-audit", "root": hex, "size": n, "time": iso}.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from liaison.codec import canonical_json, format_time, parse_time
from liaison.errors import ConfigError

LOG_NAME = "liaison-audit"


@dataclass(frozen=True, slots=True)
class SignedHead:
    size: int
    root: bytes
    time: datetime
    key_id: str
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": self.root.hex(),
            "time": format_time(self.time),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedHead:
        return cls(
            int(data["size"]),
            bytes.fromhex(data["root"]),
            parse_time(data["time"]),
            str(data["key_id"]),
            base64.b64decode(data["signature"]),
        )


def signed_bytes(size: int, root: bytes, time: datetime) -> bytes:
    body = {"log": LOG_NAME, "root": root.hex(), "size": size, "time": format_time(time)}
    return canonical_json(body).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, size: int, root: bytes, time: datetime) -> SignedHead:
    signature = key.sign(signed_bytes(size, root, time))
    return SignedHead(size, root, time, key_id(key.public_key()), signature)


def verify(public: Ed25519PublicKey, head: SignedHead) -> bool:
    try:
        public.verify(head.signature, signed_bytes(head.size, head.root, head.time))
    except InvalidSignature:
        return False
    return head.key_id == key_id(public)


def default_key_path(db: str | Path) -> Path:
    """The key file beside a SQLite store; for a PostgreSQL store, `<database>.audit-key` in
    the current folder (every process of one hub must be given the same key)."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://")):
        name = urlsplit(text).path.strip("/") or "liaison"
        return Path(f"{name}.audit-key")
    return Path(f"{text}.audit-key")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The hub's signing key; made (readable by its owner only) the first time."""
    if path.exists():
        return load_key(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(str(path), [f"cannot read the audit signing key: {exc}"]) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(str(path), ["the audit signing key must be an Ed25519 key"])
    return key


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key file (PEM), or the private key file itself (its public half)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot read the key: {exc}"]) from None
    if b"PRIVATE KEY" in data:
        return load_key(path).public_key()
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ConfigError(str(path), [f"not a PEM public key: {exc}"]) from None
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigError(str(path), ["the audit key must be an Ed25519 key"])
    return public

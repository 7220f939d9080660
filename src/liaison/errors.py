"""Every error the hub raises, as one tree rooted at `LiaisonError`.

    LiaisonError
     ├── ConfigError         the hub configuration is invalid (lists every problem)
     │    └── RegionError    a region file (zones, gates) is invalid; names the file and features
     ├── PolicyError
     │    ├── SpifError      a SPIF file is malformed or of an unknown version
     │    └── LabelError     a label names what the policy does not define
     ├── AuthError
     │    ├── NotAuthenticated no, a wrong or a revoked token
     │    └── Forbidden        a known caller asked for what is not its own
     ├── InputError          one input record (a report line, a message) is bad
     │    └── MediaTypeError a request's Accept or Content-Type is a format the hub does not speak
     ├── TableError          a data table the hub ships (data/mid.tsv) is malformed; names the line
     └── StoreError
          ├── NotFound       no such item, partner, feed or policy version
          ├── Conflict       a write would change something immutable
          ├── NotInitialised the store holds no policy yet (run `liaison init`)
          └── StoreUnavailable the database cannot be reached now (nothing was stored): retry

HTTP status codes never appear here; the web edge maps these classes to them.
"""

from __future__ import annotations

from collections.abc import Iterable


class LiaisonError(Exception):
    """Root of every error the hub raises on purpose."""


class ConfigError(LiaisonError, ValueError):
    """The hub configuration is invalid. `problems` lists every problem found, not just the first."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source}: invalid configuration ({len(self.problems)} problems):\n{lines}"
        )


class RegionError(ConfigError):
    """A region file (GeoJSON zones and gates) cannot be loaded. Each problem names the feature
    (`features[3] 'miyako-strait'`); all problems are listed, not just the first."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        LiaisonError.__init__(
            self,
            f"{source}: invalid region file ({count} problem{'s' if count != 1 else ''}):\n{lines}",
        )


class PolicyError(LiaisonError):
    """Something about the security policy is wrong."""


class SpifError(PolicyError, ValueError):
    """A SPIF file cannot be loaded. The message names the file and the element."""

    def __init__(self, source: str, element: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.element = element
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: <{element}>: {reason}")


class LabelError(PolicyError, ValueError):
    """A label is not valid under its policy (unknown classification, unknown value, ...)."""


class AuthError(LiaisonError):
    """Who is asking, or what they may ask for, is wrong."""


class NotAuthenticated(AuthError):
    """No token, an unknown token or a revoked one."""


class Forbidden(AuthError):
    """A known caller asked for something that is not its own."""


class InputError(LiaisonError, ValueError):
    """One input record is bad; `where` says which (file and line, field)."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}" if where else reason)


class MediaTypeError(InputError):
    """`accept` True: the hub cannot answer in the asked format; False: cannot read the body's."""

    def __init__(self, where: str, reason: str, *, accept: bool) -> None:
        self.accept = accept
        super().__init__(where, reason)


class TableError(LiaisonError, ValueError):
    """A data table the hub ships (e.g. `liaison/data/mid.tsv`) is malformed: a broken package,
    not bad input. The message names the file and the line."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source}:{line}: {reason}")


class StoreError(LiaisonError):
    """The store cannot do what was asked."""


class StoreUnavailable(StoreError):
    """The database cannot be reached now (a restart, a lost connection); nothing was stored,
    and the same call may succeed later."""


class NotFound(StoreError, KeyError):
    """No such item, partner, feed or policy version."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a person reads this message.
        return str(self.args[0]) if self.args else "not found"


class Conflict(StoreError):
    """A write would change something that is immutable once stored."""


class NotInitialised(StoreError):
    """The store holds no policy yet."""

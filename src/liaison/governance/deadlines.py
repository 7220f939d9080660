"""Deadlines as people write them: a UTC time, or how long from now silence holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from liaison.errors import InputError

_DURATION = re.compile(r"(?:\d+[wdhms])+")
_PART = re.compile(r"(\d+)([wdhms])")
_UNIT = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_deadline(text: str, now: datetime) -> datetime:
    """`2026-12-07T12:00:00Z` (ISO 8601 with its offset), or a duration from `now`: `7d`,
    `48h`, `30m`, `90s`, `1w`, or combined (`1d12h`). The deadline in UTC."""
    stripped = text.strip()
    if _DURATION.fullmatch(stripped):
        delta = timedelta()
        for amount, unit in _PART.findall(stripped):
            delta += timedelta(**{_UNIT[unit]: int(amount)})
        return now.astimezone(UTC) + delta
    try:
        at = datetime.fromisoformat(stripped)
    except ValueError:
        raise InputError(
            "deadline",
            f"{text!r} is neither an ISO 8601 time (2026-12-07T12:00:00Z) "
            "nor a duration (7d, 48h, 30m)",
        ) from None
    if at.tzinfo is None:
        raise InputError("deadline", f"{text!r} has no time zone: write it in UTC, ending in Z")
    return at.astimezone(UTC)


def time_left(deadline: datetime, now: datetime) -> str:
    """`6d 23h 59m`, `12m 5s`, or `due` once the deadline has come."""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "due"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    elif hours:
        parts = [(hours, "h"), (minutes, "m"), (secs, "s")]
    else:
        parts = [(minutes, "m"), (secs, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n] or ["0s"]
    return " ".join(shown)

"""Feeds: named inputs whose items share an originator, an area and a default label."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.model.labels import Label


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    originator: str
    area: str
    label: Label
    kind: str = "report"

"""Agreements between partners: what may flow, up to which classification, and on what terms."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class AgreementKind(enum.StrEnum):
    ITPP = "itpp"  # Individually Tailored Partnership Programme
    BILATERAL = "bilateral"
    MULTILATERAL = "multilateral"


@dataclass(frozen=True, slots=True)
class Obligations:
    """What an agreement requires of a released copy. Empty obligations release the original."""

    strip: frozenset[str] = frozenset()
    position_precision_deg: float | None = None

    @property
    def empty(self) -> bool:
        return not self.strip and self.position_precision_deg is None

    def merge(self, other: Obligations) -> Obligations:
        """Both sets of terms at once: every stripped field, the coarser precision."""
        precisions = [
            p for p in (self.position_precision_deg, other.position_precision_deg) if p is not None
        ]
        return Obligations(self.strip | other.strip, max(precisions) if precisions else None)

    def as_json(self) -> list[dict[str, object]]:
        """One object per obligation, for machines; `text` says it for people."""
        out: list[dict[str, object]] = [
            {"type": "strip", "field": name, "text": f"strip field {name}"}
            for name in sorted(self.strip)
        ]
        if self.position_precision_deg is not None:
            out.append(
                {
                    "type": "coarsen_positions",
                    "precision_deg": self.position_precision_deg,
                    "text": f"coarsen positions to {self.position_precision_deg:g} degrees",
                }
            )
        return out

    def describe(self) -> list[str]:
        out = [f"strip field {name}" for name in sorted(self.strip)]
        if self.position_precision_deg is not None:
            out.append(f"coarsen positions to {self.position_precision_deg:g} degrees")
        return out


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    kind: AgreementKind
    parties: frozenset[str]
    areas: frozenset[str]
    kinds: frozenset[str] | None  # None: every kind of information
    max_classification: str
    in_force_from: datetime | None = None
    in_force_until: datetime | None = None
    obligations: Obligations = Obligations()

    def in_force(self, at: datetime) -> bool:
        """In force from `in_force_from` (inclusive) until `in_force_until` (exclusive)."""
        if self.in_force_from is not None and at < self.in_force_from:
            return False
        return self.in_force_until is None or at < self.in_force_until

    def binds(self, a: str, b: str) -> bool:
        return a in self.parties and b in self.parties

    def covers_kind(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds
